"""The control plane's boolean fields (reset's `seed`, `clock`, `delete`; the clock's `unfreeze`; a snapshot's
`clock.frozen`) take a JSON boolean, or the text "true" or "false" a form body sends; anything else is a 400
naming the field, and nothing changes. Before, any value was read as a flag (`"nah"` as false: a reset that wiped
the store without re-seeding it; `"maybe"` as false; a snapshot's `"frozen": "false"` as true)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from ..conftest import ORG
from .helpers import access_token


def _store(client: httpx.Client) -> str:
    return json.dumps(client.get("/_mockown/snapshot").json()["store"], sort_keys=True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"seed": "nah"}, "seed"),
        ({"seed": 0}, "seed"),
        ({"seed": None}, "seed"),
        ({"clock": "maybe"}, "clock"),
        ({"clock": []}, "clock"),
        ({"seed": "yes"}, "seed"),  # only the words a form sends for a boolean: true, false
        ({"org": ORG, "delete": "maybe"}, "delete"),
        ({"org": ORG, "delete": 1}, "delete"),
    ],
)
def test_reset_refuses_a_flag_that_is_no_boolean(client: httpx.Client, body: dict[str, Any], field: str) -> None:
    access_token(client)
    before = _store(client)
    response = client.post("/_mockown/reset", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert repr(field) in response.json()["message"] or field in response.json()["message"]
    assert _store(client) == before


@pytest.mark.parametrize("value", ["maybe", 1, None, [], "on"])
def test_clock_refuses_an_unfreeze_that_is_no_boolean(client: httpx.Client, value: Any) -> None:
    response = client.post("/_mockown/clock", json={"unfreeze": value})
    assert response.status_code == 400, response.text
    assert "unfreeze" in response.json()["message"]
    assert client.get("/_mockown/clock").json()["frozen"] is True


def test_booleans_and_their_form_words_still_work(client: httpx.Client) -> None:
    assert client.post("/_mockown/reset", json={"seed": True, "clock": False}).status_code == 200
    form = client.post("/_mockown/reset", data={"seed": "true", "clock": "false"})
    assert form.status_code == 200, form.text
    assert client.post("/_mockown/clock", data={"unfreeze": "false"}).json()["frozen"] is True
    assert client.post("/_mockown/clock", json={"unfreeze": True}).json()["frozen"] is False
    deleted = client.post("/_mockown/reset", data={"org": ORG, "delete": "true"})
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True


@pytest.mark.parametrize("frozen", ["false", "true", 0, 1, None])
def test_restore_refuses_a_clock_frozen_that_is_no_boolean(client: httpx.Client, frozen: Any) -> None:
    snapshot = client.get("/_mockown/snapshot").json()
    access_token(client)
    before = _store(client)
    snapshot["clock"]["frozen"] = frozen
    response = client.post("/_mockown/restore", json=snapshot)
    assert response.status_code == 400, response.text
    assert "clock.frozen" in response.json()["message"]
    assert _store(client) == before


def test_restore_takes_a_boolean_frozen(client: httpx.Client) -> None:
    snapshot = client.get("/_mockown/snapshot").json()
    snapshot["clock"]["frozen"] = False
    response = client.post("/_mockown/restore", json=snapshot)
    assert response.status_code == 200, response.text
    assert response.json()["clock"]["frozen"] is False


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/_mockown/reset", {"seed": False, "clock": "false"}, "clock"),
        ("/_mockown/reset", {"seed": "true"}, "seed"),
        ("/_mockown/reset", {"org": ORG, "delete": "true"}, "delete"),
        ("/_mockown/reset", {"org": ORG, "delete": "false"}, "delete"),
        ("/_mockown/clock", {"unfreeze": "true"}, "unfreeze"),
        ("/_mockown/clock", {"unfreeze": "false"}, "unfreeze"),
        ("/_mockown/clock", {"freeze": "false"}, "freeze"),
        ("/_mockown/clock", {"freeze": "true"}, "freeze"),
        ("/_mockown/clock", {"freeze": ""}, "freeze"),
    ],
)
def test_a_json_body_takes_json_booleans_not_their_words(
    client: httpx.Client, path: str, body: dict[str, Any], field: str
) -> None:
    """The words `true` and `false` are a form body's booleans only: in JSON the string "false" is no boolean (it
    was read as one: `{"seed": false, "clock": "false"}` answered 200), a 400 naming the field, nothing changed."""
    access_token(client)
    before, clock = _store(client), client.get("/_mockown/clock").json()["now"]
    response = client.post(path, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert field in response.json()["message"]
    assert _store(client) == before
    assert client.get("/_mockown/clock").json()["now"] == clock  # frozen: it moved only if the request moved it


def test_a_form_body_keeps_its_words_for_freeze(client: httpx.Client) -> None:
    client.post("/_mockown/clock", json={"unfreeze": True})
    assert client.post("/_mockown/clock", data={"freeze": "true"}).json()["frozen"] is True
    assert client.post("/_mockown/clock", data={"freeze": "false", "unfreeze": "true"}).json()["frozen"] is False
    assert client.post("/_mockown/clock", data={"freeze": ""}).json()["frozen"] is True

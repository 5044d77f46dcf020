"""The clock and the outbox over HTTP against a real `mockown serve`."""

from __future__ import annotations

import httpx
import pytest

from .helpers import access_token, introspect, rest


def test_read_the_clock(api: httpx.Client) -> None:
    body = api.get("/_mockown/clock").json()
    assert body == {"now": 1767225600.0, "iso": "2026-01-01T00:00:00.000Z", "frozen": True, "offset": body["offset"]}


def test_advance_moves_every_expiry(api: httpx.Client) -> None:
    token = access_token(api)  # the demo app's session timeout is 2 hours
    assert api.post("/_mockown/clock", json={"advance": "119m"}).json()["iso"] == "2026-01-01T01:59:00.000Z"
    assert introspect(api, token)["active"] is True
    api.post("/_mockown/clock", json={"advance": "2h1m"})  # past the idle timeout
    assert introspect(api, token) == {"active": False}
    assert rest(api, token).status_code == 401


def test_advance_181_days_as_a_form_body(api: httpx.Client) -> None:
    body = api.post("/_mockown/clock", data={"advance": "181d"}).json()
    assert body["iso"] == "2026-07-01T00:00:00.000Z"


def test_set_freeze_and_unfreeze(api: httpx.Client) -> None:
    moved = api.post("/_mockown/clock", json={"set": "2030-05-05T05:05:05Z"}).json()
    assert moved["iso"] == "2030-05-05T05:05:05.000Z"
    running = api.post("/_mockown/clock", json={"unfreeze": True}).json()
    assert running["frozen"] is False and running["iso"].startswith("2030-05-05T05:05")
    frozen = api.post("/_mockown/clock", json={"freeze": "2031-01-01T00:00:00Z"}).json()
    assert frozen == {**frozen, "frozen": True, "iso": "2031-01-01T00:00:00.000Z"}
    refrozen = api.post("/_mockown/clock", json={"freeze": True}).json()
    assert refrozen["iso"] == "2031-01-01T00:00:00.000Z"


@pytest.mark.parametrize(
    "body",
    [{}, {"advance": "-1h"}, {"advance": "soon"}, {"set": "yesterday"}, {"rewind": "1h"}, {"advance": [1]}],
)
def test_bad_clock_requests_are_400(api: httpx.Client, body: dict[str, object]) -> None:
    response = api.post("/_mockown/clock", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert api.get("/_mockown/clock").json()["iso"] == "2026-01-01T00:00:00.000Z"


OWN_USER_DOC = {
    "own": {
        "accounts": [
            {"name": "Outbox Co", "users": [{"email": "ops@outbox.test", "role": "master_admin", "api_token": True}]}
        ]
    }
}


def test_outbox_lists_filters_and_clears(api: httpx.Client) -> None:
    assert api.get("/_mockown/outbox").json() == {"count": 0, "messages": []}
    created = api.post("/_mockown/seed", json=OWN_USER_DOC).json()
    account = str(created["own"]["accounts"][0]["id"])
    body = api.get("/_mockown/outbox").json()
    assert body["count"] == 1
    message = body["messages"][0]
    assert message["to"] == "ops@outbox.test"
    assert message["account"] == account
    assert message["time"] == "2026-01-01T00:00:00.000Z"
    assert message["subject"] and message["body"]
    assert api.get("/_mockown/outbox", params={"to": "OPS@outbox.test"}).json()["count"] == 1
    assert api.get("/_mockown/outbox", params={"to": "nobody@x.test"}).json()["count"] == 0
    assert api.get("/_mockown/outbox", params={"account": account}).json()["count"] == 1
    assert api.get("/_mockown/outbox", params={"kind": message["kind"]}).json()["count"] == 1
    assert api.get("/_mockown/outbox", params={"subject": message["subject"][2:8].upper()}).json()["count"] == 1
    assert api.delete("/_mockown/outbox", params={"to": "nobody@x.test"}).json() == {"deleted": 0}
    assert api.delete("/_mockown/outbox").json() == {"deleted": 1}
    assert api.get("/_mockown/outbox").json()["count"] == 0

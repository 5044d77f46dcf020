"""`GET /_mockown/keys` and `POST /_mockown/keys/rotate`: the rings' slots, the control dialect for bad input,
and the pytest handle's `rotate_keys()`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from mockown.runtime import Runtime
from mockown.testing import ControlPlaneError, Mockown
from mockown.testing.target import LocalTarget

RSA_RINGS = ("rsa", "own", "am", "ocapi")  # Salesforce, Own's Okta server, Account Manager, OCAPI: a ring each
EMPTY = {"rsa": {"past": None, "current": None}, "ec": {"past": None, "current": None, "future": None},
         "own": {"past": None, "current": None}, "am": {"past": None, "current": None},
         "ocapi": {"past": None, "current": None}}  # fmt: skip


def slots(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/_mockown/keys")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    ring: dict[str, Any] = response.json()["keys"]
    return ring


def test_reading_the_slots_generates_nothing(client: httpx.Client) -> None:
    assert slots(client) == EMPTY
    kid = client.get("/id/keys").json()["keys"][0]["kid"]
    assert slots(client) == {**EMPTY, "rsa": {"past": None, "current": kid}}


def test_rotating_every_ring_without_a_body(client: httpx.Client, runtime: Runtime) -> None:
    kid = client.get("/id/keys").json()["keys"][0]["kid"]
    response = client.post("/_mockown/keys/rotate")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rotated"] == ["rsa", "ec", "own", "am", "ocapi"] and body["keys"] == slots(client)
    # four keys, one per issuer: their kids are unique within a ring only (two issuers' short RSA kids, one of
    # ~256 values, coincide about once in 40 runs), so the keys themselves are compared
    current = {ring: runtime.keys.rsa_of(ring) for ring in RSA_RINGS}
    assert {ring: key.kid for ring, key in current.items()} == {r: body["keys"][r]["current"] for r in RSA_RINGS}
    assert len({key.jwk["n"] for key in current.values()}) == 4
    assert body["keys"]["rsa"]["past"] == kid and body["keys"]["rsa"]["current"] not in (None, kid)
    ec = body["keys"]["ec"]
    assert ec["past"] is None and None not in (ec["current"], ec["future"]) and ec["current"] != ec["future"]


def test_a_form_body_names_the_key_too(client: httpx.Client) -> None:
    response = client.post("/_mockown/keys/rotate", data={"key": "ec"})
    assert response.status_code == 200 and response.json()["rotated"] == ["ec"]
    assert slots(client)["rsa"] == EMPTY["rsa"]  # the RSA ring was not touched (no key generated)


@pytest.mark.parametrize(
    ("body", "kwargs"),
    [
        ("unknown key", {"json": {"key": "hmac"}}),
        ("capitals", {"json": {"key": "RSA"}}),
        ("not a string", {"json": {"key": ["rsa"]}}),
        ("null key", {"json": {"key": None, "extra": 1}}),
        ("unknown field", {"json": {"keys": "rsa"}}),
        ("not an object", {"json": ["rsa"]}),
        ("malformed JSON", {"content": b"{key", "headers": {"content-type": "application/json"}}),
    ],
)
def test_bad_input_is_a_400_in_the_control_dialect(client: httpx.Client, body: str, kwargs: dict[str, Any]) -> None:
    response = client.post("/_mockown/keys/rotate", **kwargs)
    assert response.status_code == 400, (body, response.text)
    assert set(response.json()) == {"error", "message"} and response.json()["error"] == "invalid_request"
    assert slots(client) == EMPTY  # nothing rotated


def test_the_wrong_method_is_a_405_in_the_control_dialect(client: httpx.Client) -> None:
    response = client.get("/_mockown/keys/rotate")
    assert response.status_code == 405 and set(response.json()) == {"error", "message"}


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(key=st.text(max_size=12).filter(lambda k: k not in EMPTY))
def test_any_other_key_name_is_refused(client: httpx.Client, key: str) -> None:
    response = client.post("/_mockown/keys/rotate", json={"key": key})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_the_pytest_handle_rotates(app: Starlette) -> None:
    target = LocalTarget(app)
    with Mockown(target, label="keys") as handle:
        before = handle.client.get("/id/keys").json()["keys"]
        ring = handle.rotate_keys("rsa")
        assert ring["rsa"]["past"] == before[0]["kid"]
        assert [k["kid"] for k in handle.client.get("/id/keys").json()["keys"]] == [before[0]["kid"],
                                                                                    ring["rsa"]["current"]]  # fmt: skip
        both = handle.rotate_keys()
        assert both["rsa"]["past"] == ring["rsa"]["current"] and both["ec"]["current"] is not None
        with pytest.raises(ControlPlaneError) as refused:
            handle.rotate_keys("dsa")
        assert refused.value.status == 400
    target.close()

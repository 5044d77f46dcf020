"""SLAS `/jwks` publishes "current, past and future keys" (spec, SLAS JWKS): before any rotation the current and
the future key; `POST /_mockown/keys/rotate {"key": "ec"}` makes the future key current and the current one past.
A token signed with the past key still works at /userinfo and /introspect; once a second rotation drops its key,
it is refused in SLAS's dialect."""

from __future__ import annotations

import re
from typing import Any

import httpx
import jwt

from tests import jwks_support
from tests.b2c.test_slas import BASE, ORG, PRIVATE, SECRET, basic, private_guest, problem

UUID = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def jwks(client: httpx.Client) -> list[dict[str, Any]]:
    response = client.get(BASE + "/jwks")
    assert response.status_code == 200, response.text
    keys: list[dict[str, Any]] = response.json()["keys"]
    for key in keys:
        assert set(key) == {"crv", "kid", "kty", "use", "x", "y"} and UUID.match(key["kid"])
        assert (key["crv"], key["kty"], key["use"]) == ("P-256", "EC", "sig")
    return keys


def rotate(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/_mockown/keys/rotate", json={"key": "ec"})
    assert response.status_code == 200, response.text
    ring: dict[str, Any] = response.json()["keys"]["ec"]
    return ring


def verifies(client: httpx.Client, token: str) -> bool:
    return jwks_support.verifies(jwks(client), token, "ES256")


def userinfo(client: httpx.Client, token: str) -> httpx.Response:
    return client.get(BASE + "/userinfo", headers={"Authorization": f"Bearer {token}"})


def introspect(client: httpx.Client, token: str) -> dict[str, Any]:
    response = client.post(BASE + "/introspect", data={"token": token}, headers=basic(PRIVATE, SECRET))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_jwks_holds_current_and_future_then_past_current_future(client: httpx.Client) -> None:
    token = private_guest(client).json()["access_token"]
    current, future = (k["kid"] for k in jwks(client))
    assert jwt.get_unverified_header(token)["kid"] == current and current != future
    ring = rotate(client)
    assert ring["past"] == current and ring["current"] == future and ring["future"] not in (current, future)
    assert [k["kid"] for k in jwks(client)] == [current, future, ring["future"]]
    assert jwt.get_unverified_header(private_guest(client).json()["access_token"])["kid"] == future
    again = rotate(client)
    assert [k["kid"] for k in jwks(client)] == [future, ring["future"], again["future"]]  # `current` dropped


def test_a_token_signed_before_a_rotation_keeps_working_until_the_next(client: httpx.Client) -> None:
    old = private_guest(client).json()["access_token"]
    assert userinfo(client, old).status_code == 200
    rotate(client)
    newer = private_guest(client).json()["access_token"]
    assert verifies(client, old) and verifies(client, newer)
    assert userinfo(client, old).status_code == 200 and introspect(client, old)["active"] is True
    rotate(client)
    assert not verifies(client, old)
    problem(userinfo(client, old), 400, "invalid_request", "Bad or missing access token.")
    assert introspect(client, old) == {"active": False}
    assert userinfo(client, newer).status_code == 200 and introspect(client, newer)["active"] is True


def test_the_id_token_follows_the_rotation_too(client: httpx.Client) -> None:
    ring = rotate(client)  # before any token: no past key, a new current and future
    assert ring["past"] is None and [k["kid"] for k in jwks(client)] == [ring["current"], ring["future"]]
    body = private_guest(client).json()
    assert jwt.get_unverified_header(body["id_token"])["kid"] == ring["current"]
    assert verifies(client, body["id_token"])
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["iss"] == f"slas/prod/{ORG}"

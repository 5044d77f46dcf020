"""SLAS `/jwks` publishes "current, past and future keys" (spec, SLAS JWKS): before any rotation the current and
the future key; `POST /_mockown/keys/rotate {"key": "ec"}` makes the future key current and the current one past.
A token signed with the past key still works at /userinfo and /introspect; once a second rotation drops its key,
it is refused in SLAS's dialect. OCAPI customer JWTs (RS256, the `ocapi` ring) likewise: refused with OCAPI's
`InvalidAccessTokenException` fault, and as `dwsgst` at the SLAS session bridge, once `{"key": "ocapi"}` rotated
twice (its own ring: Salesforce's `rsa` rotations leave it alone)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import jwt

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from tests import jwks_support
from tests.b2c.test_slas import BASE, ORG, PRIVATE, SECRET, basic, private_guest, problem
from tests.conftest import T0

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


# -- OCAPI customer JWTs (RS256, the RSA ring) ------------------------------------------------------------------
OCAPI = "/s/RefArch/dw/shop/v24_5"
OCAPI_CLIENT = {"x-dw-client-id": "a" * 30}
INVALID_TOKEN = {
    "_v": "24.5",
    "fault": {
        "type": "InvalidAccessTokenException",
        "message": "The request is unauthorized: the access token is invalid or expired.",
    },
}


def rotate_ocapi(client: httpx.Client, key: str = "ocapi") -> dict[str, Any]:
    response = client.post("/_mockown/keys/rotate", json={"key": key})
    assert response.status_code == 200, response.text
    ring: dict[str, Any] = response.json()["keys"][key]
    return ring


def ocapi_guest(client: httpx.Client) -> str:
    response = client.post(OCAPI + "/customers/auth", json={"type": "guest"}, headers=OCAPI_CLIENT)
    assert response.status_code == 200, response.text
    return response.headers["authorization"]  # "Bearer <JWT>"


def ocapi_uses(client: httpx.Client, bearer: str) -> list[httpx.Response]:
    """The bearer at each OCAPI resource that takes one: `type: refresh`, `POST /sessions`."""
    headers = {**OCAPI_CLIENT, "Authorization": bearer}
    return [
        client.post(OCAPI + "/customers/auth", json={"type": "refresh"}, headers=headers),
        client.post(OCAPI + "/sessions", headers=headers),
    ]


def bridge(client: httpx.Client, bearer: str) -> httpx.Response:
    """SLAS session bridge with an OCAPI guest JWT as `dwsgst`."""
    data = {"grant_type": "client_credentials", "channel_id": "RefArch", "login_id": "guest"}
    data["dwsgst"] = bearer.removeprefix("Bearer ")
    return client.post(BASE + "/session-bridge/token", data=data, headers=basic(PRIVATE, SECRET))


def test_an_ocapi_jwt_works_until_the_second_rotation(client: httpx.Client) -> None:
    old = ocapi_guest(client)
    ring = rotate_ocapi(client)
    assert ring["past"] == jwt.get_unverified_header(old.removeprefix("Bearer "))["kid"]
    assert [r.status_code for r in ocapi_uses(client, old)] == [200, 204]
    assert bridge(client, old).status_code == 200
    newer = ocapi_guest(client)
    rotate(client)  # the EC ring, and Salesforce's and Account Manager's RSA rings: no effect on OCAPI's
    for other in ("rsa", "rsa", "am", "am"):
        rotate_ocapi(client, other)
    assert [r.status_code for r in ocapi_uses(client, old)] == [200, 204]
    rotate_ocapi(client)
    for response in ocapi_uses(client, old):
        assert response.status_code == 401 and response.json() == INVALID_TOKEN, response.text
    logout = client.delete(OCAPI + "/customers/auth", headers={**OCAPI_CLIENT, "Authorization": old})
    assert logout.status_code == 401 and logout.json() == INVALID_TOKEN
    problem(bridge(client, old), 400, "invalid_request", "Bad or missing dwsid.")
    assert [r.status_code for r in ocapi_uses(client, newer)] == [200, 204]
    assert bridge(client, newer).status_code == 200
    assert [r.status_code for r in ocapi_uses(client, ocapi_guest(client))] == [200, 204]


def test_an_ocapi_jwt_ends_in_every_runtime_on_the_state_file(tmp_path: Path) -> None:
    """Two runtimes on one state file (two workers): `two` rotates twice, `one` refuses at once."""
    config = Config(state_file=str(tmp_path / "state.db"))
    one, two = create_app(config, clock=FrozenClock(T0)), create_app(config, clock=FrozenClock(T0))
    runtimes: list[Runtime] = [one.state.runtime, two.state.runtime]
    try:
        with in_process_client(one) as a, in_process_client(two) as b:
            old = ocapi_guest(a)
            rotate_ocapi(b)
            assert [r.status_code for r in ocapi_uses(a, old)] == [200, 204]
            rotate_ocapi(b)
            for response in [*ocapi_uses(a, old), *ocapi_uses(b, old)]:
                assert response.status_code == 401 and response.json() == INVALID_TOKEN, response.text
            problem(bridge(a, old), 400, "invalid_request", "Bad or missing dwsid.")
    finally:
        for runtime in runtimes:
            runtime.store.close()

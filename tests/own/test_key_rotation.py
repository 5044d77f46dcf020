"""Own access tokens end with their signing key. They are RS256 JWTs of the `own` ring (Own's Okta server has
keys of its own: Salesforce's `rsa` rotations leave them alone); Okta refuses a token whose
signature its published keys no longer verify, so the mock checks, beside the stored hash, that the key that
signed the token is still published: after one rotation it is the past key (still published, the token works),
after the second it is dropped and the regional API answers the 401 it gives any invalid or expired token."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.own.service import OwnService
from mockown.runtime import Runtime
from tests.conftest import T0
from tests.own.conftest import OWNER, PASSWORDS, TOKEN_URL, exchange_form

UNAUTHORIZED = {"error": "Unauthorized", "message": "Invalid or expired access token"}


def access_token(client: httpx.Client, api_token: str) -> str:
    response = client.post(TOKEN_URL, data=exchange_form(api_token))
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def services(client: httpx.Client, access: str) -> httpx.Response:
    return client.get("/regions/app1/api/v1/services", headers={"Authorization": f"Bearer {access}"})


def rotate(client: httpx.Client, key: str = "own") -> dict[str, str | None]:
    response = client.post("/_mockown/keys/rotate", json={"key": key})
    assert response.status_code == 200, response.text
    ring: dict[str, str | None] = response.json()["keys"][key]
    return ring


def refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == UNAUTHORIZED
    assert response.headers["www-authenticate"] == 'Bearer realm="own"'


def test_an_access_token_works_until_the_second_rotation(client: httpx.Client, own: OwnService) -> None:
    api_token = own.generate_api_token(OWNER, PASSWORDS[OWNER])
    old = access_token(client, api_token)
    assert services(client, old).status_code == 200
    ring = rotate(client)
    assert ring["past"] == jwt.get_unverified_header(old)["kid"]  # still one of the ring's keys
    assert services(client, old).status_code == 200
    newer = access_token(client, api_token)  # the same API token, exchanged after the rotation
    assert jwt.get_unverified_header(newer)["kid"] == ring["current"]
    rotate(client, "ec")  # the SLAS ring, and Salesforce's: no effect on Own's tokens
    rotate(client, "rsa")
    rotate(client, "rsa")
    assert services(client, old).status_code == 200
    rotate(client)
    refused(services(client, old))
    refused(client.get("/api/v1/services", headers={"Authorization": f"Bearer {old}"}))  # every region
    assert services(client, newer).status_code == 200  # its key is the past one now
    assert client.get("/api/v1/services", headers={"Authorization": f"Bearer {newer}"}).status_code == 200
    assert services(client, access_token(client, api_token)).status_code == 200


def test_a_rotation_in_another_runtime_on_the_state_file_counts(tmp_path: Path) -> None:
    """Two runtimes on one state file (two workers): `two` rotates twice, `one` refuses at once."""
    config = Config(state_file=str(tmp_path / "state.db"))
    one, two = create_app(config, clock=FrozenClock(T0)), create_app(config, clock=FrozenClock(T0))
    runtimes: list[Runtime] = [one.state.runtime, two.state.runtime]
    try:
        with in_process_client(one) as a, in_process_client(two) as b:
            old = access_token(a, runtimes[0].own.generate_api_token(OWNER, PASSWORDS[OWNER]))
            assert services(b, old).status_code == 200
            rotate(b)
            assert services(a, old).status_code == 200
            rotate(b)
            refused(services(a, old))
            refused(services(b, old))
    finally:
        for runtime in runtimes:
            runtime.store.close()

"""Spec §1.1 [DOC S1]: "Authentication endpoints (login and logout) use https://auth.owndata.com. All other
endpoints use your regional domain." Through intercept mode the real host names reach the mock, so a client that
posts its token exchange to a regional host must fail here as it would against Own."""

from __future__ import annotations

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import OWNER, TOKEN_URL, exchange_form

REVOKE_URL = TOKEN_URL.removesuffix("/token") + "/revoke"


@pytest.mark.parametrize("host", ["app1.owndata.com", "emea2.owndata.com", "useast2.ownbackup.com"])
@pytest.mark.parametrize("path", [TOKEN_URL, REVOKE_URL])
def test_the_auth_endpoints_are_not_on_a_regional_host(
    client: httpx.Client, own: OwnService, host: str, path: str
) -> None:
    raw = own.generate_api_token(OWNER)
    used = len(own.events.all())
    r = client.post(f"https://{host}{path}", data={**exchange_form(raw), "token": "x"})
    assert r.status_code == 404, r.text
    assert r.json() == {"error": "Not Found", "message": f"{path} is not on {host}: use https://auth.owndata.com"}
    assert len(own.events.all()) == used and own.api_token_info(OWNER)["last_used_at"] is None  # type: ignore[index]


@pytest.mark.parametrize("base", ["https://auth.owndata.com", "https://auth.ownbackup.com", ""])
def test_the_auth_host_and_a_plain_host_exchange(client: httpx.Client, own: OwnService, base: str) -> None:
    raw = own.generate_api_token(OWNER)
    r = client.post(base + TOKEN_URL, data=exchange_form(raw))
    assert r.status_code == 200 and r.json()["refresh_token"] == raw
    assert (
        client.post(
            base + REVOKE_URL, data={"token": r.json()["access_token"], "client_id": exchange_form("")["client_id"]}
        ).status_code
        == 200
    )


def test_the_regional_api_is_not_on_the_auth_host(client: httpx.Client, own: OwnService) -> None:
    raw = own.generate_api_token(OWNER)
    access = client.post(TOKEN_URL, data=exchange_form(raw)).json()["access_token"]
    r = client.get("https://auth.owndata.com/api/v1/services", headers={"Authorization": f"Bearer {access}"})
    assert r.status_code == 404 and r.json()["error"] == "Not Found"

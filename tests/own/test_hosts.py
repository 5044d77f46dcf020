"""Spec §1.1 [DOC S1]: "Authentication endpoints (login and logout) use https://auth.owndata.com. All other
endpoints use your regional domain." Through intercept mode the real host names reach the mock, so a client that
posts its token exchange to a regional host must fail here as it would against Own."""

from __future__ import annotations

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import OWNER, TOKEN_URL, exchange_form

REVOKE_URL = TOKEN_URL.removesuffix("/token") + "/revoke"


@pytest.mark.parametrize(
    "host", ["app1.owndata.com", "emea2.owndata.com", "useast2.ownbackup.com", "app1.owndata.com."]
)
@pytest.mark.parametrize("path", [TOKEN_URL, REVOKE_URL])
def test_the_auth_endpoints_are_not_on_a_regional_host(
    client: httpx.Client, own: OwnService, host: str, path: str
) -> None:
    raw = own.generate_api_token(OWNER)
    used = len(own.events.all())
    r = client.post(f"https://{host}{path}", data={**exchange_form(raw), "token": "x"})
    assert r.status_code == 404, r.text
    where = host.removesuffix(".")  # an absolute name (RFC 1034 3.1) is the same host
    assert r.json() == {"error": "Not Found", "message": f"{path} is not on {where}: use https://auth.owndata.com"}
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


def test_an_absolute_host_name_is_its_region(client: httpx.Client, own: OwnService) -> None:
    """`emea2.owndata.com.` (the final dot of an absolute name) is emea2, not the default region: a write through
    it (backup now) lands in emea2's service of that id, never app1's (service ids are per region)."""
    raw = own.generate_api_token(OWNER)
    bearer = {"Authorization": f"Bearer {client.post(TOKEN_URL, data=exchange_form(raw)).json()['access_token']}"}
    service = client.get("https://emea2.owndata.com/api/v1/services", headers=bearer).json()[0]["id"]

    def backups(host: str) -> list[object]:
        listed = client.get(f"https://{host}/api/v1/services/{service}/backups", headers=bearer)
        assert listed.status_code == 200, listed.text
        result: list[object] = listed.json()
        return result

    app1, emea2 = backups("app1.owndata.com"), backups("emea2.owndata.com")
    assert app1 != emea2
    assert backups("emea2.owndata.com.") == emea2 and backups("APP1.owndata.com.") == app1
    now = client.post(f"https://emea2.owndata.com./api/v1/services/{service}/backup_now", headers=bearer)
    assert now.status_code < 300, now.text
    assert backups("app1.owndata.com") == app1 and len(backups("emea2.owndata.com")) == len(emea2) + 1

"""Marketing Cloud rules (mockown/marketing/service.py) that the third hand-driven mutation audit showed no test
would miss if broken: each test names the mutant it kills and passes on the real code."""

from __future__ import annotations

import httpx

from mockown.runtime import Runtime

from .test_marketing import BASE, SERVER, WEB, cc, code_for, exchange


def test_sign_out_keeps_the_offline_access_token(client: httpx.Client, runtime: Runtime) -> None:
    """Signing out revokes only tokens without the `offline` scope: an offline grant's access token keeps working,
    not only its refresh token (kills the `offline` check dropped from the access-token half of `sign_out`)."""
    online = exchange(client, WEB, code_for(client, WEB, scope="email_read")).json()
    offline = exchange(client, WEB, code_for(client, WEB, scope="email_read offline")).json()
    assert runtime.marketing.sign_out("700123456") == 2  # the online grant's refresh and access token
    for tokens, status in ((online, 401), (offline, 200)):
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert client.get(f"{BASE}/v2/userinfo", headers=auth).status_code == status


def test_the_home_business_unit_stays_reachable_when_no_longer_listed(client: httpx.Client, runtime: Runtime) -> None:
    """An integration always reaches the business unit it was created in (spec 1.1: without `account_id` the token is
    for that BU), also after its accessible MIDs were changed to a list without it; another unlisted MID stays
    refused (kills `mid != integration.home_mid` dropped from `_mid`: the seed always lists the home MID)."""
    runtime.marketing.update_integration(SERVER["client_id"], accessible_mids=[10123457])
    assert cc(client, account_id="10123456").status_code == 200
    assert cc(client, account_id="10123457").status_code == 200
    assert cc(client, account_id="10123999").status_code != 200

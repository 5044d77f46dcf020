"""Rules of Marketing Cloud's legacy `v1/requestToken` and `v2/userinfo` that the second hand-driven mutation audit
showed no test would miss if broken (each test names the mutant it kills)."""

from __future__ import annotations

import httpx

from mockown.runtime import Runtime
from mockown.seed import seed_document

from .test_marketing import BASE, LEGACY, SERVER

OTHER_SUB = "mcmockownother00000000000000"
OTHER_LEGACY = {"clientId": "mockownotherlegacy000000", "clientSecret": "MockownMcOtherLegacy0000"}


def _other_tenant(runtime: Runtime) -> None:
    tenant = {"eid": 10999999, "subdomain": OTHER_SUB, "name": "Other Enterprise", "business_units": [10999999],
              "integrations": [{"client_id": OTHER_LEGACY["clientId"], "client_secret": OTHER_LEGACY["clientSecret"],
                                "name": "Other Legacy", "type": "legacy"}]}  # fmt: skip
    seed_document(runtime, {"marketing": {"tenants": [tenant]}})


def test_v1_on_another_tenants_subdomain_is_refused(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `tenant.id != integration.tenant_id` dropped (request_token_v1): a package's credentials work on its
    own tenant's subdomain (and the tenant-less legacy host), not on another tenant's."""
    _other_tenant(runtime)
    assert client.post(f"{BASE}/v1/requestToken", json=LEGACY).status_code == 200
    refused = client.post(f"/mc/{OTHER_SUB}/v1/requestToken", json=LEGACY)
    assert refused.status_code == 401
    assert refused.json() == {"message": "Unauthorized", "errorcode": 1, "documentation": ""}
    assert client.post(f"/mc/{OTHER_SUB}/v1/requestToken", json=OTHER_LEGACY).status_code == 200


def test_v1_refresh_token_of_another_package_is_refused(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `rt.client_id != integration.client_id` dropped (request_token_v1): a refresh token is bound to the
    package it was issued to."""
    _other_tenant(runtime)
    first = client.post(f"{BASE}/v1/requestToken", json={**LEGACY, "accessType": "offline"}).json()
    stolen = client.post("http://auth.exacttargetapis.com/v1/requestToken",
                         json={**OTHER_LEGACY, "refreshToken": first["refreshToken"]})  # fmt: skip
    assert stolen.status_code == 401
    again = client.post(f"{BASE}/v1/requestToken", json={**LEGACY, "refreshToken": first["refreshToken"]})
    assert again.status_code == 200


def test_v1_refuses_an_uninstalled_legacy_package(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `not integration.installed` dropped (request_token_v1), as v2 refuses an uninstalled package."""
    integration = runtime.marketing.integrations.get(LEGACY["clientId"])
    assert integration is not None
    integration.installed = False
    runtime.marketing.integrations.put(integration)
    assert client.post(f"{BASE}/v1/requestToken", json=LEGACY).status_code == 401


def test_v1_gives_a_refresh_token_only_for_offline_access(client: httpx.Client) -> None:
    """Kills `if offline or refresh_in` made unconditional (request_token_v1; spec 1.5: `accessType: "offline"`
    asks for a refresh token)."""
    online = client.post(f"{BASE}/v1/requestToken", json=LEGACY).json()
    assert set(online) == {"accessToken", "expiresIn"}
    offline = client.post(f"{BASE}/v1/requestToken", json={**LEGACY, "accessType": "offline"}).json()
    assert "refreshToken" in offline


def test_userinfo_on_another_tenants_subdomain_is_refused(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `at.tenant_id != tenant.id` dropped (MarketingService.userinfo)."""
    _other_tenant(runtime)
    token = client.post(f"{BASE}/v2/token", json={"grant_type": "client_credentials", **SERVER}).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{BASE}/v2/userinfo", headers=auth).status_code == 200
    assert client.get(f"/mc/{OTHER_SUB}/v2/userinfo", headers=auth).status_code == 401

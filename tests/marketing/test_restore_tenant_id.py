"""A Marketing Cloud tenant's id is its enterprise id (EID) as the seed stores it: a whole number's digits
(`/v2/token` and `/v2/userinfo` answer it as a number). A restored snapshot whose tenant id is anything else was
accepted and made `/v2/token` a 500: the restore refuses it with its 400, nothing stored."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .test_marketing import BASE, SERVER


def _with_tenant_id(snapshot: dict[str, Any], new: str) -> dict[str, Any]:
    store = snapshot["store"]
    old = store["mc_tenants"][0]["id"]
    store["mc_tenants"][0]["id"] = new
    for table in ("mc_integrations", "mc_users"):
        for row in store[table]:
            if row["tenant_id"] == old:
                row["tenant_id"] = new
    return snapshot


# what int() reads but the seed never stores too: spaces, underscores, full-width digits, leading zeros
NO_EID = ["ten-abc", "", " 10123456", "10_123_456", "\uff10\uff11\uff12", "0012", "1e5", "9" * 5000]
# and the digits of a number outside 1 to 2^31-1, which the seed refuses as an EID (marketing.models.account_id)
NO_EID += ["-5", "0", "2147483648", "1" + "0" * 25]


@pytest.mark.parametrize("tenant_id", NO_EID)
def test_a_tenant_id_that_is_no_eid_is_refused(client: httpx.Client, tenant_id: str) -> None:
    before = client.get("/_mockown/snapshot").json()["store"]
    refused = client.post("/_mockown/restore", json=_with_tenant_id(client.get("/_mockown/snapshot").json(), tenant_id))
    assert refused.status_code == 400, refused.text
    assert "mc_tenants" in refused.json()["message"] and "id" in refused.json()["message"]
    assert client.get("/_mockown/snapshot").json()["store"] == before  # nothing stored
    assert client.post(f"{BASE}/v2/token", json={"grant_type": "client_credentials", **SERVER}).status_code == 200


@pytest.mark.parametrize("tenant_id", ["10123456", "7", "2147483647"])
def test_an_eid_restores_and_is_answered_as_a_number(client: httpx.Client, tenant_id: str) -> None:
    restored = client.post(
        "/_mockown/restore", json=_with_tenant_id(client.get("/_mockown/snapshot").json(), tenant_id)
    )
    assert restored.status_code == 200, restored.text
    token = client.post(f"{BASE}/v2/token", json={"grant_type": "client_credentials", **SERVER, "account_id": None})
    assert token.status_code == 200, token.text
    info = client.get(f"{BASE}/v2/userinfo", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert info.status_code == 200 and info.json()["organization"]["enterprise_id"] == int(tenant_id), info.text

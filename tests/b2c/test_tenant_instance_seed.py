"""A SLAS tenant's `instance` names the B2C instance whose storefront sessions its session bridge reads, by host
(`zzxy-001.dx.commercecloud.salesforce.com`, as a seeded instance's `host`). A URL or anything else no instance host
can be was stored as given and silently matched no instance, so the bridge never found a shopper: the seed refuses
it, naming the field."""

from __future__ import annotations

import httpx
import pytest


def _tenant(instance: str) -> dict[str, object]:
    return {"b2c": {"slas": {"tenants": [{"org_id": "f_ecom_zzab_002", "instance": instance}]}}}


@pytest.mark.parametrize(
    "instance",
    [
        "https://zzxy-001.dx.commercecloud.salesforce.com",
        "zzxy-001.dx.commercecloud.salesforce.com/",
        "zzxy 001.example.com",
        "zzxy-001.dx.commercecloud.salesforce.com/on/demandware.store",
    ],
)
def test_a_tenant_instance_that_is_no_host_is_refused(client: httpx.Client, instance: str) -> None:
    r = client.post("/_mockown/seed", json=_tenant(instance))
    assert r.status_code == 400, r.text
    assert "instance" in r.text and "host" in r.text
    assert "f_ecom_zzab_002" not in client.get("/_mockown/snapshot").text  # nothing of the document stored


@pytest.mark.parametrize("instance", ["zzxy-001.dx.commercecloud.salesforce.com", "ZZXY-001.dx.example.com:8443"])
def test_a_host_is_a_tenant_instance(client: httpx.Client, instance: str) -> None:
    assert client.post("/_mockown/seed", json=_tenant(instance)).status_code == 201

"""A B2C instance is named by its host: `/b2c/instances/<host>/` and a request's `Host` header. A seeded `host` that
is no host name (a URL, text with a space or a path) was stored as given and no request could ever name it: the
seed refuses it, as it refuses such a SLAS tenant `instance`, and nothing of the document is stored."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    "host",
    [
        "https://bad host/x",
        "https://zzxy-002.dx.commercecloud.salesforce.com",
        "zzxy-002.dx.commercecloud.salesforce.com/",
        "zzxy 002.example.com",
        "zzxy-002.example.com/on/demandware.store",
        "-zzxy.example.com",
        "zzxy-002.example.com\n",
    ],
)
def test_an_instance_host_that_is_no_host_is_refused(client: httpx.Client, host: str) -> None:
    before = client.get("/_mockown/snapshot").json()["store"]
    document = {"b2c": {"instances": [{"host": host, "sites": [{"id": "HostSite"}]}]}}
    r = client.post("/_mockown/seed", json=document)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_seed"
    assert "b2c instance host" in r.json()["message"] and "host name" in r.json()["message"]
    assert client.get("/_mockown/snapshot").json()["store"] == before


@pytest.mark.parametrize("host", ["zzxy-002.dx.commercecloud.salesforce.com", "ZZXY-003.dx.example.com:8443"])
def test_a_host_name_is_an_instance_host_and_names_it(client: httpx.Client, host: str) -> None:
    document = {"b2c": {"instances": [{"host": host, "sites": [{"id": "HostSite", "client_ids": ["c" * 30]}]}]}}
    r = client.post("/_mockown/seed", json=document)
    assert r.status_code == 201, r.text
    assert r.json()["b2c"]["instances"][0]["host"] == host.lower()

"""A Salesforce path spelled with a doubled leading slash (`//services/...`) is the same resource, as on
Salesforce's production hosts: clients that join an instance URL's trailing slash with a path's leading one send it.
@salesforce/core before 8.32 asks `GET {instance}//services/data/v51.0/query?q=SELECT Id FROM ScratchOrgInfo limit 1`
to decide whether an org is a Dev Hub (`AuthInfo.determineIfDevHub`; forcedotcom/sfdx-core#1310 removed the extra
slash in July 2026), and jsforce sent `//services/oauth2/authorize` until jsforce#1525, which notes that production
"has been parsing it successfully". A 404 there made every `sf org login` against the mock store `isDevHub: false`
for a Dev Hub org (found by tests/interop/test_sfcore.py)."""

from __future__ import annotations

import httpx
import pytest

from tests.salesforce.helpers import password_token

ORIGIN = "http://testserver"
DEVHUB_QUERY = "/services/data/v51.0/query?q=SELECT%20Id%20FROM%20ScratchOrgInfo%20limit%201"


@pytest.fixture
def token(client: httpx.Client) -> str:
    value: str = password_token(client).json()["access_token"]
    return value


@pytest.mark.parametrize("slashes", ["//", "///"])
@pytest.mark.parametrize(
    "path", [DEVHUB_QUERY, "/services/data/v51.0/sobjects/User/005g000000Adm1NAAR", "/services/oauth2/userinfo"]
)
def test_a_doubled_leading_slash_names_the_same_resource(
    client: httpx.Client, token: str, path: str, slashes: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    single = client.get(f"{ORIGIN}{path}", headers=headers)
    doubled = client.get(f"{ORIGIN}{slashes}{path.lstrip('/')}", headers=headers)
    assert single.status_code == 200, single.text
    assert doubled.url.raw_path.startswith(slashes.encode())  # sent as such, not normalised by the client
    assert (doubled.status_code, doubled.json()) == (single.status_code, single.json())


def test_the_dev_hub_check_of_the_sf_cli_finds_the_dev_hub(client: httpx.Client, token: str) -> None:
    answer = client.get(f"{ORIGIN}/{DEVHUB_QUERY}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200  # any status >= 400 reads as "not a Dev Hub"
    assert answer.json() == {"totalSize": 0, "done": True, "records": []}


def test_a_doubled_slash_still_needs_a_session(client: httpx.Client) -> None:
    answer = client.get(f"{ORIGIN}/{DEVHUB_QUERY}")
    assert answer.status_code == 401
    assert answer.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_other_doubled_slashes_are_untouched(client: httpx.Client, token: str) -> None:
    """Only a doubled *leading* slash before `services/` is read as one: no other path changes meaning."""
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{ORIGIN}//nothing/here", headers=headers).status_code == 404
    inner = client.get(f"{ORIGIN}/services//data/v51.0/limits", headers=headers)
    assert inner.status_code == 404
    # an encoded slash (`/%2Fservices/...`, decoded `//services/...`) is no slash of the path
    encoded = client.get(f"{ORIGIN}/%2Fservices/data/v51.0/limits", headers=headers)
    assert encoded.url.raw_path.startswith(b"/%2F") and encoded.status_code == 404

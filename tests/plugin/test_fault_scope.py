"""`mockown.faults.add()` scopes a rule to the test's org (or Own account) so it never hits another test; a
path whose requests name neither (Marketing Cloud, B2C, and the Salesforce endpoints that take no credentials)
would never fire so scoped, so the handle says so instead of adding a rule that silently does nothing."""

from __future__ import annotations

from typing import Any

import pytest

from mockown.testing import Mockown


@pytest.fixture
def mc(mockown: Mockown) -> dict[str, Any]:
    u = mockown.unique
    document = {"marketing": {"tenants": [{
        "subdomain": f"mc{u}".ljust(28, "0"),
        "integrations": [{"client_id": f"srv{u}".ljust(24, "0"), "client_secret": "S3cret", "type": "server"}],
    }]}}  # fmt: skip
    tenant: dict[str, Any] = mockown.seed(document)["marketing"]["tenants"][0]
    return tenant


def mc_token(mockown: Mockown, tenant: dict[str, Any]) -> int:
    integration = tenant["integrations"][0]
    body = {"grant_type": "client_credentials", "client_id": integration["client_id"], "client_secret": "S3cret"}
    return mockown.client.post(mockown.urls.mc_token(tenant["subdomain"]), json=body).status_code


@pytest.mark.parametrize("path", ["/mc/*/v2/token", "/v2/token", "/b2c/*", "/shopper/auth/v1/*"])
def test_a_rule_no_request_could_match_is_refused_with_the_way_out(mockown: Mockown, path: str) -> None:
    with pytest.raises(ValueError, match=r"never fire\): add client_id=\.\.\. .* or scope='server'"):
        mockown.faults.add(path=path, status=503)
    assert mockown.faults.rules() == []


def test_marketing_cloud_faults_by_client_or_server_wide(mockown: Mockown, mc: dict[str, Any]) -> None:
    client_id = mc["integrations"][0]["client_id"]
    mockown.faults.add(path="/mc/*/v2/token", status=503, times=1, client_id=client_id)
    assert [mc_token(mockown, mc), mc_token(mockown, mc)] == [503, 200]
    mockown.faults.add(path="/mc/*/v2/token", status=503, times=1, scope="server")
    assert [mc_token(mockown, mc), mc_token(mockown, mc)] == [503, 200]


@pytest.mark.parametrize("path", ["/services/oauth2/token", "/services/*", "/*token", "/id/*", "/api/v1/*"])
def test_salesforce_and_own_paths_keep_their_scope(mockown: Mockown, path: str) -> None:
    rule = mockown.faults.add(path=path, status=503, times=1)
    assert rule["match"].get("org") == mockown.org_id or rule["match"].get("account") == mockown.own_account_id


@pytest.mark.parametrize("api", ["slas", "account manager"])
def test_a_client_id_rule_fires_on_requests_that_authenticate_with_basic(mockown: Mockown, api: str) -> None:
    import base64

    u = mockown.unique
    client_id, secret = f"basic-{u}", f"Secret{u}"
    header = {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}
    if api == "slas":
        org = f"f_ecom_{u[:4]}_001"
        mockown.seed({"b2c": {"slas": {"tenants": [{"org_id": org, "clients": [
            {"client_id": client_id, "client_secret": secret, "channels": ["RefArch"]}]}]}}})  # fmt: skip
        path = f"/shopper/auth/v1/organizations/{org}/oauth2/token"
        data = {"grant_type": "client_credentials", "channel_id": "RefArch"}
    else:
        mockown.seed({"b2c": {"account_manager": {"clients": [{"client_id": client_id, "client_secret": secret}]}}})
        path, data = "/dwsso/oauth2/access_token", {"grant_type": "client_credentials"}
    rule = mockown.faults.add(path=path, status=503, times=1, client_id=client_id)
    assert "org" not in rule["match"] and "account" not in rule["match"]
    statuses = [mockown.client.post(path, data=data, headers=header).status_code for _ in range(2)]
    assert statuses == [503, 200]
    assert [e["client_id"] for e in mockown.journal.entries(path)] == [client_id, client_id]


ORGLESS = ["/id/keys", "/.well-known/openid-configuration", "/.well-known/*", "/services/oauth2/authorize/consent",
           "/services/Soap/u/*"]  # fmt: skip


@pytest.mark.parametrize("path", ORGLESS)
def test_a_salesforce_path_whose_requests_name_no_org_is_refused_with_the_way_out(mockown: Mockown, path: str) -> None:
    # scoped to the org, the rule never fired: these requests name no org (the journal's org is None)
    with pytest.raises(ValueError, match=r"name no org.*never fire: add scope='server'"):
        mockown.faults.add(path=path, status=503)
    with pytest.raises(ValueError, match=r"name no org"):
        mockown.faults.add(path=path, status=503, scope="org")
    assert mockown.faults.rules() == []


@pytest.mark.parametrize("path", ["/id/keys", "/.well-known/openid-configuration", "/services/data"])
def test_a_server_wide_rule_fires_there(mockown: Mockown, path: str) -> None:
    mockown.faults.add(path=path, status=503, times=1, scope="server")
    assert [mockown.client.get(path).status_code for _ in range(2)] == [503, 200]
    assert [e["org"] for e in mockown.journal.entries(path)] == [None, None]


@pytest.mark.parametrize("path", ["/services/data", "/services/data/"])
def test_the_versions_list_takes_an_org_rule_only_when_asked(mockown: Mockown, path: str) -> None:
    """Clients that send their token to the versions list name the org there: `scope="org"` fires on those (as it
    did before the org-less paths were refused); by default it is refused, since a tokenless client never meets it."""
    with pytest.raises(ValueError, match=r"fires only on requests that carry its access token.*scope='org'"):
        mockown.faults.add(path=path, status=503)
    assert mockown.faults.rules() == []
    mockown.faults.add(path=path, status=503, times=1, scope="org")
    auth = {"Authorization": f"Bearer {mockown.access_token()}"}
    assert mockown.client.get(path).status_code == 200  # no token: no org, the rule waits
    assert [mockown.client.get(path, headers=auth).status_code for _ in range(2)] == [503, 200]


def test_an_org_rule_there_fires_on_requests_carrying_the_orgs_token(mockown: Mockown) -> None:
    mockown.faults.add(path="/services/data", status=503, times=1, org=mockown.org_id)
    auth = {"Authorization": f"Bearer {mockown.access_token()}"}
    assert mockown.client.get("/services/data").status_code == 200  # no token: no org, the rule waits
    assert [mockown.client.get("/services/data", headers=auth).status_code for _ in range(2)] == [503, 200]


def test_a_url_from_urls_stands_for_its_path_as_in_the_journal(mockown: Mockown) -> None:
    """`faults.add(path=mockown.urls.token)` takes the URL's path, as `journal.count(mockown.urls.token)` does
    (also in `match=`), so the one URL serves both."""
    rule = mockown.faults.add(path=mockown.urls.token, status=503, times=1)
    assert rule["match"]["path"] == "/services/oauth2/token" and rule["match"]["org"] == mockown.org_id
    assert mockown.issue_token(check=False)["_status"] == 503
    mockown.faults.add(match={"path": mockown.urls.token}, status=502, times=1)
    assert mockown.issue_token(check=False)["_status"] == 502
    assert mockown.issue_token()["access_token"]
    assert mockown.journal.count(mockown.urls.token) == 3

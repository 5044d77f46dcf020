"""A Salesforce session belongs to its org: on another org's My Domain (the instance a client reaches through that
org's `instance_url`) it is no session. Salesforce answers REST with 401 `INVALID_SESSION_ID` and the identity
service with 403 `Bad_OAuth_Token`, as for any session id it does not know (spec 9.1, 8). The mock accepted a
token of org A on org B's My Domain and served org A's data there. On a host that is no org's My Domain
(`login.salesforce.com`, the mock's own address) every live session stays usable, as before."""

from __future__ import annotations

import httpx
import pytest

ORGS = ("acme", "beta")
PASSWORD = "Md-Passw0rd"


def _seed(client: httpx.Client) -> str:
    """Two orgs on their own My Domains; an access token of `acme`'s user."""
    for name in ORGS:
        org = {
            "my_domain": f"{name}.my.salesforce.com",
            "users": [{"username": f"u@{name}.test", "password": PASSWORD}],
            "apps": [{"client_id": f"App{name}", "client_secret": "MdSecret", "scopes": ["api", "web", "openid"]}],
        }
        assert client.post("/_mockown/seed", json={"salesforce": {"orgs": [org]}}).status_code == 201
    form = {"grant_type": "password", "client_id": "Appacme", "client_secret": "MdSecret", "username": "u@acme.test"}
    r = client.post("/services/oauth2/token", data={**form, "password": PASSWORD})
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


@pytest.mark.parametrize("path", ["/services/data/v62.0/limits", "/services/data/v62.0/query?q=SELECT+Id+FROM+User"])
def test_a_token_of_one_org_is_no_session_on_another_orgs_my_domain(client: httpx.Client, path: str) -> None:
    token = _seed(client)
    auth = {"Authorization": f"Bearer {token}"}
    r = client.get(path, headers={**auth, "Host": "beta.my.salesforce.com"})
    assert r.status_code == 401
    assert r.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    for host in ("acme.my.salesforce.com", "login.salesforce.com", "testserver"):
        assert client.get(path, headers={**auth, "Host": host}).status_code == 200, host


def test_userinfo_on_another_orgs_my_domain_is_bad_oauth_token(client: httpx.Client) -> None:
    token = _seed(client)
    auth = {"Authorization": f"Bearer {token}"}
    r = client.get("/services/oauth2/userinfo", headers={**auth, "Host": "beta.my.salesforce.com"})
    assert r.status_code == 403
    assert r.text == "Bad_OAuth_Token"
    r = client.get("/services/oauth2/userinfo", headers={**auth, "Host": "acme.my.salesforce.com"})
    assert r.status_code == 200


def test_frontdoor_on_another_orgs_my_domain_does_not_log_in(client: httpx.Client) -> None:
    token = _seed(client)
    r = client.get(
        "/secur/frontdoor.jsp", params={"sid": token, "retURL": "/home"}, headers={"Host": "beta.my.salesforce.com"}
    )
    assert r.status_code in (302, 303)
    assert r.headers["location"].startswith("/?ec=302")  # the login page, as for a dead session id
    assert "sid" not in r.cookies
    r = client.get(
        "/secur/frontdoor.jsp", params={"sid": token, "retURL": "/home"}, headers={"Host": "acme.my.salesforce.com"}
    )
    assert r.headers["location"] == "/home"


def test_singleaccess_on_another_orgs_my_domain_is_bad_oauth_token(client: httpx.Client) -> None:
    token = _seed(client)
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post("/services/oauth2/singleaccess", headers={**auth, "Host": "beta.my.salesforce.com"})
    assert r.status_code == 403
    assert "Bad_OAuth_Token" in r.text
    assert (
        client.post("/services/oauth2/singleaccess", headers={**auth, "Host": "acme.my.salesforce.com"}).status_code
        == 200
    )

"""A session is never foreign on its own org's My Domain (the `instance_url` the mock issued it with), even when
another seeded org names the same host: the seed does not refuse a My Domain two orgs share, and
`SalesforceService.foreign_session` looked only at the first org owning the host, so the second org's clients got
401 `INVALID_SESSION_ID` at their own `instance_url` (a legitimate client broken by the cross-org check)."""

from __future__ import annotations

import httpx

PASSWORD = "Md-Passw0rd"
SHARED = "shared.my.salesforce.com"


def _token(client: httpx.Client) -> dict[str, str]:
    for name in ("first", "second"):
        org = {
            "my_domain": SHARED,
            "users": [{"username": f"u@{name}.test", "password": PASSWORD}],
            "apps": [{"client_id": f"App{name}", "client_secret": "MdSecret", "scopes": ["api", "web", "openid"]}],
        }
        assert client.post("/_mockown/seed", json={"salesforce": {"orgs": [org]}}).status_code == 201
    form = {"grant_type": "password", "client_id": "Appsecond", "client_secret": "MdSecret"}
    r = client.post("/services/oauth2/token", data={**form, "username": "u@second.test", "password": PASSWORD})
    assert r.status_code == 200, r.text
    body: dict[str, str] = r.json()
    return body


def test_the_second_org_on_a_shared_my_domain_keeps_its_session_there(client: httpx.Client) -> None:
    body = _token(client)
    assert body["instance_url"] == f"https://{SHARED}"
    auth = {"Authorization": f"Bearer {body['access_token']}", "Host": SHARED}
    assert client.get("/services/data/v62.0/limits", headers=auth).status_code == 200
    assert client.get("/services/oauth2/userinfo", headers=auth).status_code == 200
    assert client.get(body["id"], headers=auth).status_code == 200
    assert client.post("/services/oauth2/singleaccess", headers=auth).status_code == 200

"""Connect REST "OAuth Usage" resources (`/services/data/vXX.X/apps/oauth/usage...`): an admin lists apps, users and
refresh tokens, and revokes them; a revocation ends the refresh token and its access tokens, and nothing else."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown.runtime import Runtime
from mockown.salesforce.seed import seed_org
from tests.conftest import CALLBACK
from tests.salesforce.helpers import exchange, get_code, refresh, rest

V = "/services/data/v62.0"
USAGE = f"{V}/apps/oauth/usage"
NOT_FOUND = [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]
INVALID = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
EXPIRED = {"error": "invalid_grant", "error_description": "expired access/refresh token"}
TOKEN_KEYS = {"accessTokenFormat", "appDeveloperName", "appIdentifier", "initialConnectionAt", "lastUsedAt",
              "revocationUrl", "useCount", "userIdentifier", "username"}  # fmt: skip


def _org(runtime: Runtime) -> dict[str, Any]:
    """An org with an admin, a standard user, and two confidential apps (the second issues JWT access tokens)."""
    tag = secrets.token_hex(4)
    app = {"callback_urls": [CALLBACK], "scopes": ["api", "refresh_token"]}
    creds = seed_org(
        runtime,
        {
            "users": [
                {"username": f"admin-{tag}@usage.test", "password": "Secret-1"},
                {"username": f"user-{tag}@usage.test", "password": "Secret-1", "profile": "Standard User"},
            ],
            "apps": [{"name": f"Usage App {tag}", **app}, {"name": f"Jwt App {tag}", "jwt_access_tokens": True, **app}],
        },
    )
    return {"admin": creds["users"][0], "user": creds["users"][1], "apps": creds["apps"], "id": creds["id"]}


def _approve(client: httpx.Client, org: dict[str, Any], who: str = "admin", app: int = 0) -> dict[str, Any]:
    a = org["apps"][app]
    code = get_code(client, client_id=a["client_id"], login_hint=org[who]["username"], scope="api refresh_token")
    response = exchange(client, code, client_id=a["client_id"], client_secret=a["client_secret"])
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _call(client: httpx.Client, token: str, path: str, method: str = "GET", **params: Any) -> httpx.Response:
    return client.request(method, path, params=params or None, headers={"Authorization": f"Bearer {token}"})


def _refresh(client: httpx.Client, org: dict[str, Any], tokens: dict[str, Any], app: int = 0) -> httpx.Response:
    a = org["apps"][app]
    return refresh(client, tokens["refresh_token"], a["client_id"], a["client_secret"])


def _alive(client: httpx.Client, org: dict[str, Any], tokens: dict[str, Any], app: int = 0) -> bool:
    """Whether both halves of an approval work: its access token on REST, and its refresh token."""
    api = rest(client, tokens["access_token"]).status_code
    grant = _refresh(client, org, tokens, app).status_code
    assert (api == 200) == (grant == 200), (api, grant)
    return api == 200


@pytest.fixture
def org(runtime: Runtime) -> dict[str, Any]:
    return _org(runtime)


@pytest.fixture
def admin(client: httpx.Client, org: dict[str, Any]) -> dict[str, Any]:
    return _approve(client, org)


@pytest.mark.parametrize("slash", ["", "/"])
def test_apps_lists_the_apps_in_use(client: httpx.Client, org: dict[str, Any], admin: dict[str, Any],
                                    slash: str) -> None:  # fmt: skip
    r = _call(client, admin["access_token"], USAGE + slash)
    assert r.status_code == 200, r.text
    assert r.headers["Sforce-Limit-Info"].startswith("api-usage=")
    body = r.json()
    app = org["apps"][0]
    assert body["apps"] == [{"developerName": app["name"].replace(" ", "_"), "identifier": app["id"],
                             "label": app["name"]}]  # fmt: skip  # the JWT app has no approval yet
    assert body["currentPageUrl"] == f"{USAGE}?page=0&pageSize=100"
    assert body["nextPageUrl"] == f"{USAGE}?page=1&pageSize=100"  # on every page, even the last
    _approve(client, org, "user", app=1)
    assert len(_call(client, admin["access_token"], USAGE).json()["apps"]) == 2


def test_apps_are_paged(client: httpx.Client, org: dict[str, Any], admin: dict[str, Any]) -> None:
    _approve(client, org, "user", app=1)
    token = admin["access_token"]
    first = _call(client, token, USAGE, page=0, pageSize=1).json()
    second = _call(client, token, first["nextPageUrl"]).json()
    assert len(first["apps"]) == len(second["apps"]) == 1 and first["apps"] != second["apps"]
    assert _call(client, token, second["nextPageUrl"]).json()["apps"] == []  # after the last page: empty
    for bad in ({"page": "-1"}, {"pageSize": "0"}, {"pageSize": "101"}, {"page": "x"}, {"pageSize": "1e3"}):
        r = _call(client, token, USAGE, **bad)
        assert r.status_code == 400 and r.json()[0]["errorCode"] == "INVALID_API_INPUT", bad


def test_users_of_an_app(client: httpx.Client, org: dict[str, Any], admin: dict[str, Any]) -> None:
    _approve(client, org, "user")
    app_id = org["apps"][0]["id"]
    for path in (f"{USAGE}/{app_id}/users", f"{USAGE}/{app_id[:15]}/users/"):
        body = _call(client, admin["access_token"], path).json()
        expected = sorted([org["admin"], org["user"]], key=lambda u: u["username"])
        assert body["users"] == [{"userIdentifier": u["id"], "username": u["username"]} for u in expected]
        assert body["currentPageUrl"] == f"{USAGE}/{app_id}/users?page=0&pageSize=100"
    unused = _call(client, admin["access_token"], f"{USAGE}/{org['apps'][1]['id']}/users").json()
    assert unused["users"] == []  # an app of the org without approvals: an empty list, not 404


def test_tokens_of_a_user_and_app(client: httpx.Client, org: dict[str, Any], admin: dict[str, Any],
                                  clock: Any) -> None:  # fmt: skip
    clock.advance(1)  # the list is oldest first
    second = _approve(client, org)
    clock.advance(60)
    assert _refresh(client, org, second).status_code == 200
    app, user = org["apps"][0], org["admin"]
    body = _call(client, admin["access_token"], f"{USAGE}/{app['id']}/{user['id']}/tokens").json()
    assert body["currentPageUrl"] == f"{USAGE}/{app['id']}/{user['id']}/tokens?page=0&pageSize=100"
    tokens = body["tokens"]
    assert len(tokens) == 2 and all(set(t) == TOKEN_KEYS for t in tokens)
    first, later = tokens
    assert first["accessTokenFormat"] == "Opaque" and first["appIdentifier"] == app["id"]
    assert first["appDeveloperName"] == app["name"].replace(" ", "_")
    assert first["userIdentifier"] == user["id"] and first["username"] == user["username"]
    assert first["initialConnectionAt"] == "2026-01-01T00:00:00.000Z" == first["lastUsedAt"]
    assert (
        later["initialConnectionAt"] == "2026-01-01T00:00:01.000Z" and later["lastUsedAt"] == "2026-01-01T00:01:01.000Z"
    )
    assert later["useCount"] == 1 and first["useCount"] == 0
    assert first["revocationUrl"].startswith(f"{USAGE}/tokens/") and first["revocationUrl"] != later["revocationUrl"]
    jwt = _approve(client, org, app=1)
    (entry,) = _call(client, admin["access_token"], f"{USAGE}/{org['apps'][1]['id']}/{user['id']}/tokens").json()[
        "tokens"
    ]
    assert entry["accessTokenFormat"] == "JWT" and jwt["access_token"].count(".") == 2


def test_delete_one_token_ends_it_and_nothing_else(client: httpx.Client, org: dict[str, Any],
                                                   admin: dict[str, Any], clock: Any) -> None:  # fmt: skip
    clock.advance(1)  # `victim` is listed after the caller's own approval (oldest first)
    victim, other_user, other_app = _approve(client, org), _approve(client, org, "user"), _approve(client, org, app=1)
    app, user = org["apps"][0], org["admin"]
    listed = _call(client, admin["access_token"], f"{USAGE}/{app['id']}/{user['id']}/tokens").json()["tokens"]
    assert len(listed) == 2  # the fixture's approval (the caller's session) and `victim`
    url = listed[1]["revocationUrl"]
    r = _call(client, admin["access_token"], url, "DELETE")
    assert r.status_code == 204 and r.content == b""
    assert r.headers["Sforce-Limit-Info"].startswith("api-usage=")
    assert rest(client, victim["access_token"]).json() == INVALID
    assert _refresh(client, org, victim).json() == EXPIRED
    assert _alive(client, org, other_user) and _alive(client, org, other_app, app=1) and _alive(client, org, admin)
    again = _call(client, admin["access_token"], url, "DELETE")  # already revoked: it no longer exists
    assert again.status_code == 404 and again.json() == NOT_FOUND


def test_delete_a_users_tokens_of_an_app(client: httpx.Client, org: dict[str, Any], admin: dict[str, Any]) -> None:
    first, second = _approve(client, org, "user"), _approve(client, org, "user")
    same_user_other_app = _approve(client, org, "user", app=1)
    app, user = org["apps"][0], org["user"]
    r = _call(client, admin["access_token"], f"{USAGE}/{app['id']}/{user['id']}/tokens", "DELETE")
    assert r.status_code == 204
    for tokens in (first, second):
        assert rest(client, tokens["access_token"]).status_code == 401
        assert _refresh(client, org, tokens).json() == EXPIRED
    assert _alive(client, org, same_user_other_app, app=1) and _alive(client, org, admin)
    left = _call(client, admin["access_token"], f"{USAGE}/{app['id']}/{user['id']}/tokens").json()
    assert left["tokens"] == []
    assert (
        _call(client, admin["access_token"], f"{USAGE}/{app['id']}/{user['id']}/tokens/", "DELETE").status_code == 204
    )


def test_delete_an_apps_tokens(client: httpx.Client, runtime: Runtime, org: dict[str, Any],
                               admin: dict[str, Any]) -> None:  # fmt: skip
    users_token, jwt_token = _approve(client, org, "user"), _approve(client, org, "user", app=1)
    elsewhere = _org(runtime)
    foreign = _approve(client, elsewhere)
    r = _call(client, admin["access_token"], f"{USAGE}/{org['apps'][0]['id']}/tokens", "DELETE")
    assert r.status_code == 204
    assert rest(client, users_token["access_token"]).status_code == 401
    assert _refresh(client, org, users_token).json() == EXPIRED
    assert rest(client, admin["access_token"]).json() == INVALID  # the caller's own session was one of them
    assert _alive(client, org, jwt_token, app=1) and _alive(client, elsewhere, foreign)
    token = _approve(client, org, app=1)["access_token"]
    assert _call(client, token, USAGE).json()["apps"] == [
        {"developerName": org["apps"][1]["name"].replace(" ", "_"), "identifier": org["apps"][1]["id"],
         "label": org["apps"][1]["name"]}
    ]  # fmt: skip


def test_only_an_admin(client: httpx.Client, org: dict[str, Any], admin: dict[str, Any]) -> None:
    user = _approve(client, org, "user")
    app_id, user_id = org["apps"][0]["id"], org["user"]["id"]
    calls = [("GET", USAGE), ("GET", f"{USAGE}/{app_id}/users"), ("GET", f"{USAGE}/{app_id}/{user_id}/tokens"),
             ("DELETE", f"{USAGE}/{app_id}/{user_id}/tokens"), ("DELETE", f"{USAGE}/{app_id}/tokens"),
             ("DELETE", f"{USAGE}/tokens/whatever")]  # fmt: skip
    for method, path in calls:
        r = _call(client, user["access_token"], path, method)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()[0]["errorCode"] == "INSUFFICIENT_ACCESS"
    assert _alive(client, org, user) and _alive(client, org, admin)


def test_unknown_ids_are_404(client: httpx.Client, runtime: Runtime, org: dict[str, Any],
                             admin: dict[str, Any]) -> None:  # fmt: skip
    other = _org(runtime)
    _approve(client, other)
    app_id, user_id = org["apps"][0]["id"], org["admin"]["id"]
    foreign_app, foreign_user = other["apps"][0]["id"], other["admin"]["id"]
    foreign_admin = _approve(client, other)["access_token"]
    listed = _call(client, foreign_admin, f"{USAGE}/{foreign_app}/{foreign_user}/tokens").json()["tokens"]
    foreign_token = listed[0]["revocationUrl"].rsplit("/", 1)[1]
    calls = [("GET", f"{USAGE}/{foreign_app}/users"), ("GET", f"{USAGE}/0H45g000000NopeAAA/users"),
             ("GET", f"{USAGE}/nope/users"), ("GET", f"{USAGE}/{app_id}/{foreign_user}/tokens"),
             ("GET", f"{USAGE}/{foreign_app}/{user_id}/tokens"), ("DELETE", f"{USAGE}/{foreign_app}/tokens"),
             ("DELETE", f"{USAGE}/{app_id}/005g000000NopeAAAA/tokens"), ("DELETE", f"{USAGE}/tokens/nope"),
             ("DELETE", f"{USAGE}/tokens/{foreign_token}")]  # fmt: skip
    for method, path in calls:
        r = _call(client, admin["access_token"], path, method)
        assert r.status_code == 404 and r.json() == NOT_FOUND, (method, path, r.text)
    # the other org's approvals all outlived those calls (its own admin still lists them)
    after = _call(client, foreign_admin, f"{USAGE}/{foreign_app}/{foreign_user}/tokens").json()["tokens"]
    assert after == listed and len(after) == 2


def test_dead_session_is_401(client: httpx.Client, org: dict[str, Any], admin: dict[str, Any]) -> None:
    assert client.post("/services/oauth2/revoke", data={"token": admin["access_token"]}).status_code == 200
    for method, path in (("GET", USAGE), ("DELETE", f"{USAGE}/{org['apps'][0]['id']}/tokens")):
        for bearer in (admin["access_token"], "junk"):
            r = _call(client, bearer, path, method)
            assert r.status_code == 401 and r.json() == INVALID


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", ""), ("DELETE", ""), ("GET", "/tokens/x"), ("GET", "/{app}/tokens"), ("POST", "/{app}/users"),
     ("PATCH", "/{app}/{user}/tokens")],
)  # fmt: skip
def test_wrong_method_is_405(client: httpx.Client, org: dict[str, Any], admin: dict[str, Any], method: str,
                             path: str) -> None:  # fmt: skip
    url = USAGE + path.format(app=org["apps"][0]["id"], user=org["admin"]["id"])
    r = _call(client, admin["access_token"], url, method)
    assert r.status_code == 405 and r.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"


_SEGMENT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30).filter(lambda s: s.strip(".") != "")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=_SEGMENT, b=_SEGMENT, shape=st.sampled_from(["{a}/users", "{a}/{b}/tokens", "{a}/tokens", "tokens/{a}"]),
       delete=st.booleans())  # fmt: skip
def test_arbitrary_ids_never_500(client: httpx.Client, org: dict[str, Any], admin: dict[str, Any], a: str, b: str,
                                 shape: str, delete: bool) -> None:  # fmt: skip
    path = f"{USAGE}/" + shape.format(a=quote(a, safe=""), b=quote(b, safe=""))
    method = "DELETE" if delete else "GET"
    r = client.request(method, path, headers={"Authorization": f"Bearer {admin['access_token']}"})
    assert r.status_code in (404, 405), (method, path, r.status_code, r.text)
    assert isinstance(r.json(), list)
    assert _alive(client, org, admin)


@pytest.mark.parametrize("version", ["v58.0", "v31.0"])
def test_before_59_the_resources_do_not_exist(client: httpx.Client, runtime: Runtime, org: dict[str, Any],
                                              admin: dict[str, Any], version: str) -> None:  # fmt: skip
    """The resources came with API 59.0: in an older version they are the REST 404 of a resource the API does not
    have (any method, with or without a session, not counted), and a DELETE there revokes nothing."""
    app, user = org["apps"][0]["id"], org["admin"]["id"]
    listed = _call(client, admin["access_token"], f"{USAGE}/{app}/{user}/tokens").json()["tokens"]
    token_id = listed[0]["revocationUrl"].rsplit("/", 1)[1]
    usage = runtime.salesforce.orgs.get(org["id"])
    assert usage is not None
    before = usage.api_usage
    old = f"/services/data/{version}/apps/oauth/usage"
    calls = [(m, f"{old}{p}") for m, p in [
        ("GET", ""), ("GET", "/"), ("POST", ""), ("GET", f"/{app}/users"), ("GET", f"/{app}/{user}/tokens"),
        ("DELETE", f"/{app}/{user}/tokens"), ("DELETE", f"/{app}/tokens"), ("DELETE", f"/tokens/{token_id}"),
        ("PATCH", f"/tokens/{token_id}"),
    ]]  # fmt: skip
    for method, path in calls:
        for token in (admin["access_token"], "not-a-session"):
            r = _call(client, token, path, method)
            assert (r.status_code, r.json()) == (404, NOT_FOUND), (method, path, r.text)
            assert "Sforce-Limit-Info" not in r.headers
    after = runtime.salesforce.orgs.get(org["id"])
    assert after is not None and after.api_usage == before
    assert _alive(client, org, admin)
    for since in ("v59.0", "v62.0"):
        assert _call(client, admin["access_token"], f"/services/data/{since}/apps/oauth/usage").status_code == 200

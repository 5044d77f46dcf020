"""Introspection and revocation reflect state: what revoke kills, introspect, refresh and REST all see dead."""

from __future__ import annotations

import httpx
import pytest

from mockown.runtime import Runtime
from tests.conftest import ADMIN, BASE, CID, ORG, SECRET
from tests.salesforce.helpers import code_tokens, introspect, new_org, org_tokens, password_token, refresh, rest

EXPIRED = {"error": "invalid_grant", "error_description": "expired access/refresh token"}


def test_introspect_active_access_token(client: httpx.Client) -> None:
    tokens = code_tokens(client, scope="api refresh_token")
    body = introspect(client, tokens["access_token"])
    assert body == {
        "active": True,
        "scope": "api refresh_token",
        "client_id": CID,
        "username": ADMIN,
        "sub": tokens["id"],
        "token_type": "access_token",
        "exp": 1767225600 + 7200,
        "iat": 1767225600,
        "nbf": 1767225600,
    }
    assert body["sub"].startswith(f"{BASE}/id/{ORG}/")


def test_introspect_refresh_token(client: httpx.Client) -> None:
    tokens = code_tokens(client, scope="api refresh_token")
    body = introspect(client, tokens["refresh_token"])
    assert body["active"] is True and body["token_type"] == "refresh_token"
    r = client.post(
        "/services/oauth2/introspect",
        data={
            "token": tokens["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": CID,
            "client_secret": SECRET,
        },
    )
    assert r.json()["token_type"] == "refresh_token"


@pytest.mark.parametrize("token", ["", "garbage", "00D5g000004Mock!AQnotatoken", "5Aep861nothing"])
def test_introspect_unknown_is_inactive(client: httpx.Client, token: str) -> None:
    r = client.post("/services/oauth2/introspect", data={"token": token}, auth=(CID, SECRET))
    if token:
        assert r.status_code == 200 and r.json() == {"active": False}
    else:
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_introspect_requires_client_credentials(client: httpx.Client) -> None:
    token = code_tokens(client)["access_token"]
    r = client.post("/services/oauth2/introspect", data={"token": token, "client_id": CID, "client_secret": "no"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_client"
    r = client.post(
        "/services/oauth2/introspect", data={"token": token, "client_id": "3MVG9nobody", "client_secret": "x"}
    )
    assert r.json()["error"] == "invalid_client_id"


def test_other_app_sees_tokens_as_inactive(client: httpx.Client, runtime: Runtime) -> None:
    token = code_tokens(client)["access_token"]
    other = new_org(runtime)
    assert introspect(client, token, other["client_id"], other["secret"]) == {"active": False}


def test_revoke_access_token_ends_that_session_only(client: httpx.Client) -> None:
    tokens = code_tokens(client)
    assert client.post("/services/oauth2/revoke", data={"token": tokens["access_token"]}).status_code == 200
    assert rest(client, tokens["access_token"]).status_code == 401
    # the refresh token lives on and mints a new session
    fresh = refresh(client, tokens["refresh_token"]).json()
    assert rest(client, fresh["access_token"]).status_code == 200


def test_revoke_refresh_token_kills_its_access_tokens(client: httpx.Client) -> None:
    tokens = code_tokens(client)
    second = refresh(client, tokens["refresh_token"]).json()
    other = password_token(client).json()  # another session of the same user, not from this refresh token
    r = client.get("/services/oauth2/revoke", params={"token": tokens["refresh_token"]})
    assert (r.status_code, r.content) == (200, b"")
    assert refresh(client, tokens["refresh_token"]).json() == EXPIRED
    assert rest(client, tokens["access_token"]).status_code == 401
    assert rest(client, second["access_token"]).status_code == 401
    assert introspect(client, second["access_token"]) == {"active": False}
    assert introspect(client, tokens["refresh_token"]) == {"active": False}
    assert rest(client, other["access_token"]).status_code == 200


def test_revoke_unknown_or_twice(client: httpx.Client) -> None:
    r = client.post("/services/oauth2/revoke", data={"token": "nope"})
    assert r.status_code == 400 and r.text.startswith("error=invalid_token&")  # urlencoded, as Salesforce
    token = password_token(client).json()["access_token"]
    assert client.post("/services/oauth2/revoke", data={"token": token}).status_code == 200
    assert client.post("/services/oauth2/revoke", data={"token": token}).status_code == 400
    assert client.post("/services/oauth2/revoke").status_code == 400


def test_revoke_jsonp(client: httpx.Client) -> None:
    token = password_token(client).json()["access_token"]
    r = client.get("/services/oauth2/revoke", params={"token": token, "callback": "done"})
    assert r.text == "done({})"
    r = client.get("/services/oauth2/revoke", params={"token": token, "callback": "done"})
    assert r.text == 'done({"error": "invalid_token"})'


def test_revoke_error_format_setting(runtime: Runtime) -> None:
    from mockown import Config, FrozenClock, create_app
    from mockown.http.inprocess import in_process_client

    app = create_app(Config(salesforce=Config().salesforce.__class__(revoke_error_format="json")), clock=FrozenClock())
    with in_process_client(app) as c:
        r = c.post("/services/oauth2/revoke", data={"token": "nope"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_token"


def test_revoke_needs_no_client_authentication(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime)
    tokens = org_tokens(client, org)
    assert client.post("/services/oauth2/revoke", data={"token": tokens["refresh_token"]}).status_code == 200

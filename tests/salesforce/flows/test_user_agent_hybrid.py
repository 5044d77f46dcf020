"""User-agent (`response_type=token`) and hybrid flows through the ASGI app."""

from __future__ import annotations

import httpx
import jwt
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from tests.conftest import ADMIN, CALLBACK, CID, SECRET
from tests.salesforce.helpers import get_code, pkce_pair

from .support import TOKEN, location, new_org

HYBRID_FIELDS = {
    "lightning_domain", "lightning_sid", "visualforce_domain", "visualforce_sid", "content_domain", "content_sid",
    "csrf_token", "cookie-clientSrc", "cookie-sid_Client", "sidCookieName", "parent_sid",
}  # fmt: skip


def authorize(client: httpx.Client, **params: str) -> httpx.Response:
    query = {"response_type": "token", "client_id": CID, "redirect_uri": CALLBACK, "login_hint": ADMIN}
    query.update(params)
    return client.get("/services/oauth2/authorize", params=query)


def test_token_in_fragment_with_plus_separated_scope(client: httpx.Client) -> None:
    r = authorize(client, scope="api id refresh_token", state="s1")
    assert "+" in r.headers["location"].split("scope=")[1].split("&")[0]
    url, query, fragment = location(r)
    assert url == CALLBACK and query == {}
    assert fragment["scope"] == "api id refresh_token" and fragment["state"] == "s1"
    assert fragment["token_type"] == "Bearer" and fragment["issued_at"].isdigit()
    assert {"access_token", "instance_url", "id", "signature"} <= set(fragment)
    assert "refresh_token" not in fragment  # an http(s) callback gets none
    rest = client.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {fragment['access_token']}"})
    assert rest.status_code == 200


def test_refresh_token_for_a_custom_scheme_callback(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, scopes=["api", "refresh_token", "openid"])
    cid = org["app"]["client_id"]
    q = {
        "client_id": cid,
        "redirect_uri": "myapp://oauth/done",
        "login_hint": org["username"],
        "scope": "api refresh_token",
    }
    _, _, fragment = location(authorize(client, **q))
    assert fragment["refresh_token"].startswith("5Aep861")
    _, _, web = location(authorize(client, **{**q, "redirect_uri": "https://app.example.com/cb"}))
    assert "refresh_token" not in web


@pytest.mark.parametrize("host", ["login.salesforce.com", "test.salesforce.com"])
def test_refresh_token_for_salesforces_success_page(client: httpx.Client, runtime: Runtime, host: str) -> None:
    """Salesforce's own `/services/oauth2/success` page is a callback that gets a refresh token (spec 2.3),
    also when the mock does not run on that host."""
    success = f"https://{host}/services/oauth2/success"
    org = new_org(runtime, scopes=["api", "refresh_token"], callback_urls=[success])
    q = {"client_id": org["app"]["client_id"], "redirect_uri": success, "login_hint": org["username"]}
    _, _, fragment = location(authorize(client, scope="api refresh_token", **q))
    assert fragment["refresh_token"].startswith("5Aep861")


@pytest.mark.parametrize(("setting", "expected"), [("always", True), ("never", False)])
def test_user_agent_refresh_setting(clock: FrozenClock, setting: str, expected: bool) -> None:
    config = Config().replace(salesforce={"user_agent_refresh": setting})
    with in_process_client(create_app(config, clock=clock)) as c:
        _, _, fragment = location(authorize(c, scope="api refresh_token"))
        assert ("refresh_token" in fragment) is expected


def test_token_id_token_carries_the_nonce(client: httpx.Client) -> None:
    _, _, fragment = location(authorize(client, response_type="token id_token", scope="openid api", nonce="n-1"))
    claims = jwt.decode(fragment["id_token"], options={"verify_signature": False})
    assert claims["nonce"] == "n-1" and claims["aud"] == CID
    _, _, plain = location(authorize(client, scope="openid api"))
    assert "id_token" not in plain


def test_hybrid_token_adds_session_fields(client: httpx.Client) -> None:
    _, _, fragment = location(authorize(client, response_type="hybrid_token", scope="api web"))
    assert set(fragment) >= HYBRID_FIELDS
    assert fragment["parent_sid"] == fragment["access_token"] and fragment["sidCookieName"] == "sid"


def test_errors_go_in_the_fragment(client: httpx.Client) -> None:
    _, query, fragment = location(authorize(client, scope="bogus", state="z"))
    assert query == {} and fragment["error"] == "invalid_scope" and fragment["state"] == "z"
    _, _, immediate = location(authorize(client, login_hint="", immediate="true"))
    assert immediate["error"] == "immediate_unsuccessful"


def test_hybrid_auth_code_grant(client: httpx.Client) -> None:
    verifier, challenge = pkce_pair()
    code = get_code(client, scope="api refresh_token", code_challenge=challenge)
    form = {"grant_type": "hybrid_auth_code", "code": code, "client_id": CID, "client_secret": SECRET}
    r = client.post(TOKEN, data={**form, "redirect_uri": CALLBACK, "code_verifier": verifier, "format": "json"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= HYBRID_FIELDS and "refresh_token" in body
    hybrid = client.post(
        TOKEN, data={"grant_type": "hybrid_refresh", "client_id": CID, "refresh_token": body["refresh_token"]}
    )
    assert hybrid.status_code == 200 and set(hybrid.json()) >= HYBRID_FIELDS and "refresh_token" not in hybrid.json()
    again = client.post(TOKEN, data={**form, "redirect_uri": CALLBACK, "code_verifier": verifier})
    assert again.json()["error"] == "invalid_grant"  # single use; the replay revokes what the code gave
    dead = client.post(
        TOKEN, data={"grant_type": "hybrid_refresh", "client_id": CID, "refresh_token": body["refresh_token"]}
    )
    assert dead.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}


def test_hybrid_auth_code_failures(client: httpx.Client) -> None:
    _verifier, challenge = pkce_pair()
    code = get_code(client, code_challenge=challenge)
    form = {"grant_type": "hybrid_auth_code", "code": code, "client_id": CID, "client_secret": SECRET}
    assert client.post(TOKEN, data={**form, "redirect_uri": CALLBACK}).json()["error"] == "invalid_grant"
    code = get_code(client, code_challenge=challenge)
    form["code"] = code
    wrong = client.post(TOKEN, data={**form, "redirect_uri": CALLBACK, "code_verifier": "x" * 43})
    assert wrong.json()["error"] == "invalid_request"
    assert client.post(TOKEN, data={**form, "client_secret": "no", "redirect_uri": CALLBACK}).json()["error"] == (
        "invalid_client"
    )


def test_hybrid_with_rotation_refuses_jwt_access_tokens(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, rotation=True, jwt_access_tokens=True)
    cid, secret, user = org["app"]["client_id"], org["app"]["client_secret"], org["username"]
    q = {"response_type": "code", "client_id": cid, "redirect_uri": "https://app.example.com/cb", "login_hint": user}
    _, query, _ = location(client.get("/services/oauth2/authorize", params=q))
    form = {"grant_type": "hybrid_auth_code", "code": query["code"], "client_id": cid, "client_secret": secret}
    r = client.post(TOKEN, data={**form, "redirect_uri": "https://app.example.com/cb"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("code", ["nonsense", None], ids=["junk-code", "real-code"])
def test_hybrid_authenticates_the_client_before_it_refuses_rotation(
    client: httpx.Client, runtime: Runtime, code: str | None
) -> None:
    """A wrong secret is `invalid_client`, as for `authorization_code`: the app's rotation + JWT setting is told to
    its own client only (the refusal came first and told it to anyone who knew the consumer key)."""
    org = new_org(runtime, rotation=True, jwt_access_tokens=True)
    cid, user, callback = org["app"]["client_id"], org["username"], "https://app.example.com/cb"
    if code is None:
        q = {"response_type": "code", "client_id": cid, "redirect_uri": callback, "login_hint": user}
        code = location(client.get("/services/oauth2/authorize", params=q))[1]["code"]
    form = {"code": code, "client_id": cid, "client_secret": "WRONG", "redirect_uri": callback}
    for grant_type in ("hybrid_auth_code", "authorization_code"):
        r = client.post(TOKEN, data={**form, "grant_type": grant_type})
        assert (r.status_code, r.json()["error"]) == (400, "invalid_client"), grant_type
    secret = org["app"]["client_secret"]
    r = client.post(TOKEN, data={**form, "client_secret": secret, "grant_type": "hybrid_auth_code"})
    assert r.json() == {
        "error": "invalid_grant",
        "error_description": "JWT-based access tokens are not supported with refresh token rotation",
    }

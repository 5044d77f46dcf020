"""My Domain discovery and auth-configuration (spec 7.1), the OIDC logout endpoint, frontdoor.jsp (spec 10:
the access token is a session id) and /services/oauth2/singleaccess (spec 6.2), over in-process HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette

from mockown.clock import FrozenClock
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from mockown.salesforce import web
from tests.conftest import ADMIN, CALLBACK, CID, ORG, SECRET
from tests.salesforce.helpers import code_tokens

MY = "acme.my.salesforce.com"
DISCOVERY = "/.well-known/openid-configuration"
AUTH_CONFIG = "/.well-known/auth-configuration"
LOGOUT = "/services/auth/idp/oidc/logout"
SINGLE = "/services/oauth2/singleaccess"


def _own_my_domain(runtime: Runtime, host: str = MY) -> None:
    org = runtime.salesforce.orgs.get(ORG)
    assert org is not None
    org.my_domain = host
    runtime.salesforce.orgs.put(org)


def _logged_in_as(client: httpx.Client) -> str | None:
    """Who the browser is logged in as (the root page says so), or None (it shows the login form)."""
    page = client.get("/")
    assert page.status_code == 200
    if "id='login'" in page.text:
        return None
    assert "You are logged in as" in page.text
    return page.text.split("You are logged in as ", 1)[1].split(".</p>", 1)[0]


# -- discovery ---------------------------------------------------------------------------------------
def test_the_default_discovery_document_has_no_logout(client: httpx.Client) -> None:
    doc = client.get(DISCOVERY).json()
    assert "end_session_endpoint" not in doc
    assert not any(k.startswith("frontchannel") for k in doc)


@pytest.mark.parametrize("host", [MY, "acme--dev.sandbox.my.salesforce.com", "login.acme.example"])
def test_the_my_domain_variant_adds_oidc_logout(client: httpx.Client, runtime: Runtime, host: str) -> None:
    if host == "login.acme.example":  # no *.my.salesforce.com: a My Domain because an org owns it
        assert "end_session_endpoint" not in client.get(DISCOVERY, headers={"host": host}).json()
        _own_my_domain(runtime, host)
    default = client.get(DISCOVERY).json()
    response = client.get(DISCOVERY, headers={"host": host})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    doc = response.json()
    base = f"http://{host}"
    assert doc["issuer"] == base
    assert doc["end_session_endpoint"] == f"{base}/services/auth/idp/oidc/logout"
    assert doc["frontchannel_logout_supported"] is True
    assert doc["frontchannel_logout_session_supported"] is False
    assert doc["token_endpoint"] == f"{base}/services/oauth2/token"
    extra = {"end_session_endpoint", "frontchannel_logout_supported", "frontchannel_logout_session_supported"}
    assert set(doc) == set(default) | extra
    assert client.get(DISCOVERY, headers={"host": host}).content == response.content  # cached bytes


@pytest.mark.parametrize("host", ["[::1", "a]b", "["])
def test_a_host_that_is_no_url_host_is_refused(client: httpx.Client, host: str) -> None:
    """A Host header urlsplit cannot parse (an unclosed IPv6 bracket) is no host at all: 400 in the OAuth dialect
    (RFC 9112 3.2; tests/security/test_host_header.py), never a 500 (it once was, then the default documents)."""
    response = client.get(DISCOVERY, headers={"host": host})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert client.get(AUTH_CONFIG, headers={"host": host}).status_code == 400


@pytest.mark.parametrize("host", [":8080", ""])
def test_no_host_is_the_my_domain_of_an_org_seeded_with_an_empty_one(
    client: httpx.Client, runtime: Runtime, host: str
) -> None:
    """A Host without a host name ("" once parsed) matches no org, even one whose `my_domain` is ""."""
    _own_my_domain(runtime, "")
    assert "end_session_endpoint" not in client.get(DISCOVERY, headers={"host": host}).json()
    assert client.get(AUTH_CONFIG, headers={"host": host}).status_code == 404


# -- auth-configuration --------------------------------------------------------------------------------
def test_auth_configuration_of_the_org_owning_the_my_domain(client: httpx.Client, runtime: Runtime) -> None:
    _own_my_domain(runtime)
    response = client.get(AUTH_CONFIG, headers={"host": MY})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == [
        "OrgId", "Url", "MobileSDK", "LoginPage", "SamlProviders", "AuthProviders", "CertificateLogin",
        "LoginPageType", "LoginPageTypeConfigs",
    ]  # fmt: skip
    assert body["OrgId"] == ORG[:15]
    assert body["Url"] == f"http://{MY}"
    assert body["LoginPage"] is None and body["CertificateLogin"] is None
    assert body["SamlProviders"] == [] and body["AuthProviders"] == []
    assert body["LoginPageType"] == "standard" and body["LoginPageTypeConfigs"] == {}
    assert body["MobileSDK"]["UseAndroidNativeBrowserForAuthentication"] is False


def test_a_my_domain_seeded_in_capitals_is_that_host(client: httpx.Client) -> None:
    """Host names are case-insensitive: the request's is compared lower-case, so the seeded one is stored so."""
    orgs = {"orgs": [{"my_domain": "Caps-Co.My.Salesforce.com", "users": [{"username": "caps@co.test"}]}]}
    seeded = client.post("/_mockown/seed", json={"salesforce": orgs})
    assert seeded.status_code == 201, seeded.text
    org_id = seeded.json()["salesforce"]["orgs"][0]["id"]
    for host in ("caps-co.my.salesforce.com", "CAPS-CO.MY.SALESFORCE.COM"):
        response = client.get(AUTH_CONFIG, headers={"host": host})
        assert response.status_code == 200
        assert response.json()["OrgId"] == org_id[:15]


@pytest.mark.parametrize("host", [None, "login.salesforce.com", "nobody.my.salesforce.com"])
def test_auth_configuration_elsewhere_is_the_oauth_404(client: httpx.Client, host: str | None) -> None:
    response = client.get(AUTH_CONFIG, headers={"host": host} if host else {})
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "error_description": f"no such resource: {AUTH_CONFIG}"}


# -- frontdoor.jsp ------------------------------------------------------------------------------------
def test_frontdoor_with_a_live_session_id_logs_the_browser_in(client: httpx.Client) -> None:
    token = code_tokens(client, scope="api web")["access_token"]
    assert _logged_in_as(client) is None
    response = client.get("/secur/frontdoor.jsp", params={"sid": token, "retURL": "/lightning/page/home?x=1"})
    assert response.status_code == 302
    assert response.headers["location"] == "/lightning/page/home?x=1"
    assert _logged_in_as(client) == ADMIN
    # the browser session is the mock's login session: authorize now skips the login page
    query = {"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK, "prompt": "consent"}
    page = client.get("/services/oauth2/authorize", params=query)
    assert "id='consent'" in page.text and f"<strong id='who'>{ADMIN}</strong>" in page.text


@pytest.mark.parametrize("ret", ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "evil", "", None])
def test_frontdoor_never_redirects_off_the_host(client: httpx.Client, ret: str | None) -> None:
    token = code_tokens(client, scope="api web")["access_token"]
    params = {"sid": token} if ret is None else {"sid": token, "retURL": ret}
    response = client.get("/secur/frontdoor.jsp", params=params)
    assert response.status_code == 302
    assert response.headers["location"] == "/"


def _to_login(response: httpx.Response, start: str) -> None:
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert location.path == "/" and not location.netloc
    assert parse_qs(location.query) == {"ec": ["302"], "startURL": [start]}
    assert "sid=" not in response.headers.get("set-cookie", "")


def test_frontdoor_with_a_dead_or_unknown_sid_goes_to_the_login_page(client: httpx.Client, clock: FrozenClock) -> None:
    _to_login(client.get("/secur/frontdoor.jsp", params={"sid": "00Dxx!nope", "retURL": "/home"}), "/home")
    _to_login(client.get("/secur/frontdoor.jsp"), "/")
    revoked = code_tokens(client, scope="api web")["access_token"]
    assert client.post("/services/oauth2/revoke", data={"token": revoked}).status_code == 200
    _to_login(client.get("/secur/frontdoor.jsp", params={"sid": revoked, "retURL": "/a"}), "/a")
    expired = code_tokens(client, scope="api web")["access_token"]
    clock.advance(3 * 3600)  # past the app's 2 h session timeout
    _to_login(client.get("/secur/frontdoor.jsp", params={"sid": expired}), "/")
    assert _logged_in_as(client) is None


def test_frontdoor_needs_the_web_or_full_scope(client: httpx.Client) -> None:
    # "one of the scopes specified when you create a connected app must be web or full" (Salesforce help)
    api_only = code_tokens(client, scope="api openid")["access_token"]
    _to_login(client.get("/secur/frontdoor.jsp", params={"sid": api_only, "retURL": "/home"}), "/home")
    assert _logged_in_as(client) is None
    full = code_tokens(client, scope="full")["access_token"]
    response = client.get("/secur/frontdoor.jsp", params={"sid": full, "retURL": "/home"})
    assert (response.status_code, response.headers["location"]) == (302, "/home")
    assert _logged_in_as(client) == ADMIN


def test_frontdoor_takes_the_session_id_in_a_posted_form(client: httpx.Client) -> None:
    # Salesforce's documented form: method=POST, hidden `sid` and `retURL`
    token = code_tokens(client, scope="api web")["access_token"]
    response = client.post("/secur/frontdoor.jsp", data={"sid": token, "retURL": "/apex/Page"})
    assert (response.status_code, response.headers["location"]) == (302, "/apex/Page")
    assert _logged_in_as(client) == ADMIN


def test_a_jwt_access_token_is_not_a_session_id(client: httpx.Client, runtime: Runtime) -> None:
    app = runtime.salesforce.app_by_client_id(CID)
    assert app is not None
    app.jwt_access_tokens = True
    runtime.salesforce.apps.put(app)
    token = code_tokens(client, scope="api web")["access_token"]
    assert token.count(".") == 2
    _to_login(client.get("/secur/frontdoor.jsp", params={"sid": token}), "/")
    response = client.post(SINGLE, headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.text) == (403, "Bad_OAuth_Token")


def test_the_login_page_logs_in_and_goes_to_start_url(client: httpx.Client) -> None:
    page = client.get("/", params={"ec": "302", "startURL": "/home"})
    assert "id='login'" in page.text
    csrf = page.text.split("name='_csrf' value='", 1)[1].split("'", 1)[0]
    form = {"_csrf": csrf, "username": ADMIN, "password": "wrong", "startURL": "/home"}
    bad = client.post("/", data=form)
    assert bad.status_code == 200 and "id='error'" in bad.text
    assert client.post("/", data={**form, "password": "Passw0rd!", "_csrf": "forged"}).status_code == 403
    ok = client.post("/", data={**form, "password": "Passw0rd!", "startURL": "https://evil.example"})
    assert (ok.status_code, ok.headers["location"]) == (302, "/")
    assert _logged_in_as(client) == ADMIN


def test_a_frontdoor_session_ends_when_its_session_id_is_revoked(client: httpx.Client) -> None:
    # an access token is a session id (spec 10) and revoking it "invalidates it" (spec 5): the browser session
    # frontdoor.jsp started from it is that session
    token = code_tokens(client, scope="api web")["access_token"]
    client.get("/secur/frontdoor.jsp", params={"sid": token})
    assert _logged_in_as(client) == ADMIN
    assert client.post("/services/oauth2/revoke", data={"token": token}).status_code == 200
    assert _logged_in_as(client) is None


def test_a_frontdoor_session_ends_when_its_session_id_times_out(
    client: httpx.Client, clock: FrozenClock, runtime: Runtime
) -> None:
    app = runtime.salesforce.app_by_client_id(CID)
    assert app is not None and runtime.config.salesforce.web_session_ttl > 900
    app.session_timeout = 900  # the session id dies well before the login cookie would
    runtime.salesforce.apps.put(app)
    token = code_tokens(client, scope="api web")["access_token"]
    client.get("/secur/frontdoor.jsp", params={"sid": token})
    assert _logged_in_as(client) == ADMIN
    timeout = client.post("/services/oauth2/introspect", data={"token": token}, auth=(CID, SECRET)).json()
    clock.advance(timeout["exp"] - clock.now())
    assert _logged_in_as(client) is None


def test_a_session_from_the_login_page_is_tied_to_no_token(client: httpx.Client) -> None:
    token = code_tokens(client, scope="api web")["access_token"]
    page = client.get("/")
    csrf = page.text.split("name='_csrf' value='", 1)[1].split("'", 1)[0]
    client.post("/", data={"_csrf": csrf, "username": ADMIN, "password": "Passw0rd!"})
    assert client.post("/services/oauth2/revoke", data={"token": token}).status_code == 200
    assert _logged_in_as(client) == ADMIN


# -- singleaccess -------------------------------------------------------------------------------------
def _single(client: httpx.Client, token: str | None) -> httpx.Response:
    return client.post(SINGLE, headers={"Authorization": f"Bearer {token}"} if token else {})


def test_singleaccess_refuses_what_is_no_oauth_session(client: httpx.Client) -> None:
    for token in (None, "00Dxx!unknown"):
        response = _single(client, token)
        assert (response.status_code, response.text) == (403, "Bad_OAuth_Token")
        assert response.headers["content-type"].startswith("text/plain")
    revoked = code_tokens(client, scope="api web")["access_token"]
    client.post("/services/oauth2/revoke", data={"token": revoked})
    assert _single(client, revoked).text == "Bad_OAuth_Token"


def test_singleaccess_needs_the_web_scope(client: httpx.Client) -> None:
    token = code_tokens(client, scope="api openid")["access_token"]
    response = _single(client, token)
    assert (response.status_code, response.text) == (403, "Invalid_Scope")
    assert _single(client, code_tokens(client, scope="full")["access_token"]).status_code == 200  # full has web


def test_singleaccess_gives_a_one_time_frontdoor_uri(client: httpx.Client, clock: FrozenClock) -> None:
    token = code_tokens(client, scope="api web")["access_token"]
    response = _single(client, token)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    uri = response.json()["frontdoor_uri"]
    parts = urlsplit(uri)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://testserver/secur/frontdoor.jsp"
    otp = parse_qs(parts.query)["otp"][0]
    assert otp != token and token not in uri  # the session id never travels in the URL
    assert client.get(uri).status_code == 302
    assert _logged_in_as(client) == ADMIN
    client.cookies.clear()
    _to_login(client.get(uri), "/")  # used once
    late = urlsplit(_single(client, token).json()["frontdoor_uri"])
    clock.advance(web.OTP_TTL)
    _to_login(client.get(f"{late.path}?{late.query}"), "/")  # expired


def test_singleaccess_is_a_post(client: httpx.Client) -> None:
    assert client.get(SINGLE).status_code == 405


# -- OIDC logout --------------------------------------------------------------------------------------
def _login_via_frontdoor(client: httpx.Client) -> dict[str, Any]:
    tokens = code_tokens(client, scope="api web openid")
    client.get("/secur/frontdoor.jsp", params={"sid": tokens["access_token"]})
    assert _logged_in_as(client) == ADMIN
    return tokens


def test_logout_ends_the_browser_session_and_shows_a_page(client: httpx.Client) -> None:
    tokens = _login_via_frontdoor(client)
    response = client.get(LOGOUT, params={"post_logout_redirect_uri": "https://evil.example/", "client_id": CID})
    assert response.status_code == 200
    assert "Logged Out" in response.text
    assert 'sid=""' in response.headers["set-cookie"] or "sid=;" in response.headers["set-cookie"]
    assert _logged_in_as(client) is None
    live = client.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert live.status_code == 200  # the OAuth session itself stays (revoke ends that)


def test_logout_ends_the_session_for_a_copy_of_its_cookie_too(client: httpx.Client, app: Starlette) -> None:
    _login_via_frontdoor(client)
    copied = client.cookies["sid"]
    with in_process_client(app) as other:  # another browser of the same user, logged in on its own
        _login_via_frontdoor(other)
        assert client.get(LOGOUT).status_code == 200
        client.cookies.set("sid", copied)  # the cookie kept from before the logout, sent again
        assert _logged_in_as(client) is None
        assert _logged_in_as(other) == ADMIN


def test_ended_sessions_are_forgotten_once_their_cookie_would_have_expired(
    client: httpx.Client, clock: FrozenClock, runtime: Runtime
) -> None:
    _login_via_frontdoor(client)
    client.get(LOGOUT)
    ended = runtime.store.table(web.EndedBrowserSession)
    assert len(ended.all()) == 1
    clock.advance(runtime.config.salesforce.web_session_ttl)
    _login_via_frontdoor(client)
    client.get(LOGOUT)
    assert len(ended.all()) == 1  # the first one's cookie is dead anyway: its entry went


def test_logout_redirects_to_a_registered_callback_with_state(client: httpx.Client) -> None:
    _login_via_frontdoor(client)
    target = "https://app.example.com/callback"
    response = client.get(LOGOUT, params={"post_logout_redirect_uri": target, "client_id": CID, "state": "s 1"})
    assert response.status_code == 302
    assert response.headers["location"] == "https://app.example.com/callback?state=s+1"
    assert _logged_in_as(client) is None


def test_logout_finds_the_client_in_the_id_token_hint(client: httpx.Client, clock: FrozenClock) -> None:
    tokens = _login_via_frontdoor(client)
    clock.advance(3600)  # an expired ID token is still a hint
    hint = {"post_logout_redirect_uri": CALLBACK, "id_token_hint": tokens["id_token"]}
    assert client.get(LOGOUT, params=hint).headers["location"] == CALLBACK
    assert client.get(LOGOUT, params={**hint, "client_id": "PlatformCLI"}).status_code == 200  # disagree: page
    head, claims, _ = tokens["id_token"].split(".")
    forged = f"{head}.{claims}.AAAA"
    assert client.get(LOGOUT, params={**hint, "id_token_hint": forged}).status_code == 200
    assert client.get(LOGOUT, params={"post_logout_redirect_uri": CALLBACK}).status_code == 200  # no client


def test_logout_as_a_post(client: httpx.Client) -> None:
    _login_via_frontdoor(client)
    response = client.post(LOGOUT, data={"post_logout_redirect_uri": CALLBACK, "client_id": CID})
    assert (response.status_code, response.headers["location"]) == (302, CALLBACK)
    assert _logged_in_as(client) is None


# -- properties -----------------------------------------------------------------------------------------
@given(st.text(max_size=40) | st.from_regex(r"\A[/\\][/\\a-z.:@%]{0,12}\Z"))
def test_a_return_path_never_leaves_the_host(value: str) -> None:
    safe = web.safe_return(value)
    if safe is not None:
        assert urlsplit(urljoin("http://testserver/base/", safe)).netloc == "testserver"
        assert safe == value and safe.startswith("/")


def test_session_ids_and_one_time_passwords_are_redacted_in_the_journal(client: httpx.Client) -> None:
    token = code_tokens(client, scope="api web")["access_token"]
    client.get("/secur/frontdoor.jsp", params={"sid": token, "retURL": "/x"})
    uri = _single(client, token).json()["frontdoor_uri"]
    client.get(uri)
    journal = client.get("/_mockown/journal").text
    otp = parse_qs(urlsplit(uri).query)["otp"][0]
    assert token not in journal and otp not in journal
    entries = [e for e in client.get("/_mockown/journal").json()["entries"] if e["path"] == "/secur/frontdoor.jsp"]
    assert [e["query"].split("&")[0] for e in entries] == ["sid=[redacted]", "otp=[redacted]"]

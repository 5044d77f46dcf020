"""The authorize flow's login and consent pages in real headless Chromium against a real server."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from mockown.salesforce.seed import seed_org
from mockown.server import MockownServer
from tests.browser_support import intercept
from tests.salesforce.helpers import pkce_pair

pytestmark = pytest.mark.browser

CALLBACK = "http://127.0.0.1:9/cb"  # never reached: the page routes it (no DNS, no network)
PASSWORD = "Browser-Passw0rd"


@pytest.fixture
def consent_app(live_server: MockownServer) -> dict[str, str]:
    """An app that asks for consent (not auto-approved), with one user."""
    created = seed_org(
        live_server.app.state.runtime,
        {
            "users": [{"username": "bob@browser.test", "password": PASSWORD, "first_name": "Bob"}],
            "apps": [{"name": "Browser App", "auto_approve": False, "callback_urls": [CALLBACK]}],
        },
    )
    app = created["apps"][0]
    return {"client_id": app["client_id"], "secret": app["client_secret"], "username": "bob@browser.test"}


def open_authorize(page: Any, server: MockownServer, app: dict[str, str], **params: str) -> None:
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": CALLBACK, **params}
    intercept(page, CALLBACK)
    page.goto(f"{server.url}/services/oauth2/authorize?{urlencode(query)}")


def log_in(page: Any, username: str, password: str) -> None:
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#Login")


def landed(page: Any) -> tuple[dict[str, str], dict[str, str]]:
    page.wait_for_url(CALLBACK + "**", wait_until="commit")
    parts = urlsplit(page.url)
    return {k: v[0] for k, v in parse_qs(parts.query).items()}, {k: v[0] for k, v in parse_qs(parts.fragment).items()}


def exchange(server: MockownServer, app: dict[str, str], code: str, **extra: str) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "client_id": app["client_id"]}
    form.update({"client_secret": app["secret"], "redirect_uri": CALLBACK, **extra})
    return httpx.post(f"{server.url}/services/oauth2/token", data=form)


def test_log_in_allow_and_exchange_the_code(page: Any, live_server: MockownServer, consent_app: dict[str, str]) -> None:
    open_authorize(page, live_server, consent_app, state="xyz", scope="api refresh_token")
    assert page.title() == "Login | Salesforce"
    log_in(page, consent_app["username"], PASSWORD)
    assert page.inner_text("h1") == "Allow Access?"
    assert "Browser App" in page.inner_text("main")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sid"]["httpOnly"] and cookies["sid"]["sameSite"] == "Lax"
    page.click("#allow")
    query, fragment = landed(page)
    assert query["state"] == "xyz" and fragment == {}
    tokens = exchange(live_server, consent_app, query["code"])
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["refresh_token"] and body["token_type"] == "Bearer"
    rest = httpx.get(
        f"{live_server.url}/services/data/v62.0/limits", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert rest.status_code == 200


def test_deny(page: Any, live_server: MockownServer, consent_app: dict[str, str]) -> None:
    open_authorize(page, live_server, consent_app, state="d1")
    log_in(page, consent_app["username"], PASSWORD)
    page.click("#deny")
    query, fragment = landed(page)
    assert query["error"] == "access_denied" and query["state"] == "d1" and "code" not in query
    # the user-agent flow puts the error in the fragment (the browser is logged in now: consent only)
    open_authorize(page, live_server, consent_app, response_type="token", state="d2")
    page.click("#deny")
    query, fragment = landed(page)
    assert fragment["error"] == "access_denied" and fragment["state"] == "d2" and query == {}


def test_wrong_password_shows_the_error(page: Any, live_server: MockownServer, consent_app: dict[str, str]) -> None:
    open_authorize(page, live_server, consent_app, login_hint=consent_app["username"])
    assert page.input_value("#username") == consent_app["username"]  # login_hint prefills it
    log_in(page, consent_app["username"], "not-the-password")
    assert "Please check your username and password" in page.inner_text("#error")
    assert page.url.endswith("/services/oauth2/authorize/login")
    user = live_server.app.state.runtime.salesforce.user_by_username(consent_app["username"])
    assert user.failed_logins == 1
    log_in(page, consent_app["username"], PASSWORD)  # the form is still there: the right password works
    assert page.inner_text("h1") == "Allow Access?"


def test_pkce(page: Any, live_server: MockownServer, consent_app: dict[str, str]) -> None:
    verifier, challenge = pkce_pair()
    open_authorize(page, live_server, consent_app, code_challenge=challenge)
    log_in(page, consent_app["username"], PASSWORD)
    page.click("#allow")
    query, _ = landed(page)
    missing = exchange(live_server, consent_app, query["code"])
    assert missing.json()["error"] == "invalid_grant"  # a challenge was sent: the verifier is required
    open_authorize(page, live_server, consent_app, code_challenge=challenge)
    page.click("#allow")
    query, _ = landed(page)
    ok = exchange(live_server, consent_app, query["code"], code_verifier=verifier)
    assert ok.status_code == 200, ok.text


def test_device_verification_page(page: Any, live_server: MockownServer) -> None:
    start = httpx.post(
        f"{live_server.url}/services/oauth2/token",
        data={"response_type": "device_code", "client_id": "PlatformCLI", "scope": "api refresh_token"},
    ).json()
    page.goto(start["verification_uri"])
    log_in(page, "admin@mockown.test", "Passw0rd!")
    page.fill("#user_code", start["user_code"].lower())
    page.click("#next")
    assert "Salesforce CLI" in page.inner_text("main")
    page.click("#allow")
    assert page.inner_text("h1") == "Device Connected"
    tokens = httpx.post(
        f"{live_server.url}/services/oauth2/token",
        data={"grant_type": "device", "client_id": "PlatformCLI", "code": start["device_code"]},
    )
    assert tokens.status_code == 200 and "refresh_token" in tokens.json()

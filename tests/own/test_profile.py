"""The Edit Profile page: sign in, generate (shown once), revoke, sign out, protections."""

from __future__ import annotations

import re

import httpx
from starlette.applications import Starlette

from mockown import FrozenClock
from mockown.http.inprocess import in_process_client
from mockown.outbox import messages
from mockown.own.service import OwnService
from tests.own.conftest import EMAILS, OWNER, PASSWORDS, SALES_ADMIN, SSO_ADMIN, TOKEN_URL, exchange_form

PAGE = "/own/profile"
CSRF = re.compile(r"name='_csrf' value='([^']+)'")


def _csrf(client: httpx.Client) -> str:
    """The anti-CSRF token of the page this browser (cookie jar) is shown."""
    found = CSRF.search(client.get(PAGE).text)
    assert found
    return found.group(1)


def _post(
    client: httpx.Client, url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    """A post from the page's own form: with the token the page gave this browser."""
    return client.post(url, data={**(data or {}), "_csrf": _csrf(client)}, headers=headers)


def _sign_in(client: httpx.Client, user_id: int = OWNER) -> httpx.Response:
    return _post(client, PAGE, data={"email": EMAILS[user_id], "password": PASSWORDS[user_id]})


def _token_in(page: str) -> str | None:
    match = re.search(r"<code id='api-token'>([^<]+)</code>", page)
    return match.group(1) if match else None


def test_login_form_without_a_session(client: httpx.Client) -> None:
    r = client.get(PAGE)
    assert r.status_code == 200
    assert "<form method='post' action='/own/profile'>" in r.text
    assert "Edit Profile</h1>" not in r.text


def test_wrong_password_is_refused(client: httpx.Client, own: OwnService) -> None:
    r = _post(client, PAGE, data={"email": EMAILS[OWNER], "password": "nope"})
    assert r.status_code == 401
    assert "Invalid e-mail or password" in r.text
    assert "own_profile" not in r.headers.get("set-cookie", "")
    r = _post(client, PAGE, data={"email": "nobody@own.test", "password": "x"})
    assert r.status_code == 401


def test_generate_shows_the_token_once_and_it_works(client: httpx.Client, own: OwnService) -> None:
    signed = _sign_in(client)
    assert signed.status_code == 200
    cookie = signed.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert "You have no API token" in signed.text
    generated = _post(client, PAGE + "/token")
    assert generated.status_code == 200
    token = _token_in(generated.text)
    assert token is not None
    assert client.post(TOKEN_URL, data=exchange_form(token)).status_code == 200
    again = client.get(PAGE)
    assert _token_in(again.text) is None and token not in again.text
    assert f"ending in <code>{token[-4:]}</code>" in again.text
    refused = _post(client, PAGE + "/token")
    assert refused.status_code == 409 and _token_in(refused.text) is None
    assert "revoke" in refused.text.lower()


def test_revoke_from_the_page(client: httpx.Client, own: OwnService) -> None:
    _sign_in(client)
    token = _token_in(_post(client, PAGE + "/token").text)
    assert token is not None
    revoked = _post(client, PAGE + "/token/revoke")
    assert revoked.status_code == 200 and "revoked" in revoked.text
    assert client.post(TOKEN_URL, data=exchange_form(token)).json()["error"] == "invalid_grant"
    assert _post(client, PAGE + "/token/revoke").status_code == 404
    assert [m.kind for m in messages(own.runtime) if m.to == EMAILS[OWNER]] == [
        "own.api_token.created",
        "own.api_token.revoked",
    ]


def test_sso_user_confirms_password_on_the_page(client: httpx.Client, own: OwnService) -> None:
    page = _sign_in(client, SSO_ADMIN)
    assert "Confirm your password" in page.text
    assert _post(client, PAGE + "/token").status_code == 401
    assert _post(client, PAGE + "/token", data={"password": "wrong"}).status_code == 401
    ok = _post(client, PAGE + "/token", data={"password": PASSWORDS[SSO_ADMIN]})
    assert ok.status_code == 200 and _token_in(ok.text)


def test_actions_need_a_session(client: httpx.Client, own: OwnService) -> None:
    assert _post(client, PAGE + "/token").status_code == 401
    assert _post(client, PAGE + "/token/revoke").status_code == 401
    client.cookies.set("own_profile", "forged", path="/own/")
    assert _post(client, PAGE + "/token").status_code == 401
    assert own.api_tokens.all() == []


def test_session_expires(client: httpx.Client, own: OwnService, clock: FrozenClock) -> None:
    _sign_in(client)
    clock.advance(1800)
    assert _post(client, PAGE + "/token").status_code == 401
    assert own.api_tokens.all() == []


def test_cross_origin_posts_are_refused(client: httpx.Client, own: OwnService) -> None:
    _sign_in(client)
    r = _post(client, PAGE + "/token", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert own.api_tokens.all() == []
    same = _post(client, PAGE + "/token", headers={"Origin": "http://testserver"})
    assert same.status_code == 200


def test_logout(client: httpx.Client, own: OwnService) -> None:
    _sign_in(client)
    out = _post(client, PAGE + "/logout")
    assert out.status_code == 200 and "Signed out" in out.text
    assert _post(client, PAGE + "/token").status_code == 401
    keys = [e.key for e in sorted(own.events.all(), key=lambda e: e.event_id)]
    assert keys == ["user_login", "user_logout"]


def test_disabled_account_shows_no_generate_button(client: httpx.Client, own: OwnService) -> None:
    own.set_api_tokens_enabled(1001, False)
    page = _sign_in(client)
    assert "API tokens are disabled" in page.text and "Generate" not in page.text
    assert _post(client, PAGE + "/token").status_code == 403


def test_html_is_escaped(client: httpx.Client, own: OwnService) -> None:
    user = own.user(SALES_ADMIN)  # an admin: the page lists their Business Units (a master_admin's are "all")
    assert user is not None
    user.business_units = ["<script>alert(1)</script>"]
    own.users.put(user)
    page = _sign_in(client, SALES_ADMIN)
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text


def test_forged_posts_change_nothing(client: httpx.Client, own: OwnService) -> None:
    """A cross-site form (no token, another browser's token, a foreign Origin or Sec-Fetch-Site) can neither sign
    in, nor create, nor revoke an API token: 403 from the shared form guard (ui/csrf.py), nothing changes."""
    assert client.post(PAGE, data={"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]}).status_code == 403
    assert own.web_sessions.all() == []
    _sign_in(client)
    assert client.post(PAGE + "/token").status_code == 403
    assert client.post(PAGE + "/token", data={"_csrf": "forged"}).status_code == 403
    cross = {"_csrf": _csrf(client)}
    assert client.post(PAGE + "/token", data=cross, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post(PAGE + "/token", data=cross, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert own.api_tokens.all() == []
    token = _token_in(_post(client, PAGE + "/token").text)
    assert token is not None
    assert client.post(PAGE + "/token/revoke").status_code == 403
    assert client.post(PAGE + "/logout").status_code == 403
    assert client.post(TOKEN_URL, data=exchange_form(token)).status_code == 200
    assert len(own.web_sessions.all()) == 1


def test_a_token_of_another_browser_is_refused(app: Starlette, client: httpx.Client, own: OwnService) -> None:
    """The token is bound to the browser-id cookie: an attacker's own page token is useless in the victim's browser."""
    with in_process_client(app) as attacker:
        stolen = _csrf(attacker)
    _sign_in(client)
    assert client.post(PAGE + "/token", data={"_csrf": stolen}).status_code == 403
    assert own.api_tokens.all() == []


def test_pages_cannot_be_framed(client: httpx.Client) -> None:
    for r in (client.get(PAGE), _sign_in(client), _post(client, PAGE + "/token")):
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["content-security-policy"] == "frame-ancestors 'none'"
        assert "no-store" in r.headers["cache-control"]
        assert "name='_csrf'" in r.text

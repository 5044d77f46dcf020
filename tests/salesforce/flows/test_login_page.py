"""The login and consent pages through the ASGI app (the same pages the browser tests click through)."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from tests.conftest import ADMIN, CALLBACK, CID, PASSWORD

from .support import TOKEN, csrf, hidden, location, new_org

AUTHORIZE = "/services/oauth2/authorize"


@pytest.fixture
def consent_app(runtime: Runtime) -> dict[str, str]:
    """An app that is not auto-approved: users see Allow / Deny."""
    org = new_org(runtime, auto_approve=False, name="Consent App", callback_urls=["https://app.example.com/cb"])
    return {"client_id": org["app"]["client_id"], "secret": org["app"]["client_secret"], "username": org["username"]}


def authorize(client: httpx.Client, app: dict[str, str], **params: str) -> httpx.Response:
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": "https://app.example.com/cb"}
    query.update(params)
    return client.get(AUTHORIZE, params=query)


def login(client: httpx.Client, page: httpx.Response, username: str, password: str) -> httpx.Response:
    form = {"_csrf": csrf(page.text), "q": hidden(page.text, "q"), "username": username, "password": password}
    return client.post("/services/oauth2/authorize/login", data=form)


def consent(client: httpx.Client, page: httpx.Response, decision: str) -> httpx.Response:
    form = {"_csrf": csrf(page.text), "q": hidden(page.text, "q"), "decision": decision}
    return client.post("/services/oauth2/authorize/consent", data=form)


def test_login_page_is_plain_html_with_cookie_flags(client: httpx.Client, consent_app: dict[str, str]) -> None:
    page = authorize(client, consent_app, login_hint=consent_app["username"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text and "<form method='post'" in page.text
    assert f"value='{consent_app['username']}'" in page.text  # login_hint prefills the username
    cookie = page.headers["set-cookie"]
    assert "mockown_bid=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"


def test_login_allow_exchange(client: httpx.Client, consent_app: dict[str, str]) -> None:
    page = authorize(client, consent_app, state="st", scope="api refresh_token")
    allow_page = login(client, page, consent_app["username"], "Alice-Passw0rd")
    assert "Allow Access?" in allow_page.text and "Consent App" in allow_page.text
    sid = next(h for h in allow_page.headers.get_list("set-cookie") if h.startswith("sid="))
    assert "HttpOnly" in sid and "SameSite=lax" in sid
    url, query, _ = location(consent(client, allow_page, "allow"))
    assert url == "https://app.example.com/cb" and query["state"] == "st"
    form = {"grant_type": "authorization_code", "code": query["code"], "client_id": consent_app["client_id"]}
    form.update({"client_secret": consent_app["secret"], "redirect_uri": "https://app.example.com/cb"})
    tokens = client.post(TOKEN, data=form)
    assert tokens.status_code == 200 and "refresh_token" in tokens.json()


def test_deny_code_in_query_token_in_fragment(client: httpx.Client, consent_app: dict[str, str]) -> None:
    page = login(client, authorize(client, consent_app, state="a"), consent_app["username"], "Alice-Passw0rd")
    _, query, fragment = location(consent(client, page, "deny"))
    assert query["error"] == "access_denied" and query["state"] == "a" and fragment == {}
    page = authorize(client, consent_app, response_type="token", state="b")  # logged in: straight to consent
    assert "Allow Access?" in page.text
    _, query, fragment = location(consent(client, page, "deny"))
    assert fragment["error"] == "access_denied" and fragment["state"] == "b" and query == {}


def test_wrong_password_shows_error_and_counts(
    client: httpx.Client, consent_app: dict[str, str], runtime: Runtime
) -> None:
    page = authorize(client, consent_app)
    bad = login(client, page, consent_app["username"], "nope")
    assert bad.status_code == 200 and "Please check your username and password" in bad.text
    assert "sid" not in client.cookies
    user = runtime.salesforce.user_by_username(consent_app["username"])
    assert user is not None and user.failed_logins == 1
    for _ in range(9):
        bad = login(client, bad, consent_app["username"], "nope")
    assert "locked" in bad.text
    locked = login(client, bad, consent_app["username"], "Alice-Passw0rd")  # even the right password now
    assert "locked" in locked.text and "sid" not in client.cookies


def test_user_of_another_org_cannot_log_in(client: httpx.Client, consent_app: dict[str, str]) -> None:
    page = login(client, authorize(client, consent_app), ADMIN, PASSWORD)
    assert "Please check your username and password" in page.text


def test_csrf_is_required(client: httpx.Client, consent_app: dict[str, str]) -> None:
    page = authorize(client, consent_app)
    form = {"q": hidden(page.text, "q"), "username": consent_app["username"], "password": "Alice-Passw0rd"}
    assert client.post("/services/oauth2/authorize/login", data=form).status_code == 403
    assert client.post("/services/oauth2/authorize/login", data={**form, "_csrf": "forged"}).status_code == 403
    other = httpx.Client(transport=client._transport, base_url=str(client.base_url))  # another browser: no cookie
    assert other.post("/services/oauth2/authorize/login", data={**form, "_csrf": csrf(page.text)}).status_code == 403


def test_session_is_reused_and_auto_approved_apps_skip_pages(client: httpx.Client) -> None:
    demo = {"client_id": CID}
    q = {"redirect_uri": CALLBACK}
    page = authorize(client, demo, **q)  # no login_hint: the login page
    _, query, _ = location(login(client, page, ADMIN, PASSWORD))  # auto-approved: straight to the callback
    assert query["code"]
    _, again, _ = location(authorize(client, demo, **q))  # the session cookie logs the user in
    assert again["code"] != query["code"]
    _, immediate, _ = location(authorize(client, demo, immediate="true", **q))
    assert "code" in immediate
    relogin = authorize(client, demo, prompt="login", **q)
    assert relogin.status_code == 200 and "Log In" in relogin.text
    consent_page = authorize(client, demo, prompt="consent", **q)
    assert "Allow Access?" in consent_page.text
    _, denied, _ = location(authorize(client, demo, prompt="consent", immediate="true", **q))
    assert denied["error"] == "immediate_unsuccessful"


def test_prompt_login_then_consent(client: httpx.Client, consent_app: dict[str, str]) -> None:
    page = authorize(client, consent_app, prompt="login consent")
    allow = login(client, page, consent_app["username"], "Alice-Passw0rd")
    assert "Allow Access?" in allow.text
    _, query, _ = location(consent(client, allow, "allow"))
    assert "code" in query


def test_display_values(client: httpx.Client, consent_app: dict[str, str]) -> None:
    touch = authorize(client, consent_app, display="touch")
    assert "display-touch" in touch.text and "viewport" in touch.text
    popup = authorize(client, consent_app, display="popup")
    assert "display-popup" in popup.text and "viewport" not in popup.text
    odd = authorize(client, consent_app, display="<script>")
    assert "display-page" in odd.text and "<script>" not in odd.text


def test_session_expires_on_the_app_clock(client: httpx.Client, clock: FrozenClock) -> None:
    page = authorize(client, {"client_id": CID}, redirect_uri=CALLBACK)
    location(login(client, page, ADMIN, PASSWORD))
    clock.advance(7200)
    assert authorize(client, {"client_id": CID}, redirect_uri=CALLBACK).status_code == 200  # the login page again


def test_cookie_of_another_app_is_refused(client: httpx.Client, clock: FrozenClock) -> None:
    page = authorize(client, {"client_id": CID}, redirect_uri=CALLBACK)
    location(login(client, page, ADMIN, PASSWORD))
    other: Starlette = create_app(Config(), clock=clock)
    with in_process_client(other, cookies=client.cookies) as c:
        assert authorize(c, {"client_id": CID}, redirect_uri=CALLBACK).status_code == 200  # not logged in there


def test_tampered_forms(client: httpx.Client, consent_app: dict[str, str]) -> None:
    page = authorize(client, consent_app)
    form = {"_csrf": csrf(page.text), "q": "client_id=nope", "username": "x", "password": "y"}
    r = client.post("/services/oauth2/authorize/login", data=form)
    assert r.status_code == 400 and r.text.startswith("error=invalid_client_id")
    form = {"_csrf": csrf(page.text), "q": hidden(page.text, "q"), "decision": "allow"}
    not_logged_in = client.post("/services/oauth2/authorize/consent", data=form)
    assert not_logged_in.status_code == 200 and "Log In" in not_logged_in.text


def test_pkce_through_the_pages(client: httpx.Client, consent_app: dict[str, str]) -> None:
    from tests.salesforce.helpers import pkce_pair

    verifier, challenge = pkce_pair()
    page = login(
        client, authorize(client, consent_app, code_challenge=challenge), consent_app["username"], "Alice-Passw0rd"
    )
    _, query, _ = location(consent(client, page, "allow"))
    form = {"grant_type": "authorization_code", "code": query["code"], "client_id": consent_app["client_id"]}
    form.update({"client_secret": consent_app["secret"], "redirect_uri": "https://app.example.com/cb"})
    assert client.post(TOKEN, data={**form, "code_verifier": "wrong" * 10}).json()["error"] == "invalid_request"
    page = login(
        client,
        authorize(client, consent_app, code_challenge=challenge, prompt="login"),
        consent_app["username"],
        "Alice-Passw0rd",
    )
    _, query, _ = location(consent(client, page, "allow"))
    ok = client.post(TOKEN, data={**form, "code": query["code"], "code_verifier": verifier})
    assert ok.status_code == 200, ok.text

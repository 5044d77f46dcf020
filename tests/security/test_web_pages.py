"""The HTML pages (Salesforce login / consent, Own's Edit Profile): anti-CSRF, safe cookies, no framing, and
Salesforce's lockout after 10 bad passwords for 15 minutes, on the login page as on the token endpoint."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import httpx
import pytest
from starlette.applications import Starlette

from mockown import FrozenClock
from mockown.http.inprocess import in_process_client
from tests.conftest import ADMIN, CALLBACK, CID, PASSWORD, SECRET

LOGIN = "/services/oauth2/authorize/login"
CSRF = re.compile(r"name='_csrf' value='([^']+)'")
Q = re.compile(r"name='q' value='([^']+)'")


def cookie_flags(response: httpx.Response) -> dict[str, dict[str, str | bool]]:
    out: dict[str, dict[str, str | bool]] = {}
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            lower = header.lower()
            out[name] = {
                "httponly": "httponly" in lower,
                "secure": "; secure" in lower,
                "samesite": str(morsel["samesite"]).lower(),
                "path": morsel["path"],
            }
    return out


def login_page(client: httpx.Client) -> tuple[httpx.Response, str, str]:
    query = {"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK, "prompt": "login"}
    r = client.get("/services/oauth2/authorize", params=query)
    assert r.status_code == 200 and "<form" in r.text, r.text[:300]
    csrf, q = CSRF.search(r.text), Q.search(r.text)
    assert csrf and q
    import html

    return r, html.unescape(csrf.group(1)), html.unescape(q.group(1))


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_login_page_cookies_and_headers(app: Starlette, scheme: str) -> None:
    with in_process_client(app, base_url=f"{scheme}://testserver") as client:
        r, _, _ = login_page(client)
        flags = cookie_flags(r)
        assert flags["mockown_bid"]["httponly"] is True
        assert flags["mockown_bid"]["samesite"] in ("lax", "strict")
        assert flags["mockown_bid"]["secure"] is (scheme == "https")
        assert r.headers["x-frame-options"] == "DENY"
        assert "no-store" in r.headers["cache-control"]


def test_login_form_needs_its_csrf_token(app: Starlette, client: httpx.Client) -> None:
    _, csrf, q = login_page(client)
    form = {"username": ADMIN, "password": PASSWORD, "q": q}
    assert client.post(LOGIN, data=form).status_code == 403  # no token
    assert client.post(LOGIN, data={**form, "_csrf": csrf[:-2] + "xx"}).status_code == 403  # a forged one
    with in_process_client(app) as other:
        _, other_csrf, _ = login_page(other)
    assert other_csrf != csrf
    assert client.post(LOGIN, data={**form, "_csrf": other_csrf}).status_code == 403  # another browser's
    ok = client.post(LOGIN, data={**form, "_csrf": csrf})
    assert ok.status_code == 302 and ok.headers["location"].startswith(CALLBACK + "?code=")
    sid = cookie_flags(ok)["sid"]
    assert sid["httponly"] is True and sid["samesite"] in ("lax", "strict")


def test_lockout_on_the_login_page(client: httpx.Client, clock: FrozenClock) -> None:
    """Ten wrong passwords lock the user for 15 minutes (Salesforce's default policy); then the right one works."""
    _, csrf, q = login_page(client)

    def attempt(password: str) -> httpx.Response:
        return client.post(LOGIN, data={"username": ADMIN, "password": password, "q": q, "_csrf": csrf})

    for _ in range(9):
        assert attempt("wrong").status_code == 200
    assert attempt(PASSWORD).status_code == 302  # nine are not enough; a success resets the count
    for _ in range(10):
        assert attempt("wrong").status_code == 200
    locked = attempt(PASSWORD)
    assert locked.status_code == 200 and "locked" in locked.text.lower()
    token = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    r = client.post("/services/oauth2/token", data={**token, "password": PASSWORD})
    assert r.json() == {"error": "invalid_grant", "error_description": "authentication failure"}
    clock.advance("14m59s")
    assert attempt(PASSWORD).status_code == 200
    clock.advance("1s")
    assert attempt(PASSWORD).status_code == 302


def own_csrf(client: httpx.Client) -> str:
    found = CSRF.search(client.get("/own/profile").text)
    assert found
    return found.group(1)


def test_own_profile_cookie_and_origin(client: httpx.Client) -> None:
    csrf = own_csrf(client)
    r = client.post(
        "/own/profile", data={"email": "owner@own.mockown.test", "password": "0wnerPassw0rd!", "_csrf": csrf}
    )
    assert r.status_code == 200
    flags = cookie_flags(r)["own_profile"]
    assert flags == {"httponly": True, "secure": False, "samesite": "strict", "path": "/own/"}
    assert r.headers["x-frame-options"] == "DENY"
    evil = client.post("/own/profile/token", data={"_csrf": csrf}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and "api-token" not in evil.text
    forged = client.post("/own/profile/token", headers={"Origin": "http://testserver"})
    assert forged.status_code == 403 and "api-token" not in forged.text
    same = client.post("/own/profile/token", data={"_csrf": csrf}, headers={"Origin": "http://testserver"})
    assert same.status_code == 200 and "id='api-token'" in same.text


def test_own_profile_cookie_is_secure_behind_a_tls_proxy() -> None:
    """TLS ended at a proxy: the app sees http, its base URL says https; the other pages' cookies were Secure then,
    the Own profile's was not."""
    from mockown import Config, create_app

    with in_process_client(create_app(Config(base_url="https://testserver")), base_url="http://testserver") as client:
        page = client.get("/own/profile")
        found = CSRF.search(page.text)
        assert found
        assert cookie_flags(page)["mockown_bid"]["secure"] is True  # so the client does not send it back over http:
        jar: SimpleCookie = SimpleCookie()  # given by hand, as the proxy's client would
        jar.load(page.headers["set-cookie"])
        form = {"email": "owner@own.mockown.test", "password": "0wnerPassw0rd!", "_csrf": found.group(1)}
        r = client.post("/own/profile", data=form, headers={"cookie": f"mockown_bid={jar['mockown_bid'].value}"})
        assert r.status_code == 200, r.text
        assert cookie_flags(r)["own_profile"]["secure"] is True


def test_own_profile_cookie_is_secure_on_https(app: Starlette) -> None:
    with in_process_client(app, base_url="https://testserver") as client:
        assert cookie_flags(client.get("/own/profile"))["mockown_bid"]["secure"] is True
        form = {"email": "owner@own.mockown.test", "password": "0wnerPassw0rd!", "_csrf": own_csrf(client)}
        r = client.post("/own/profile", data=form)
        assert cookie_flags(r)["own_profile"]["secure"] is True

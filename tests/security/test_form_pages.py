"""The protection every HTML form page shares (`mockown/ui/csrf.py`): a cross-site post is refused even with
the right token, frame headers on every page, and the one origin rule (`security.same_origin`) that the control
plane uses too. Marketing Cloud's sign-in page: tests/marketing/test_login_page.py."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from mockown import Config, FrozenClock, create_app, security
from mockown.http.inprocess import in_process_client
from tests.conftest import ADMIN, CALLBACK, PASSWORD, T0
from tests.security.test_web_pages import LOGIN, login_page

FRAME = {"x-frame-options": "DENY", "content-security-policy": "frame-ancestors 'none'"}


def test_salesforce_login_page_forbids_framing(client: httpx.Client) -> None:
    r, _, _ = login_page(client)
    assert {k: r.headers.get(k) for k in FRAME} == FRAME


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "http://[bad"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_salesforce_login_refuses_a_cross_site_post_even_with_its_token(
    client: httpx.Client, headers: dict[str, str]
) -> None:
    _, csrf, q = login_page(client)
    form = {"username": ADMIN, "password": PASSWORD, "q": q, "_csrf": csrf}
    refused = client.post(LOGIN, data=form, headers=headers)
    assert refused.status_code == 403 and "Session expired" in refused.text and "sid=" not in str(refused.headers)
    same = client.post(LOGIN, data=form, headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 302 and same.headers["location"].startswith(CALLBACK + "?code=")


def test_same_origin_rule() -> None:
    host = {"host": "127.0.0.1:8080"}
    assert security.same_origin(host)  # no browser page: curl, a test client
    assert security.same_origin({**host, "origin": "http://127.0.0.1:8080"})
    assert security.same_origin({**host, "sec-fetch-site": "none"})  # typed in the address bar
    assert not security.same_origin({**host, "origin": "http://127.0.0.1:8081"})
    assert not security.same_origin({**host, "origin": "http://[::1"})  # unparsable: never this server
    assert not security.same_origin({**host, "origin": "null", "sec-fetch-site": "cross-site"})
    assert security.same_origin({**host, "origin": "https://mock.example"}, "mock.example")  # the base URL's host


def test_control_plane_refuses_an_unparsable_origin_without_a_500(client: httpx.Client) -> None:
    r = client.post("/_mockown/clock", json={"advance": "1s"}, headers={"Origin": "http://[bad"})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://mock.example.com", True),  # the base URL's: a proxy rewrote Host
        ("https://127.0.0.1:8080", True),  # the Host header's
        ("https://evil.example", False),
        ("https://mock.example.com.evil.example", False),
        ("http://mock.example.com:8443", False),
    ],
)
def test_behind_a_proxy_the_control_plane_judges_an_origin_as_the_pages_do(origin: str, allowed: bool) -> None:
    """With `base_url` set behind a proxy that rewrites Host, the login page accepted a post from the base URL's
    origin and the control plane (its JSON routes and the dashboard's forms) refused it as cross-origin: one rule
    now (`api.same_origin`)."""
    app = create_app(Config(base_url="https://mock.example.com"), clock=FrozenClock(T0))
    with in_process_client(app, base_url="https://127.0.0.1:8080") as client:
        headers = {"Origin": origin}
        token = re.search(r"name='_csrf' value='([^']+)'", client.get("/").text)
        assert token is not None
        form = {"_csrf": html.unescape(token.group(1)), "username": ADMIN, "password": PASSWORD}
        page = client.post("/", data=form, headers=headers)
        dashboard = client.post("/_mockown/ui/clock", data={"freeze": "true"}, headers=headers)
        control = client.post("/_mockown/clock", json={"advance": "1s"}, headers=headers)
    assert (page.status_code, dashboard.status_code, control.status_code) == (
        (302, 303, 200) if allowed else (403, 403, 403)
    ), (page.text[:200], dashboard.text[:200], control.text[:200])


@pytest.mark.parametrize("path", ["/_mockown/clock", "/_mockown/ui/clock"])
def test_an_origin_of_null_alone_is_no_page_of_this_server(client: httpx.Client, path: str) -> None:
    """A sandboxed frame of any site posts with `Origin: null`; a browser without Fetch Metadata sends nothing
    else. That passed as "no browser page" (Sec-Fetch-Site defaulted to same-origin): the control plane and the
    dashboard's forms, which have no anti-CSRF token, did what any site asked. A client without `Origin` (curl, a
    test) and a `null` vouched for by `Sec-Fetch-Site: same-origin` still pass."""
    assert not security.same_origin({"origin": "null", "host": "login.example.test"})

    def post(headers: dict[str, str]) -> int:
        if path.startswith("/_mockown/ui/"):
            return client.post(path, data={"freeze": "true"}, headers=headers).status_code
        return client.post(path, json={"advance": "1s"}, headers=headers).status_code

    assert post({"Origin": "null"}) == 403
    assert post({"Origin": "null", "Sec-Fetch-Site": "cross-site"}) == 403
    assert post({"Origin": "null", "Sec-Fetch-Site": "same-origin"}) in (200, 303)
    assert post({}) in (200, 303)


def test_every_html_page_sends_no_referrer(clock: FrozenClock) -> None:
    """`Referrer-Policy: no-referrer` on every page: a page's URL (the OIDC logout page's `id_token_hint`, a login
    page's query) is not sent on to the sites it links or loads (the logout page's Single Logout URLs)."""
    from tests.marketing.test_login_page import QUERY as MC_QUERY
    from tests.marketing.test_marketing import BASE as MC_BASE

    app = create_app(Config().replace(marketing={"auto_consent": False}), clock=clock)
    with in_process_client(app) as client:
        page, csrf, q = login_page(client)
        pages = {"login": page}
        signed_in = client.post(LOGIN, data={"username": ADMIN, "password": PASSWORD, "q": q, "_csrf": csrf})
        assert signed_in.status_code == 302, signed_in.text
        pages["device"] = client.get("/setup/connect")
        pages["logout"] = client.get("/services/auth/idp/oidc/logout", params={"id_token_hint": "x.y.z"})
        pages["own profile"] = client.get("/own/profile")
        pages["marketing sign-in"] = client.get(f"{MC_BASE}/v2/authorize", params=MC_QUERY)
        pages["dashboard"] = client.get("/_mockown/ui")
    for name, page in pages.items():
        assert page.headers.get("content-type", "").startswith("text/html"), (name, page.status_code)
        assert page.headers.get("referrer-policy") == "no-referrer", name

"""Marketing Cloud's sign-in page (`/v2/authorize` with `auto_consent` off) has the protection of the Salesforce
login page (`mockown/ui/csrf.py`): an anti-CSRF token tied to the browser-id cookie, cross-site posts refused,
no framing. The auto-consent shortcut (no page) is unchanged."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.marketing.test_marketing import BASE, CALLBACK, HOST_BASE, SUB, WEB

QUERY = {"response_type": "code", "client_id": WEB["client_id"], "redirect_uri": CALLBACK, "state": "s1"}
USER = {"username": "mc-admin@mockown.test", "password": "McPassw0rd!"}
CSRF = re.compile(r'name="_csrf" value="([^"]*)"')
REFUSED = "This sign-in form expired or was posted from another site."
FRAME = {"x-frame-options": "DENY", "content-security-policy": "frame-ancestors 'none'"}


@pytest.fixture
def browser(clock: FrozenClock) -> Iterator[httpx.Client]:
    """A client of a server that shows the sign-in page (auto_consent off); it keeps its cookies like a browser."""
    app = create_app(Config().replace(marketing={"auto_consent": False}), clock=clock)
    with in_process_client(app) as c:
        yield c


def open_page(c: httpx.Client, base: str = BASE) -> tuple[httpx.Response, str]:
    page = c.get(f"{base}/v2/authorize", params=QUERY)
    assert page.status_code == 200 and "<form" in page.text, page.text[:300]
    found = CSRF.search(page.text)
    assert found, "the form carries no anti-CSRF token"
    return page, html.unescape(found.group(1))


def post(c: httpx.Client, form: dict[str, str], base: str = BASE, **headers: str) -> httpx.Response:
    return c.post(f"{base}/v2/authorize", params=QUERY, data=form, headers=headers)


def code_of(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text[:300]
    found = parse_qs(urlsplit(response.headers["location"]).query)
    assert found["state"] == ["s1"] and found["tssd"] == [SUB]
    return found["code"][0]


def refused(response: httpx.Response) -> bool:
    return response.status_code == 403 and REFUSED in response.text and "location" not in response.headers


@pytest.mark.parametrize("base", [BASE, HOST_BASE])
def test_the_page_sets_the_browser_cookie_and_forbids_framing(browser: httpx.Client, base: str) -> None:
    page, csrf = open_page(browser, base)
    assert {k: page.headers.get(k) for k in FRAME} == FRAME
    assert "no-store" in page.headers["cache-control"]
    cookie = page.headers["set-cookie"].lower()
    assert cookie.startswith("mockown_bid=") and "httponly" in cookie and "samesite=lax" in cookie
    assert len(csrf) >= 40


def test_a_post_without_the_token_or_with_a_wrong_one_is_refused(browser: httpx.Client, clock: FrozenClock) -> None:
    _, csrf = open_page(browser)
    assert refused(post(browser, USER))  # no token
    assert refused(post(browser, {**USER, "_csrf": ""}))
    assert refused(post(browser, {**USER, "_csrf": csrf[:-2] + ("xx" if not csrf.endswith("xx") else "yy")}))
    app = create_app(Config().replace(marketing={"auto_consent": False}), clock=clock)
    with in_process_client(app) as other:  # another browser's page (another app's secret, another cookie)
        _, other_csrf = open_page(other)
    assert other_csrf != csrf and refused(post(browser, {**USER, "_csrf": other_csrf}))
    with in_process_client(app) as fresh:  # the right token without its cookie (a cross-site form sends none)
        assert refused(post(fresh, {**USER, "_csrf": csrf}))
    code_of(post(browser, {**USER, "_csrf": csrf}))  # the page's own token signs in


def test_the_right_token_signs_in_and_the_code_works(browser: httpx.Client) -> None:
    _, csrf = open_page(browser)
    wrong = post(browser, {**USER, "password": "x", "_csrf": csrf})  # a wrong password: access_denied, as before
    assert parse_qs(urlsplit(wrong.headers["location"]).query)["error"] == ["access_denied"]
    code = code_of(post(browser, {**USER, "_csrf": csrf}))
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, **WEB}
    token = browser.post(f"{BASE}/v2/token", json=form)
    assert token.status_code == 200 and token.json()["access_token"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": f"https://{SUB}.auth.marketingcloudapis.com.evil.example"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_cross_site_post_is_refused_even_with_the_token(browser: httpx.Client, headers: dict[str, str]) -> None:
    _, csrf = open_page(browser)
    assert refused(post(browser, {**USER, "_csrf": csrf}, **headers))
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    code_of(post(browser, {**USER, "_csrf": csrf}, **same))


def test_the_page_on_the_marketing_cloud_host_accepts_its_own_origin(browser: httpx.Client) -> None:
    _, csrf = open_page(browser, HOST_BASE)
    own = {"Origin": HOST_BASE, "Sec-Fetch-Site": "same-origin"}
    code_of(post(browser, {**USER, "_csrf": csrf}, HOST_BASE, **own))


def test_auto_consent_still_signs_in_without_a_page(client: httpx.Client) -> None:
    """README: with auto_consent (the default) authorize redirects at once, as the first user or login_hint's,
    and sets no cookie."""
    response = client.get(f"{BASE}/v2/authorize", params=QUERY)
    assert response.status_code == 302 and "set-cookie" not in response.headers
    code_of(response)
    hinted = client.get(f"{BASE}/v2/authorize", params={**QUERY, "login_hint": USER["username"]})
    code_of(hinted)

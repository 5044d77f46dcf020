"""The protection every HTML form page shares (`mockown/ui/csrf.py`): a cross-site post is refused even with
the right token, frame headers on every page, and the one origin rule (`security.same_origin`) that the control
plane uses too. Marketing Cloud's sign-in page: tests/marketing/test_login_page.py."""

from __future__ import annotations

import httpx
import pytest

from mockown import security
from tests.conftest import ADMIN, CALLBACK, PASSWORD
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

"""Front-channel Single Logout in real headless Chromium: the logout page makes the browser itself request each
Single Logout URL (hidden iframes), then goes on to the post-logout redirect URI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from mockown import Config, create_app
from mockown.config import SalesforceSettings
from mockown.salesforce.seed import seed_org
from mockown.server import MockownServer

pytestmark = pytest.mark.browser

RP = "https://rp.example"  # never reached: the page routes it (no DNS, no network)
CALLBACK, SLO = f"{RP}/cb", f"{RP}/slo?app=one"
PASSWORD = "Slo-Browser-Passw0rd"


@pytest.fixture
def slo_server() -> Iterator[MockownServer]:
    with MockownServer(create_app(Config(salesforce=SalesforceSettings(slo_redirect_delay=1)))) as server:
        seed_org(
            server.app.state.runtime,
            {
                "users": [{"username": "sue@slo-browser.test", "password": PASSWORD}],
                "apps": [
                    {"client_id": "SloBrowserApp", "callback_urls": [CALLBACK], "single_logout_url": SLO},
                    {"client_id": "PlainBrowserApp", "callback_urls": [f"{RP}/plain"]},
                ],
            },
        )
        yield server


def test_the_browser_requests_the_single_logout_url_then_goes_on(page: Any, slo_server: MockownServer) -> None:
    seen: list[str] = []

    def relying_party(route: Any) -> None:
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>rp</title><p>ok</p>")

    page.route(f"{RP}/**", relying_party)
    query = {"response_type": "code", "client_id": "SloBrowserApp", "redirect_uri": CALLBACK}
    page.goto(f"{slo_server.url}/services/oauth2/authorize?{urlencode(query)}")
    page.fill("#username", "sue@slo-browser.test")
    page.fill("#password", PASSWORD)
    page.click("#Login")
    page.wait_for_url(f"{CALLBACK}?code=**", wait_until="commit")
    assert SLO not in seen
    logout = {"client_id": "SloBrowserApp", "post_logout_redirect_uri": CALLBACK, "state": "bye"}
    page.goto(f"{slo_server.url}/services/auth/idp/oidc/logout?{urlencode(logout)}")
    page.wait_for_url(f"{CALLBACK}?state=bye", wait_until="commit")  # the meta refresh, after the delay
    assert seen.count(SLO) == 1  # the hidden iframe: the browser itself called the relying party's SLO URL
    page.goto(f"{slo_server.url}/")
    assert page.locator("#login").count() == 1  # and the Salesforce session is over

"""The dashboard in real headless Chromium, against a real `mockown serve`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ..browser_support import browser  # noqa: F401 - the shared headless Chromium (session fixture)
from ..conftest import CID, SECRET
from .helpers import access_token, rest
from .serve import Server, serve

UI = "/_mockown/ui"


@pytest.fixture
def page(browser: Any, server: Server, api: httpx.Client) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def short(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:10]


def test_the_page_shows_the_seeded_state(page: Any) -> None:
    response = page.goto(UI)
    assert response.status == 200
    assert page.title() == "mockown dashboard"
    orgs = page.get_by_test_id("orgs")
    assert "00D5g000004MockEAC" in orgs.inner_text() and "Mockown Demo" in orgs.inner_text()
    users = page.get_by_test_id("users").inner_text()
    assert "admin@mockown.test" in users and "inactive@mockown.test" in users
    apps = page.get_by_test_id("apps").inner_text()
    assert "Mockown Demo App" in apps and "Salesforce CLI" in apps
    assert SECRET not in page.content()  # secrets are masked
    assert page.get_by_test_id("tokens-empty").is_visible()
    own = page.get_by_test_id("table-own_accounts").inner_text()
    assert "Mockown Demo Account" in own
    assert page.get_by_test_id("table-own_services").is_visible()
    assert page.get_by_test_id("clock-now").inner_text() == "2026-01-01T00:00:00Z"


def test_revoke_a_token_from_the_page(page: Any, api: httpx.Client) -> None:
    token = access_token(api)
    other = access_token(api)
    page.goto(UI)
    assert page.get_by_test_id(f"status-{short(token)}").inner_text() == "live"
    assert token not in page.content()  # only a prefix of the hash is shown
    page.get_by_test_id(f"revoke-{short(token)}").click()
    page.wait_for_url("**/_mockown/ui?notice=*")
    assert "revoked" in page.get_by_test_id("notice").inner_text()
    assert page.get_by_test_id(f"status-{short(token)}").inner_text() == "revoked"
    assert page.get_by_test_id(f"status-{short(other)}").inner_text() == "live"
    assert rest(api, token).status_code == 401
    assert rest(api, other).status_code == 200
    journal = page.get_by_test_id("journal").inner_text()
    assert "/services/oauth2/token" in journal


def test_advance_the_clock_from_the_page(page: Any, api: httpx.Client) -> None:
    token = access_token(api)
    page.goto(UI)
    page.get_by_test_id("advance-input").fill("181d")
    page.get_by_test_id("clock-advance").click()
    page.wait_for_url("**/_mockown/ui?notice=*")
    assert page.get_by_test_id("clock-now").inner_text() == "2026-07-01T00:00:00Z"
    assert api.get("/_mockown/clock").json()["iso"] == "2026-07-01T00:00:00.000Z"
    assert page.get_by_test_id(f"status-{short(token)}").inner_text() == "expired"
    page.get_by_test_id("clock-unfreeze").click()
    page.wait_for_url("**/_mockown/ui?notice=*")
    assert api.get("/_mockown/clock").json()["frozen"] is False


def test_approve_a_device_code_from_the_page(page: Any, api: httpx.Client) -> None:
    started = api.post("/services/oauth2/token", data={"response_type": "device_code", "client_id": CID})
    assert started.status_code == 200, started.text
    user_code, device_code = started.json()["user_code"], started.json()["device_code"]
    poll = {"grant_type": "device", "client_id": CID, "client_secret": SECRET, "code": device_code}
    assert api.post("/services/oauth2/token", data=poll).json()["error"] == "authorization_pending"
    page.goto(UI)
    assert page.get_by_test_id(f"device-status-{user_code}").inner_text() == "pending"
    page.get_by_test_id(f"device-user-{user_code}").fill("admin@mockown.test")
    page.get_by_test_id(f"approve-{user_code}").click()
    page.wait_for_url("**/_mockown/ui?notice=*")
    assert "approved" in page.get_by_test_id("notice").inner_text()
    assert page.get_by_test_id(f"device-status-{user_code}").inner_text() == "approved"
    api.post("/_mockown/clock", json={"advance": "10s"})  # past the polling interval
    tokens = api.post("/services/oauth2/token", data=poll)
    assert tokens.status_code == 200, tokens.text
    assert rest(api, tokens.json()["access_token"]).status_code == 200


def test_a_failed_action_shows_an_error_notice(page: Any) -> None:
    page.goto(UI)
    page.get_by_test_id("advance-input").fill("whenever")
    page.get_by_test_id("clock-advance").click()
    page.wait_for_url("**/_mockown/ui?notice=*")
    notice = page.get_by_test_id("notice")
    assert "not a duration" in notice.inner_text()
    assert "error" in (notice.get_attribute("class") or "")


def test_reset_from_the_page(page: Any, api: httpx.Client) -> None:
    token = access_token(api)
    page.goto(UI)
    assert page.get_by_test_id(f"status-{short(token)}").is_visible()
    page.get_by_test_id("reset-all").click()
    page.wait_for_url("**/_mockown/ui?notice=*")
    assert page.get_by_test_id("tokens-empty").is_visible()
    assert rest(api, token).status_code == 401


def test_the_page_behind_an_admin_token(browser: Any) -> None:  # noqa: F811
    with serve(["--admin-token", "dash-token"], health_token="dash-token") as locked:
        anonymous = browser.new_context(base_url=locked.url)
        try:
            challenge = anonymous.request.get(UI)  # a page would show the browser's login prompt
            assert challenge.status == 401 and challenge.headers["www-authenticate"].startswith("Basic")
        finally:
            anonymous.close()
        context = browser.new_context(
            base_url=locked.url, http_credentials={"username": "admin", "password": "dash-token"}
        )
        try:
            page = context.new_page()
            assert page.goto(UI).status == 200
            page.get_by_test_id("advance-input").fill("1h")
            page.get_by_test_id("clock-advance").click()  # the form post carries the credentials too
            page.wait_for_url("**/_mockown/ui?notice=*")
            assert page.get_by_test_id("clock-now").inner_text() == "2026-01-01T01:00:00Z"
        finally:
            context.close()

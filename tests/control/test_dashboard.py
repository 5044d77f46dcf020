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
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """This module's server: exports take 100 virtual seconds, so the page can show a job in progress."""
    with serve(env={"MOCKOWN_OWN__EXPORT_MODE": "seconds:100"}) as running:
        yield running


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


def test_own_jobs_show_their_progress(page: Any, api: httpx.Client) -> None:
    service = {"id": 400001, "region": "app1", "backups": 1}
    user = {"email": "j@jobs.test", "role": "master_admin", "api_token": True}
    doc = {"own": {"accounts": [{"name": "Jobs", "services": [service], "users": [user]}]}}
    account = api.post("/_mockown/seed", json=doc).json()["own"]["accounts"][0]
    exchange = {"grant_type": "refresh_token", "refresh_token": account["users"][0]["api_token"],
                "scope": "api:access", "client_id": "0oa4c413eq8wwcEzP4h7"}  # fmt: skip
    bearer = {
        "Authorization": "Bearer "
        + api.post("/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token", data=exchange).json()["access_token"]
    }
    job = api.post("/api/v1/services/400001/backups/last/export", json={"export_format": "csv"}, headers=bearer)
    job_id = job.json()["job_id"]
    page.goto(UI)
    assert page.get_by_test_id(f"job-status-{job_id}").inner_text() == "PENDING"
    assert page.get_by_test_id(f"job-progress-{job_id}").inner_text() == "0%"
    page.get_by_test_id("advance-input").fill("50s")
    page.get_by_test_id("clock-advance").click()
    page.wait_for_url("**/_mockown/ui?notice=*")
    assert page.get_by_test_id(f"job-status-{job_id}").inner_text() == "IN_PROGRESS"
    assert page.get_by_test_id(f"job-progress-{job_id}").inner_text() == "50%"
    page.get_by_test_id("advance-input").fill("50s")
    page.get_by_test_id("clock-advance").click()
    page.wait_for_url("**/_mockown/ui?notice=*")
    assert page.get_by_test_id(f"job-progress-{job_id}").inner_text() == "100%"
    assert page.get_by_test_id(f"job-status-{job_id}").inner_text() == "COMPLETED"
    assert "j@jobs.test" in page.get_by_test_id("outbox").inner_text()  # the API-token e-mail


def test_revoke_an_own_api_token_from_the_page(page: Any, api: httpx.Client) -> None:
    user = {"email": "rev@own.test", "role": "master_admin", "api_token": True}
    account = api.post("/_mockown/seed", json={"own": {"accounts": [{"name": "Rev", "users": [user]}]}}).json()
    seeded = account["own"]["accounts"][0]["users"][0]
    exchange = {"grant_type": "refresh_token", "refresh_token": seeded["api_token"], "scope": "api:access",
                "client_id": "0oa4c413eq8wwcEzP4h7"}  # fmt: skip
    own_token = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
    assert api.post(own_token, data=exchange).status_code == 200
    page.goto(UI)
    assert page.get_by_test_id(f"own-token-user-{seeded['id']}").inner_text() == "rev@own.test"
    assert seeded["api_token"] not in page.content()
    page.get_by_test_id(f"revoke-own-{seeded['id']}").click()
    page.wait_for_url("**/_mockown/ui?notice=*")
    assert "revoked" in page.get_by_test_id("notice").inner_text()
    assert api.post(own_token, data=exchange).status_code == 400  # the API token is gone
    assert api.get("/_mockown/outbox", params={"kind": "own.api_token.revoked"}).json()["count"] == 1

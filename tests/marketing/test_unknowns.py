"""The Marketing Cloud facts the reference leaves open are settings (spec "Known unknowns"): each one, set,
changes the wire answer; the defaults are what test_marketing.py already pins."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.marketing.test_marketing import BASE, PUBLIC, SERVER, WEB, code_for, exchange, refresh

SHARED = "The authorization code or refresh token is invalid, expired, or used."
CASES = {
    "code_invalid_description": "code unknown",
    "code_used_description": "code used",
    "code_expired_description": "code expired",
    "refresh_invalid_description": "refresh unknown",
    "refresh_used_description": "refresh used",
    "refresh_expired_description": "refresh expired",
}


def grant_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == "invalid_grant" and body["error_uri"] == "https://developer.salesforce.com/docs"
    description: str = body["error_description"]
    return description


def descriptions(c: httpx.Client, clock: FrozenClock, status: int) -> dict[str, str]:
    """The invalid_grant description of each case, in CASES' order."""
    found: dict[str, str] = {}
    found["code_invalid_description"] = grant_error(exchange(c, WEB, "nope"), status)
    code = code_for(c, WEB)
    rt = exchange(c, WEB, code).json()["refresh_token"]
    found["code_used_description"] = grant_error(exchange(c, WEB, code), status)
    stale = code_for(c, WEB)
    clock.advance(300)
    found["code_expired_description"] = grant_error(exchange(c, WEB, stale), status)
    found["refresh_invalid_description"] = grant_error(refresh(c, WEB, "nope"), status)
    assert refresh(c, WEB, rt).status_code == 200
    found["refresh_used_description"] = grant_error(refresh(c, WEB, rt), status)
    public_rt = exchange(c, PUBLIC, code_for(c, PUBLIC)).json()["refresh_token"]
    clock.advance(3600)
    found["refresh_expired_description"] = grant_error(refresh(c, PUBLIC, public_rt), status)
    return found


def test_each_invalid_grant_case_has_its_setting(clock: FrozenClock) -> None:
    settings = {**CASES, "refresh_token_ttl": 3600, "invalid_grant_status": 401}
    with in_process_client(create_app(Config().replace(marketing=settings), clock=clock)) as c:
        assert descriptions(c, clock, 401) == CASES


def test_unset_cases_use_the_shared_description(clock: FrozenClock) -> None:
    settings = {"refresh_token_ttl": 3600, "invalid_grant_description": "shared"}
    with in_process_client(create_app(Config().replace(marketing=settings), clock=clock)) as c:
        assert descriptions(c, clock, 400) == dict.fromkeys(CASES, "shared")


def test_default_is_the_shared_text_with_400(clock: FrozenClock) -> None:
    with in_process_client(create_app(Config().replace(marketing={"refresh_token_ttl": 3600}), clock=clock)) as c:
        assert descriptions(c, clock, 400) == dict.fromkeys(CASES, SHARED)


def test_grant_settings_from_the_environment(clock: FrozenClock) -> None:
    env = {"MOCKOWN_MARKETING__CODE_USED_DESCRIPTION": "already used", "MOCKOWN_MARKETING__INVALID_GRANT_STATUS": "401"}
    with in_process_client(create_app(Config.load(env=env), clock=clock)) as c:
        code = code_for(c, WEB)
        assert exchange(c, WEB, code).status_code == 200
        assert grant_error(exchange(c, WEB, code), 401) == "already used"
        assert grant_error(exchange(c, WEB, "nope"), 401) == SHARED


@pytest.mark.parametrize("block", ["rest", "application", "permissions"])
def test_userinfo_recalled_blocks_can_be_left_out(clock: FrozenClock, block: str) -> None:
    env = {f"MOCKOWN_MARKETING__USERINFO_{block.upper()}": "false"}
    with in_process_client(create_app(Config.load(env=env), clock=clock)) as c:
        token = c.post(f"{BASE}/v2/token", json={"grant_type": "client_credentials", **SERVER}).json()["access_token"]
        info: dict[str, Any] = c.get(f"{BASE}/v2/userinfo", headers={"Authorization": f"Bearer {token}"}).json()
        assert set(info) == {"exp", "iss", "user", "organization", "rest", "application", "permissions"} - {block}


def test_v1_answer_for_enhanced_packages(clock: FrozenClock) -> None:
    settings = {
        "legacy_enhanced_status": 400,
        "legacy_enhanced_message": "Use v2/token",
        "legacy_enhanced_errorcode": 0,
    }
    with in_process_client(create_app(Config().replace(marketing=settings), clock=clock)) as c:
        body = {"clientId": SERVER["client_id"], "clientSecret": SERVER["client_secret"]}
        response = c.post(f"{BASE}/v1/requestToken", json=body)
        assert response.status_code == 400
        assert response.json() == {"message": "Use v2/token", "errorcode": 0, "documentation": ""}

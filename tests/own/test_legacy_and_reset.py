"""The legacy session API (X-SESSION-ID) and resetting one Own account."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mockown.clock import FrozenClock
from mockown.outbox import messages
from mockown.own.service import OwnService
from tests.own.conftest import EMAILS, OWNER, PASSWORDS, SALES, SSO_ADMIN


def test_legacy_login_session_and_logout(client: httpx.Client) -> None:
    r = client.post("/api/auth/v1/login", params={"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]})
    assert r.status_code == 200 and set(r.json()) == {"session_id"}
    session = {"X-SESSION-ID": r.json()["session_id"]}
    assert client.get(f"/api/v1/services/{SALES}", headers=session).json()["id"] == SALES
    assert client.get("https://emea2.ownbackup.com/api/v1/services", headers=session).status_code == 200
    assert client.post("/api/auth/v1/logout", headers=session).json() == {}
    assert client.get("/api/v1/services", headers=session).status_code == 401
    assert client.post("/api/auth/v1/logout", headers=session).status_code == 401


def test_logout_refuses_an_expired_session_and_records_nothing(
    client: httpx.Client, own: OwnService, clock: FrozenClock
) -> None:
    """The resources refused an expired session (401) but the logout took it: 200 and a `user_logout` event stamped
    after the session had ended. The logout now answers what the resources do."""
    r = client.post("/api/auth/v1/login", data={"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]})
    session = {"X-SESSION-ID": r.json()["session_id"]}
    clock.advance(own.settings.access_token_ttl + 1)
    assert client.get("/api/v1/services", headers=session).status_code == 401
    before = [e.key for e in own.events.all()]
    answer = client.post("/api/auth/v1/logout", headers=session)
    assert answer.status_code == 401, answer.text
    assert answer.json() == {"error": "Unauthorized", "message": "Invalid or expired session"}
    assert [e.key for e in own.events.all()] == before


def test_logout_refuses_an_inactive_users_session(client: httpx.Client, own: OwnService) -> None:
    r = client.post("/api/auth/v1/login", data={"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]})
    session = {"X-SESSION-ID": r.json()["session_id"]}
    user = own.user(own.legacy_sessions.all()[0].user_id)
    assert user is not None
    user.active = False
    assert client.post("/api/auth/v1/logout", headers=session).status_code == 401
    assert "user_logout" not in [e.key for e in own.events.all()]


def test_legacy_login_failures(client: httpx.Client) -> None:
    body = {"email": EMAILS[OWNER], "password": "wrong"}
    r = client.post("/api/auth/v1/login", data=body)
    assert r.status_code == 401 and r.json()["error"] == "Unauthorized"
    sso = client.post("/api/auth/v1/login", data={"email": EMAILS[SSO_ADMIN], "password": PASSWORDS[SSO_ADMIN]})
    assert sso.status_code == 401  # SSO users have no password sign-in
    assert client.get("/api/v1/services", headers={"X-SESSION-ID": "forged"}).status_code == 401


def test_legacy_sessions_can_be_switched_off(configured: Callable[..., tuple[httpx.Client, OwnService]]) -> None:
    client, _ = configured(legacy_sessions=False)
    r = client.post("/api/auth/v1/login", data={"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]})
    assert r.status_code == 404


def test_reset_account_removes_only_that_account(client: httpx.Client, own: OwnService, auth: dict[str, str]) -> None:
    from mockown.seed import seed_document

    other = seed_document(own.runtime, {"own": {"accounts": [{"id": 2002, "users": [{"api_token": True}]}]}})
    client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth)
    result = own.reset_account(1001)
    removed = result["removed"]
    assert removed["own_users"] == 4 and removed["own_services"] == 5 and removed["own_backups"] == 10
    assert removed["own_api_tokens"] == 1 and removed["own_events"] >= 3 and removed["outbox"] == 1
    assert own.accounts.get("1001") is None and own.backups.find("service_id", f"app1:{SALES}") == []
    assert client.get("/api/v1/services", headers=auth).status_code == 401
    assert own.accounts.get("2002") is not None and len(own.api_tokens.all()) == 1
    assert [m.account_id for m in messages(own.runtime) if m.kind.startswith("own.")] == ["2002"]
    assert other["own"]["accounts"][0]["users"][0]["api_token"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"accounts": {}}, "own.accounts must be a list"),
        ({"orgs": []}, "the own section holds 'accounts'"),
        ({"accounts": [{"color": "red"}]}, "unknown own account field 'color'"),
        ({"accounts": [{"id": 1001}]}, "own account 1001 exists already"),
        ({"accounts": [{"id": "x"}]}, "own account id must be a positive integer"),
        ({"accounts": [{"users": [{"email": "owner@own.mockown.test"}]}]}, "e-mail owner@own.mockown.test is taken"),
        ({"accounts": [{"users": [{"role": "god"}]}]}, "own user role must be one of"),
        ({"accounts": [{"users": [{"business_units": "Sales"}]}]}, "business_units must be a list"),
        ({"accounts": [{"services": [{"region": "mars1"}]}]}, "own service region must be one of"),
        ({"accounts": [{"services": [{"backups": "many"}]}]}, "own service backups must be a whole number"),
        ({"accounts": [{"services": [{"records_per_object": -1}]}]}, "records_per_object must be between"),
        ({"accounts": [{"services": [{"objects": [1]}]}]}, "own service objects must be"),
        ({"accounts": [{"services": [{"status": "GONE"}]}]}, "own service status must be"),
        ({"accounts": [{"templates": [{"source_service_id": 1}]}]}, "own template source_service_id 1"),
        ({"accounts": [{"users": [{"api_token": True}], "api_tokens_enabled": False}]}, "cannot generate an API token"),
    ],
)
def test_seed_errors(own: OwnService, document: dict[str, object], message: str) -> None:
    from mockown.seed import SeedError, seed_document

    with pytest.raises(SeedError) as caught:
        seed_document(own.runtime, {"own": document})
    assert message in str(caught.value)


def test_default_account_seed(own: OwnService) -> None:
    from mockown.seed import seed_document

    created = seed_document(own.runtime, {"own": None})["own"]["accounts"][0]
    assert created["users"][0]["role"] == "master_admin" and created["users"][0]["password"]
    assert created["services"][0]["backups"] == 2


@pytest.mark.parametrize("url", ["/api/auth/v1/login", "/regions/app1/api/auth/v1/login/"])
def test_the_legacy_session_id_is_sent_not_to_be_stored(client: httpx.Client, url: str) -> None:
    """The session id is a bearer credential: `no-store` (and HTTP/1.0's `Pragma: no-cache`), as the token endpoint
    and the profile page that shows an API token send."""
    r = client.post(url, data={"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]})
    assert r.status_code == 200 and "session_id" in r.json()
    assert (r.headers.get("cache-control"), r.headers.get("pragma")) == ("no-store", "no-cache")

"""Every rule of "API tokens" and of the auth host, on the frozen clock."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from mockown import FrozenClock
from mockown.outbox import messages
from mockown.own.errors import TokenError
from mockown.own.models import ApiToken
from mockown.own.service import OwnService
from mockown.runtime import Runtime
from tests.own.conftest import (
    CLIENT_ID,
    EMAILS,
    OWNER,
    PASSWORDS,
    SALES,
    SALES_ADMIN,
    SSO_ADMIN,
    SUPPORT_USER,
    TOKEN_URL,
    exchange_form,
)

DAY = 86400


def _exchange(client: httpx.Client, raw: str, **extra: str) -> httpx.Response:
    return client.post(TOKEN_URL, data=exchange_form(raw, **extra))


def _services(client: httpx.Client, access: str, region: str = "app1") -> httpx.Response:
    return client.get(f"/regions/{region}/api/v1/services", headers={"Authorization": f"Bearer {access}"})


# -- generate, shown once, hashed -----------------------------------------------------------------------
def test_exchange_response_has_the_okta_fields(client: httpx.Client, own: OwnService) -> None:
    raw = own.generate_api_token(OWNER)
    r = _exchange(client, raw)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"token_type", "expires_in", "access_token", "scope", "refresh_token"}
    assert (body["token_type"], body["expires_in"], body["scope"], body["refresh_token"]) == (
        "Bearer",
        3600,
        "api:access",
        raw,
    )
    assert body["access_token"].startswith("eyJ")
    assert r.headers["cache-control"] == "no-store"
    assert _services(client, body["access_token"]).status_code == 200


def test_token_is_stored_only_as_a_hash(runtime: Runtime, own: OwnService) -> None:
    raw = own.generate_api_token(OWNER)
    dump = json.dumps(runtime.store.dump())
    assert raw not in dump
    [stored] = own.api_tokens.all()
    assert stored.id != raw and len(stored.id) == 64
    info = own.api_token_info(OWNER)
    assert info is not None and raw not in json.dumps(info)
    assert info["hint"] == raw[-4:]


def test_one_token_per_user_refused_by_default(client: httpx.Client, own: OwnService) -> None:
    first = own.generate_api_token(OWNER)
    with pytest.raises(TokenError) as caught:
        own.generate_api_token(OWNER)
    assert (caught.value.status, caught.value.code) == (409, "token_exists")
    assert "revoke" in caught.value.message
    assert len(own.api_tokens.find("user_id", str(OWNER))) == 1
    assert _exchange(client, first).status_code == 200  # the first one is untouched
    # other users are independent
    own.generate_api_token(SALES_ADMIN)


def test_replace_setting_swaps_the_token(configured: Callable[..., tuple[httpx.Client, OwnService]]) -> None:
    client, own = configured(token_conflict="replace")
    first = own.generate_api_token(OWNER)
    access = _exchange(client, first).json()["access_token"]
    second = own.generate_api_token(OWNER)
    assert second != first
    assert _exchange(client, first).json()["error"] == "invalid_grant"
    assert _services(client, access).status_code == 401
    assert _exchange(client, second).status_code == 200
    kinds = [m.kind for m in messages(own.runtime) if m.to == EMAILS[OWNER]]
    assert kinds == ["own.api_token.created", "own.api_token.revoked", "own.api_token.created"]


def test_expires_exactly_180_days_after_creation(client: httpx.Client, own: OwnService, clock: FrozenClock) -> None:
    raw = own.generate_api_token(OWNER)
    clock.advance(180 * DAY - 1)
    assert _exchange(client, raw).status_code == 200  # used or not, one second left
    clock.advance(1)
    r = _exchange(client, raw)
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_grant", "error_description": "The refresh token is invalid or expired."}
    assert own.api_tokens.all() == []  # expired tokens are deleted
    assert own.api_token_info(OWNER) is None


def test_expiry_does_not_depend_on_use(client: httpx.Client, own: OwnService, clock: FrozenClock) -> None:
    raw = own.generate_api_token(OWNER)
    for _ in range(5):
        clock.advance(30 * DAY)
        assert _exchange(client, raw).status_code == 200
    clock.advance(30 * DAY - 1800)
    access = _exchange(client, raw).json()["access_token"]
    clock.advance(1799)
    assert _services(client, access).status_code == 200
    clock.advance(1)  # the access token has 1800 s left, but API access stops with the API token
    assert _services(client, access).status_code == 401
    assert _exchange(client, raw).status_code == 400


def test_a_new_token_can_be_generated_after_expiry(own: OwnService, clock: FrozenClock) -> None:
    own.generate_api_token(OWNER)
    clock.advance(180 * DAY)
    assert own.generate_api_token(OWNER)


def test_revoke_applies_in_every_region_and_is_irreversible(client: httpx.Client, own: OwnService) -> None:
    raw = own.generate_api_token(OWNER)
    access = _exchange(client, raw).json()["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    assert _services(client, access, "app1").status_code == 200
    assert _services(client, access, "emea2").status_code == 200
    assert client.get("https://emea2.owndata.com/api/v1/services", headers=headers).status_code == 200
    own.revoke_api_token(OWNER)
    for region in ("app1", "emea2", "uk1"):
        r = _services(client, access, region)
        assert r.status_code == 401
        assert r.json() == {"error": "Unauthorized", "message": "Invalid or expired access token"}
    assert client.get("https://emea2.ownbackup.com/api/v1/services", headers=headers).status_code == 401
    assert _exchange(client, raw).json()["error"] == "invalid_grant"
    with pytest.raises(TokenError) as caught:
        own.revoke_api_token(OWNER)
    assert caught.value.code == "no_token"
    fresh = own.generate_api_token(OWNER)  # a new token works; the old one stays dead
    assert _exchange(client, fresh).status_code == 200
    assert _exchange(client, raw).status_code == 400


def test_emails_on_creation_and_revocation(runtime: Runtime, own: OwnService) -> None:
    raw = own.generate_api_token(SALES_ADMIN)
    own.revoke_api_token(SALES_ADMIN)
    sent = [m for m in messages(runtime) if m.kind.startswith("own.")]
    assert [(m.to, m.kind) for m in sent] == [
        (EMAILS[SALES_ADMIN], "own.api_token.created"),
        (EMAILS[SALES_ADMIN], "own.api_token.revoked"),
    ]
    assert all(raw not in m.body and raw not in m.subject for m in sent)
    assert "2026-06-30" in sent[0].body  # the expiry date, 180 days after 2026-01-01
    assert sent[0].account_id == "1001"


@pytest.mark.parametrize(("ttl", "expiry", "span"), [("30d", "2026-01-31", "30 days"), ("1d", "2026-01-02", "1 day"),
                                                     ("90m", "2026-01-01T01:30:00Z", "90 minutes")])  # fmt: skip
def test_the_creation_email_states_the_configured_lifetime(
    configured: Callable[..., tuple[httpx.Client, OwnService]], ttl: str, expiry: str, span: str
) -> None:
    _, own = configured(api_token_ttl=ttl)
    own.generate_api_token(SALES_ADMIN)
    body = next(m.body for m in messages(own.runtime) if m.kind == "own.api_token.created")
    assert expiry in body and f"({span})" in body and "180" not in body


def test_generate_revoke_and_use_are_audit_events(client: httpx.Client, own: OwnService) -> None:
    raw = own.generate_api_token(OWNER, ip="198.51.100.7")
    access = _exchange(client, raw).json()["access_token"]
    events = client.get("/api/v1/events", headers={"Authorization": f"Bearer {access}"}).json()
    assert [e["key"] for e in events] == ["api_token_generated", "api_token_used"]
    assert events[0]["ip_address"] == "198.51.100.7"
    assert events[0]["source"] == "web app" and events[1]["source"] == "api"
    assert all(e["user_id"] == OWNER and e["user_email"] == EMAILS[OWNER] for e in events)
    own.revoke_api_token(OWNER)
    keys = [e.key for e in sorted(own.events.all(), key=lambda e: e.event_id)]
    assert keys == ["api_token_generated", "api_token_used", "api_token_revoked"]


def test_account_can_disable_api_tokens(client: httpx.Client, own: OwnService) -> None:
    raw = own.generate_api_token(OWNER)
    access = _exchange(client, raw).json()["access_token"]
    own.set_api_tokens_enabled(1001, False)
    with pytest.raises(TokenError) as caught:
        own.generate_api_token(SALES_ADMIN)
    assert (caught.value.status, caught.value.code) == (403, "api_tokens_disabled")
    assert _exchange(client, raw).json()["error"] == "invalid_grant"
    assert _services(client, access).status_code == 401
    own.set_api_tokens_enabled(1001, True)
    assert _services(client, access).status_code == 200


def test_sso_users_must_confirm_a_password(own: OwnService) -> None:
    with pytest.raises(TokenError) as missing:
        own.generate_api_token(SSO_ADMIN)
    assert (missing.value.status, missing.value.code) == (401, "password_required")
    with pytest.raises(TokenError) as wrong:
        own.generate_api_token(SSO_ADMIN, "not-it")
    assert wrong.value.code == "bad_password"
    assert own.api_tokens.all() == []
    assert own.generate_api_token(SSO_ADMIN, PASSWORDS[SSO_ADMIN])


def test_non_sso_users_need_no_password_but_a_wrong_one_is_refused(own: OwnService) -> None:
    with pytest.raises(TokenError):
        own.generate_api_token(OWNER, "wrong")
    assert own.generate_api_token(OWNER)


def test_unknown_and_inactive_users(own: OwnService) -> None:
    with pytest.raises(TokenError) as unknown:
        own.generate_api_token(999)
    assert (unknown.value.status, unknown.value.code) == (404, "unknown_user")
    user = own.user(SUPPORT_USER)
    assert user is not None
    user.active = False
    own.users.put(user)
    with pytest.raises(TokenError) as inactive:
        own.generate_api_token(SUPPORT_USER)
    assert inactive.value.code == "inactive_user"


def test_seeder_returns_generated_tokens(runtime: Runtime) -> None:
    from mockown.seed import seed_document

    created = seed_document(
        runtime,
        {"own": {"accounts": [{"users": [{"email": "x@own.test", "role": "admin", "api_token": True},
                                         {"email": "y@own.test", "api_token": "FixedDemoToken0000"}]}]}},
    )  # fmt: skip
    users = created["own"]["accounts"][0]["users"]
    assert users[0]["api_token"] and users[1]["api_token"] == "FixedDemoToken0000"
    assert users[0]["password"]
    assert runtime.store.table(ApiToken).first("user_id", str(users[1]["id"])) is not None


# -- the auth host --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"client_id": "0oaSomethingElse"}, 401, "invalid_client"),
        ({"client_id": ""}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        ({"grant_type": ""}, 400, "invalid_request"),
        ({"scope": "api:admin"}, 400, "invalid_scope"),
        ({"scope": "api:access openid"}, 400, "invalid_scope"),
        ({"refresh_token": "not-a-token"}, 400, "invalid_grant"),
        ({"refresh_token": ""}, 400, "invalid_request"),
    ],
)
def test_token_endpoint_errors(
    client: httpx.Client, own: OwnService, change: dict[str, str], status: int, error: str
) -> None:
    raw = own.generate_api_token(OWNER)
    r = client.post(TOKEN_URL, data={**exchange_form(raw), **change})
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error", "error_description"} and body["error"] == error
    assert r.headers["cache-control"] == "no-store"


def test_token_endpoint_wants_a_form(client: httpx.Client, own: OwnService) -> None:
    raw = own.generate_api_token(OWNER)
    r = client.post(TOKEN_URL, json=exchange_form(raw))
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    assert client.get(TOKEN_URL).status_code == 405
    assert client.get(TOKEN_URL).json()["error"] == "invalid_request"
    # scope may be left out (Okta keeps the granted scope on a refresh)
    form = exchange_form(raw)
    del form["scope"]
    assert client.post(TOKEN_URL, data=form).json()["scope"] == "api:access"


def test_access_token_expires_after_expires_in(client: httpx.Client, own: OwnService, clock: FrozenClock) -> None:
    access = _exchange(client, own.generate_api_token(OWNER)).json()["access_token"]
    clock.advance(3599)
    assert _services(client, access).status_code == 200
    clock.advance(1)
    assert _services(client, access).status_code == 401


def test_access_token_ttl_setting(
    configured: Callable[..., tuple[httpx.Client, OwnService]], clock: FrozenClock
) -> None:
    client, own = configured(access_token_ttl=300)
    body = _exchange(client, own.generate_api_token(OWNER)).json()
    assert body["expires_in"] == 300
    clock.advance(300)
    assert _services(client, body["access_token"]).status_code == 401


def test_propagation_delay(configured: Callable[..., tuple[httpx.Client, OwnService]], clock: FrozenClock) -> None:
    client, own = configured(propagation_delay=10)
    access = _exchange(client, own.generate_api_token(OWNER)).json()["access_token"]
    r = _services(client, access)
    assert r.status_code == 401 and "propagat" in r.json()["message"]
    clock.advance(9.5)
    assert _services(client, access).status_code == 401
    clock.advance(0.5)
    assert _services(client, access).status_code == 200


def test_no_propagation_delay_by_default(client: httpx.Client, own: OwnService) -> None:
    access = _exchange(client, own.generate_api_token(OWNER)).json()["access_token"]
    assert _services(client, access).status_code == 200


def test_okta_revoke_endpoint(client: httpx.Client, own: OwnService) -> None:
    raw = own.generate_api_token(OWNER)
    access = _exchange(client, raw).json()["access_token"]
    url = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke"
    r = client.post(url, data={"token": access, "token_type_hint": "access_token", "client_id": CLIENT_ID})
    assert (r.status_code, r.content) == (200, b"")
    assert _services(client, access).status_code == 401
    assert _exchange(client, raw).status_code == 200  # the API token itself is only revoked in the UI
    assert client.post(url, data={"token": "unknown", "client_id": CLIENT_ID}).status_code == 200
    assert client.post(url, data={"token": access, "client_id": "nope"}).json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not-a-token", "bearer eyJhbGciOiJub25lIn0.e30."],
)
def test_regional_api_needs_a_live_access_token(client: httpx.Client, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    r = client.get("/api/v1/services", headers=headers)
    assert r.status_code == 401
    assert r.json()["error"] == "Unauthorized"


def test_last_used_shows_on_info(client: httpx.Client, own: OwnService, clock: FrozenClock) -> None:
    raw = own.generate_api_token(OWNER)
    info = own.api_token_info(OWNER)
    assert info is not None and info["last_used_at"] is None
    assert info["expires_at"] == "2026-06-30T00:00:00Z"
    clock.advance(60)
    _exchange(client, raw)
    info = own.api_token_info(OWNER)
    assert info is not None and info["last_used_at"] == "2026-01-01T00:01:00Z"


def test_api_token_ttl_setting(configured: Callable[..., tuple[httpx.Client, OwnService]], clock: FrozenClock) -> None:
    client, own = configured(api_token_ttl="1d")
    raw = own.generate_api_token(OWNER)
    clock.advance(DAY)
    assert _exchange(client, raw).status_code == 400


def test_user_without_reach_gets_an_empty_list(client: httpx.Client, own: OwnService) -> None:
    raw = own.generate_api_token(SUPPORT_USER)
    access = _exchange(client, raw).json()["access_token"]
    assert [s["id"] for s in _services(client, access).json()] == [300003]
    assert _services(client, access, "emea2").json() == []
    assert SALES == 300001

"""Behavioural checks of the Own contract: API-token rules, the exchange, paging, ordering."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from .support import OWN_CLIENT_ID, OWN_REVOKE_PATH, ControlPlane, OwnCreds, Target, own_exchange

pytestmark = [pytest.mark.own, pytest.mark.rules]

INVALID_GRANT = "The refresh token is invalid or expired."


def access(http: httpx.Client, own: OwnCreds, api_token: str | None = None) -> str:
    response = own_exchange(http, own, **({"refresh_token": api_token} if api_token else {}))
    assert response.status_code == 200, f"the exchange failed: {response.status_code} {response.text[:300]}"
    token: str = response.json()["access_token"]
    return token


def api(http: httpx.Client, own: OwnCreds, token: str, path: str, **params: Any) -> httpx.Response:
    return http.get(f"{own.api_url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, params=params)


def assert_invalid_grant(response: httpx.Response) -> None:
    assert response.status_code == 400, f"expected 400 invalid_grant, got {response.status_code}: {response.text}"
    body = response.json()
    assert body["error"] == "invalid_grant", body


# -- the exchange -----------------------------------------------------------------------------------------------
def test_exchange_yields_a_working_bearer_token(http: httpx.Client, own: OwnCreds) -> None:
    """`grant_type=refresh_token` + the API token → a Bearer access token that opens the regional API;
    the API token comes back unchanged (no rotation)."""
    response = own_exchange(http, own)
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    assert body["scope"] == "api:access"
    assert body["refresh_token"] == own.api_token, "the API token must not rotate"
    assert api(http, own, body["access_token"], "/services").status_code == 200
    again = own_exchange(http, own)
    assert again.status_code == 200, "the API token must stay usable after an exchange"


EXCHANGE_ERRORS = {
    "unknown-api-token": ({"refresh_token": "not-an-api-token"}, {400}, "invalid_grant"),
    "wrong-client": ({"client_id": "0oaWRONGCLIENT"}, {400, 401}, "invalid_client"),
    "wrong-grant": ({"grant_type": "password"}, {400}, "unsupported_grant_type"),
    "wrong-scope": ({"scope": "openid"}, {400}, "invalid_scope"),
}


@pytest.mark.parametrize("case", sorted(EXCHANGE_ERRORS))
def test_exchange_errors(http: httpx.Client, own: OwnCreds, case: str) -> None:
    """The exchange's failures in Okta's dialect (spec U3): an unknown API token `invalid_grant`, a wrong client
    `invalid_client`, another grant `unsupported_grant_type`, another scope than `api:access` `invalid_scope`."""
    override, statuses, error = EXCHANGE_ERRORS[case]
    response = own_exchange(http, own, **override)
    assert response.status_code in statuses, f"{case}: {response.status_code} {response.text[:300]}"
    assert response.json()["error"] == error, response.json()


def test_revoked_own_access_token_is_dead(http: httpx.Client, target: Target, own: OwnCreds) -> None:
    """Okta's revocation (the auth host's logout, spec U4): 200 with an empty body, then the regional API answers
    401 to that access token; the API token itself stays usable."""
    target.need_writes("revokes an access token it obtained")
    token = access(http, own)
    assert api(http, own, token, "/services").status_code == 200
    form = {"token": token, "token_type_hint": "access_token", "client_id": OWN_CLIENT_ID}
    response = http.post(own.auth_url + OWN_REVOKE_PATH, data=form, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.content == b"", f"{response.status_code}: {response.text[:300]}"
    dead = api(http, own, token, "/services")
    assert dead.status_code == 401, f"a revoked access token still opens the API ({dead.status_code})"
    access(http, own)  # a new exchange still works


def test_no_access_token_is_401(http: httpx.Client, own: OwnCreds) -> None:
    """Every regional call needs `Authorization: Bearer <access token>` (spec 2.1): none, or a made-up one, is 401."""
    response = http.get(f"{own.api_url}/api/v1/services")
    assert response.status_code == 401
    response = http.get(f"{own.api_url}/api/v1/services", headers={"Authorization": "Bearer eyJnot.a.token"})
    assert response.status_code == 401


# -- resources ------------------------------------------------------------------------------------------------
def test_backups_oldest_first(http: httpx.Client, own: OwnCreds) -> None:
    """The backups list is ascending; only the last may be in progress (`INPROGRESS`, `completed_at` null)."""
    token = access(http, own)
    services = api(http, own, token, "/services").json()
    if not services:
        pytest.skip("the account has no service in this region")
    backups = api(http, own, token, f"/services/{services[0]['id']}/backups").json()
    ids = [b["id"] for b in backups]
    assert ids == sorted(ids), f"backups are not oldest first: {ids}"
    for b in backups[:-1]:
        assert b["status"] != "INPROGRESS" and b["completed_at"] is not None, f"an unfinished backup not last: {b}"
    done = [b for b in backups if b["completed_at"] is not None]
    if done:
        last = api(http, own, token, f"/services/{services[0]['id']}/backups/last").json()
        assert last["id"] == done[-1]["id"], "`last` is the last completed backup"


def test_objects_download_links(http: httpx.Client, own: OwnCreds) -> None:
    """Objects carry four absolute links; following one with the Bearer header gives CSV with an Id column."""
    token = access(http, own)
    services = api(http, own, token, "/services").json()
    if not services:
        pytest.skip("the account has no service in this region")
    response = api(http, own, token, f"/services/{services[0]['id']}/backups/last/objects")
    if response.status_code == 404:
        pytest.skip("no completed backup")
    objects = response.json()
    if not objects:
        pytest.skip("the last backup holds no object")
    for obj in objects:
        for name in ("download_link", "download_added_link", "download_changed_link", "download_removed_link"):
            assert re.match(r"^https?://", obj[name]), f"{name} is not absolute: {obj[name]}"
    csv = http.get(objects[0]["download_link"], headers={"Authorization": f"Bearer {token}"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.split("\n", 1)[0].split(",")[0].strip('"') == "Id"


def test_events_paging_is_exclusive_and_ordered(http: httpx.Client, own: OwnCreds) -> None:
    """`/events` is oldest first; `from=<event_id>` returns the events after it (exclusive); past the end, []."""
    token = access(http, own)  # an exchange is itself an audit event (api_token_used)
    access(http, own)
    first = api(http, own, token, "/events")
    if first.status_code == 403:
        pytest.skip("the API token's user is not an admin (events need admin or master_admin)")
    page = first.json()
    assert len(page) <= 1000
    ids = [e["event_id"] for e in page]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), f"events are not strictly ascending: {ids[:20]}"
    if len(page) < 2:
        pytest.skip("fewer than two events to page through")
    after = api(http, own, token, "/events", **{"from": ids[0]}).json()
    assert [e["event_id"] for e in after][: len(ids) - 1] == ids[1:], "from= must be exclusive and keep the order"
    last = ids[-1] if len(page) < 1000 else None
    if last is not None:
        tail = api(http, own, token, "/events", **{"from": max(e["event_id"] for e in after or page)}).json()
        assert tail == [], f"past the newest event the page is empty, got {tail[:3]}"


def test_backup_now_shows_in_progress_last(http: httpx.Client, target: Target, own: OwnCreds) -> None:
    """`POST /services/{id}/backup_now` → 200 `{}` (spec 3, S7 treats 200 as success) and the backups list then holds
    the new backup (spec U10). Starts a backup: a real target needs --allow-writes."""
    target.need_writes("starts a backup")
    token = access(http, own)
    services = [s for s in api(http, own, token, "/services").json() if s["status"] != "ARCHIVED"]
    if not services:
        pytest.skip("no active service")
    sid = services[0]["id"]
    headers = {"Authorization": f"Bearer {token}"}
    response = http.post(f"{own.api_url}/api/v1/services/{sid}/backup_now", headers=headers)
    if response.status_code == 409:
        pytest.skip("a backup is running already")
    assert response.status_code == 200 and response.json() == {}, response.text[:300]
    backups = api(http, own, token, f"/services/{sid}/backups").json()
    assert backups, "the new backup must be listed"


# -- API-token lifecycle (mock profile: the Edit Profile page and the clock) ------------------------------------
class ProfilePage:
    """A browser on the mock's Edit Profile page: its forms carry the page's anti-CSRF token (`_csrf`, bound to the
    browser's `mockown_bid` cookie), so each post here does too."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        found = re.search(r"name='_csrf' value='([^']+)'", client.get("/own/profile").text)
        assert found, "the Edit Profile page has no anti-CSRF token"
        self.csrf = found.group(1)

    def post(self, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        return self.client.post(path, data={**(data or {}), "_csrf": self.csrf})


@contextmanager
def profile_session(http: httpx.Client, own: OwnCreds, email: str, password: str) -> Iterator[ProfilePage]:
    """Signed in on the mock's Edit Profile page (where API tokens are generated and revoked)."""
    with httpx.Client(base_url=own.api_url, timeout=30.0) as client:
        session = ProfilePage(client)
        response = session.post("/own/profile", data={"email": email, "password": password})
        assert response.status_code == 200, response.text[:300]
        yield session


def generate_on_profile(session: ProfilePage) -> tuple[int, str | None]:
    response = session.post("/own/profile/token")
    found = re.search(r"<code id='api-token'>([^<]+)<", response.text)
    return response.status_code, found.group(1) if found else None


def test_one_api_token_per_user(http: httpx.Client, target: Target, own: OwnCreds) -> None:
    """Generating a second token while one is live is refused ("revoke first"); the first keeps working."""
    target.need_mock("API tokens are generated on the Edit Profile page (a UI, not the API)")
    assert own.spare_email and own.spare_password
    with profile_session(http, own, own.spare_email, own.spare_password) as session:
        status, first = generate_on_profile(session)
        assert status == 200 and first, "the first API token was not shown"
        status, second = generate_on_profile(session)
        assert status == 409 and second is None, f"a second live API token was issued ({status})"
        access(http, own, first)
        assert session.post("/own/profile/token/revoke").status_code == 200
    assert_invalid_grant(own_exchange(http, own, refresh_token=first))


def test_api_token_revoked_at_okta_revoke_is_dead_in_every_region(
    http: httpx.Client, target: Target, own: OwnCreds
) -> None:
    """The API token is an Okta refresh token (spec S5), and Okta's `/v1/revoke` "takes an access or refresh token
    and revokes it" (S16): 200 with an empty body, then the exchange answers `invalid_grant`, and its access tokens
    are refused in every region (a token and its revocation are cross-regional, S3). A new token may then be made.
    Mock profile only: the check makes its own API token on the Edit Profile page (never revokes yours)."""
    target.need_mock("API tokens are generated on the Edit Profile page (a UI, not the API)")
    assert own.spare_email and own.spare_password
    with profile_session(http, own, own.spare_email, own.spare_password) as session:
        status, raw = generate_on_profile(session)
        assert status == 200 and raw, "the Edit Profile page did not show a new API token"
        try:
            token = access(http, own, raw)
            regions = {"default": own.api_url, "emea1": f"{own.api_url}/regions/emea1"}
            for name, base in regions.items():
                assert api(http, OwnCreds(raw, own.auth_url, base), token, "/services").status_code == 200, name
            form = {"token": raw, "token_type_hint": "refresh_token", "client_id": OWN_CLIENT_ID}
            response = http.post(own.auth_url + OWN_REVOKE_PATH, data=form, headers={"Accept": "application/json"})
            assert response.status_code == 200 and response.content == b"", f"{response.status_code}: {response.text}"
            assert_invalid_grant(own_exchange(http, own, refresh_token=raw))
            for name, base in regions.items():
                dead = api(http, OwnCreds(raw, own.auth_url, base), token, "/services")
                assert dead.status_code == 401, f"an access token of a revoked API token still opens {name}"
            status, again = generate_on_profile(session)
            assert status == 200 and again, f"no new API token after the revocation ({status})"
        finally:
            session.post("/own/profile/token/revoke")  # no live token left behind


def test_api_token_expires_after_180_days(
    http: httpx.Client, target: Target, own: OwnCreds, clock: ControlPlane
) -> None:
    """180 days after creation, used or not, the API token is refused; its access tokens die with it."""
    assert own.spare_email and own.spare_password
    with profile_session(http, own, own.spare_email, own.spare_password) as session:
        status, raw = generate_on_profile(session)
        assert status == 200 and raw, "the Edit Profile page did not show a new API token"
        clock.advance(str(180 * 86400 - 61))
        token = access(http, own, raw)
        assert api(http, own, token, "/services").status_code == 200
        clock.advance("61")
        assert_invalid_grant(own_exchange(http, own, refresh_token=raw))
        assert api(http, own, token, "/services").status_code == 401, "an access token outlived its API token"
        session.post("/own/profile/token/revoke")

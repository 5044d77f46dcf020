"""Spec conformance audit of the Own API (`spec/own-api.md`): deviations found by probing, each pinned here."""

from __future__ import annotations

import httpx

from mockown.own.service import OwnService
from tests.own.conftest import EMAILS, OWNER, PASSWORDS, SALES, TEMPLATE, TOKEN_URL, exchange_form
from tests.own.test_profile import _post, _sign_in, _token_in


# -- S14: "Each entry carries the user, a timestamp and the IP address" ----------------------------------------
def test_every_audit_event_of_an_http_request_carries_the_caller_s_ip(client: httpx.Client, own: OwnService) -> None:
    """Every event an HTTP request causes names the address it came from: the Edit Profile page (sign in,
    generate, revoke, sign out), the exchange, the legacy login and logout, and the regional API's actions. The
    legacy logout recorded `user_logout` without it."""
    _sign_in(client)
    token = _token_in(_post(client, "/own/profile/token").text)
    assert token
    access = client.post(TOKEN_URL, data=exchange_form(token)).json()["access_token"]
    auth = {"Authorization": f"Bearer {access}"}
    assert client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth).status_code == 200
    export = client.post(f"/api/v1/services/{SALES}/backups/last/export", headers=auth, data={"export_format": "csv"})
    assert export.status_code == 200
    seeded = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/seed",
        headers=auth,
        data={"destination": "300002", "disable_automations": "false"},
    )
    assert seeded.status_code == 200
    login = client.post("/api/auth/v1/login", data={"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]})
    session = {"X-SESSION-ID": login.json()["session_id"]}
    assert client.post("/api/auth/v1/logout", headers=session).status_code == 200
    events = client.get("/api/v1/events", headers=auth).json()
    _post(client, "/own/profile/token/revoke")
    _post(client, "/own/profile/logout")
    keys = {e["key"] for e in events} | {e.key for e in own.events.all()}
    assert {"user_login", "user_logout", "api_token_generated", "api_token_used", "backup_now"} <= keys
    assert {"export_started", "seed_started", "api_token_revoked"} <= keys
    missing = sorted((e.key, e.source) for e in own.events.all() if e.ip_address != "127.0.0.1")
    assert missing == [], f"events of HTTP requests without the caller's IP: {missing}"

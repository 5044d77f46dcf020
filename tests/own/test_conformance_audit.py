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


# -- S1: "Request Body schema: application/x-www-form-urlencoded required" (the auth host, an Okta server) -------
def test_the_auth_host_takes_only_url_encoded_forms(client: httpx.Client, own: OwnService) -> None:
    """The token endpoint's body is documented as `application/x-www-form-urlencoded` (required), as RFC 6749 and
    RFC 7009 (revocation) have it, and every client of the evidence sends that. A multipart body was read as the
    same form (200): refused now as a JSON body is, 400 `invalid_request` in Okta's dialect (with
    `Cache-Control: no-store`), and nothing is issued or revoked."""
    raw = own.generate_api_token(OWNER)
    multipart = {k: (None, v) for k, v in exchange_form(raw).items()}
    r = client.post(TOKEN_URL, files=multipart)
    assert r.status_code == 400, r.text
    assert r.json() == {
        "error": "invalid_request",
        "error_description": "multipart bodies are not accepted here; send application/x-www-form-urlencoded",
    }
    assert r.headers["cache-control"] == "no-store"
    assert [e.key for e in own.events.all()].count("api_token_used") == 0  # nothing was exchanged
    access = client.post(TOKEN_URL, data=exchange_form(raw)).json()["access_token"]
    auth = {"Authorization": f"Bearer {access}"}
    revoke = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke"
    r = client.post(revoke, files={"token": (None, access), "client_id": (None, "0oa4c413eq8wwcEzP4h7")})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request", r.text
    assert client.get("/api/v1/services", headers=auth).status_code == 200  # not revoked
    # the form itself, with or without a charset, and an empty body's missing-parameter error, are as before
    form = "&".join(f"{k}={v}" for k, v in exchange_form(raw).items())
    typed = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    assert client.post(TOKEN_URL, content=form, headers=typed).status_code == 200
    assert client.post(TOKEN_URL).json()["error"] == "invalid_client"

"""A trailing slash on the Own regional API, the legacy session API, the auth host (token, revoke) and the Edit Profile
pages is the same resource (as the Salesforce side serves both forms), never Starlette's empty 307: a client that
follows it may drop its Authorization header or its body. Two slashes name nothing: an Own 404."""

from __future__ import annotations

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import CLIENT_ID, EMAILS, OWNER, PASSWORDS, SALES, exchange_form
from tests.own.test_profile import PAGE, _post, _token_in

GETS = ["/api/v1/services", f"/api/v1/services/{SALES}", f"/api/v1/services/{SALES}/backups", "/api/v1/jobs",
        "/api/v1/events", "/api/v1/seeding/templates"]  # fmt: skip


@pytest.mark.parametrize("path", GETS)
@pytest.mark.parametrize("prefix", ["", "/regions/app1"])
def test_a_get_with_a_trailing_slash_answers_the_resource(
    client: httpx.Client, auth: dict[str, str], path: str, prefix: str
) -> None:
    plain = client.get(prefix + path, headers=auth)
    slashed = client.get(prefix + path + "/", headers=auth)
    assert plain.status_code == 200, plain.text
    assert (slashed.status_code, slashed.json()) == (200, plain.json())
    unauthenticated = client.get(prefix + path + "/")
    assert unauthenticated.status_code == 401 and set(unauthenticated.json()) == {"error", "message"}


@pytest.mark.parametrize("prefix", ["", "/regions/app1"])
def test_a_post_with_a_trailing_slash_is_served_with_its_body(
    client: httpx.Client, auth: dict[str, str], prefix: str
) -> None:
    r = client.post(
        f"{prefix}/api/v1/services/{SALES}/backups/last/export/", headers=auth, data={"export_format": "csv"}
    )
    assert r.status_code == 200, r.text
    job = client.get(f"{prefix}/api/v1/jobs/{r.json()['job_id']}", headers=auth).json()
    assert "csv" in job["title"]
    refused = client.post(f"{prefix}/api/v1/services/{SALES}/backups/last/export/", headers=auth, data={})
    assert (refused.status_code, refused.json()["message"]) == (400, "export_format is required")
    backup = client.post(f"{prefix}/api/v1/services/{SALES}/backup_now/", headers=auth)
    assert backup.status_code == 200, backup.text


def test_the_legacy_login_takes_a_trailing_slash(client: httpx.Client) -> None:
    r = client.post("/api/auth/v1/login/", data={"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]})
    assert r.status_code == 200 and "session_id" in r.json()


def test_two_trailing_slashes_are_an_own_404(client: httpx.Client, auth: dict[str, str]) -> None:
    r = client.get("/api/v1/services//", headers=auth)
    assert r.status_code == 404 and set(r.json()) == {"error", "message"}


# -- the auth host: its token and revoke paths too (they were plain routes: Starlette's empty 307) -----------
TOKEN = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
REVOKE = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke"


def test_the_token_endpoint_takes_a_trailing_slash(client: httpx.Client, own: OwnService) -> None:
    raw = own.generate_api_token(OWNER, PASSWORDS[OWNER])
    r = client.post(TOKEN + "/", data=exchange_form(raw))
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"token_type", "expires_in", "access_token", "scope", "refresh_token"}
    assert r.headers["cache-control"] == "no-store"
    services = client.get("/api/v1/services", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert services.status_code == 200


@pytest.mark.parametrize("path", [TOKEN, REVOKE])
def test_the_auth_hosts_errors_with_a_trailing_slash_are_its_own(client: httpx.Client, path: str) -> None:
    """The same answer as without the slash: Okta's JSON, not an empty 307."""
    form = {"grant_type": "refresh_token", "refresh_token": "x", "token": "x", "client_id": "0oaSomeoneElse"}
    plain = client.post(path, data=form)
    slashed = client.post(path + "/", data=form)
    assert plain.status_code == 401, plain.text
    assert (slashed.status_code, slashed.json()) == (plain.status_code, plain.json())
    get = client.get(path + "/")
    assert get.status_code == 405 and get.json()["error"] == "invalid_request", get.text


def test_the_revoke_endpoint_takes_a_trailing_slash(client: httpx.Client, own: OwnService) -> None:
    raw = own.generate_api_token(OWNER, PASSWORDS[OWNER])
    access = client.post(TOKEN, data=exchange_form(raw)).json()["access_token"]
    r = client.post(REVOKE + "/", data={"token": access, "client_id": CLIENT_ID})
    assert (r.status_code, r.content) == (200, b"")
    revoked = client.get("/api/v1/services", headers={"Authorization": f"Bearer {access}"})
    assert revoked.status_code == 401


# -- the Edit Profile pages: their forms posted with one trailing slash (they were plain routes: an empty 307) ------
def test_the_profile_pages_take_a_trailing_slash(client: httpx.Client, own: OwnService) -> None:
    page = client.get(PAGE + "/")
    assert (page.status_code, page.text) == (200, client.get(PAGE).text)
    signed = _post(client, PAGE + "/", data={"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]})
    assert signed.status_code == 200 and "Edit Profile</h1>" in signed.text, signed.text
    generated = _post(client, PAGE + "/token/")
    token = _token_in(generated.text)
    assert generated.status_code == 200 and token is not None
    assert own.api_token_info(OWNER) is not None
    revoked = _post(client, PAGE + "/token/revoke/")
    assert revoked.status_code == 200 and own.api_token_info(OWNER) is None
    out = _post(client, PAGE + "/logout/")
    assert out.status_code == 200 and "Edit Profile</h1>" not in client.get(PAGE + "/").text
    assert client.get(PAGE + "/token/").status_code == 405  # a form action, as without the slash

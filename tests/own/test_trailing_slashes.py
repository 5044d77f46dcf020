"""A trailing slash on the Own regional API and the legacy session API is the same resource (as the Salesforce
side serves both forms), never Starlette's empty 307: a client that follows it may drop its Authorization header
or its body. Two slashes name nothing: an Own 404."""

from __future__ import annotations

import httpx
import pytest

from tests.own.conftest import EMAILS, OWNER, PASSWORDS, SALES

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

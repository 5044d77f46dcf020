"""A preset's rule takes the `error` and `message` a request gives, as any other field ("other fields you give
override theirs"): they were accepted and listed, and the preset's literal body answered anyway. A plain rule with
both a `body` and an `error` or `message` is refused (the body alone answered)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .helpers import access_token, password_token, rest


def _add(client: httpx.Client, **rule: Any) -> dict[str, Any]:
    response = client.post("/_mockown/faults", json=rule)
    assert response.status_code == 201, response.text
    added: dict[str, Any] = response.json()
    return added


@pytest.mark.parametrize("preset", ["salesforce.invalid_session", "salesforce.request_limit_exceeded"])
def test_a_rest_preset_takes_the_code_and_the_message(client: httpx.Client, preset: str) -> None:
    token = access_token(client)
    listed = _add(client, preset=preset, error="INVALID_AUTH_HEADER", message="Session expired by admin")
    assert (listed["error"], listed["message"]) == ("INVALID_AUTH_HEADER", "Session expired by admin")
    answer = rest(client, token)
    assert answer.headers["content-type"] == "application/json;charset=UTF-8"
    assert answer.json() == [{"message": "Session expired by admin", "errorCode": "INVALID_AUTH_HEADER"}]


def test_the_token_endpoint_preset_takes_the_code_and_the_message(client: httpx.Client) -> None:
    _add(client, preset="salesforce.rate_limit_exceeded", error="login_rate_exceeded", message="slow down")
    answer = password_token(client)
    assert answer.status_code == 400
    assert answer.json() == {"error": "login_rate_exceeded", "error_description": "slow down"}
    assert answer.headers["cache-control"] == "no-store"


def test_the_propagation_delay_takes_the_message(client: httpx.Client) -> None:
    doc = {"own": {"accounts": [{"users": [{"email": "o@overrides.test", "api_token": True}]}]}}
    api_token = client.post("/_mockown/seed", json=doc).json()["own"]["accounts"][0]["users"][0]["api_token"]
    form = {"grant_type": "refresh_token", "refresh_token": api_token, "scope": "api:access",
            "client_id": "0oa4c413eq8wwcEzP4h7"}  # fmt: skip
    token = client.post("/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token", data=form).json()["access_token"]
    _add(client, preset="own.propagation_delay", seconds=5, message="not yet")
    answer = client.get("/api/v1/services", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert answer.json() == {"error": "Unauthorized", "message": "not yet"}
    assert answer.headers["www-authenticate"] == 'Bearer realm="own"'


def test_a_body_given_with_a_preset_replaces_its_code_and_text(client: httpx.Client) -> None:
    token = access_token(client)
    listed = _add(client, preset="salesforce.invalid_session", body={"mine": True})
    assert (listed["error"], listed["message"], listed["body"]) == (None, None, {"mine": True})
    assert rest(client, token).json() == {"mine": True}


@pytest.mark.parametrize(
    "extra", [{"error": "X"}, {"message": "m"}, {"error": "X", "message": "m"}], ids=["error", "message", "both"]
)
@pytest.mark.parametrize("preset", [None, "salesforce.invalid_session"])
def test_a_body_with_an_error_or_message_is_refused(
    client: httpx.Client, extra: dict[str, str], preset: str | None
) -> None:
    rule: dict[str, Any] = {"status": 500, "body": {"x": 1}, **extra}
    if preset:
        rule["preset"] = preset
    response = client.post("/_mockown/faults", json=rule)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_fault"
    assert "body" in response.json()["message"]
    assert client.get("/_mockown/faults").json()["count"] == 0

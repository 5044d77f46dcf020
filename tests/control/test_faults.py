"""Fault rules and presets over HTTP against a real `mockown serve`: every mode, limit and preset."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from ..conftest import CID, ORG, SECRET
from .helpers import access_token, introspect, password_token, rest

TOKEN = "/services/oauth2/token"


def add(api: httpx.Client, **rule: Any) -> dict[str, Any]:
    response = api.post("/_mockown/faults", json=rule)
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


# -- acting ----------------------------------------------------------------------------------------------
def test_status_is_rendered_in_the_dialect_of_the_endpoint(api: httpx.Client) -> None:
    token = access_token(api)
    add(api, path=TOKEN, status=503)
    add(api, path="/services/data/*", status=500, message="boom")
    add(api, path="/id/*", status=503)
    add(api, path="/api/v1/*", status=503)
    oauth = password_token(api)
    assert oauth.status_code == 503
    assert oauth.json() == {"error": "server_error", "error_description": "Service Unavailable"}
    rest_error = rest(api, token)
    assert rest_error.status_code == 500
    assert rest_error.json() == [{"message": "boom", "errorCode": "UNKNOWN_EXCEPTION"}]
    identity = api.get(f"/id/{ORG}/005g000000Adm1NAAR", headers={"Authorization": f"Bearer {token}"})
    assert identity.status_code == 503 and identity.headers["content-type"].startswith("text/plain")
    own = api.get("/api/v1/services", headers={"Authorization": "Bearer x"})
    assert own.status_code == 503 and own.json()["error"] == "Service Unavailable"


def test_error_code_body_and_headers_can_be_chosen(api: httpx.Client) -> None:
    add(api, path=TOKEN, grant_type="password", status=400, error="rate_limit_exceeded", message="slow down", times=1)
    first = password_token(api)
    assert first.json() == {"error": "rate_limit_exceeded", "error_description": "slow down"}
    assert first.headers["cache-control"] == "no-store"  # the OAuth dialect's headers stay
    add(api, path=TOKEN, status=418, body={"custom": True}, headers={"X-Fault": "yes"}, times=1)
    teapot = password_token(api)
    assert teapot.status_code == 418 and teapot.json() == {"custom": True} and teapot.headers["x-fault"] == "yes"
    add(api, path=TOKEN, status=502, body="<html>bad gateway</html>", times=1)
    text = password_token(api)
    assert text.status_code == 502 and text.text == "<html>bad gateway</html>"
    assert password_token(api).status_code == 200  # every rule was used up


def test_fixed_latency_then_the_real_answer(api: httpx.Client) -> None:
    rule = add(api, path=TOKEN, latency="300ms", times=1)
    started = time.perf_counter()
    response = password_token(api)
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.3
    assert password_token(api).status_code == 200
    # the second answer was not held back: the rule fired once (not a wall-clock bound, at the mercy of the load)
    used = api.get(f"/_mockown/faults/{rule['id']}").json()
    assert (used["hits"], used["remaining"], used["active"]) == (1, 0, False)


def test_uniform_latency_stays_in_its_range(api: httpx.Client) -> None:
    add(api, path="/services/data", latency={"min": "100ms", "max": "200ms"}, seed=3)
    for _ in range(3):
        started = time.perf_counter()
        assert api.get("/services/data").status_code == 200
        assert 0.1 <= time.perf_counter() - started < 1.0


def test_latency_with_a_status(api: httpx.Client) -> None:
    add(api, path=TOKEN, latency=0.2, status=504, times=1)
    started = time.perf_counter()
    assert password_token(api).status_code == 504
    assert time.perf_counter() - started >= 0.2


def test_close_drops_the_connection(api: httpx.Client) -> None:
    add(api, path=TOKEN, close=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        password_token(api)
    assert password_token(api).status_code == 200  # the next call is served again
    entries = api.get("/_mockown/journal", params={"path": TOKEN}).json()["entries"]
    assert entries[0]["closed"] is True and entries[0]["fault"] is not None
    assert entries[1]["closed"] is False and entries[1]["fault"] is None


# -- matching --------------------------------------------------------------------------------------------
def test_matching_by_method_grant_type_org_and_client(api: httpx.Client) -> None:
    other = api.post("/_mockown/seed", json={"salesforce": {"orgs": [{}]}}).json()["salesforce"]["orgs"][0]
    app2 = other["apps"][0]
    add(api, method="POST", path=TOKEN, grant_type="client_credentials", org=ORG, status=503)
    cc = {"grant_type": "client_credentials", "client_id": CID, "client_secret": SECRET}
    assert api.post(TOKEN, data=cc).status_code == 503
    assert password_token(api).status_code == 200  # another grant
    cc2 = {"grant_type": "client_credentials", "client_id": app2["client_id"], "client_secret": app2["client_secret"]}
    assert api.post(TOKEN, data=cc2).status_code == 200  # another org
    api.delete("/_mockown/faults")
    add(api, client_id=app2["client_id"], status=401)
    assert api.post(TOKEN, data=cc2).status_code == 401
    assert api.post(TOKEN, data=cc).status_code == 200
    api.delete("/_mockown/faults")
    add(api, method="GET", path="/services/oauth2/revoke", status=500)
    assert api.post("/services/oauth2/revoke", data={"token": "x"}).status_code != 500


def test_matching_an_own_account(api: httpx.Client) -> None:
    doc = {"own": {"accounts": [{"name": "Faulty", "users": [{"email": "f@faulty.test", "api_token": True}]}]}}
    account = api.post("/_mockown/seed", json=doc).json()["own"]["accounts"][0]
    api_token = account["users"][0]["api_token"]
    add(api, account=str(account["id"]), status=503)
    exchange = {"grant_type": "refresh_token", "refresh_token": api_token, "scope": "api:access",
                "client_id": "0oa4c413eq8wwcEzP4h7"}  # fmt: skip
    assert api.post("/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token", data=exchange).status_code == 503
    assert api.get("/api/v1/services", headers={"Authorization": "Bearer nobody"}).status_code == 401


def test_faults_never_touch_the_control_plane(api: httpx.Client) -> None:
    add(api, path="/*", status=503)
    assert api.get("/_mockown/health").status_code == 200
    assert api.post("/_mockown/faults", json={"path": "/_mockown/health", "status": 500}).status_code == 400


# -- limits ----------------------------------------------------------------------------------------------
def test_times_limits_the_next_n_calls(api: httpx.Client) -> None:
    rule = add(api, path="/services/data", status=503, times=2)
    assert rule["remaining"] == 2 and rule["active"] is True
    assert [api.get("/services/data").status_code for _ in range(3)] == [503, 503, 200]
    after = api.get(f"/_mockown/faults/{rule['id']}").json()
    assert after["hits"] == 2 and after["remaining"] == 0 and after["active"] is False


def _pattern(api: httpx.Client, seed: int) -> list[int]:
    api.delete("/_mockown/faults")
    add(api, path="/services/data", status=503, probability=0.5, seed=seed)
    return [api.get("/services/data").status_code for _ in range(40)]


def test_probability_is_seeded_and_reproducible(api: httpx.Client) -> None:
    first, again, other = _pattern(api, 7), _pattern(api, 7), _pattern(api, 8)
    assert first == again
    assert first != other
    assert 8 <= first.count(503) <= 32
    add(api, path="/services", status=503, probability=0)
    assert api.get("/services").status_code != 503


def test_window_on_the_virtual_clock(api: httpx.Client) -> None:
    add(api, path="/services/data", status=503, **{"from": "2026-01-01T01:00:00Z", "until": "2026-01-01T02:00:00Z"})
    assert api.get("/services/data").status_code == 200
    api.post("/_mockown/clock", json={"advance": "1h"})
    assert api.get("/services/data").status_code == 503
    api.post("/_mockown/clock", json={"advance": "1h"})
    assert api.get("/services/data").status_code == 200
    api.delete("/_mockown/faults")
    add(api, path="/services/data", status=503, **{"for": "10m"})
    assert api.get("/services/data").status_code == 503
    api.post("/_mockown/clock", json={"advance": "10m"})
    assert api.get("/services/data").status_code == 200


def test_first_matching_rule_wins_and_rules_can_be_removed(api: httpx.Client) -> None:
    first = add(api, path="/services/data", status=502)
    add(api, path="/services/*", status=503)
    assert api.get("/services/data").status_code == 502
    assert api.delete(f"/_mockown/faults/{first['id']}").json() == {"deleted": 1}
    assert api.get("/services/data").status_code == 503
    listed = api.get("/_mockown/faults").json()
    assert listed["count"] == 1 and listed["rules"][0]["match"] == {"path": "/services/*"}
    assert api.get(f"/_mockown/faults/{first['id']}").status_code == 404
    assert api.get("/_mockown/faults/abc").status_code == 404
    assert api.delete("/_mockown/faults").json() == {"deleted": 1}
    assert api.get("/services/data").status_code == 200


@pytest.mark.parametrize(
    "rule",
    [
        {},
        {"path": "/x"},
        {"status": 99},
        {"status": "abc"},
        {"status": True},
        {"path": "no-slash", "status": 500},
        {"latency": "soon"},
        {"latency": {"min": "2s", "max": "1s"}},
        {"latency": "-1s"},
        {"status": 500, "times": 0},
        {"status": 500, "probability": 2},
        {"status": 500, "from": "never"},
        {"status": 500, "until": "2026-01-02T00:00:00Z", "for": "1h"},
        {"status": 500, "org": "not-an-org"},
        {"status": 500, "bogus": 1},
        {"body": {"x": 1}},
        {"close": "yes"},
        {"status": 500, "headers": ["x"]},
        {"status": 500, "match": {"color": "red"}},
        {"preset": "no.such.preset"},
        {"preset": "salesforce.expire_session"},
        {"preset": "own.rate_limited", "retry_after": "soon"},
    ],
)
def test_invalid_rules_are_400(api: httpx.Client, rule: dict[str, Any]) -> None:
    response = api.post("/_mockown/faults", json=rule)
    assert response.status_code == 400, response.text
    assert response.json()["error"] in ("invalid_fault", "invalid_request")
    assert api.get("/_mockown/faults").json()["count"] == 0


# -- presets ---------------------------------------------------------------------------------------------
def test_presets_are_listed(api: httpx.Client) -> None:
    names = {p["name"] for p in api.get("/_mockown/faults/presets").json()["presets"]}
    assert names == {
        "salesforce.request_limit_exceeded",
        "salesforce.invalid_session",
        "salesforce.rate_limit_exceeded",
        "salesforce.expire_session",
        "own.rate_limited",
        "own.unavailable",
        "own.propagation_delay",
    }


def test_request_limit_exceeded(api: httpx.Client) -> None:
    token = access_token(api)
    rule = add(api, preset="salesforce.request_limit_exceeded", org=ORG)
    assert rule["preset"] == "salesforce.request_limit_exceeded"
    response = rest(api, token)
    assert response.status_code == 403
    assert response.json() == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    assert response.headers["sforce-limit-info"] == "api-usage=15001/15000"
    assert "retry-after" not in response.headers
    assert password_token(api).status_code == 200  # only the REST API is limited


def test_invalid_session_for_the_next_n_calls(api: httpx.Client) -> None:
    token = access_token(api)
    add(api, preset="salesforce.invalid_session", times=2)
    statuses = [rest(api, token) for _ in range(3)]
    assert [r.status_code for r in statuses] == [401, 401, 200]
    assert statuses[0].json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    assert introspect(api, token)["active"] is True  # the session itself is untouched


def test_invalid_session_defaults_to_one_call(api: httpx.Client) -> None:
    token = access_token(api)
    assert add(api, preset="salesforce.invalid_session")["times"] == 1
    assert [rest(api, token).status_code for _ in range(2)] == [401, 200]


def test_rate_limit_exceeded_on_the_token_endpoint(api: httpx.Client) -> None:
    add(api, preset="salesforce.rate_limit_exceeded", times=1)
    response = password_token(api)
    assert response.status_code == 400
    assert response.json() == {"error": "rate_limit_exceeded", "error_description": "number of logins exceeded"}
    assert response.headers["cache-control"] == "no-store"
    assert password_token(api).status_code == 200


def test_expire_this_session_now(api: httpx.Client) -> None:
    mine, other = access_token(api), access_token(api)
    body = api.post("/_mockown/faults", json={"preset": "salesforce.expire_session", "token": mine}).json()
    assert body == {"preset": "salesforce.expire_session", "expired": 1}
    assert rest(api, mine).status_code == 401
    assert rest(api, other).status_code == 200
    again = api.post("/_mockown/faults", json={"preset": "salesforce.expire_session", "token": mine}).json()
    assert again["expired"] == 0
    by_user = api.post("/_mockown/faults", json={"preset": "salesforce.expire_session", "user": "admin@mockown.test"})
    assert by_user.json()["expired"] == 1
    assert rest(api, other).status_code == 401
    assert api.get("/_mockown/faults").json()["count"] == 0  # an action, not a rule


def test_expire_every_session_of_an_org(api: httpx.Client) -> None:
    tokens = [access_token(api) for _ in range(3)]
    body = api.post("/_mockown/faults", json={"preset": "salesforce.expire_session", "org": ORG}).json()
    assert body["expired"] == 3
    assert all(rest(api, t).status_code == 401 for t in tokens)


def _own_token(api: httpx.Client) -> tuple[str, str]:
    doc = {"own": {"accounts": [{"name": "Presets", "users": [{"email": "p@presets.test", "api_token": True}]}]}}
    account = api.post("/_mockown/seed", json=doc).json()["own"]["accounts"][0]
    exchange = {"grant_type": "refresh_token", "refresh_token": account["users"][0]["api_token"],
                "scope": "api:access", "client_id": "0oa4c413eq8wwcEzP4h7"}  # fmt: skip
    response = api.post("/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token", data=exchange)
    assert response.status_code == 200, response.text
    return str(account["id"]), response.json()["access_token"]


def test_own_rate_limited_with_retry_after(api: httpx.Client) -> None:
    _, token = _own_token(api)
    add(api, preset="own.rate_limited", retry_after=12, times=1)
    bearer = {"Authorization": f"Bearer {token}"}
    response = api.get("/api/v1/services", headers=bearer)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "12"
    assert response.json()["error"] == "Too Many Requests"
    assert api.get("/api/v1/services", headers=bearer).status_code == 200


def test_own_unavailable(api: httpx.Client) -> None:
    account, token = _own_token(api)
    add(api, preset="own.unavailable", account=account)
    response = api.get("/api/v1/services", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert response.json()["error"] == "Service Unavailable"


def test_own_token_propagation_delay(api: httpx.Client) -> None:
    add(api, preset="own.propagation_delay", seconds=10)
    _, token = _own_token(api)
    bearer = {"Authorization": f"Bearer {token}"}
    refused = api.get("/api/v1/services", headers=bearer)
    assert refused.status_code == 401
    assert refused.json() == {"error": "Unauthorized", "message": "Invalid or expired access token"}
    api.post("/_mockown/clock", json={"advance": "9s"})
    assert api.get("/api/v1/services", headers=bearer).status_code == 401
    api.post("/_mockown/clock", json={"advance": "1s"})
    assert api.get("/api/v1/services", headers=bearer).status_code == 200


def test_own_propagation_delay_also_covers_tokens_issued_before_the_rule(api: httpx.Client) -> None:
    _, token = _own_token(api)
    add(api, preset="own.propagation_delay", seconds="1m")
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/services", headers=bearer).status_code == 401
    api.post("/_mockown/clock", json={"advance": "1m"})
    assert api.get("/api/v1/services", headers=bearer).status_code == 200

"""Fault rules that could never do what they say are refused with `400 invalid_fault`, no rule added: a window that
ends before it begins, a fixed latency with a min or max beside it, a field given both flat and under `match`, a
method that is no HTTP method; a preset's `org` and `account` are checked under `match` as they are flat. They were
added (201, a rule that never fires, or a field silently dropped). A rule id in a path is ASCII digits only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

P = "/services/data/v62.0/limits"


@pytest.mark.parametrize(
    "rule",
    [
        {"path": P, "status": 500, "from": "2027-01-01T00:00:00Z", "until": "2026-06-01T00:00:00Z"},
        {"path": P, "status": 500, "from": "2027-01-01T00:00:00Z", "until": "2027-01-01T00:00:00Z"},
        {"path": P, "status": 500, "from": "2027-01-01T00:00:00Z", "for": "0s"},
        {"path": P, "status": 500, "latency": {"fixed": "1s", "min": "5s"}},
        {"path": P, "status": 500, "latency": {"fixed": "1s", "max": "5s"}},
        {"path": P, "status": 500, "match": {"path": "/other"}},
        {"path": P, "status": 500, "match": {"path": P}},
        {"method": "GET", "status": 500, "match": {"method": "POST"}},
        {"path": P, "status": 500, "method": 5},
        {"path": P, "status": 500, "method": ["GET"]},
        {"path": P, "status": 500, "method": "GET /x"},
        {"preset": "own.unavailable", "match": {"account": "99999"}},
        {"preset": "salesforce.invalid_session", "match": {"org": "00D000000000001AAA"}},
        {"preset": "salesforce.invalid_session", "match": {"org": "00D5g000004MockAAA"}},  # well-formed, unknown
        {"preset": "own.unavailable", "path": "/api/v1/x", "match": {"path": "/api/v1/y"}},
    ],
)
def test_a_rule_that_cannot_work_is_refused(client: httpx.Client, rule: dict[str, Any]) -> None:
    response = client.post("/_mockown/faults", json=rule)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_fault"
    assert client.get("/_mockown/faults").json()["count"] == 0


@pytest.mark.parametrize(
    ("rule", "listed"),
    [
        ({"path": P, "status": 500, "from": "2026-06-01T00:00:00Z", "until": "2027-01-01T00:00:00Z"}, {"path": P}),
        ({"status": 500, "match": {"path": P, "method": "get"}}, {"path": P, "method": "GET"}),
        ({"preset": "own.unavailable", "match": {"path": "/api/v1/services"}}, {"path": "/api/v1/services"}),
        ({"preset": "salesforce.invalid_session", "match": {"org": "00D5g000004MockEAC"}},
         {"path": "/services/data/v*", "org": "00D5g000004MockEAC"}),
    ],
)  # fmt: skip
def test_a_rule_that_can_work_is_added(client: httpx.Client, rule: dict[str, Any], listed: dict[str, str]) -> None:
    response = client.post("/_mockown/faults", json=rule)
    assert response.status_code == 201, response.text
    assert response.json()["match"] == listed


@pytest.mark.parametrize("spelled", ["%201", "1%20", "+1", "1_0", "%D9%A1", "01x"])
def test_a_rule_id_is_ascii_digits(client: httpx.Client, spelled: str) -> None:
    for _ in range(10):
        assert client.post("/_mockown/faults", json={"path": P, "status": 500}).status_code == 201
    assert client.get("/_mockown/faults/1").status_code == 200
    response = client.get(f"/_mockown/faults/{spelled}")
    assert response.status_code == 404, response.text
    assert client.delete(f"/_mockown/faults/{spelled}").status_code == 404
    assert client.get("/_mockown/faults").json()["count"] == 10

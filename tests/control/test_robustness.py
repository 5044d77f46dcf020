"""No input makes the control plane fail: arbitrary JSON gets a 2xx or a 4xx in its dialect, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SCALARS = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=20)
JSON = st.recursive(
    SCALARS | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
FAULT_KEYS = ["method", "path", "grant_type", "org", "account", "client_id", "status", "error", "message", "body",
              "headers", "latency", "close", "times", "probability", "seed", "from", "until", "for", "preset", "match",
              "retry_after", "seconds", "token", "user"]  # fmt: skip
ENDPOINTS = ["/_mockown/faults", "/_mockown/clock", "/_mockown/reset", "/_mockown/restore", "/_mockown/seed"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()) >= {"error", "message"}


@SETTINGS
@given(endpoint=st.sampled_from(ENDPOINTS), body=JSON)
def test_any_json_body(client: httpx.Client, endpoint: str, body: Any) -> None:
    _check(client.post(endpoint, json=body))


@SETTINGS
@given(rule=st.dictionaries(st.sampled_from(FAULT_KEYS), JSON, max_size=5))
def test_any_fault_rule(client: httpx.Client, rule: dict[str, Any]) -> None:
    response = client.post("/_mockown/faults", json=rule)
    _check(response)
    client.delete("/_mockown/faults")
    client.post("/_mockown/clock", json={"set": "2026-01-01T00:00:00Z"})


@SETTINGS
@given(raw=st.binary(max_size=200), kind=st.sampled_from(["application/json", "application/yaml", "text/plain", ""]))
def test_any_bytes(client: httpx.Client, raw: bytes, kind: str) -> None:
    headers = {"Content-Type": kind} if kind else {}
    for endpoint in ("/_mockown/clock", "/_mockown/faults", "/_mockown/seed"):
        _check(client.post(endpoint, content=raw, headers=headers))


@SETTINGS
@given(params=st.dictionaries(st.sampled_from(["path", "method", "org", "status", "since", "limit", "grant_type"]),
                              st.text(max_size=12), max_size=4))  # fmt: skip
def test_any_journal_query(client: httpx.Client, params: dict[str, str]) -> None:
    _check(client.get("/_mockown/journal", params=params))
    _check(client.get("/_mockown/journal/counts", params=params))

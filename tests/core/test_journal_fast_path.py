"""The pipeline journals a request that names nobody (no query, no body, no Authorization, not `/id/...`) at once,
without working out who it is about (`journal.names_nobody`): the entry must be the one the full path makes, and the
guards and fault rules must still see the request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from mockown import Config, create_app
from mockown.clock import FrozenClock
from mockown.http.inprocess import in_process_client
from mockown.http.journal import names_nobody

from ..conftest import ORG, T0

PATHS = [
    "/.well-known/openid-configuration",
    "/services/oauth2/token",
    "/services/oauth2/revoke",
    "/services/oauth2/userinfo",
    "/services/oauth2/keys",
    "/services/data",
    "/services/data/v62.0/limits",
    f"/id/{ORG}/005g000000Adm1NAAR",
    "/api/v1/services",
    "/regions/app1/api/v1/services",
    "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/keys",
    "/nothing/here",
    "/v2/token",
]
METHODS = ["GET", "POST", "DELETE", "PUT", "OPTIONS"]
VOLATILE = ("id", "time", "timestamp", "duration_ms")


@pytest.fixture(scope="module")
def pair() -> tuple[httpx.Client, httpx.Client]:
    """Two apps alike, the second with a fault rule that matches nothing (so every request takes the full path)."""
    apps: list[Starlette] = [create_app(Config(), clock=FrozenClock(T0)) for _ in range(2)]
    clients = [in_process_client(a).__enter__() for a in apps]
    rule = clients[1].post("/_mockown/faults", json={"path": "/never/matches/*", "status": 503})
    assert rule.status_code == 201, rule.text
    return clients[0], clients[1]


def _last(client: httpx.Client) -> dict[str, Any]:
    entries = client.get("/_mockown/journal", params={"limit": 1}).json()["entries"]
    entry: dict[str, Any] = entries[-1]
    return {k: v for k, v in entry.items() if k not in VOLATILE}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(METHODS), path=st.sampled_from(PATHS), accept=st.sampled_from(["", "application/xml"]))
def test_an_entry_that_names_nobody_is_the_full_paths_entry(
    pair: tuple[httpx.Client, httpx.Client], method: str, path: str, accept: str
) -> None:
    fast, full = pair
    headers = {"Accept": accept} if accept else {}
    answers = [c.request(method, path, headers=headers) for c in (fast, full)]
    assert answers[0].status_code == answers[1].status_code
    assert _last(fast) == _last(full)


@pytest.mark.parametrize(
    ("query", "body", "auth", "path", "nobody"),
    [
        ("", b"", None, "/services/data", True),
        ("a=1", b"", None, "/services/data", False),
        ("", b"x=1", None, "/services/data", False),
        ("", b"", "Bearer x", "/services/data", False),
        ("", b"", None, f"/id/{ORG}/005g000000Adm1NAAR", False),
    ],
)
def test_what_names_somebody(query: str, body: bytes, auth: str | None, path: str, nobody: bool) -> None:
    assert names_nobody(path, bool(query or body), auth) is nobody


def test_a_fault_rule_still_meets_a_request_that_names_nobody(client: httpx.Client) -> None:
    assert client.post("/_mockown/faults", json={"path": "/.well-known/*", "status": 503}).status_code == 201
    answer = client.get("/.well-known/openid-configuration")
    assert answer.status_code == 503
    entry = client.get("/_mockown/journal", params={"limit": 1}).json()["entries"][-1]
    assert entry["status"] == 503 and entry["fault"]


def test_the_guards_still_meet_a_request_that_names_nobody(client: httpx.Client) -> None:
    """The path guard (a control character: 404) and the body limit (a declared length over it, unread: 413)."""
    assert client.get("/services/data/%01").status_code == 404
    over = client.post("/services/oauth2/token", headers={"Content-Length": str(10**9)}, content=b"")
    assert over.status_code == 413
    statuses = [e["status"] for e in client.get("/_mockown/journal").json()["entries"]]
    assert statuses[-2:] == [404, 413]


def test_an_entrys_duration_is_the_time_to_its_answer_in_milliseconds(client: httpx.Client) -> None:
    """Kept in seconds and rounded to the microsecond when read: a 60 ms latency fault shows as 60-10,000 ms with at
    most three decimals, a request without one as less."""
    rule = {"path": "/.well-known/*", "latency": "60ms", "times": 1}
    assert client.post("/_mockown/faults", json=rule).status_code == 201
    assert client.get("/.well-known/openid-configuration").status_code == 200  # delayed
    assert client.get("/.well-known/openid-configuration").status_code == 200  # not
    slow, fast = (e["duration_ms"] for e in client.get("/_mockown/journal", params={"limit": 2}).json()["entries"])
    assert 60 <= slow < 10_000 and 0 <= fast < slow
    assert all(isinstance(d, float) and round(d, 3) == d for d in (slow, fast))

"""An org's API requests are limited: once the calls of the last 24 hours (a rolling window, kept per hour of the
injected clock) reach `api_limit`, a REST call is `403 REQUEST_LIMIT_EXCEEDED`, rendered as the fault preset
renders it (`api-usage=<limit+1>/<limit>`), and not counted. `/limits` and `Sforce-Limit-Info` read the same
window. A state file from before the window restores with its usage."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown.clock import FrozenClock
from mockown.runtime import Runtime
from mockown.salesforce import api_limit
from mockown.salesforce.models import Org
from tests.conftest import ORG
from tests.salesforce.helpers import code_tokens, rest

V = "/services/data/v62.0"
EXCEEDED = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


def _limit(runtime: Runtime, value: int) -> None:
    org = runtime.salesforce.orgs.get(ORG)
    assert org is not None
    org.api_limit = value
    runtime.salesforce.orgs.put(org)


def _usage(response: httpx.Response) -> str:
    return response.headers["Sforce-Limit-Info"]


def test_calls_past_the_limit_are_refused_and_not_counted(client: httpx.Client, runtime: Runtime) -> None:
    _limit(runtime, 3)
    token = code_tokens(client)["access_token"]
    for n in (1, 2, 3):
        r = rest(client, token, f"{V}/sobjects")
        assert r.status_code == 200 and _usage(r) == f"api-usage={n}/3", r.text
    for path in ("limits", "sobjects", "query?q=SELECT Id FROM User", "sobjects/Nope/describe"):
        r = rest(client, token, f"{V}/{path}")
        assert r.status_code == 403, r.text
        assert r.json() == EXCEEDED
        assert _usage(r) == "api-usage=4/3"  # the preset's limit + 1: the refused call is not counted
        assert r.headers["content-type"] == "application/json;charset=UTF-8"
        assert "retry-after" not in r.headers
    org = runtime.salesforce.orgs.get(ORG)
    assert org is not None and org.api_usage == 3


def test_the_preset_and_the_limit_answer_alike(client: httpx.Client, runtime: Runtime) -> None:
    token = code_tokens(client)["access_token"]
    assert client.post("/_mockown/faults", json={"preset": "salesforce.request_limit_exceeded", "times": 1}).is_success
    preset = rest(client, token)
    assert client.delete("/_mockown/faults").is_success
    _limit(runtime, 0)
    real = rest(client, token)
    assert (preset.status_code, preset.json()) == (real.status_code, real.json()) == (403, EXCEEDED)
    assert _usage(preset) == "api-usage=15001/15000" and _usage(real) == "api-usage=1/0"


def test_the_window_rolls_by_the_hour(client: httpx.Client, runtime: Runtime, clock: FrozenClock) -> None:
    _limit(runtime, 3)
    token = code_tokens(client)["access_token"]
    assert rest(client, token).status_code == 200  # 00:00
    clock.advance("2h")
    token = code_tokens(client)["access_token"]
    assert rest(client, token).status_code == 200  # 02:00
    clock.advance("30m")
    r = rest(client, token)  # 02:30
    assert r.status_code == 200 and r.json()["DailyApiRequests"] == {"Max": 3, "Remaining": 0}
    clock.set("2026-01-01T23:59:59Z")
    token = code_tokens(client)["access_token"]
    assert rest(client, token).status_code == 403  # still within 24 hours of the first call
    clock.set("2026-01-02T00:00:00Z")  # the first call's hour a day later: it leaves the window
    token = code_tokens(client)["access_token"]
    r = rest(client, token)
    assert r.status_code == 200 and _usage(r) == "api-usage=3/3", r.text
    assert r.json()["DailyApiRequests"]["Remaining"] == 0
    assert rest(client, token).status_code == 403
    clock.set("2026-01-02T02:00:00Z")  # the two calls of 02:00 and 02:30 leave
    token = code_tokens(client)["access_token"]
    r = rest(client, token)
    assert r.status_code == 200 and _usage(r) == "api-usage=2/3"
    assert r.json()["DailyApiRequests"] == {"Max": 3, "Remaining": 1}
    clock.advance("3d")  # all gone
    token = code_tokens(client)["access_token"]
    assert _usage(rest(client, token)) == "api-usage=1/3"


def test_a_dead_tokens_answer_shows_the_window(client: httpx.Client, runtime: Runtime, clock: FrozenClock) -> None:
    token = code_tokens(client)["access_token"]
    assert _usage(rest(client, token)) == "api-usage=1/15000"
    clock.advance("25h")  # the session timed out, and the call left the window
    r = rest(client, token)
    assert r.status_code == 401 and _usage(r) == "api-usage=0/15000", r.text


def test_a_reset_empties_the_window(client: httpx.Client, runtime: Runtime) -> None:
    _limit(runtime, 1)
    token = code_tokens(client)["access_token"]
    assert rest(client, token).status_code == 200
    assert rest(client, token).status_code == 403
    assert client.post("/_mockown/reset", json={"org": ORG}).status_code == 200
    token = code_tokens(client)["access_token"]
    r = rest(client, token)
    assert r.status_code == 200 and _usage(r) == "api-usage=1/1"


def test_a_state_from_before_the_window_restores_with_its_usage(client: httpx.Client, clock: FrozenClock) -> None:
    snapshot: dict[str, Any] = client.get("/_mockown/snapshot").json()
    for org in snapshot["store"]["sf_orgs"]:
        if org["id"] == ORG:
            org.pop("api_hours", None)
            org.pop("api_hour", None)
            org["api_usage"], org["api_limit"] = 41, 42
    assert client.post("/_mockown/restore", json=snapshot).status_code == 200
    token = code_tokens(client)["access_token"]
    r = rest(client, token)
    assert r.status_code == 200 and _usage(r) == "api-usage=42/42"
    assert rest(client, token).status_code == 403
    clock.advance("1d")  # the restored usage counts from the hour it was first read in
    token = code_tokens(client)["access_token"]
    assert _usage(rest(client, token)) == "api-usage=1/42"


def test_a_restored_window_is_checked(client: httpx.Client) -> None:
    snapshot: dict[str, Any] = client.get("/_mockown/snapshot").json()
    snapshot["store"]["sf_orgs"][0]["api_hours"] = [1, -1]
    r = client.post("/_mockown/restore", json=snapshot)
    assert r.status_code == 400 and "api_hours[1]" in r.json()["message"], r.text


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"api_hour": 10**30, "api_hours": [5], "api_usage": 5}, "api_hour"),  # its calls would never leave
        ({"api_hour": 493_000, "api_hours": [1] * 25, "api_usage": 25}, "api_hours"),
        ({"api_hour": 493_000, "api_hours": [], "api_usage": 0}, "api_hours"),
        ({"api_hour": 493_000, "api_hours": [2, 3], "api_usage": 4}, "api_usage"),  # not their sum
        ({"api_hour": None, "api_hours": [2], "api_usage": 2}, "api_hours"),
        # a negative usage: the next call was a 500 (-1) or stored a negative hour (-5)
        ({"api_hour": None, "api_hours": [], "api_usage": -1}, "api_usage"),
        ({"api_hour": None, "api_hours": [], "api_usage": -5}, "api_usage"),
        ({"api_limit": -1}, "api_limit"),  # refused every call
        ({"api_limit": 2**31}, "api_limit"),  # more than the seed takes
    ],
)
def test_a_restored_window_is_one_count_keeps(client: httpx.Client, fields: dict[str, Any], named: str) -> None:
    snapshot: dict[str, Any] = client.get("/_mockown/snapshot").json()
    snapshot["store"]["sf_orgs"][0].update(fields)
    r = client.post("/_mockown/restore", json=snapshot)
    assert r.status_code == 400, r.text
    assert f"sf_orgs[0].{named}" in r.json()["message"], r.text
    snapshot["store"]["sf_orgs"][0].update(api_hour=493_000, api_hours=[2, 3], api_usage=5, api_limit=15000)
    assert client.post("/_mockown/restore", json=snapshot).status_code == 200


@pytest.mark.parametrize("usage", [0, 1, 7])
def test_a_restored_usage_without_a_window_keeps_counting(client: httpx.Client, usage: int) -> None:
    snapshot: dict[str, Any] = client.get("/_mockown/snapshot").json()
    snapshot["store"]["sf_orgs"][0].update(api_hour=None, api_hours=[], api_usage=usage, api_limit=100)
    assert client.post("/_mockown/restore", json=snapshot).status_code == 200
    token = code_tokens(client)["access_token"]
    r = rest(client, token)
    assert r.status_code == 200 and _usage(r) == f"api-usage={usage + 1}/100"
    again = client.get("/_mockown/snapshot").json()
    assert client.post("/_mockown/restore", json=again).status_code == 200  # the server's own state restores


# A call is (hours after the last, whether it is made); the model: a call made at t counts at `now` while
# now's hour is less than 24 hours after t's (a call leaves the window at the same hour a day later).
STEPS = st.lists(st.tuples(st.integers(0, 30 * 3600), st.integers(1, 3)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(steps=STEPS, limit=st.integers(0, 6), start=st.integers(-(10**6), 10**6))
def test_the_window_is_the_calls_of_the_last_24_hours(steps: list[tuple[int, int]], limit: int, start: int) -> None:
    org = Org(id=ORG, name="x", api_limit=limit)
    now = float(start * 3600 + 1234)
    made: list[float] = []
    for wait, calls in steps:
        now += wait
        for _ in range(calls):
            live = [t for t in made if api_limit.hour_of(now) - api_limit.hour_of(t) < 24]
            assert api_limit.used(org, now) == len(live)
            assert api_limit.exhausted(org, now) == (len(live) >= limit)
            if len(live) < limit:
                api_limit.count(org, now)
                made.append(now)
            assert len(org.api_hours) <= 24 and org.api_usage == sum(org.api_hours)

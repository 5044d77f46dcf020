"""A long-running mockown must not grow without bound: state no answer reads any more is pruned lazily, and the
answers are the same as if it had been kept (README, "What a long-running server keeps")."""

from __future__ import annotations

import httpx
import pytest

import mockown.b2c.service
from mockown import Config, FrozenClock, create_app
from mockown.b2c.models import Counter
from mockown.http.inprocess import in_process_client
from tests.conftest import T0

AM_TOKEN = "http://account.demandware.com/dwsso/oauth2/access_token"
SLAS_TOKEN = "/shopper/auth/v1/organizations/f_ecom_zzzz_999/oauth2/token"  # unknown tenant: still counted


def _rate(response: httpx.Response) -> tuple[int, dict[str, str]]:
    return response.status_code, {k: v for k, v in response.headers.items() if k.startswith("x-ratelimit")}


def _drive(client: httpx.Client, clock: FrozenClock, steps: list[float]) -> list[tuple[int, dict[str, str]]]:
    """An Account Manager and a SLAS call (both refused, both counted) after each clock move in `steps`."""
    out = []
    for step in steps:
        clock.set(clock.now() + step)
        out.append(_rate(client.post(AM_TOKEN, data={"grant_type": "nope"})))
        out.append(_rate(client.post(SLAS_TOKEN, data={"grant_type": "nope"})))
    return out


def test_rate_limit_windows_long_ended_are_pruned() -> None:
    # one Account Manager row per minute and two SLAS rows per 1/5 minutes used to stay forever (1300 here)
    clock = FrozenClock(T0)
    app = create_app(Config(), clock=clock)
    with in_process_client(app) as client:
        answers = _drive(client, clock, [61.0] * 600)
    assert all(a[1] for a in answers)  # every answer carried its rate-limit headers
    rows = len(app.state.runtime.store.table(Counter))
    # at most the rows of the last hour (60 + 60 + 12) and those added since the last pass
    assert rows <= 132 + max(mockown.b2c.service.PRUNE_EVERY, 132)


def test_pruning_rate_limit_windows_changes_no_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    # the same calls, at the same instants (the clock also moved back within the hour kept, and forward by
    # days), against an app that never prunes and one that prunes every 4 added rows: the same answers
    steps = [0.0, 1.0, 30.0, 59.0, 61.0, 299.0, -120.0, 3000.0, -3000.0, 4000.0, 86400.0 * 3, -30.0, 5.0]
    steps += [61.0] * 40 + [-1800.0, 1800.0, 7200.0, 1.0]
    answers, rows = [], []
    for every in (10**9, 4):
        monkeypatch.setattr(mockown.b2c.service, "PRUNE_EVERY", every)
        clock = FrozenClock(T0)
        app = create_app(Config(), clock=clock)
        with in_process_client(app) as client:
            answers.append(_drive(client, clock, steps))
        rows.append(len(app.state.runtime.store.table(Counter)))
    assert rows[1] < rows[0]  # it did prune
    assert answers[0] == answers[1]


def test_a_window_the_clock_was_moved_back_from_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # rows whose last call is after `now` (the clock was moved back) are not pruned: moving forward again, the
    # window goes on counting where it was
    monkeypatch.setattr(mockown.b2c.service, "PRUNE_EVERY", 1)
    clock = FrozenClock(T0)
    app = create_app(Config(), clock=clock)
    with in_process_client(app) as client:
        clock.advance(86400)
        first = _rate(client.post(AM_TOKEN, data={"grant_type": "nope"}))[1]["x-ratelimit-remaining"]
        clock.set(clock.now() - 86400)
        for _ in range(3):  # each adds rows (new windows) and prunes
            clock.advance(61)
            client.post(AM_TOKEN, data={"grant_type": "nope"})
        clock.advance(86400 - 3 * 61)
        again = _rate(client.post(AM_TOKEN, data={"grant_type": "nope"}))[1]["x-ratelimit-remaining"]
    assert int(again) == int(first) - 1

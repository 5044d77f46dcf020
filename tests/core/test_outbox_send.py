"""Sending an e-mail reads the last stamp from a store meta value, not by listing the whole outbox (which a
long-running server fills: one scan per e-mail made sending quadratic over a run)."""

from __future__ import annotations

from typing import Any

import pytest

from mockown import FrozenClock, outbox
from mockown.runtime import Runtime


def _send(runtime: Runtime, n: int) -> outbox.Email:
    return outbox.send(runtime, to=f"u{n}@example.com", subject=f"s{n}", body="b")


def test_send_does_not_list_the_outbox(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _send(runtime, 1)
    table = runtime.store.table(outbox.Email)

    def no_scan(*_: Any) -> Any:
        raise AssertionError("send listed the whole outbox")

    monkeypatch.setattr(type(table), "all", no_scan)
    monkeypatch.setattr(type(table), "__iter__", no_scan)
    second = _send(runtime, 2)
    assert first.id < second.id


def test_a_store_without_the_mark_is_read_once(runtime: Runtime, clock: FrozenClock) -> None:
    """A state file or snapshot of an older mockown has e-mails but no mark: the next id still sorts last."""
    start = clock.now()
    clock.advance("1d")
    late = _send(runtime, 1)
    runtime.store.set_meta("outbox.last_stamp", None)
    clock.set(start)
    assert _send(runtime, 2).id > late.id

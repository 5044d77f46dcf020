"""What the lifetime tests of every API share (tests/core/test_lifetimes_*.py): a fresh in-process server on a
frozen clock at T0, and the offsets from issue drawn around a lifetime."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from hypothesis import settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from tests.conftest import T0

START = FrozenClock(T0).now()
FEW = settings(max_examples=12)


def around(lifetime: int) -> st.SearchStrategy[int]:
    """Offsets from issue: the boundary's neighbourhood, and far before / after it."""
    return st.one_of(
        st.integers(max(0, lifetime - 2), lifetime + 2), st.sampled_from([0, 1, lifetime // 2, lifetime * 3, 10**7])
    )


@contextmanager
def server() -> Iterator[tuple[httpx.Client, FrozenClock, Runtime]]:
    clock = FrozenClock(T0)
    app = create_app(Config(), clock=clock)
    with in_process_client(app) as client:
        yield client, clock, app.state.runtime


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

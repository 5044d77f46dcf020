"""An app whose frozen clock reads the real time (Authlib signs its assertions with `time.time()`), the
in-process transport Authlib's httpx clients take, a "browser" on it and the discovery document."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import InProcessTransport
from mockown.runtime import Runtime

BASE = "http://testserver"


@pytest.fixture
def live_clock() -> FrozenClock:
    return FrozenClock(int(time.time()))


@pytest.fixture
def live_app(live_clock: FrozenClock) -> Starlette:
    return create_app(Config(), clock=live_clock)


@pytest.fixture
def live_runtime(live_app: Starlette) -> Runtime:
    rt: Runtime = live_app.state.runtime
    return rt


@pytest.fixture
def transport(live_app: Starlette) -> Iterator[InProcessTransport]:
    t = InProcessTransport(live_app)
    yield t
    t.close()


@pytest.fixture
def browser(transport: InProcessTransport) -> Iterator[httpx.Client]:
    """The user agent: follows nothing by itself, keeps cookies (the login page's session)."""
    with httpx.Client(transport=transport, base_url=BASE) as c:
        yield c


@pytest.fixture
def discovery(browser: httpx.Client) -> dict[str, Any]:
    meta: dict[str, Any] = browser.get("/.well-known/openid-configuration").json()
    return meta

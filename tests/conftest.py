"""Shared fixtures: an app on a frozen clock with the default seed, and a client wired to it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import settings
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime

# no per-example deadline (Hypothesis' default is 200 ms): on a loaded 2-core machine one slow example fails a
# property that holds ("Unreliable test timings"); loaded before the test modules build their settings
settings.register_profile("mockown", deadline=None)
settings.load_profile("mockown")

T0 = "2026-01-01T00:00:00Z"
BASE = "http://testserver"
CID = "3MVG9MockownDemoConsumerKey0000000000000000000000000000000000000000000000000000000"
SECRET = "MOCKOWNDEMOSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
ORG = "00D5g000004MockEAC"
ADMIN = "admin@mockown.test"
ADMIN_ID = "005g000000Adm1NAAR"
PASSWORD = "Passw0rd!"
CALLBACK = "http://localhost:8080/callback"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def app(clock: FrozenClock) -> Starlette:
    return create_app(Config(), clock=clock)


@pytest.fixture
def runtime(app: Starlette) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt


@pytest.fixture
def client(app: Starlette) -> Iterator[httpx.Client]:
    with in_process_client(app) as c:
        yield c

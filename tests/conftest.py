"""Shared fixtures: an app on a frozen clock with the default seed, and a client wired to it."""

from __future__ import annotations

import os
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


@pytest.fixture(autouse=True)
def _no_mockown_variables_left_behind() -> Iterator[None]:
    """A test that leaves MOCKOWN_* variables in this process's environment fails (and they are put back): every
    later `mockown serve` subprocess of the pytest worker inherits them (the CLI's `--workers` writes its settings
    there for its workers: MOCKOWN_WORKERS=2 once made another test's server run two workers with half a journal
    each)."""
    before = {k: v for k, v in os.environ.items() if k.startswith("MOCKOWN_")}
    yield
    after = {k: v for k, v in os.environ.items() if k.startswith("MOCKOWN_")}
    if after != before:
        for key in after.keys() - before.keys():
            del os.environ[key]
        os.environ.update(before)
        changed = sorted(k for k in after.keys() | before.keys() if after.get(k) != before.get(k))
        pytest.fail(f"the test left MOCKOWN_ variables changed in os.environ: {changed}")

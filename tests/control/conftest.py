"""One `mockown serve` subprocess per test module (`server`), reset before each test that uses `api`."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from .serve import Server, serve


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


@pytest.fixture
def api(server: Server) -> Iterator[httpx.Client]:
    """A client of the module's server, whose state was just reset (store, clock, journal, faults)."""
    with server.client() as client:
        assert client.post("/_mockown/reset").status_code == 200
        yield client

"""A state file another process keeps locked (a transaction of its own, a backup) is answered 503 with Retry-After in
the endpoint's dialect after a short wait, not a 500 "a bug" after 30 s of a frozen server. Start-up still waits 30 s
(workers seeding one file at once); a file locked all through that is a configuration error."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockown import Config, create_app
from mockown.config import ConfigError
from mockown.http.inprocess import in_process_client
from mockown.serving import build
from mockown.store import sqlite as sqlite_store
from tests.conftest import ADMIN, CID, PASSWORD, SECRET
from tests.persistence.servers import serve

LOGIN = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN, "password": PASSWORD}
MESSAGE = "mockown's state file is locked by another process: try again later"


@contextmanager
def _locked(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the file's write lock (what `sqlite3 s.db 'BEGIN IMMEDIATE'` does)."""
    with closing(sqlite3.connect(path, isolation_level=None, check_same_thread=False)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield other
        finally:
            if other.in_transaction:
                other.execute("ROLLBACK")


@pytest.fixture
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Waits of 0.2 s: at start-up and for requests (`raising=False`: a mockown with one wait for both runs too)."""
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT", 0.2)
    monkeypatch.setattr(sqlite_store, "REQUEST_BUSY_TIMEOUT", 0.2, raising=False)


def _oauth(r: httpx.Response) -> None:
    assert r.json() == {"error": "server_error", "error_description": MESSAGE}


def _control(r: httpx.Response) -> None:
    assert r.json() == {"error": "service_unavailable", "message": MESSAGE}


def _slas(r: httpx.Response) -> None:
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json() == {"error": "server_error", "error_description": MESSAGE}


# requests that write (so take the write lock), each in its endpoint's dialect
WRITES: list[tuple[str, str, dict[str, Any], Any]] = [
    ("POST", "/services/oauth2/token", {"data": LOGIN}, _oauth),
    ("POST", "/_mockown/reset", {"json": {}}, _control),
    ("POST", "/shopper/auth/v1/organizations/f_ecom_zzzz_001/oauth2/token", {"data": {"grant_type": "x"}}, _slas),
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "check"),
    WRITES,
    ids=lambda v: v if isinstance(v, str) and v.startswith("/") else "",
)
def test_a_write_on_a_locked_file_is_a_503_in_the_dialect_of_the_endpoint(
    tmp_path: Path, short_waits: None, method: str, path: str, kwargs: dict[str, Any], check: Any
) -> None:
    state = tmp_path / "s.db"
    app = create_app(Config(state_file=str(state)))
    try:
        with in_process_client(app) as client:
            with _locked(state):
                began = time.monotonic()
                r = client.request(method, path, **kwargs)
                assert time.monotonic() - began < 5
                assert r.status_code == 503, r.text
                assert r.headers["retry-after"] == "1"  # the wait (0.2 s) in whole seconds
                check(r)
                assert client.get("/_mockown/live").status_code == 200
                assert client.get("/_mockown/health").status_code == 200  # reads: a writer's lock does not stop them
            assert client.request(method, path, **kwargs).status_code != 503  # the lock gone, answered as ever
    finally:
        app.state.runtime.store.close()


def test_start_up_waits_longer_than_a_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers seed one file at once: start-up waits `BUSY_TIMEOUT` for another's lock, a request only
    `REQUEST_BUSY_TIMEOUT`."""
    monkeypatch.setattr(sqlite_store, "REQUEST_BUSY_TIMEOUT", 0.2, raising=False)
    state = tmp_path / "s.db"
    sqlite_store.SqliteStore(state).close()
    with _locked(state) as other:
        timer = threading.Timer(1.0, other.execute, ("ROLLBACK",))  # released after 1 s: start-up waited for it
        timer.start()
        try:
            app = create_app(Config(state_file=str(state)))
        finally:
            timer.join()
    try:
        with in_process_client(app) as client, _locked(state):
            began = time.monotonic()
            assert client.post("/services/oauth2/token", data=LOGIN).status_code == 503
            assert time.monotonic() - began < 5
    finally:
        app.state.runtime.store.close()


def test_a_file_locked_all_through_start_up_is_a_configuration_error(tmp_path: Path, short_waits: None) -> None:
    state = tmp_path / "s.db"
    sqlite_store.SqliteStore(state).close()
    with _locked(state), pytest.raises(ConfigError, match=r"state file s\.db is locked by another process"):
        build(Config(state_file=str(state)))


def test_a_server_on_a_locked_file_answers_503_within_seconds_and_stays_live(tmp_path: Path) -> None:
    """The hunter's repro, with the real waits: a request on a file locked for longer than 5 s is a 503, the server
    answers its liveness probe meanwhile, the log names the file (not its folder) without a traceback."""
    state = tmp_path / "private-folder" / "s.db"
    with serve(tmp_path, ["--state-file", str(state)]) as server, server.client() as client:
        assert client.post("/services/oauth2/token", data=LOGIN).status_code == 200
        with _locked(state):
            answers: dict[str, Any] = {}

            def token() -> None:
                began = time.monotonic()
                answers["token"] = client.post("/services/oauth2/token", data=LOGIN), time.monotonic() - began

            waiting = threading.Thread(target=token)
            waiting.start()
            time.sleep(0.5)
            with server.client() as probe:
                assert probe.get("/_mockown/live").status_code == 200
            waiting.join(25)
            r, took = answers["token"]
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"] == "5"
            assert r.json()["error"] == "server_error"
            assert 4 < took < 15
        assert client.post("/services/oauth2/token", data=LOGIN).status_code == 200
    logs = server.output()
    said = [line for line in logs.splitlines() if "locked by another process" in line]
    assert said and all("state file s.db is locked" in line and "private-folder" not in line for line in said)
    assert "Traceback" not in logs

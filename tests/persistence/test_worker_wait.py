"""Once serving, a worker waits for another worker's transaction as long as for any other program's lock
(`REQUEST_BUSY_TIMEOUT`), then answers 503: the README's "Several workers" said 30 s (start-up's wait)."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from mockown import Config, create_app
from mockown.http.inprocess import in_process_client
from mockown.store import sqlite as sqlite_store
from tests.conftest import ADMIN, CID, PASSWORD, SECRET

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
LOGIN = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN, "password": PASSWORD}


def _section(title: str) -> str:
    start = README.index(f"\n### {title}\n")
    return README[start : README.index("\n#", start + 1)]


def test_the_readme_gives_the_wait_for_another_worker_a_request_has() -> None:
    section = " ".join(_section("Several workers").split())
    waits = re.findall(r"a request waits up to (\d+) s for another worker's", section)
    assert waits == [str(int(sqlite_store.REQUEST_BUSY_TIMEOUT))]
    assert f"start-up waits {int(sqlite_store.BUSY_TIMEOUT)} s" in section


def test_a_request_waits_for_another_workers_transaction_no_longer_than_for_a_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two apps on one file, as two workers: one holds a transaction longer than the request wait, the other's
    token request is a 503 after that wait, not after start-up's."""
    monkeypatch.setattr(sqlite_store, "REQUEST_BUSY_TIMEOUT", 0.3)
    state = str(tmp_path / "s.db")
    first, second = create_app(Config(state_file=state)), create_app(Config(state_file=state))
    holding, release = threading.Event(), threading.Event()

    def long_transaction() -> None:  # what a large restore or seed on the first worker is
        with first.state.runtime.store.atomic():
            first.state.runtime.store.set_meta("test.held", 1)
            holding.set()
            release.wait(10)

    worker = threading.Thread(target=long_transaction)
    worker.start()
    try:
        assert holding.wait(10)
        with in_process_client(second) as client:
            began = time.monotonic()
            r = client.post("/services/oauth2/token", data=LOGIN)
            took = time.monotonic() - began
        assert r.status_code == 503, r.text
        assert "retry-after" in r.headers
        assert took < 3
    finally:
        release.set()
        worker.join()
        first.state.runtime.store.close()
        second.state.runtime.store.close()

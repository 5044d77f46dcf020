"""`mockown serve --workers 2 --state-file F`: each worker sees the others' writes, keys and clock.

To know which worker answers, the test pauses one (SIGSTOP): the shared listening socket then hands every
new connection to the other. Pauses are short, well under uvicorn's worker health-check timeout.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ADMIN, CID, PASSWORD, SECRET
from tests.persistence.servers import Server, serve

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds worker pids in /proc")


@contextmanager
def only(server: Server, worker: int) -> Iterator[None]:
    """Every request inside goes to `worker`: the others are paused."""
    others = [pid for pid in server.workers() if pid != worker]
    for pid in others:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in others:
            os.kill(pid, signal.SIGCONT)


def wait_for_workers(server: Server, n: int) -> list[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = server.workers()
        if len(pids) == n and server.output().count("Application startup complete") >= n:
            return pids
        time.sleep(0.05)
    raise TimeoutError(server.output())


def token(server: Server) -> str:
    data = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    with server.client() as c:
        r = c.post("/services/oauth2/token", data={**data, "password": PASSWORD})
    assert r.status_code == 200, r.text
    value: str = r.json()["access_token"]
    return value


def active(server: Server, value: str) -> bool:
    with server.client() as c:
        r = c.post("/services/oauth2/introspect", data={"token": value}, auth=(CID, SECRET))
    assert r.status_code == 200, r.text
    return bool(r.json()["active"])


def get(server: Server, path: str) -> object:
    with server.client() as c:
        r = c.get(path)
    assert r.status_code == 200, r.text
    return r.json()


def test_two_workers_share_one_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with serve(tmp_path, ["--workers", "2", "--state-file", str(state)]) as server:
        one, two = wait_for_workers(server, 2)
        with only(server, one):
            issued = token(server)
            keys_one = get(server, "/id/keys")
            with server.client() as c:
                moved = c.post("/_mockown/clock", json={"advance": "10m"})
            assert moved.status_code == 200, moved.text
            now_one = moved.json()["now"]
        with only(server, two):
            assert active(server, issued)  # a token worker one issued
            assert get(server, "/id/keys") == keys_one  # one signing key, one JWKS
            assert get(server, "/_mockown/clock")["now"] >= now_one  # type: ignore[index]
            with server.client() as c:
                assert c.post("/services/oauth2/revoke", data={"token": issued}).status_code == 200
            second = token(server)
        with only(server, one):
            assert not active(server, issued)  # worker two revoked it
            assert active(server, second)
    # and a restart (one process now) on the same file still knows all of it
    with serve(tmp_path, ["--state-file", str(state)]) as server:
        assert not active(server, issued)
        assert active(server, second)
        assert get(server, "/id/keys") == keys_one


def test_workers_need_a_state_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="state-file"), serve(tmp_path, ["--workers", "2"]):
        pass

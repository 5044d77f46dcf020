"""A server's clean stop leaves the whole state in the state file itself: a copy of the file alone (without its
``-wal``) starts where the server stopped."""

from __future__ import annotations

import asyncio
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.conftest import ADMIN, CID, PASSWORD, SECRET, T0
from tests.persistence.servers import serve

TOKEN = "/services/oauth2/token"
LOGIN = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN, "password": PASSWORD}


def _introspect(client: httpx.Client, token: str) -> bool:
    r = client.post("/services/oauth2/introspect", data={"token": token}, auth=(CID, SECRET))
    assert r.status_code == 200, r.text
    active: bool = r.json()["active"]
    return active


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_copy_of_the_file_alone_after_a_clean_stop_holds_the_state(tmp_path: Path, sig: signal.Signals) -> None:
    state = tmp_path / "run" / "s.db"
    env = {"MOCKOWN_FROZEN_AT": T0}
    with serve(tmp_path, ["--state-file", str(state)], env) as server, server.client() as client:
        r = client.post(TOKEN, data=LOGIN)
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
        assert client.post("/_mockown/clock", json={"advance": "1h"}).status_code == 200
        frozen_at = client.get("/_mockown/clock").json()["now"]
        server.proc.send_signal(sig)
        server.proc.wait(timeout=15)  # uvicorn stops by its signal again, once stopped (-15, -2)
        assert "Application shutdown complete" in server.output()
    wal = state.with_name("s.db-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # nothing left in the write-ahead log
    moved = tmp_path / "moved" / "s.db"
    moved.parent.mkdir()
    shutil.copy2(state, moved)  # the file alone
    app = create_app(Config(state_file=str(moved)), clock=FrozenClock("2031-06-01T00:00:00Z"))
    runtime = app.state.runtime
    try:
        assert runtime.clock.now() == frozen_at  # the advanced clock, not the new process's
        with in_process_client(app) as copy:
            assert _introspect(copy, token)  # the token issued before the stop
    finally:
        runtime.store.close()


async def _serve(app: Any, during: Callable[[], None] = lambda: None) -> list[str]:
    """What an ASGI server does with the app's lifespan: `startup`, `during()` (in a thread, as a server's requests
    come), `shutdown`; the messages the app answered."""
    events = iter(["startup", "shutdown"])
    answered: list[str] = []

    async def receive() -> dict[str, Any]:
        event = next(events)
        if event == "shutdown":
            await asyncio.to_thread(during)
        return {"type": f"lifespan.{event}"}

    async def send(message: dict[str, Any]) -> None:
        answered.append(message["type"])

    await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    return answered


def test_the_lifespan_closes_the_file_and_a_new_one_opens_it_again(tmp_path: Path) -> None:
    """An ASGI server's stop (the lifespan's shutdown) checkpoints and closes the file; the same app served again
    (a new lifespan) opens it again and answers as before."""
    state = tmp_path / "s.db"
    app = create_app(Config(state_file=str(state)), clock=FrozenClock(T0))
    runtime = app.state.runtime
    with in_process_client(app) as client:
        token = client.post(TOKEN, data=LOGIN).json()["access_token"]
    now = runtime.clock.advance("2m")
    answered = asyncio.run(_serve(app))
    assert answered == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert not state.with_name("s.db-wal").exists()  # closed: the last connection removes its log
    copy = tmp_path / "copy.db"
    shutil.copy2(state, copy)
    other = create_app(Config(state_file=str(copy)), clock=FrozenClock("2031-06-01T00:00:00Z"))
    try:
        assert other.state.runtime.clock.now() == now
        with in_process_client(other) as client:
            assert _introspect(client, token)
    finally:
        other.state.runtime.store.close()

    def served_again() -> None:  # the file is open again
        with in_process_client(app) as client:
            assert _introspect(client, token)
            assert client.post("/_mockown/clock", json={"advance": "1h"}).status_code == 200
            assert client.post(TOKEN, data=LOGIN).status_code == 200

    assert asyncio.run(_serve(app, served_again)) == answered
    assert not state.with_name("s.db-wal").exists()
    reopened = create_app(Config(state_file=str(state)), clock=FrozenClock(T0))
    try:
        assert reopened.state.runtime.clock.now() == now + 3600  # the change made while served again
    finally:
        reopened.state.runtime.store.close()

"""tests/server_support.serve_process, the helper behind every `mockown serve` subprocess of the suite: stopping
the server leaves no thread behind that raises later (pytest would pin that on whichever test ran next), and a
free port another process takes before the server binds it costs a retry, not the test."""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any

import httpx
import pytest

from tests import server_support


class _SlowAtTheEnd:
    """A sink that holds its pump thread after the server's last line (a pump starved of the GIL under load)."""

    def __init__(self, sink: list[str], pumps: list[threading.Thread]) -> None:
        self.sink = sink
        pumps.append(threading.current_thread())

    def append(self, line: str) -> None:
        self.sink.append(line)
        if "Finished server process" in line:
            time.sleep(0.5)  # the test's thread stops the server meanwhile


def test_a_pump_behind_the_server_drains_and_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    raised: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", raised.append)
    pumps: list[threading.Thread] = []
    pump = server_support._pump

    def slow_pump(stream: Any, sink: list[str]) -> None:
        pump(stream, _SlowAtTheEnd(sink, pumps))  # type: ignore[arg-type]

    monkeypatch.setattr(server_support, "_pump", slow_pump)
    env = {**os.environ, "MOCKOWN_FROZEN_AT": "2026-01-01T00:00:00Z"}
    with server_support.serve_process([], env, server_support._answers) as server:
        pass
    for thread in pumps:
        thread.join(timeout=5)
    assert len(pumps) == 2 and not any(thread.is_alive() for thread in pumps)
    assert [(args.thread and args.thread.name, args.exc_value) for args in raised] == []
    assert "Finished server process" in server.logs()  # every line read before the helper returned
    assert server.proc.stdout is not None and server.proc.stdout.closed
    assert server.proc.stderr is not None and server.proc.stderr.closed


def test_a_port_taken_before_the_server_binds_it_is_retried_on_another(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as squatter:  # bound, not listening: connections are refused and the child cannot bind
        squatter.bind(("127.0.0.1", 0))
        taken = squatter.getsockname()[1]
        free = server_support.free_port()
        ports = [free, taken]  # popped from the end: the taken port first
        monkeypatch.setattr(server_support, "free_port", ports.pop)
        env = {**os.environ, "MOCKOWN_FROZEN_AT": "2026-01-01T00:00:00Z"}
        with server_support.serve_process([], env, server_support._answers) as server:
            assert server.url == f"http://127.0.0.1:{free}" and ports == []
            assert httpx.get(server.url + "/_mockown/health").status_code == 200


def _answering(port_holder: list[int], stop: threading.Event) -> threading.Thread:
    """Another test's server: listening on a port and answering every request 200 (as `mockown serve` would)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    port_holder.append(listener.getsockname()[1])

    def serve() -> None:
        with listener:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                with conn:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot yours")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("helper", ["server_support", "persistence"])
def test_a_port_another_server_answers_on_is_not_taken_for_this_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, helper: str
) -> None:
    """Two tests drew the same free port and the other's server bound it first: it answers the readiness check
    while this child is still failing to bind. The helper waits for its own child's banner (printed once the
    port is bound), so the test gets its own server on another port, not the other test's (whose journal a
    test once counted: tests/security/test_no_secrets.py saw 8 or 13 entries where it made 30)."""
    from tests.persistence import servers

    stop, holder = threading.Event(), []  # type: ignore[var-annotated]
    thread = _answering(holder, stop)
    try:
        taken = holder[0]
        free = server_support.free_port()
        ports = [free, taken]  # popped from the end: the answering port first
        monkeypatch.setattr(server_support, "free_port", ports.pop)
        monkeypatch.setattr(servers, "free_port", ports.pop)
        env = {**os.environ, "MOCKOWN_FROZEN_AT": "2026-01-01T00:00:00Z"}
        if helper == "server_support":
            with server_support.serve_process([], env, server_support._answers) as server:
                url = server.url
                answer = httpx.get(url + "/_mockown/health")
        else:
            with servers.serve(tmp_path) as started:
                url = started.base
                answer = httpx.get(url + "/_mockown/health")
        assert url == f"http://127.0.0.1:{free}" and ports == []
        assert answer.status_code == 200 and answer.text != "not yours"
    finally:
        stop.set()
        thread.join(timeout=5)

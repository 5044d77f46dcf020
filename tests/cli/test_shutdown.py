"""SIGTERM (`docker stop`, a CI runner) stops `mockown serve` within `shutdown_timeout`, however long a request
would still take: a latency fault of 600 s, a client stalled in the middle of its body with `body_timeout` 0. What
still runs then is answered 503 in its endpoint's dialect on a closing connection, never uvicorn's 500."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx

from ..server_support import Server, serve_process

# a stop that did not end within this is one that waits for its requests (600 s here): the bound is 1 s
_EXITED_WITHIN = 30


def _answers(url: str) -> bool:
    return httpx.get(url + "/_mockown/health", timeout=2.0).status_code == 200


@contextmanager
def _server(*args: str, **env: str) -> Iterator[Server]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCKOWN_")}
    environ.update(MOCKOWN_SHUTDOWN_TIMEOUT="1", MOCKOWN_BODY_TIMEOUT="0", **env)
    with serve_process(args, environ, _answers) as server:
        yield server


def _stalled(server: Server, path: str) -> socket.socket:
    """A connection whose request body stops after 10 of its 100 bytes, sent once the app reads it: uvicorn answers
    `Expect: 100-continue` with the app's first read of the body, so the request is in flight in a worker."""
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=_EXITED_WITHIN)
    head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    sock.sendall(f"{head}Content-Length: 100\r\nExpect: 100-continue\r\n\r\n".encode())
    interim = b""
    while not interim.endswith(b"\r\n\r\n"):
        chunk = sock.recv(1)
        assert chunk, interim
        interim += chunk
    assert interim.startswith(b"HTTP/1.1 100 "), interim
    sock.sendall(b"grant_type")
    return sock


def _response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def _stop(server: Server) -> int:
    """SIGTERM to the server's own process (by its PID), and its exit status once it has stopped."""
    server.proc.send_signal(signal.SIGTERM)
    return server.proc.wait(timeout=_EXITED_WITHIN)


def _delayed(server: Server, path: str) -> bool:
    """Whether a request to `path` is in its latency fault's wait (the rule counts its hit as the wait begins)."""
    rules = httpx.get(server.url + "/_mockown/faults", timeout=5).json()["rules"]
    return any(rule["hits"] for rule in rules if rule["match"]["path"] == path)


def test_sigterm_ends_a_request_held_by_a_latency_fault_and_a_stalled_body(tmp_path: Path) -> None:
    with _server() as server:
        added = httpx.post(server.url + "/_mockown/faults", json={"path": "/services/data", "latency": "600s"})
        assert added.status_code == 201, added.text
        held: dict[str, httpx.Response | Exception] = {}

        def wait() -> None:
            try:
                held["response"] = httpx.get(server.url + "/services/data", timeout=_EXITED_WITHIN)
            except httpx.HTTPError as exc:
                held["response"] = exc

        client = threading.Thread(target=wait, daemon=True)
        client.start()
        with (
            closing(_stalled(server, "/_mockown/seed")) as control,
            closing(_stalled(server, "/services/oauth2/token")) as token,
        ):
            while not _delayed(server, "/services/data"):
                client.join(0.05)
            assert _stop(server) is not None
            client.join(_EXITED_WITHIN)
            response = held["response"]
            assert isinstance(response, httpx.Response), response
            assert response.status_code == 503
            assert response.json() == [{"message": "the server is stopping", "errorCode": "UNKNOWN_EXCEPTION"}]
            assert response.headers["connection"] == "close"
            status, headers, body = _response(token)
            assert (status, headers["connection"]) == (503, "close")
            assert json.loads(body) == {"error": "server_error", "error_description": "the server is stopping"}
            status, headers, body = _response(control)
            assert (status, headers["connection"]) == (503, "close")
            assert json.loads(body)["message"] == "the server is stopping"
        logs = server.logs()
        assert "Exception in ASGI application" not in logs and "Traceback" not in logs


def test_sigterm_ends_workers_held_by_stalled_bodies(tmp_path: Path) -> None:
    with _server("--workers", "2", "--state-file", str(tmp_path / "state.db")) as server:
        stalled = [_stalled(server, "/services/oauth2/token") for _ in range(4)]  # the workers share them out
        try:
            assert _stop(server) is not None
            for sock in stalled:
                status, headers, body = _response(sock)
                assert (status, headers["connection"]) == (503, "close"), body
        finally:
            for sock in stalled:
                sock.close()
        assert "Exception in ASGI application" not in server.logs()

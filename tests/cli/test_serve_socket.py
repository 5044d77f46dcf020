"""`mockown serve` serves on the socket the CLI bound (2114f8e) as a socket of its real family.

Handed to uvicorn as a file descriptor (``fd=``), it was wrapped as an ``AF_UNIX`` socket, so asyncio set no
``TCP_NODELAY`` on the connections it accepted (Nagle's algorithm and the client's delayed ACK held each response
back ~40 ms: `mockown serve` answered ~23 requests per second per connection)."""

from __future__ import annotations

import os
import socket
import sys

import pytest

from tests.cli.serving_support import serving_in_thread


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the accepted socket through /proc/self/fd")
def test_serve_s_connections_send_without_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection the server accepts has TCP_NODELAY, as uvicorn's own binding gives it (asyncio sets it on
    TCP sockets): the real server in a thread, its accepted socket found in this process's descriptors."""
    with serving_in_thread(monkeypatch) as address, socket.create_connection(address, timeout=10) as client:
        client.sendall(b"GET /services/data HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert client.recv(65536).startswith(b"HTTP/1.1 200")
        with _peer_of(client) as accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def _peer_of(client: socket.socket) -> socket.socket:
    """This process's socket at the other end of `client` (a duplicate of its descriptor)."""
    for name in os.listdir("/proc/self/fd"):
        try:
            sock = socket.socket(fileno=os.dup(int(name)))  # family and type read from the descriptor
        except OSError:
            continue
        try:
            if sock.family == socket.AF_INET and sock.getpeername() == client.getsockname():
                return sock
        except OSError:
            pass
        sock.close()
    raise AssertionError("the server's end of the connection was not found")


@pytest.mark.parametrize("where", ["config", "main"])
def test_a_failed_start_exits_3_on_every_supported_uvicorn(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """As `uvicorn.run`, a server that did not start exits with uvicorn's STARTUP_FAILURE (3). uvicorn 0.30 to
    0.36 (pyproject allows >=0.30) define it in `uvicorn.main` only, newer ones in `uvicorn.config` (re-exported
    by `uvicorn.main`): uvicorn_serve must not import it from `uvicorn.config`."""
    import uvicorn
    import uvicorn.config

    from mockown import serving
    from mockown.cli import _listening_socket

    if where == "main":  # an older uvicorn: no uvicorn.config.STARTUP_FAILURE
        monkeypatch.delattr(uvicorn.config, "STARTUP_FAILURE", raising=False)
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)  # the app's start-up failed
    with _listening_socket("127.0.0.1", 0) as listener, pytest.raises(SystemExit) as exited:
        serving.uvicorn_serve("mockown.serving:nothing", listener, log_config=None)
    assert exited.value.code == 3

"""A crash (an exception no dialect renders) is answered 500 in the path's dialect with `Connection: close`: the
pipeline re-raises the exception after answering (for the server's log), and uvicorn then closes the connection.
Without the header, a keep-alive client sent its next request on that connection and got a reset
(`ConnectionResetError`), and a pipelined request was dropped unanswered; with it, the client knows the connection
ends after this answer and sees a clean close."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from mockown import Config, create_app
from mockown.http.inprocess import InProcessTransport
from mockown.http.routing import Route
from mockown.server import MockownServer

BOOM = "/services/oauth2/boom"  # a route the tests add: it raises what no handler but the crash handler takes
DISCOVERY = "/.well-known/openid-configuration"


async def _boom(request: Request) -> Response:
    raise RuntimeError("injected for the test")


def _app() -> Starlette:
    app = create_app(Config())
    app.router.routes.append(Route(BOOM, _boom, methods=["GET"]))
    return app


@pytest.fixture(scope="module")
def server() -> Iterator[MockownServer]:
    with MockownServer(_app()) as running:
        yield running


def _request(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def _read_response(sock: socket.socket) -> tuple[bytes, bytes]:
    """One response (head, body) read from `sock` by its Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a whole response head: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "closed before the whole body"
        body += chunk
    return head, body


def _header_lines(head: bytes) -> list[bytes]:
    return [line.strip().lower() for line in head.split(b"\r\n")[1:]]


def test_the_crash_answer_says_the_connection_closes_and_it_closes_cleanly(server: MockownServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(_request(BOOM))
        head, body = _read_response(sock)
        assert head.startswith(b"HTTP/1.1 500 ")
        assert b"connection: close" in _header_lines(head)
        assert b"server_error" in body  # the OAuth dialect's 500
        assert sock.recv(65536) == b""  # the server's FIN: a clean end, no reset, nothing more
    with httpx.Client(base_url=server.url) as client:  # the server goes on serving
        assert client.get(DISCOVERY).status_code == 200


def test_a_keep_alive_client_does_not_reuse_the_connection_after_a_crash(server: MockownServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        crashed = client.get(BOOM)
        assert crashed.status_code == 500 and crashed.headers["connection"] == "close"
        for _ in range(3):
            assert client.get(DISCOVERY).status_code == 200


def test_a_pipelined_request_after_a_crash_is_left_for_the_client_to_send_again(server: MockownServer) -> None:
    """RFC 9112 9.6: after `Connection: close` the server reads no further request; the client sends it again."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(_request(BOOM) + _request(DISCOVERY))
        head, _ = _read_response(sock)
        assert b"connection: close" in _header_lines(head)
        rest = b""
        while chunk := sock.recv(65536):
            rest += chunk
        assert rest == b""


def test_in_process_the_crash_answer_carries_connection_close_too() -> None:
    with httpx.Client(transport=InProcessTransport(_app(), raise_app_exceptions=False), base_url="http://t") as client:
        response = client.get(BOOM)
    assert response.status_code == 500 and response.headers["connection"] == "close"
    assert response.json()["error"] == "server_error"

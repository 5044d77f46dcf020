"""Odd input only a real socket carries, against `mockown serve` (uvicorn + httptools, as users run it): chunked
bodies, a body over the limit sent chunked, `Expect: 100-continue`, a Content-Length that lies, a client that goes
away mid-body, bytes uvicorn itself refuses. Every answer is in the dialect of the API hit (or uvicorn's own 400
for what never reaches the app), the server logs no internal error, and the state survives (`invariants`).
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ADMIN, CID, PASSWORD, SECRET
from tests.server_support import Server, _answers, serve_process

LIMIT = 1024 * 1024
BODY_TIMEOUT = 1.5  # the server's body_timeout (seconds)
FORM = b"Content-Type: application/x-www-form-urlencoded\r\n"
GRANT = f"grant_type=password&client_id={CID}&client_secret={SECRET}&username={ADMIN}&password={PASSWORD}"
GRANT = GRANT.replace("@", "%40").replace("!", "%21")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKOWN_")}
    env["MOCKOWN_BODY_TIMEOUT"] = str(BODY_TIMEOUT)
    with serve_process(["--log-level", "info"], env, _answers) as running:
        yield running


def send(server: Server, data: bytes, *, half_close: bool = False, wait: float = 5.0) -> tuple[bytes, float]:
    """Raw bytes on a new connection; what came back until the server closed it (or `wait` passed) and how long
    that took."""
    host, port = server.url.removeprefix("http://").split(":")
    started = time.monotonic()
    out = b""
    with socket.create_connection((host, int(port)), timeout=wait) as s:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
            while chunk := s.recv(65536):
                out += chunk
        except TimeoutError:
            out += b"<timeout>"
        except ConnectionResetError:  # the server answered before reading all we sent, then closed
            pass
    return out, time.monotonic() - started


def status_and_body(raw: bytes) -> tuple[int, bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def chunked(data: bytes, size: int = 65536) -> bytes:
    pieces = [b"%x\r\n%s\r\n" % (len(data[i : i + size]), data[i : i + size]) for i in range(0, len(data), size)]
    return b"".join(pieces) + b"0\r\n\r\n"


def request(method: str, path: str, headers: bytes, body: bytes = b"") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n".encode() + headers + b"\r\n" + body


def invariants(server: Server) -> None:
    with server.client() as http:
        r = http.post(
            "/services/oauth2/token", content=GRANT, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert r.status_code == 200, r.text
        r = http.post("/services/oauth2/introspect", data={"token": r.json()["access_token"]}, auth=(CID, SECRET))
        assert r.json()["active"] is True, r.text


def no_internal_error(server: Server) -> None:
    said = server.output() + server.logs()
    for sign in ("internal error", "Exception in ASGI application", "Traceback"):
        assert sign not in said, said[-3000:]


# (path, the keys of its dialect's error object)
DIALECTS = [
    ("/services/oauth2/token", ["error", "error_description"]),
    ("/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token", ["error", "error_description"]),
    ("/api/v1/services/300001/backup_now", ["error", "message"]),
    ("/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2/token", ["error", "error_description"]),
]


@pytest.mark.parametrize(("path", "keys"), DIALECTS)
def test_a_chunked_body_over_the_limit_is_a_413_in_the_dialect(server: Server, path: str, keys: list[str]) -> None:
    raw, _ = send(
        server, request("POST", path, FORM + b"Transfer-Encoding: chunked\r\n", chunked(b"a=" + b"x" * 2 * LIMIT))
    )
    status, body = status_and_body(raw)
    # 413, or the refusal of an endpoint that answers before it reads a body (the Own API without a bearer): a
    # chunked body has no length to refuse up front
    assert status == 413 or (status == 401 and path.startswith("/api/")), raw[:300]
    assert sorted(json.loads(body)) == keys, body
    no_internal_error(server)


def test_a_seed_document_too_deep_sent_chunked_is_a_400(server: Server) -> None:
    raw, _ = send(server, request("POST", "/_mockown/seed", b"Transfer-Encoding: chunked\r\n", chunked(b"[" * LIMIT)))
    status, body = status_and_body(raw)
    assert status == 400 and json.loads(body)["error"] == "invalid_request", raw[:300]
    no_internal_error(server)
    invariants(server)


def test_a_small_chunked_body_is_read(server: Server) -> None:
    raw, _ = send(
        server,
        request("POST", "/services/oauth2/token", FORM + b"Transfer-Encoding: chunked\r\n", chunked(GRANT.encode(), 7)),
    )
    status, body = status_and_body(raw)
    assert status == 200 and "access_token" in json.loads(body), raw[:300]


@pytest.mark.parametrize(("path", "keys"), DIALECTS)
def test_expect_100_continue_over_the_limit_is_refused_at_once(server: Server, path: str, keys: list[str]) -> None:
    headers = FORM + f"Content-Length: {100 * LIMIT}\r\nExpect: 100-continue\r\n".encode()
    raw, took = send(server, request("POST", path, headers), wait=5)
    assert raw.startswith(b"HTTP/1.1 413 "), raw[:300]  # no '100 Continue' first
    assert took < 2, took
    assert sorted(json.loads(status_and_body(raw)[1])) == keys


def test_expect_100_continue_within_the_limit_is_read(server: Server) -> None:
    headers = FORM + f"Content-Length: {len(GRANT)}\r\nExpect: 100-continue\r\n".encode()
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(request("POST", "/services/oauth2/token", headers))
        assert s.recv(100).startswith(b"HTTP/1.1 100 Continue")
        s.sendall(GRANT.encode())
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    assert status_and_body(out)[0] == 200, out[:300]


@pytest.mark.parametrize(("path", "keys"), [*DIALECTS, ("/_mockown/seed", ["error", "message"])])
def test_a_client_gone_mid_body_is_no_internal_error(server: Server, path: str, keys: list[str]) -> None:
    """Content-Length 100, 10 bytes sent, then the client closes its side: uvicorn tells the app the client
    disconnected. No answer can reach it; the server must not log an internal error (it did: a 500 with uvicorn's
    traceback of ClientDisconnect)."""
    _, took = send(server, request("POST", path, FORM + b"Content-Length: 100\r\n", b"grant_type"), half_close=True)
    assert took < 4, took
    time.sleep(0.2)
    no_internal_error(server)
    invariants(server)


@pytest.mark.parametrize(
    ("what", "data"),
    [
        (
            "raw invalid UTF-8 in the path",
            b"GET /services/data/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ),
        (
            "raw invalid UTF-8 in the query",
            b"GET /services/data?q=\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ),
        (
            "a Content-Length shorter than the body",
            request("POST", "/services/oauth2/token", FORM + b"Content-Length: 5\r\n", b"grant_type=x"),
        ),
        (
            "two Content-Lengths",
            request("POST", "/services/oauth2/token", b"Content-Length: 1\r\nContent-Length: 2\r\n", b"ab"),
        ),
        ("a negative Content-Length", request("POST", "/services/oauth2/token", b"Content-Length: -1\r\n", b"a")),
        ("Transfer-Encoding gzip", request("POST", "/services/oauth2/token", b"Transfer-Encoding: gzip\r\n", b"ab")),
    ],
)
def test_what_uvicorn_refuses_never_reaches_the_app(server: Server, what: str, data: bytes) -> None:
    """Bytes HTTP/1.1 does not allow where they are: uvicorn's parser answers its own plain 400 before mockown
    sees the request (outside mockown's dialects, by design of the server), and the server goes on serving."""
    raw, _ = send(server, data)
    assert raw.startswith(b"HTTP/1.1 400 "), (what, raw[:300])
    no_internal_error(server)
    invariants(server)


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("/services/data/v62.0/sobjects/User/%ff%fe", "list"),
        ("/api/v1/services/%c0%af", ["error", "message"]),
        ("/api/v1/services/%2F..%2F", ["error", "message"]),
        ("/_mockown/faults/%ff", ["error", "message"]),
    ],
)
def test_percent_encoded_invalid_utf8_in_the_path_is_answered_in_the_dialect(
    server: Server, path: str, keys: list[str] | str
) -> None:
    with server.client() as http:
        r = http.get(path, headers={"Authorization": "Bearer nothing"})
    assert 400 <= r.status_code < 500, r.text
    data = r.json()
    if keys == "list":
        assert isinstance(data, list) and "errorCode" in data[0], r.text
    else:
        assert sorted(data) == keys, r.text
    no_internal_error(server)


def answer_of(server: Server, data: bytes, wait: float) -> tuple[bytes, float]:
    """Raw bytes on a new connection, kept open; the first whole answer (by its Content-Length), and when it came."""
    host, port = server.url.removeprefix("http://").split(":")
    started = time.monotonic()
    out = b""
    with socket.create_connection((host, int(port)), timeout=wait) as s:
        s.sendall(data)
        while chunk := s.recv(65536):
            out += chunk
            head, sep, body = out.partition(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            if sep and length and len(body) >= int(length.group(1)):
                break
    return out, time.monotonic() - started


def test_a_body_that_stops_coming_is_a_408_in_the_dialect(server: Server) -> None:
    """Content-Length 100, 10 bytes sent, the connection kept open: the server waited forever (uvicorn has no
    timeout inside a request). Now 408 in the endpoint's dialect after body_timeout (uvicorn then closes the idle
    connection after its keep-alive timeout). One request per API at once."""
    cases = [*DIALECTS, ("/_mockown/seed", ["error", "message"])]

    def one(path: str) -> tuple[bytes, float]:
        data = f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n".encode() + FORM + b"\r\ngrant"
        return answer_of(server, data, wait=BODY_TIMEOUT + 8)

    with ThreadPoolExecutor(len(cases)) as pool:
        answers = list(pool.map(one, [path for path, _ in cases]))
    for (path, keys), (raw, took) in zip(cases, answers, strict=True):
        status, body = status_and_body(raw)
        assert status == 408, (path, raw[:300])
        assert sorted(json.loads(body)) == keys, (path, body)
        assert BODY_TIMEOUT - 0.1 <= took < BODY_TIMEOUT + 5, (path, took)
    no_internal_error(server)
    invariants(server)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/services/data", 200),
        ("GET", "/.well-known/openid-configuration", 200),
        ("GET", "/api/v1/services", 401),
        ("DELETE", "/_mockown/outbox", 200),
        ("HEAD", "/id/keys", 200),
    ],
)
def test_a_body_on_get_delete_and_head_is_ignored(server: Server, method: str, path: str, status: int) -> None:
    """HTTP gives a body on GET/DELETE/HEAD no meaning: it is read (the connection stays in step) and ignored,
    sent with a Content-Length or chunked."""
    for framing, body in (
        (b"Content-Length: 11\r\n", b"grant_type="),
        (b"Transfer-Encoding: chunked\r\n", chunked(b"x=1")),
    ):
        raw, _ = send(server, request(method, path, FORM + framing, body))
        assert raw.startswith(b"HTTP/1.1 %d " % status), (method, path, raw[:300])
    no_internal_error(server)

"""`mockown serve` writes each response at once (`mockown/wire.py`): uvicorn wrote the head and the body apart, two
``send()`` calls and two TCP segments per answer. The head is held until the body's write, never past the event
loop's turn, never an interim ``100 Continue``, and what goes out is always what was written, in order."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown.wire import HeadHolding, OneWriteProtocol
from tests.cli.serving_support import serving_in_thread

HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n"
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class Recorder(asyncio.Transport):
    """A connection's transport that records each write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = self.aborted = False

    def write(self, data: Any) -> None:
        assert not self.closed, "written after close"
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_write_buffer_size(self) -> int:
        return 7


def _holding() -> tuple[HeadHolding, Recorder, asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    inner = Recorder()
    return HeadHolding(inner, loop), inner, loop


def _turn(loop: asyncio.AbstractEventLoop) -> None:
    """Let the loop run the callbacks of its current turn."""
    loop.run_until_complete(asyncio.sleep(0))


def test_a_head_and_its_body_go_out_in_one_write() -> None:
    holding, inner, loop = _holding()
    try:
        holding.write(HEAD)
        assert inner.writes == []
        assert holding.get_write_buffer_size() == 7 + len(HEAD)  # held bytes count as buffered
        holding.write(b"{}")
        assert inner.writes == [HEAD + b"{}"]
        holding.write(b"more")  # nothing held: straight through
        assert inner.writes == [HEAD + b"{}", b"more"]
        _turn(loop)
        assert inner.writes == [HEAD + b"{}", b"more"]  # the end-of-turn flush finds nothing to send
    finally:
        loop.close()


def test_an_interim_response_is_never_held() -> None:
    """The client waits for ``100 Continue`` before it sends its body: holding it would stall the request."""
    holding, inner, loop = _holding()
    try:
        holding.write(CONTINUE)
        assert inner.writes == [CONTINUE]
        holding.write(HEAD)
        holding.writelines([b"{", b"}"])
        assert inner.writes == [CONTINUE, HEAD + b"{}"]
    finally:
        loop.close()


def test_a_head_with_no_body_in_the_same_turn_goes_out_at_its_end() -> None:
    """A response that starts, then waits for something: its head is not kept from the client past the turn."""
    holding, inner, loop = _holding()
    try:
        holding.write(HEAD)
        _turn(loop)
        assert inner.writes == [HEAD]
        holding.write(b"{}")
        assert inner.writes == [HEAD, b"{}"]
    finally:
        loop.close()


def test_close_sends_a_held_head_first_and_abort_drops_it() -> None:
    holding, inner, loop = _holding()
    try:
        holding.write(HEAD)
        holding.close()
        assert inner.writes == [HEAD] and inner.closed
        _turn(loop)  # the pending flush finds nothing (and never writes to a closed transport)
        assert inner.writes == [HEAD]

        inner = Recorder()
        holding = HeadHolding(inner, loop)
        holding.write(HEAD)
        holding.abort()
        _turn(loop)
        assert inner.writes == [] and inner.aborted
    finally:
        loop.close()


def test_a_held_head_is_not_written_to_a_transport_closed_meanwhile() -> None:
    holding, inner, loop = _holding()
    try:
        holding.write(HEAD)
        inner.closed = True  # the connection went away under it
        _turn(loop)
        assert inner.writes == []
    finally:
        loop.close()


_PIECES = st.sampled_from([HEAD, CONTINUE, b"{}", b"", b"HTTP/1.1 204 No Content\r\n\r\n", b"x\r\n\r\n", b"HTTP/"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_PIECES, st.booleans()), max_size=12))
def test_what_goes_out_is_what_was_written_in_order(steps: list[tuple[bytes, bool]]) -> None:
    """Any sequence of writes, with the loop's turns anywhere between them: the bytes sent are the bytes written, in
    order; after a turn nothing is held; no write is an interim response joined to something else."""
    holding, inner, loop = _holding()
    try:
        written = b""
        for data, turn in steps:
            holding.write(data)
            written += data
            if turn:
                _turn(loop)
                assert holding.get_write_buffer_size() == 7
                assert b"".join(inner.writes) == written
        _turn(loop)
        assert b"".join(inner.writes) == written
        assert all(w == CONTINUE or not w.startswith(CONTINUE) for w in inner.writes)
    finally:
        loop.close()


def test_the_protocol_is_uvicorns_own_with_the_holding_transport() -> None:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    assert issubclass(OneWriteProtocol, HttpToolsProtocol)  # what uvicorn's http="auto" picks with httptools


def _spy_on_writes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """What every `HeadHolding` made from now on writes to its connection's transport."""
    writes: list[bytes] = []
    real_init = HeadHolding.__init__

    def spied(self: HeadHolding, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        real_write = transport.write

        class Spy:
            def __getattr__(self, name: str) -> Any:
                return getattr(transport, name)

            def write(self, data: Any) -> None:
                writes.append(bytes(data))
                real_write(data)

        real_init(self, Spy(), loop)  # type: ignore[arg-type]

    monkeypatch.setattr(HeadHolding, "__init__", spied)
    return writes


def test_mockown_serve_answers_in_one_write_per_response(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real server (`serving.run`, as the CLI calls it) in a thread: every response of a keep-alive connection
    reaches the connection's transport in one write, and an ``Expect: 100-continue`` request gets its interim
    response before it sends its body."""
    writes = _spy_on_writes(monkeypatch)
    with serving_in_thread(monkeypatch) as (host, port):
        with httpx.Client(base_url=f"http://{host}:{port}") as client:
            discovery = client.get("/.well-known/openid-configuration")
            token = client.post("/services/oauth2/token", data={"grant_type": "password"})
            missing = client.get("/services/data/v62.0/nowhere")
        assert discovery.status_code == 200 and discovery.json()["issuer"] == f"http://{host}:{port}"
        assert token.status_code == 400 and token.json()["error"]
        assert missing.status_code in (401, 404)
        assert len(writes) == 3
        for response, write in zip((discovery, token, missing), writes, strict=True):
            assert write.startswith(f"HTTP/1.1 {response.status_code} ".encode())
            assert write.endswith(response.content)  # the head and the whole body in the one write

        writes.clear()
        with socket.create_connection((host, port), timeout=10) as raw:
            body = b"grant_type=password"
            raw.sendall(
                b"POST /services/oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
            )
            raw.settimeout(5)
            assert raw.recv(65536) == CONTINUE  # before the body: not held back
            raw.sendall(body)
            answer = b""
            while not answer.endswith(b"}"):
                chunk = raw.recv(65536)
                assert chunk, "the connection closed before the answer"
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 400 ")
        assert writes == [CONTINUE, answer]


def test_the_thread_server_answers_in_one_write_per_response(monkeypatch: pytest.MonkeyPatch) -> None:
    """`MockownServer` (the plugin's and scripts' server in a thread) is served the same way."""
    from mockown.server import MockownServer

    writes = _spy_on_writes(monkeypatch)
    with MockownServer() as server, httpx.Client(base_url=server.url) as client:
        answers = [client.get("/.well-known/openid-configuration"), client.get("/services/oauth2/userinfo")]
    assert answers[0].status_code == 200 and answers[1].status_code >= 400
    assert len(writes) == 2
    for answer, write in zip(answers, writes, strict=True):
        assert write.startswith(f"HTTP/1.1 {answer.status_code} ".encode()) and write.endswith(answer.content)

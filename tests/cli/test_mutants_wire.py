"""`HeadHolding` rules (mockown/wire.py) that the third hand-driven mutation audit showed no test would miss if
broken: each test names the mutant it kills and passes on the real code. The transport here records every write,
also one made after the connection closed (a real transport drops it with a warning: test_wire's Recorder raised
inside a loop callback, where the loop swallowed it)."""

from __future__ import annotations

import asyncio
from typing import Any

from mockown.wire import HeadHolding

HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n"
EOF = b"<eof>"


class Wire(asyncio.Transport):
    """Records writes (and the end of the stream) in order, whatever the state of the connection."""

    def __init__(self) -> None:
        super().__init__()
        self.out: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.out.append(bytes(data))

    def write_eof(self) -> None:
        self.out.append(EOF)

    def can_write_eof(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_write_buffer_size(self) -> int:
        return 0


def _turn(loop: asyncio.AbstractEventLoop) -> None:
    loop.run_until_complete(asyncio.sleep(0))


def test_a_held_head_goes_out_before_the_end_of_the_stream() -> None:
    """write_eof() sends what is held first: a response's head never follows the end of the stream (kills the
    `_flush()` dropped from `write_eof`: the head went out after the EOF, at the end of the loop's turn)."""
    loop = asyncio.new_event_loop()
    try:
        wire = Wire()
        holding = HeadHolding(wire, loop)
        holding.write(HEAD)
        holding.write_eof()
        _turn(loop)
        assert wire.out == [HEAD, EOF]
    finally:
        loop.close()


def test_the_end_of_turn_flush_writes_nothing_to_a_closed_connection() -> None:
    """A head held when the connection went away is not written to it at the end of the turn (kills the
    `is_closing()` check dropped from `_flush`)."""
    loop = asyncio.new_event_loop()
    try:
        wire = Wire()
        holding = HeadHolding(wire, loop)
        holding.write(HEAD)
        wire.closed = True
        _turn(loop)
        assert wire.out == []
    finally:
        loop.close()


def test_abort_forgets_the_held_head() -> None:
    """An aborted connection holds nothing: its buffered size no longer counts the head (kills `_held = b""`
    dropped from `abort`)."""
    loop = asyncio.new_event_loop()
    try:
        wire = Wire()
        holding = HeadHolding(wire, loop)
        holding.write(HEAD)
        assert holding.get_write_buffer_size() == len(HEAD)
        holding.abort()
        assert holding.get_write_buffer_size() == 0
        _turn(loop)
        assert wire.out == []
    finally:
        loop.close()

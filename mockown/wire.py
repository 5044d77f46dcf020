"""One write per response: the HTTP/1.1 protocol `mockown serve` gives uvicorn (`serving.run`'s ``http=``).

uvicorn writes a response's head (status line and headers) as soon as the app sends ``http.response.start``, and its
body with the next message: two writes, so two ``send()`` calls and two TCP segments for every answer, and a client
woken twice. `HeadHolding` holds the head back until the body's first write and sends both at once. The head goes
out on its own only if no body follows within the same turn of the event loop (a response that starts, then waits
for something: the held head is written by a callback at the end of that turn), so nothing is delayed beyond the
turn it was sent in and the order of what is written never changes. An interim response (``100 Continue``, which
the client waits for before it sends its body) is never held.

`OneWriteProtocol` is uvicorn's own protocol class, the one its ``http="auto"`` picks (httptools when installed,
else h11), with that transport in front of the connection's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Protocol
except ImportError:  # pragma: no cover - httptools is a dependency; uvicorn falls back to h11 without it
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Protocol  # type: ignore[assignment]


def _is_final_head(data: bytes | bytearray | memoryview) -> bool:
    """A whole response head (``HTTP/1.x nnn ...`` to the blank line) of a final (not 1xx) response."""
    return data[:5] == b"HTTP/" and data[-4:] == b"\r\n\r\n" and data[9:10] != b"1"


class HeadHolding(asyncio.Transport):
    """A connection's transport, with a response head held until the write after it (or the end of the loop's turn)."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._held = b""

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held:
            self._held = b""
            self._transport.write(held + data)
        elif _is_final_head(data):
            self._held = bytes(data)
            self._loop.call_soon(self._flush)
        else:
            self._transport.write(data)

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        self.write(b"".join(list_of_data))

    def _flush(self) -> None:
        held = self._held
        if held:
            self._held = b""
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._held = b""
        self._transport.abort()

    # the rest of the interface, as the connection's own transport answers it
    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._held)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)


class OneWriteProtocol(_Protocol):
    """uvicorn's HTTP/1.1 protocol, each response written at once (`HeadHolding`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # flow control, addresses and scheme from the connection's own transport
        self.transport = HeadHolding(transport, self.loop)


__all__ = ["HeadHolding", "OneWriteProtocol"]

"""Talk to an app in-process, without a socket: httpx transports over ASGI, synchronous and asynchronous.

`InProcessTransport` (for `httpx.Client`) runs the app's ASGI call on an event loop **on the calling
thread** (a private loop per thread, `loop.run_until_complete`): no thread hop, a real asyncio task, so
anything the app awaits (a latency fault's `asyncio.sleep`, tasks, anyio) behaves as under a server. When
the calling thread is already running an event loop (sync code called from inside async code, or a
greenlet-driven loop such as Playwright's sync API), the call runs instead on a private loop in a daemon
thread of the transport, as before (so a client nobody closed never keeps the interpreter from exiting).
`AsyncInProcessTransport` (for `httpx.AsyncClient`) awaits the app on the caller's own loop.

Both behave as `httpx.ASGITransport` (same scope, same buffered response, the app sees a disconnect only
once the response is complete), with less per-request work: the request body is read once and handed over
in one ``http.request`` message, and the response is built once. Exceptions raised inside the app
propagate to the caller with their traceback (``raise_app_exceptions=False``: a 500 instead, when the app
had not started its response).
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import threading
import weakref
from collections.abc import Coroutine, MutableMapping
from typing import Any
from urllib.parse import unquote

import httpx

# httpx's own ASGI transport (no longer used here, but tests and users may use it in the same process) tries
# `import sniffio` on every request (to detect trio). When sniffio is not installed, each of those imports
# searches the whole sys.path again; remember the miss once instead.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]  # `import sniffio` now fails at once

IN_HOST = "testserver"  # the host of `in_process_client`'s default base URL
Message = MutableMapping[str, Any]
Result = tuple[int, list[tuple[bytes, bytes]], list[bytes]]


def _scope(request: httpx.Request, client: tuple[str, int], root_path: str) -> dict[str, Any]:
    """The ASGI scope `httpx.ASGITransport` builds for `request`."""
    url = request.url
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "headers": [(k.lower(), v) for (k, v) in request.headers.raw],
        "scheme": url.scheme,
        "path": url.path,
        "raw_path": url.raw_path.split(b"?")[0],
        "query_string": url.query,
        "server": (url.host, url.port),
        "client": client,
        "root_path": root_path,
    }


async def call_app(app: Any, scope: dict[str, Any], body: bytes, raise_app_exceptions: bool = True) -> Result:
    """One ASGI request/response cycle: (status, raw headers, body parts). The body arrives in one message;
    a later `receive()` waits until the response is complete, then says the client disconnected."""
    status: int | None = None
    headers: list[tuple[bytes, bytes]] | None = None
    parts: list[bytes] = []
    body_sent = False
    complete = False
    done: asyncio.Event | None = None  # made only when the app waits for the disconnect
    head = scope["method"] == "HEAD"

    async def receive() -> dict[str, Any]:
        nonlocal body_sent, done
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if not complete:
            if done is None:
                done = asyncio.Event()
            await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status, headers, complete
        kind = message["type"]
        if kind == "http.response.start":
            assert headers is None, "the response was started twice"
            status = message["status"]
            headers = list(message.get("headers", []))
        elif kind == "http.response.body":
            assert not complete, "a body was sent after the response was complete"
            chunk = message.get("body", b"")
            if chunk and not head:
                parts.append(chunk)
            if not message.get("more_body", False):
                complete = True
                if done is not None:
                    done.set()

    try:
        await app(scope, receive, send)
    except Exception:
        if raise_app_exceptions:
            raise
        complete = True
        if done is not None:
            done.set()
        if status is None:
            status = 500
        if headers is None:
            headers = []
    if not complete or status is None or headers is None:  # a `close` fault: the app dropped the connection
        raise httpx.RemoteProtocolError("Server disconnected without sending a complete response.")
    return status, headers, parts


def _response(result: Result) -> httpx.Response:
    status, headers, parts = result
    return httpx.Response(status, headers=headers, content=parts[0] if len(parts) == 1 else b"".join(parts))


class _ThreadLoops(threading.local):
    loop: asyncio.AbstractEventLoop | None = None


class _Loop(asyncio.SelectorEventLoop):
    """A thread's private loop. It is closed when its thread's `Thread` object goes (`_close_quietly`, through
    `weakref.finalize`): deterministically, while its self-pipe sockets are still open. Left to the garbage
    collector instead, a loop caught in a reference cycle can be finalized after its own sockets, and then both
    warn (an unclosed loop, unclosed sockets) and fail to close."""

    def __del__(self) -> None:  # a fallback; methods only (module globals may be gone at interpreter exit)
        if not self.is_closed() and not self.is_running():
            self.close()


def _close_quietly(loop: asyncio.AbstractEventLoop) -> None:
    if not loop.is_closed() and not loop.is_running():
        loop.close()


_here = _ThreadLoops()


def _run_here(coro: Coroutine[Any, Any, Result]) -> Result:
    """Run `coro` to completion on this thread's private loop (the thread runs no other loop)."""
    loop = _here.loop
    if loop is None or loop.is_closed():
        loop = _here.loop = _Loop()
        weakref.finalize(threading.current_thread(), _close_quietly, loop)
    try:
        return loop.run_until_complete(coro)
    except Exception:
        raise
    except BaseException:  # interrupted mid-call (KeyboardInterrupt): leave that loop, start afresh next time
        _here.loop = None
        for task in asyncio.all_tasks(loop):
            task.cancel()
        raise


class _AppCalls:
    """What both transports call: the app, whether its exceptions reach the caller, the client address and the
    root path its scopes carry."""

    def __init__(
        self,
        app: Any,
        *,
        raise_app_exceptions: bool = True,
        client: tuple[str, int] = ("127.0.0.1", 50000),
        root_path: str = "",
    ):
        self.app = app
        self.raise_app_exceptions = raise_app_exceptions
        self.client = client
        self.root_path = root_path


class InProcessTransport(_AppCalls, httpx.BaseTransport):
    def __init__(self, app: Any, **options: Any):
        super().__init__(app, **options)
        self._loop: asyncio.AbstractEventLoop | None = None  # the daemon thread's, made on first need
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=_serve, args=(loop,), name="mockown-inprocess", daemon=True)
                self._thread.start()
                self._loop = loop
            return self._loop

    def handle_request(self, request: httpx.Request, timeout: float | None = None) -> httpx.Response:
        """`timeout`: see `run` (httpx's own calls give none: the app takes as long as it takes)."""
        body = request.read()
        return _response(self.run(_scope(request, self.client, self.root_path), body, timeout))

    def run(self, scope: dict[str, Any], body: bytes, timeout: float | None = None) -> Result:
        """One request to the app as an ASGI `scope` and its body: (status, raw headers, body parts). With a
        `timeout`, an app still at work after that many seconds is cancelled and `TimeoutError` raised (a client's
        read timeout, for intercept mode)."""
        coro = call_app(self.app, scope, body, self.raise_app_exceptions)
        if timeout is not None:
            coro = asyncio.wait_for(coro, timeout)
        if asyncio._get_running_loop() is None:
            return _run_here(coro)
        # this thread already runs a loop (sync code inside async code): the app runs on our daemon thread
        return asyncio.run_coroutine_threadsafe(coro, self._get_loop()).result()

    def request(
        self,
        method: str,
        target: str,
        headers: list[tuple[bytes, bytes]],
        body: bytes = b"",
        *,
        host: str = "testserver",
    ) -> Result:
        """A request without httpx on the client side: `target` is the path and query (already encoded);
        `headers` lower-case names; ``host``, ``content-length`` are added. The scope is the one an httpx
        request to ``http://{host}{target}`` would give."""
        path, _, query = target.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "headers": [(b"host", host.encode()), *headers, (b"content-length", str(len(body)).encode())],
            "scheme": "http",
            "path": unquote(path),
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "server": (host, None),
            "client": self.client,
            "root_path": self.root_path,
        }
        return self.run(scope, body)

    def close(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
            thread, self._thread = self._thread, None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)


class AsyncInProcessTransport(_AppCalls, httpx.AsyncBaseTransport):
    """`httpx.ASGITransport`'s behaviour on the caller's loop, with the same lighter path as the sync one."""

    async def handle_async_request(self, request: httpx.Request, timeout: float | None = None) -> httpx.Response:
        """`timeout`: as the sync transport's `run` (an app still at work after it is cancelled, `TimeoutError`)."""
        body = await request.aread()
        scope = _scope(request, self.client, self.root_path)
        called = call_app(self.app, scope, body, self.raise_app_exceptions)
        return _response(await (called if timeout is None else asyncio.wait_for(called, timeout)))


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        loop.close()


def in_process_client(app: Any, base_url: str = "http://testserver", **kwargs: Any) -> httpx.Client:
    """A synchronous `httpx.Client` wired to `app` (close it, or use it as a context manager)."""
    return httpx.Client(transport=InProcessTransport(app), base_url=base_url, **kwargs)


def in_process_async_client(app: Any, base_url: str = "http://testserver", **kwargs: Any) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` wired to `app` (the client address `httpx.ASGITransport` reports by default)."""
    return httpx.AsyncClient(
        transport=AsyncInProcessTransport(app, client=("127.0.0.1", 123)), base_url=base_url, **kwargs
    )


__all__ = [
    "AsyncInProcessTransport",
    "InProcessTransport",
    "call_app",
    "in_process_async_client",
    "in_process_client",
]

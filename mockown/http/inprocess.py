"""Talk to an app in-process, without a socket: a synchronous httpx transport over ASGI.

httpx ships only an async ASGI transport; this one runs it on a private event loop in a daemon thread
(so a client nobody closed never keeps the interpreter from exiting), so ordinary synchronous code and
tests can use `httpx.Client` against the app. Exceptions raised inside the app propagate to the caller
with their traceback.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import threading
from typing import Any

import httpx

# httpx's ASGI transport tries `import sniffio` on every request (to detect trio). When sniffio is not
# installed, each of those imports searches the whole sys.path again; remember the miss once instead.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]  # `import sniffio` now fails at once


class InProcessTransport(httpx.BaseTransport):
    def __init__(self, app: Any, *, raise_app_exceptions: bool = True, client: tuple[str, int] = ("127.0.0.1", 50000)):
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions, client=client)
        self._loop: asyncio.AbstractEventLoop | None = None
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

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        buffered = httpx.Request(request.method, request.url, headers=request.headers, content=body)

        async def run() -> httpx.Response:
            response = await self._asgi.handle_async_request(buffered)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return asyncio.run_coroutine_threadsafe(run(), self._get_loop()).result()

    def close(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
            thread, self._thread = self._thread, None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)


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
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url, **kwargs)

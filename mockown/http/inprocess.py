"""Talk to an app in-process, without a socket: a synchronous httpx transport over ASGI.

httpx ships only an async ASGI transport; this one runs it on a private event loop thread (an anyio
blocking portal), so ordinary synchronous code and tests can use `httpx.Client` against the app.
Exceptions raised inside the app propagate to the caller with their traceback.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import anyio.from_thread
import httpx
from anyio.from_thread import BlockingPortal


class InProcessTransport(httpx.BaseTransport):
    def __init__(self, app: Any, *, raise_app_exceptions: bool = True, client: tuple[str, int] = ("127.0.0.1", 50000)):
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions, client=client)
        self._portal_cm: AbstractContextManager[BlockingPortal] | None = None
        self._portal: BlockingPortal | None = None

    def _get_portal(self) -> BlockingPortal:
        if self._portal is None:
            self._portal_cm = anyio.from_thread.start_blocking_portal()
            self._portal = self._portal_cm.__enter__()
        return self._portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        buffered = httpx.Request(request.method, request.url, headers=request.headers, content=body)

        async def run() -> httpx.Response:
            response = await self._asgi.handle_async_request(buffered)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return self._get_portal().call(run)

    def close(self) -> None:
        if self._portal_cm is not None:
            self._portal_cm.__exit__(None, None, None)
            self._portal_cm = self._portal = None


def in_process_client(app: Any, base_url: str = "http://testserver", **kwargs: Any) -> httpx.Client:
    """A synchronous `httpx.Client` wired to `app` (close it, or use it as a context manager)."""
    return httpx.Client(transport=InProcessTransport(app), base_url=base_url, **kwargs)


def in_process_async_client(app: Any, base_url: str = "http://testserver", **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url, **kwargs)

"""`MockownServer`: the app served by uvicorn in a background thread, on a free loopback port by default.

For tests and scripts that need a real socket (a subprocess, a client you cannot hand a transport to):

    with MockownServer() as server:          # or server = MockownServer(app); server.start(); ... server.stop()
        requests.post(server.urls.token, data={...})

The server owns no state of its own: it serves the app it is given (or a new `create_app(config)` with the
server's `host`, so that beyond loopback its control plane is locked), so `server.app.state.runtime` is the state,
shared with any in-process client of the same app.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Config
    from .testing.urls import Urls


class MockownServer:
    def __init__(
        self,
        app: Any = None,
        *,
        config: Config | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        startup_timeout: float = 10.0,
    ) -> None:
        if app is None:  # built for the address it listens on: beyond loopback its control plane is locked
            from . import create_app
            from .config import Config

            app = create_app((config or Config.load()).replace(host=host))
        self.app = app
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> MockownServer:
        """Listen (port 0 picks a free port, read it from `port` / `url` afterwards); idempotent."""
        if self.running:
            return self
        import uvicorn

        from .wire import OneWriteProtocol

        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off", http=OneWriteProtocol)
        server = uvicorn.Server(config)
        self._server = server
        self._error = None

        def serve() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:  # reported by start() / stop(), never lost in the thread
                self._error = exc
            finally:
                sock.close()

        thread = threading.Thread(target=serve, name=f"mockown-server-{self.port}", daemon=True)
        self._thread = thread
        thread.start()
        deadline = self.startup_timeout
        step = 0.005
        waited = 0.0
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError(f"mockown server failed to start: {self._error!r}")
            if waited > deadline:
                self.stop()
                raise TimeoutError(f"mockown server did not start within {deadline} s")
            thread.join(step)
            waited += step
        return self

    def stop(self, timeout: float = 10.0) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout)
        if thread.is_alive():  # a client holding a connection open: stop waiting for it
            server.force_exit = True
            thread.join(timeout)
        self._server = self._thread = None

    def __enter__(self) -> MockownServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- where it listens ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (the server must be started)."""
        if not self.running:
            raise RuntimeError("the server is not running: call start() or use it as a context manager")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def urls(self) -> Urls:
        """Every endpoint's URL on this server (`urls.token`, `urls.rest('limits')`, `urls.own_api(...)`)."""
        from .testing.urls import Urls

        return Urls(self.url)

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    def __repr__(self) -> str:
        state = self.url if self.running else "stopped"
        return f"<MockownServer {state}>"


__all__ = ["MockownServer"]

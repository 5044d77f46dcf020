"""`serving.run` as the CLI calls it (on a socket it bound), in a thread of the test process: for tests that look at
what the real server does on its connections (socket options, writes)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest


@contextlib.contextmanager
def serving_in_thread(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, int]]:
    """The demo server (`Config(log_level="warning")`) on a free loopback port until the block ends: (host, port)."""
    import uvicorn

    from mockown import serving
    from mockown.cli import _listening_socket
    from mockown.config import Config

    servers: list[Any] = []
    real_init = uvicorn.Server.__init__

    def remember(self: Any, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        servers.append(self)

    monkeypatch.setattr(uvicorn.Server, "__init__", remember)
    with _listening_socket("127.0.0.1", 0) as listener:
        thread = threading.Thread(
            target=serving.run,
            args=(Config(log_level="warning"),),
            kwargs={"echo": lambda _: None, "sock": listener},
            daemon=True,
        )
        thread.start()
        try:
            deadline = time.monotonic() + 20
            while not (servers and servers[0].started):
                assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
                time.sleep(0.02)
            host, port = listener.getsockname()[:2]
            yield host, port
        finally:
            if servers:
                servers[0].should_exit = True
            thread.join(timeout=20)
    assert not thread.is_alive()

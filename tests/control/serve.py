"""`mockown serve` as a real subprocess on a free loopback port (one per test module), and a client for it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence

import httpx

from tests.server_support import Server, free_port, serve_process

__all__ = ["T0", "Server", "free_port", "serve"]

T0 = "2026-01-01T00:00:00Z"


@contextlib.contextmanager
def serve(
    args: Sequence[str] = (), env: dict[str, str] | None = None, timeout: float = 20.0, health_token: str | None = None
) -> Iterator[Server]:
    """A `mockown serve` on 127.0.0.1 with a frozen clock at T0 (unless `env` says otherwise)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKOWN_")}
    full_env.update({"MOCKOWN_FROZEN_AT": T0, "PYTHONUNBUFFERED": "1"})
    full_env.update(env or {})
    headers = {"Authorization": f"Bearer {health_token}"} if health_token else {}

    def healthy(url: str) -> bool:
        return httpx.get(url + "/_mockown/health", headers=headers, timeout=1.0).status_code == 200

    with serve_process(args, full_env, healthy, timeout) as server:
        yield server

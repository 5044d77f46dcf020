"""Start `mockown serve` as a real subprocess on a free loopback port, for tests that need a socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def mockown_server(args: Sequence[str] = (), env: dict[str, str] | None = None, timeout: float = 20.0) -> Iterator[str]:
    """Yields the base URL of a `mockown serve` subprocess; stops it afterwards."""
    port = free_port()
    full_env = {**os.environ, **(env or {})}
    cmd = [sys.executable, "-m", "mockown", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    proc = subprocess.Popen(cmd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                output = proc.stdout.read() if proc.stdout else ""
                raise RuntimeError(f"mockown serve exited with {proc.returncode}: {output}")
            try:
                httpx.get(base + "/services/data", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"mockown serve did not answer on {base}") from None
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()

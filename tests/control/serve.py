"""`mockown serve` as a real subprocess on a free loopback port (one per test module), and a client for it."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import httpx

T0 = "2026-01-01T00:00:00Z"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """The server stops itself when the test process goes away, even if it is killed."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[str]
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    def client(self, admin_token: str | None = None, **kwargs: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10.0, **kwargs)  # type: ignore[arg-type]

    def output(self) -> str:
        return "".join(self.stdout)

    def logs(self) -> str:
        return "".join(self.stderr)


def _pump(stream: object, sink: list[str]) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        sink.append(line)


@contextlib.contextmanager
def serve(
    args: Sequence[str] = (), env: dict[str, str] | None = None, timeout: float = 20.0, health_token: str | None = None
) -> Iterator[Server]:
    """A `mockown serve` on 127.0.0.1 with a frozen clock at T0 (unless `env` says otherwise)."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKOWN_")}
    full_env.update({"MOCKOWN_FROZEN_AT": T0, "PYTHONUNBUFFERED": "1"})
    full_env.update(env or {})
    cmd = [sys.executable, "-m", "mockown", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    proc = subprocess.Popen(
        cmd,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_die_with_parent,  # test-only, POSIX
    )
    server = Server(f"http://127.0.0.1:{port}", proc)
    for stream, sink in ((proc.stdout, server.stdout), (proc.stderr, server.stderr)):
        threading.Thread(target=_pump, args=(stream, sink), daemon=True).start()
    headers = {"Authorization": f"Bearer {health_token}"} if health_token else {}
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                time.sleep(0.1)
                raise RuntimeError(f"mockown serve exited with {proc.returncode}: {server.output()}{server.logs()}")
            try:
                if httpx.get(server.url + "/_mockown/health", headers=headers, timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"mockown serve did not answer on {server.url}")
            time.sleep(0.03)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()

"""Real `mockown serve` subprocesses for the persistence, TLS and Docker tests (loopback, free port)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.server_support import free_port, listening_line

BIN = Path(sys.executable).parent


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base: str
    log: Path
    verify: object = True
    extra: dict[str, str] = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def client(self, **kwargs: object) -> httpx.Client:
        """A client that opens a new connection per request (so each may land on another worker)."""
        limits = httpx.Limits(max_keepalive_connections=0)
        return httpx.Client(base_url=self.base, verify=self.verify, limits=limits, timeout=10, **kwargs)  # type: ignore[arg-type]

    def workers(self) -> list[int]:
        """The pids of uvicorn's worker processes (Linux)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        out = []
        for pid in children:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"resource_tracker" not in cmdline:
                out.append(int(pid))
        return out


def _ours(log: Path, port: int) -> bool:
    """The server's banner for `port` is in its log: printed once it has bound the port, so an answer on the port
    is this server's (another test's server that took the same free port first would answer meanwhile)."""
    return any(listening_line(line, port) for line in log.read_text(errors="replace").splitlines())


def wait_ready(
    proc: subprocess.Popen[bytes],
    url: str,
    log: Path,
    verify: object = True,
    timeout: float = 30.0,
    port: int | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if port is None or _ours(log, port):
                httpx.get(url, timeout=1.0, verify=verify)  # type: ignore[arg-type]
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer on {url}:\n{log.read_text(errors='replace')}") from None
        time.sleep(0.05)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # uvicorn's graceful stop (workers too)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def serve(
    tmp: Path,
    args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    *,
    https: bool = False,
    verify: object = True,
    ready_path: str = "/.well-known/openid-configuration",
    command: Sequence[str] | None = None,
    port: int | None = None,
    host: str = "127.0.0.1",
) -> Iterator[Server]:
    """`host`: where the server (a `command` of the caller's) listens, as a URL's host (`[::1]`)."""
    for attempt in range(1, 4):
        try:
            started = _start(
                tmp, args, env, https=https, verify=verify, ready_path=ready_path, command=command, port=port, host=host
            )
        except _PortTaken:
            if port is not None or attempt == 3:  # a port the caller chose is not ours to change
                raise
            continue
        try:
            yield started
        finally:
            stop(started.proc)
        return


class _PortTaken(RuntimeError):
    """Another process took the free port between `free_port()` and the server's bind."""


def _start(
    tmp: Path,
    args: Sequence[str],
    env: dict[str, str] | None,
    *,
    https: bool,
    verify: object,
    ready_path: str,
    command: Sequence[str] | None,
    port: int | None,
    host: str = "127.0.0.1",
) -> Server:
    port = port or free_port()
    log = tmp / f"serve-{port}.log"
    full_env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {})}
    if command is None:
        command = [str(BIN / "mockown"), "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    with open(log, "wb") as out:
        proc = subprocess.Popen(list(command), env=full_env, stdout=out, stderr=subprocess.STDOUT)
    base = f"{'https' if https else 'http'}://{host}:{port}"
    try:
        wait_ready(proc, base + ready_path, log, verify=verify if not https or verify is not True else False, port=port)
    except RuntimeError as exc:
        stop(proc)
        if "address already in use" in str(exc).lower():
            raise _PortTaken(str(exc)) from None
        raise
    except BaseException:
        stop(proc)
        raise
    return Server(proc, base, log, verify)

"""Start `mockown serve` as a real subprocess on a free loopback port, for tests that need a socket."""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def refused_url() -> Iterator[str]:
    """A loopback URL where nothing answers (connection refused): its port stays bound, not listening, here while
    the test uses it, so no other process can start listening there (a `free_port()` number could be taken)."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}"


def non_loopback_address() -> str | None:
    """An address of this machine on a non-loopback interface (the one a packet to TEST-NET-1 would leave from;
    no packet is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback or address == "0.0.0.0" else address


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


def _pump(stream: Any, sink: list[str]) -> None:
    """Reads the child's pipe to its end, then closes it: the only thread that touches the stream (closing it
    from the test's thread while this one was between two lines made its next readline raise ValueError, a
    thread exception pytest pinned on whichever test ran next)."""
    with stream:
        for line in iter(stream.readline, ""):
            sink.append(line)


def listening_line(line: str, port: int) -> bool:
    """Whether `line` is `mockown serve`'s banner line for `port` (printed once the port is bound)."""
    return line.startswith("mockown listening on ") and line.rstrip().endswith(f":{port}")


def _listening_on(lines: list[str], port: int) -> bool:
    return any(listening_line(line, port) for line in list(lines))


class _PortTaken(RuntimeError):
    """The child could not listen: another process took the free port between `free_port()` and its bind."""


@contextlib.contextmanager
def serve_process(
    args: Sequence[str], env: Mapping[str, str], ready: Callable[[str], bool], timeout: float = 20.0
) -> Iterator[Server]:
    """`mockown serve ARGS` with exactly `env`, yielded once `ready(base_url)` is true; stopped on exit. A port
    taken by another process before the child bound it is retried on another free port (twice)."""
    attempts = 3
    for attempt in range(1, attempts + 1):
        stack = contextlib.ExitStack()
        try:
            server = stack.enter_context(_serve_once(args, env, ready, timeout))
        except _PortTaken:
            if attempt == attempts:
                raise
            continue
        with stack:
            yield server
        return


@contextlib.contextmanager
def _serve_once(
    args: Sequence[str], env: Mapping[str, str], ready: Callable[[str], bool], timeout: float
) -> Iterator[Server]:
    port = free_port()
    cmd = [sys.executable, "-m", "mockown", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    proc = subprocess.Popen(
        cmd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_die_with_parent,  # test-only, POSIX
    )
    server = Server(f"http://127.0.0.1:{port}", proc)
    pumps = [
        threading.Thread(target=_pump, args=(stream, sink), name=f"serve-{port}-pump", daemon=True)
        for stream, sink in ((proc.stdout, server.stdout), (proc.stderr, server.stderr))
    ]
    for pump in pumps:
        pump.start()

    def drain() -> None:  # the child has exited: its pipes end once the pumps have read the last lines
        for pump in pumps:
            pump.join(timeout=10)

    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                drain()
                said = server.output() + server.logs()
                error = _PortTaken if "address already in use" in said.lower() else RuntimeError
                raise error(f"mockown serve exited with {proc.returncode}: {said}")
            try:
                # ours: the banner, printed once the child has bound the port (another test's server that took the
                # same free port first would answer `ready` while this child is still failing to bind)
                if _listening_on(server.stdout, port) and ready(server.url):
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
        drain()


def _answers(url: str) -> bool:
    httpx.get(url + "/services/data", timeout=1.0)  # any HTTP answer will do
    return True


@contextlib.contextmanager
def mockown_server(args: Sequence[str] = (), env: dict[str, str] | None = None, timeout: float = 20.0) -> Iterator[str]:
    """Yields the base URL of a `mockown serve` subprocess (our environment plus `env`); stops it afterwards."""
    with serve_process(args, {**os.environ, **(env or {})}, _answers, timeout) as server:
        yield server.url

"""Processes, ports and the tools the harness installs for itself (wrk, the peer)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

PEER_PACKAGE = "oauth2-mock-server"
PEER_VERSION = os.environ.get("MOCKOWN_BENCH_PEER_VERSION", "9.3.0")
ROOT = Path(__file__).resolve().parent.parent


class Unavailable(RuntimeError):
    """A tool the harness needs cannot be found or installed here (the reason is the message)."""


def cache_dir() -> Path:
    base = os.environ.get("MOCKOWN_BENCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mockown-bench"
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def ensure_wrk(install: bool = True) -> str:
    """The path of `wrk`; installs Debian's package with apt-get when it is missing and we may."""
    found = shutil.which("wrk")
    if found:
        return found
    if not install:
        raise Unavailable("wrk is not installed (apt-get install -y wrk)")
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise Unavailable("wrk is missing and cannot be installed here (needs root, apt-get): apt-get install -y wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    log = cache_dir() / "apt.log"
    with log.open("w") as out:
        done = subprocess.run([apt, "install", "-y", "wrk"], stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
        if done.returncode != 0:  # a fresh machine may need the package lists first
            subprocess.run([apt, "update"], stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
            subprocess.run([apt, "install", "-y", "wrk"], stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
    found = shutil.which("wrk")
    if not found:
        raise Unavailable(f"apt-get install -y wrk failed (see {log})")
    return found


def ensure_peer(install: bool = True) -> list[str]:
    """The command that runs the peer (node + its CLI script), installed with npm into the cache on first use."""
    node = shutil.which("node")
    if node is None:
        raise Unavailable("node is not installed (the peer oauth2-mock-server is a Node program)")
    home = cache_dir() / f"peer-{PEER_VERSION}"
    script = home / "node_modules" / PEER_PACKAGE / "dist" / "oauth2-mock-server.mjs"
    if not script.exists():
        npm = shutil.which("npm")
        if not install or npm is None:
            raise Unavailable(f"{PEER_PACKAGE}@{PEER_VERSION} is not installed in {home} and npm is unavailable")
        home.mkdir(parents=True, exist_ok=True)
        (home / "package.json").write_text('{"private": true}\n')
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", f"{PEER_PACKAGE}@{PEER_VERSION}"],
            cwd=home, capture_output=True, text=True, check=False, timeout=600,
        )  # fmt: skip
        if done.returncode != 0 or not script.exists():
            raise Unavailable(f"npm install {PEER_PACKAGE}@{PEER_VERSION} failed: {done.stderr.strip()[-500:]}")
    return [node, str(script)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def python() -> str:
    return sys.executable


def mockown_cmd(port: int, *extra: str) -> list[str]:
    return [python(), "-m", "mockown", "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
            *extra]  # fmt: skip


def peer_cmd(peer: Sequence[str], port: int) -> list[str]:
    return [*peer, "-a", "127.0.0.1", "-p", str(port)]


def ceiling_cmd(port: int) -> list[str]:
    return [python(), "-m", "bench.ceiling", str(port)]


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0, interval: float = 0.002) -> float:
    """Seconds until `url` answered 200 (polling every `interval`); raises if the process dies or times out."""
    started = time.perf_counter()
    deadline = started + timeout
    with httpx.Client(timeout=2.0) as client:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before answering")
            try:
                if client.get(url).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no 200 from {url} within {timeout}s")
            time.sleep(interval)


@contextlib.contextmanager
def running(cmd: Sequence[str], ready_url: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A server process, ready (answered 200 on `ready_url`), stopped on exit."""
    proc = start(cmd, env)
    try:
        wait_ready(ready_url, proc)
        yield proc
    finally:
        stop(proc)


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Our environment plus `extra`, with the checkout first on PYTHONPATH (children import `bench`, `mockown`)."""
    full = {**os.environ, **(extra or {})}
    full["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), full.get("PYTHONPATH")) if p)
    return full


def start(cmd: Sequence[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        list(cmd), env=child_env(env), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rss_bytes(pid: int | None = None) -> int:
    """Resident set size of a process (Linux /proc)."""
    with open(f"/proc/{pid or 'self'}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")

"""Run the contract suite (`contracts/`) against a URL and read which checks failed from its JUnit report."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"


@dataclass
class SuiteRun:
    returncode: int
    output: str
    outcomes: dict[str, str]  # test name (without module) -> passed | failed | skipped | error

    def failed(self) -> set[str]:
        return {name for name, outcome in self.outcomes.items() if outcome in ("failed", "error")}


def run_suite(
    target: str, args: Sequence[str], junit: Path, timeout: float = 300.0, extra_env: dict[str, str] | None = None
) -> SuiteRun:
    cmd = [sys.executable, "-m", "pytest", str(CONTRACTS / "suite"), "-c", str(CONTRACTS / "pytest.ini")]
    cmd += ["--rootdir", str(CONTRACTS), "--target", target, "--junit-xml", str(junit), "-q", *args]
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **(extra_env or {})}  # no plugin: start fast
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return SuiteRun(proc.returncode, proc.stdout + proc.stderr, read_junit(junit))


def read_junit(path: Path) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    if not path.exists():
        return outcomes
    for case in ET.parse(path).getroot().iter("testcase"):
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed"}.get(child.tag, child.tag)
        outcomes[case.attrib["name"]] = outcome
    return outcomes


@contextmanager
def threaded_server(app: Any) -> Iterator[str]:
    """`app` served by uvicorn in a thread on a free loopback port; stopped on exit. The socket is bound here, at
    port 0, and handed to uvicorn: a port picked free and bound later could be taken meanwhile."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

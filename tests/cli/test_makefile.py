"""`make serve` listens on 127.0.0.1:8080 unless the command line says otherwise (`make serve PORT=9000`): a PORT
or HOST that happens to be exported (tcsh exports HOST; many tools set PORT) does not move it (README, "Two
commands"). `make -n` prints the commands without running them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")


def serve_command(*args: str, **env: str) -> str:
    assert MAKE is not None
    environ = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    result = subprocess.run(
        [MAKE, "-n", "--no-print-directory", "serve", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return next(line for line in result.stdout.splitlines() if " serve " in line and "mockown" in line)


pytestmark = pytest.mark.skipif(MAKE is None, reason="no make on this machine")


def test_make_serve_listens_on_loopback_8080() -> None:
    assert serve_command().endswith("mockown serve --host 127.0.0.1 --port 8080")


def test_an_exported_port_or_host_does_not_move_it() -> None:
    assert serve_command(PORT="5000", HOST="evil.example").endswith("mockown serve --host 127.0.0.1 --port 8080")


def test_the_command_line_does() -> None:
    assert serve_command("PORT=9000").endswith("--host 127.0.0.1 --port 9000")
    assert serve_command("PORT=9000", "HOST=::1", PORT="5000").endswith("--host ::1 --port 9000")

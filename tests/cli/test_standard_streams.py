"""The CLI with its standard streams closed or full: a one-line reason, never a traceback (in a real process: the
interpreter flushes stdout once more at exit, which CliRunner does not show)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..control.serve import serve

FULL = Path("/dev/full")  # a device every write to fails with ENOSPC
needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full")


def to_full_stdout(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with FULL.open("w") as out:
        return subprocess.run(
            [sys.executable, "-m", "mockown", *args],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )


@needs_dev_full
@pytest.mark.parametrize("args", [["token"], ["token", "--field", "access_token"]])
def test_a_token_that_cannot_be_written(args: list[str]) -> None:
    done = to_full_stdout(args)  # the in-process server: no --url
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == "mockown: the token could not be written to stdout: No space left on device"


@needs_dev_full
def test_seed_says_the_credentials_it_made_could_not_be_written() -> None:
    with serve() as server:
        done = to_full_stdout(["seed", "--url", server.url])
        assert done.returncode == 1, done.stderr
        assert "the server seeded, but the credentials it created (its answer) could not be written" in done.stderr
        assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_seed_from_a_closed_standard_input() -> None:
    def close_stdin() -> None:  # pragma: no cover - runs in the child before exec
        os.close(0)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-m", "mockown", "seed", "-", "--url", "http://127.0.0.1:1"],
        preexec_fn=close_stdin,  # closes one descriptor: nothing that could deadlock
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "mockown: cannot read -: there is no standard input"

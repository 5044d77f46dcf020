"""The README's control-plane chapter, run as written against a real `mockown serve`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .serve import Server

README = Path(__file__).resolve().parents[2] / "README.md"
CHAPTER = "## The control plane, faults, the CLI and the dashboard"


def _blocks() -> list[str]:
    section = README.read_text(encoding="utf-8").split(CHAPTER, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.DOTALL)


def _run(script: str, server: Server) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script.replace("http://127.0.0.1:8080", server.url)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
        cwd=README.parent,
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_curl_session(server: Server) -> None:
    result = _run(_blocks()[0], server)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["401", "401", "200"]
    assert lines[3] == '{"error":"server_error","error_description":"Service Unavailable"}'
    assert lines[4].startswith('{"count":2,')
    assert '"iso":"2026-07-01T00:00:00.000Z"' in lines[5]  # the test server's clock starts frozen at 2026-01-01
    assert lines[6] == "401"
    assert '"name":"Mine"' in lines[7] and '"client_secret"' in lines[7]


def test_the_cli_examples(server: Server) -> None:
    script = _blocks()[1]
    first, second = script.strip().splitlines()
    got = _run(first + '\necho "$TOKEN"', server)
    assert got.returncode == 0, got.stderr
    assert got.stdout.startswith("00D5g000004Mock!")
    refused = _run(second.split("#")[0], server)
    assert refused.returncode == 1 and "exists already" in refused.stderr

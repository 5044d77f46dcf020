"""The README's curl walkthrough, run as written against a real `mockown serve`."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.server_support import mockown_server

README = Path(__file__).resolve().parents[2] / "README.md"


def _walkthrough() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## A first session with curl", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match, "the README lost its curl walkthrough"
    return match.group(1)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_readme_curl_walkthrough() -> None:
    script = _walkthrough()
    assert "BASE=http://127.0.0.1:8080" in script
    with mockown_server() as base:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script.replace("BASE=http://127.0.0.1:8080", f"BASE={base}")],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert '"active":true' in out and '"token_type":"access_token"' in out
    assert '"DailyApiRequests"' in out
    assert re.search(r"[}\n]200\n", out)  # the revoke's status line
    assert '{"active":false}' in out
    assert "HTTP/1.1 401" in out and '"errorCode":"INVALID_SESSION_ID"' in out

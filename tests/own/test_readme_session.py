"""The README's Own session, run as written against a real `mockown serve` (backups take three polls)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.server_support import mockown_server

README = Path(__file__).resolve().parents[2] / "README.md"


def _session() -> str:
    section = README.read_text(encoding="utf-8").split("### A first Own session with curl", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match, "the README lost its Own session"
    return match.group(1)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_readme_own_session(tmp_path: Path) -> None:
    script = _session().replace("/tmp/own.jar", str(tmp_path / "own.jar"))
    assert "BASE=http://127.0.0.1:8080" in script
    with mockown_server(env={"MOCKOWN_OWN__BACKUP_MODE": "polls:3"}) as base:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script.replace("BASE=http://127.0.0.1:8080", f"BASE={base}")],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert '"displayed_name":"admin@mockown.test"' in lines[0]
    assert lines[1] == "{}"
    assert lines[2:4] == ["420008 INPROGRESS None", "420008 INPROGRESS None"]
    assert lines[4].startswith("420008 OK 20")
    assert lines[5] == "Id,FirstName,LastName,Email,Phone,Title,LastModifiedDate"
    assert lines[8] == "Id,Name,Phone,BillingCity,BillingCountry,Industry,LastModifiedDate"  # the export's file
    assert len(lines) == 9

"""The README's "SOAP login()" chapter, run as written: its curl example against a real `mockown serve`, its
python example as a user's pytest file (pytester, the plugin from its entry point)."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.docs.test_readme_mc_b2c import README, _example, _run
from tests.plugin.test_pytester import run
from tests.server_support import mockown_server

CHAPTER = "SOAP login()"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_readme_soap_curl_example() -> None:
    with mockown_server() as base:
        out = _run(_example(CHAPTER), base)
    lines = out.splitlines()
    assert lines[0] == f"{base}/services/Soap/u/59.0/00D5g000004Mock"  # serverUrl
    assert lines[1] == "200"  # REST with the session id
    assert "<logoutResponse/>" in lines[2]
    assert '"errorCode":"INVALID_SESSION_ID"' in out  # after logout
    assert "<faultcode>sf:INVALID_LOGIN</faultcode>" in out and lines[-1] == "500"


def test_readme_soap_python_example(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    section = README.read_text(encoding="utf-8").split(f"\n## {CHAPTER}\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    first, _, body = block.partition("\n")
    assert first == "# file: test_soap_login_example.py"
    (pytester.path / "test_soap_login_example.py").write_text(body, encoding="utf-8")
    monkeypatch.delenv("MOCKOWN_URL", raising=False)
    run(pytester, "-q").assert_outcomes(passed=1)

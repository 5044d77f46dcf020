"""Key rotation over a real socket: the README's curl example as written, and `mockown rotate-keys`."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockown import Config, FrozenClock, create_app
from mockown.cli import EXIT_UNREACHABLE, EXIT_USAGE, main
from mockown.server import MockownServer
from tests.conftest import T0
from tests.server_support import refused_url

README = Path(__file__).resolve().parents[2] / "README.md"
CHAPTER = "## Signing-key rotation"


@pytest.fixture
def server() -> Iterator[MockownServer]:
    with MockownServer(create_app(Config(), clock=FrozenClock(T0))) as running:
        yield running


def base(server: MockownServer) -> str:
    return f"http://127.0.0.1:{server.port}"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readme_curl_example(server: MockownServer) -> None:
    section = README.read_text(encoding="utf-8").split(CHAPTER, 1)[1].split("\n## ", 1)[0]
    script = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)[0]
    env = {**os.environ, "BASE": base(server), "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    result = subprocess.run(["bash", "-eo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60,
                            env=env, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    first, rotated, second, ec, ring = result.stdout.splitlines()
    before, kids = ast.literal_eval(first), ast.literal_eval(second)  # the kids the README's one-liner printed
    assert len(before) == 1 and kids[0] == before[0] and len(kids) == 2
    assert json.loads(rotated)["keys"]["rsa"] == {"past": kids[0], "current": kids[1]}
    assert json.loads(ec)["rotated"] == ["ec"]
    assert json.loads(ring)["keys"]["ec"]["current"] == json.loads(ec)["keys"]["ec"]["current"]


def test_the_cli_rotates(server: MockownServer) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["rotate-keys", "--url", base(server), "--key", "ec"])
    assert done.exit_code == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["rotated"] == ["ec"] and answer["keys"]["rsa"] == {"past": None, "current": None}
    both = runner.invoke(main, ["rotate-keys", "--url", base(server)])
    assert both.exit_code == 0 and json.loads(both.stdout)["rotated"] == ["rsa", "ec", "own", "am", "ocapi"]
    assert json.loads(both.stdout)["keys"]["ec"]["past"] == answer["keys"]["ec"]["current"]


def test_the_cli_refuses_bad_input_without_a_traceback() -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["rotate-keys", "--url", "http://127.0.0.1:9", "--key", "dsa"])
    assert bad.exit_code == EXIT_USAGE and "dsa" in bad.stderr and "Traceback" not in bad.output
    with refused_url() as nowhere:
        gone = runner.invoke(main, ["rotate-keys", "--url", nowhere])
    assert gone.exit_code == EXIT_UNREACHABLE and "cannot reach" in gone.stderr

"""python-multipart's log records (Starlette's form parser) go through mockown's logfmt handler, as README's "one
line per event in logfmt, with secrets redacted" says: its warnings about a malformed body ("Expected boundary
character 45, got 103 at index 2") reached stderr bare, through Python's last-resort handler. They are the client's
mistake, answered with a 400: logged at debug (shown with `log_level: debug` only), errors as errors.

Each case runs in a fresh interpreter with the server's logging configuration (`uvicorn_log_config`, what
`mockown serve` hands uvicorn): configuring logging here would change it for every later test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging, logging.config, sys
from mockown.logs import uvicorn_log_config
logging.config.dictConfig(uvicorn_log_config(sys.argv[1]))
from mockown import Config, create_app
from mockown.http.inprocess import in_process_client
client = in_process_client(create_app(Config()))
answer = client.post(
    "/api/auth/v1/login", headers={"content-type": "multipart/form-data; boundary=xx"}, content=b"garbage"
)
print(answer.status_code)
for name in ("python_multipart.multipart", "multipart.multipart"):  # its name, and its name before 0.0.13
    logging.getLogger(name).warning("Found %r in header: Authorization: Bearer zQ9xSecret password=hunter2", "x")
    logging.getLogger(name).error("Error opening temporary file")
"""


def _stderr(level: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, level], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "400", done.stdout
    lines = done.stderr.splitlines()
    bare = [line for line in lines if not line.startswith("ts=")]
    assert not bare, bare  # every line a logfmt event: nothing through the last-resort handler
    return lines


def _multipart(lines: list[str]) -> list[str]:
    return [line for line in lines if "multipart.multipart " in line]


@pytest.mark.parametrize("level", ["info", "warning"])
def test_a_malformed_multipart_body_logs_nothing_above_debug(level: str) -> None:
    lines = _multipart(_stderr(level))
    # only the errors: the warnings are debug records, not shown at this level
    assert [line.split(" ", 1)[1] for line in lines] == [
        'level=error logger=python_multipart.multipart msg="Error opening temporary file"',
        'level=error logger=multipart.multipart msg="Error opening temporary file"',
    ]


def test_at_debug_they_are_logfmt_debug_lines_with_secrets_redacted() -> None:
    lines = [line.split(" ", 1)[1] for line in _multipart(_stderr("debug"))]
    boundary = 'level=debug logger=python_multipart.multipart msg="Expected boundary character 45, got 103 at index 2"'
    assert boundary in lines
    for name in ("python_multipart.multipart", "multipart.multipart"):
        assert (
            f"level=debug logger={name} msg=\"Found 'x' in header: Authorization: Bearer [redacted]"
            f' password=[redacted]"'
        ) in lines
        assert f'level=error logger={name} msg="Error opening temporary file"' in lines
    assert not [line for line in lines if "zQ9xSecret" in line or "hunter2" in line]

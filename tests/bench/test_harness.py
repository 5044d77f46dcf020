"""`make bench` must not rot: run the harness with tiny durations and check the table it prints.

Nothing here depends on timing: the figures are not checked, only that every row is there with a ratio.
The harness needs wrk and node (+ the peer from the npm registry); without them the test skips, saying why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load import parse
from bench.report import Row, table
from bench.tools import Unavailable, ensure_peer

ROOT = Path(__file__).resolve().parents[2]
FIGURES = [
    "token, opaque vs peer",
    "token, opaque vs form ceiling",
    "token, JWT (RS256) vs peer",
    "discovery vs fixed-JSON ceiling",
    "introspection vs form ceiling",
    "REST /limits vs fixed-JSON ceiling",
    "Own exchange vs form ceiling",
    "Own GET /services vs fixed-JSON ceiling",
    "cold start to first 200 vs peer",
    "introspection p50 (CPU), 2,000 vs 1,000 live tokens",
    "resident memory per live token (2,000)",
    "per test: pytest plugin, in-process vs --mockown-url",
    "per test: in-process fixture (fresh app) vs socket",
]

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:1/
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.50ms  200.00us   3.00ms   90.00%
  Latency Distribution
     50%  850.00us
     75%    1.60ms
  1234 requests in 1.00s, 300.00KB read
  Non-2xx or 3xx responses: 7
Requests/sec:   1234.50
"""


def test_wrk_output_is_read() -> None:
    result = parse(WRK_OUTPUT)
    assert (result.rps, result.p50_ms, result.requests, result.errors) == (1234.5, 0.85, 1234, 7)


def test_verdicts() -> None:
    rows = [Row("a", "", "", 3.1, ">= 3.0x"), Row("b", "", "", 1.3, "<= 1.2x"), Row("c", "", "", 500, "<= 600B", "B")]
    assert [r.verdict for r in rows] == ["met", "MISSED", "met"]
    lines = table(rows).splitlines()
    assert len(lines) == 5 and "MISSED" in lines[3] and "500.00B" in lines[4]


def _tools_or_skip() -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (the harness installs it with `apt-get install -y wrk`; make bench)")
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the peer oauth2-mock-server cannot run")
    try:
        ensure_peer(install=True)
    except Unavailable as exc:
        pytest.skip(f"the peer is unavailable: {exc}")


def test_harness_prints_the_table(tmp_path: Path) -> None:
    _tools_or_skip()
    out = tmp_path / "raw.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["--duration", "1", "--warmup", "0", "--rounds", "1", "--starts", "1", "--tokens", "1000,2000",
            "--live-rounds", "3", "--tests", "2", "--no-install", "--json", str(out)]  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("mockown benchmarks: ")
    rows = {line.split("|")[1].strip(): line for line in lines if line.startswith("| ")}
    for figure in FIGURES:
        assert figure in rows, f"no row {figure!r} in:\n{done.stdout}"
        assert re.search(r"\| \d+\.\d\d(x|B) +\|", rows[figure]), rows[figure]
    assert re.match(r"targets: \d+ met, \d+ missed", lines[-1])
    assert out.exists() and '"rows"' in out.read_text()

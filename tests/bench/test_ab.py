"""`python -m bench.ab` (two versions side by side) must not rot: one tiny round of cold starts, and of a load when
wrk is here. Nothing is timed or compared: the report must name both versions, and each exported tree must load
its own package."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from bench.ab import Version, export, package_of

ROOT = Path(__file__).resolve().parents[2]


def test_an_exported_revision_loads_its_own_package(tmp_path: Path) -> None:
    tree = export("HEAD", tmp_path)
    assert (tree / "mockown" / "__init__.py").is_file()
    assert package_of(Version("HEAD", tree)) == tree / "mockown"
    assert package_of(Version("work", None)) == ROOT / "mockown"


def test_a_tiny_comparison_reports_both_versions() -> None:
    scenarios = "discovery" if shutil.which("wrk") else ""
    cmd = [sys.executable, "-m", "bench.ab", "--rounds", "1", "--starts", "1", "--scenarios", scenarios,
           "--duration", "1", "HEAD", "work"]  # fmt: skip
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("cold start") and "HEAD" in line for line in lines)
    assert any(line.startswith("cold start") and "work" in line for line in lines)
    if scenarios:
        assert sum(line.startswith("discovery") for line in lines) == 2

"""npm packages for the Node interop tests (`make soak`): each pinned release installed once into a cache of
its own (`$INTEROP_CACHE`, default `~/.cache/mockown-interop`, one directory per package and version), and the
run of a test file's scenario script, which prints one JSON line per scenario."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

PING_TIMEOUT = 20.0  # seconds `npm ping` may take before the registry counts as unreachable


def cache_root() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mockown-interop"
    return Path(os.environ.get("INTEROP_CACHE") or default)


def require_node() -> None:
    """Skip the calling test or fixture when node or npm is not on PATH."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the Node interop tests (not on PATH)")


def registry_reachable(npm: str) -> None:
    """Skip the calling test or fixture when npm's registry does not answer `npm ping` (an offline machine): a
    missing package cannot be installed there, which says nothing about the mock. A registry that answers and an
    install that then fails still fail the test (`install`)."""
    try:
        done = subprocess.run(
            [npm, "ping", "--fetch-retries=0", "--fetch-timeout=10000", "--loglevel=error"],
            capture_output=True, text=True, timeout=PING_TIMEOUT, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm registry unreachable: no answer to npm ping within {PING_TIMEOUT} s")
    if done.returncode != 0:
        pytest.skip(f"npm registry unreachable: npm ping failed ({done.returncode}): {done.stderr.strip()[-500:]}")


def install(package: str, version: str, overrides: Mapping[str, str] | None = None) -> Path:
    """The cache directory holding `node_modules/<package>` at the pinned version; npm installs it when missing,
    into a temporary sibling first, renamed into place, so a half-finished install is never used. `overrides`
    pins dependencies of the package (npm's `overrides`, e.g. the last release of one that still runs on this
    Node); the cache directory's name carries them."""
    name = package.replace("/", "+").lstrip("@")
    pins = "".join(f"+{k.replace('/', '+').lstrip('@')}-{v}" for k, v in sorted((overrides or {}).items()))
    home = cache_root() / f"{name}-{version}{pins}"
    if (home / "node_modules" / package / "package.json").is_file():
        return home
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is needed for the Node interop tests (not on PATH)")
    registry_reachable(npm)
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-{version}-", dir=home.parent))
    if overrides:
        (staging / "package.json").write_text(json.dumps({"private": True, "overrides": dict(overrides)}))
    done = subprocess.run(
        [npm, "install", "--prefix", str(staging), "--no-audit", "--no-fund", "--loglevel=error",
         f"{package}@{version}"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.fail(f"npm install {package}@{version} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    try:
        staging.rename(home)
    except OSError:  # another run installed it meanwhile
        shutil.rmtree(staging, ignore_errors=True)
    return home


def run_scenarios(script: Path, config: dict[str, Any], timeout: float = 180) -> dict[str, dict[str, Any]]:
    """Every line `node script <config as JSON>` printed, by the name in its `scenario` key (taken out of it).
    The script must exit 0; a scenario that threw prints its line with `error` and `stack` (see `scenario`)."""
    done = subprocess.run(
        ["node", str(script), json.dumps(config)], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"node {script.name} exited {done.returncode}: {done.stderr}"
    seen: dict[str, dict[str, Any]] = {}
    for text in done.stdout.splitlines():
        if text.strip():
            line = json.loads(text)
            name = line.pop("scenario")
            assert name not in seen, f"node {script.name} printed two lines for {name}"
            seen[name] = line
    return seen


def scenario(seen: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    """The line the script printed for `name`; a test fails when there is none, or when the client library
    threw in that scenario (the line holds its `error` and `stack`)."""
    assert name in seen, f"the script printed no line for {name}"
    line = seen[name]
    assert "error" not in line, f"{name}: the client library raised {line['error']} at {line.get('stack')}"
    return line

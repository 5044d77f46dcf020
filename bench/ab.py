"""Two versions of mockown side by side: cold starts and `wrk` loads, the versions alternating round by round.

``python -m bench.ab [--rounds N] [--starts N] [--scenarios a,b] [--duration S] REV_A REV_B``

Each REV is a git revision of this checkout (exported with ``git archive`` into a temporary directory and
byte-compiled) or ``work`` (the working tree). A version's ``mockown serve`` runs from its own tree: the tree first on
``PYTHONPATH`` and a working directory outside the checkout, so that the other version's package cannot load (with
``python -m`` the working directory comes first on ``sys.path``). Every round starts each version `--starts` times
(polled every 2 ms until discovery answers 200), then serves each `--scenarios` load (``bench.scenarios``: the bench
org seeded, 2 s of warm-up, then `--duration` s of ``wrk -t1 -c16``), the versions in turn, so whatever slows the
machine slows both. Prints the medians of each version and the per-round values; the server's CPU per request comes
from ``/proc/PID/stat`` (Linux). Not a test: the answers are checked, the timings are not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .load import run_wrk
from .scenarios import prepare_mockown
from .tools import ROOT, ensure_wrk, free_port, stop, wait_ready

DISCOVERY = "/.well-known/openid-configuration"


@dataclass
class Version:
    rev: str
    tree: Path | None  # None: the working tree (the installed, editable package)
    starts_ms: list[float] = field(default_factory=list)
    loads: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # scenario -> (req/s, CPU us/req)


def export(rev: str, into: Path) -> Path:
    """`rev` of this checkout as a directory tree, byte-compiled as an install would leave it."""
    tree = into / rev.replace("/", "_")
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "mockown")], check=True, capture_output=True)
    return tree


def _env(version: Version) -> dict[str, str]:
    env = dict(os.environ)
    if version.tree is not None:
        env["PYTHONPATH"] = str(version.tree)
    else:
        env.pop("PYTHONPATH", None)
    return env


def package_of(version: Version) -> Path:
    """Where the version's `mockown` package loads from, as `serve` starts it; a tree's must be its own."""
    code = "import mockown; print(mockown.__file__)"
    out = subprocess.run([sys.executable, "-c", code], env=_env(version), cwd=tempfile.gettempdir(),
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    where = Path(out.strip()).parent
    if version.tree is not None and not where.is_relative_to(version.tree):
        raise RuntimeError(f"{version.rev}: mockown loads from {where}, not from its tree {version.tree}")
    return where


def serve(version: Version, port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "mockown", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning"]  # fmt: skip
    return subprocess.Popen(cmd, env=_env(version), cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_round(versions: list[Version], wrk: str | None, scenarios: list[str], starts: int, duration: float) -> None:
    for version in versions:
        for _ in range(starts):
            port = free_port()
            proc = serve(version, port)
            try:
                version.starts_ms.append(wait_ready(f"http://127.0.0.1:{port}{DISCOVERY}", proc) * 1000)
            finally:
                stop(proc)
    if not scenarios or wrk is None:
        return
    for version in versions:
        port = free_port()
        proc = serve(version, port)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base + DISCOVERY, proc)
            by_key = {s.key: s for s in prepare_mockown(base)}
            for key in scenarios:
                run_wrk(wrk, base, by_key[key].request, 2)
                before = cpu_seconds(proc.pid)
                result = run_wrk(wrk, base, by_key[key].request, duration)
                spent = cpu_seconds(proc.pid) - before
                if result.errors:
                    raise RuntimeError(f"{version.rev} {key}: {result.errors} errors under load")
                version.loads.setdefault(key, []).append((result.rps, spent / max(result.requests, 1) * 1e6))
        finally:
            stop(proc)


def report(versions: list[Version], scenarios: list[str]) -> str:
    lines = []
    for version in versions:
        if version.starts_ms:
            runs = ", ".join(f"{ms:.0f}" for ms in version.starts_ms)
            lines.append(
                f"cold start  {version.rev:>12}  median {statistics.median(version.starts_ms):6.0f} ms   ({runs})"
            )
    for key in scenarios:
        for version in versions:
            runs_ = version.loads.get(key, [])
            if runs_:
                rps = statistics.median(r for r, _ in runs_)
                cpu = statistics.median(c for _, c in runs_)
                each = ", ".join(f"{r:.0f}" for r, _ in runs_)
                lines.append(f"{key:11s} {version.rev:>12}  median {rps:8.0f} req/s, {cpu:6.0f} us CPU/req   ({each})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.split("\n\n")[0])
    p.add_argument("revs", nargs=2, metavar="REV", help="git revisions of this checkout, or 'work'")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--starts", type=int, default=3, help="cold starts of each version per round (0: none)")
    p.add_argument("--scenarios", default="token_jwt", help="bench.scenarios keys, comma-separated ('' for none)")
    p.add_argument("--duration", type=float, default=5.0, help="seconds of each measured wrk run")
    args = p.parse_args(argv)
    scenarios = [s for s in args.scenarios.split(",") if s]
    wrk = ensure_wrk() if scenarios else None
    with tempfile.TemporaryDirectory(prefix="mockown-ab-") as tmp:
        versions = [Version(rev, None if rev == "work" else export(rev, Path(tmp))) for rev in args.revs]
        for version in versions:
            print(f"[ab] {version.rev}: {package_of(version)}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        for n in range(args.rounds):
            print(f"[ab] round {n + 1} of {args.rounds}", file=sys.stderr, flush=True)
            one_round(versions, wrk, scenarios, args.starts, args.duration)
        print(report(versions, scenarios))
        print(f"({args.rounds} rounds, {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

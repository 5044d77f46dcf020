"""`python -m bench`: run every measurement side by side and print the table (see BENCHMARKS.md)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import scenarios as sc
from .load import Result, run_wrk
from .report import Row, table
from .tools import (
    ROOT,
    Unavailable,
    ceiling_cmd,
    child_env,
    ensure_peer,
    ensure_wrk,
    free_port,
    mockown_cmd,
    peer_cmd,
    python,
    running,
    start,
    stop,
    wait_ready,
)

DISCOVERY = "/.well-known/openid-configuration"
ORDER = [  # neighbours are compared with each other
    "peer/token", "mockown/token_opaque", "ceiling/form", "mockown/token_jwt", "mockown/introspect",
    "mockown/own_exchange", "ceiling/fixed", "mockown/discovery", "peer/discovery", "mockown/rest",
    "mockown/own_services",
]  # fmt: skip


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--duration", type=float, default=10.0, help="seconds of load per scenario (default 10)")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load first (default 2)")
    p.add_argument("--connections", type=int, default=16, help="wrk connections (default 16, one thread)")
    p.add_argument("--rounds", type=int, default=3, help="rounds of every load scenario; ratios are medians (3)")
    p.add_argument("--starts", type=int, default=7, help="cold starts per server, the median is kept (default 7)")
    p.add_argument("--tokens", default="1000,1000000", help="live-token counts, small,large (default 1000,1000000)")
    p.add_argument("--live-rounds", type=int, default=15, help="alternating latency rounds, live tokens (15)")
    p.add_argument("--tests", type=int, default=100, help="typical tests per per-test timing (default 100)")
    p.add_argument("--no-install", action="store_true", help="fail instead of installing wrk or the peer")
    p.add_argument("--json", type=Path, default=None, help="also write the raw measurements to this file")
    return p.parse_args(argv)


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def load(wrk: str, base: str, s: sc.Scenario, a: argparse.Namespace) -> Result:
    if a.warmup > 0:
        run_wrk(wrk, base, s.request, a.warmup, a.connections)
    result = run_wrk(wrk, base, s.request, a.duration, a.connections)
    log(f"{s.target}/{s.key}: {result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms, {result.errors} errors")
    if result.errors:
        raise RuntimeError(f"{s.target}/{s.key}: {result.errors} error answers under load")
    return result


def cold_start(cmd: list[str], url: str) -> float:
    proc = start(cmd)
    try:
        return wait_ready(url, proc, interval=0.002)
    finally:
        stop(proc)


def precompile() -> None:
    """Write the bytecode cache of mockown and the harness, as pip does at install time and Python on a first
    run: without it (PYTHONDONTWRITEBYTECODE=1, as in some sandboxes) every start compiles every module."""
    import mockown

    for path in (Path(mockown.__file__).parent, ROOT / "bench"):
        subprocess.run([python(), "-m", "compileall", "-q", str(path)], check=True, capture_output=True)


def live_tokens(small: int, large: int, rounds: int) -> dict[str, Any]:
    """Introspection latency with `small` and with `large` live tokens: two stores in one process (`bench.inproc
    live`), measured alternately; the ratio is the median of per-round ratios (each round: 200 introspections
    in each store, back to back)."""
    out = inproc("live", str(small), str(large), str(rounds))
    per_round = [out["small"].pop("rounds"), out["large"].pop("rounds")]
    for i, name in enumerate(("small", "large")):
        for k in ("p50_cpu_us", "p50_wall_us"):
            out[name][k] = statistics.median(r[k] for r in per_round[i])
    for k in ("p50_cpu_us", "p50_wall_us"):
        out[k.replace("p50", "ratio")] = statistics.median(
            b[k] / s[k] for s, b in zip(per_round[0], per_round[1], strict=True)
        )
    out["bytes_per_token"] = out["large"]["bytes_per_token"]
    return out


def inproc(*args: str) -> dict[str, Any]:
    out = subprocess.run([python(), "-m", "bench.inproc", *args], capture_output=True, text=True, env=child_env(),
                         cwd=ROOT, check=False, timeout=3600)  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"bench.inproc {' '.join(args)} failed:\n{out.stderr[-2000:]}")
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        if names:
            cpu = names[0]
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {system}"


def run(a: argparse.Namespace) -> tuple[list[Row], dict[str, Any]]:
    precompile()
    wrk = ensure_wrk(install=not a.no_install)
    peer = ensure_peer(install=not a.no_install)
    node_version = subprocess.run([peer[0], "--version"], capture_output=True, text=True, check=False).stdout.strip()
    raw: dict[str, Any] = {"machine": machine(), "node": node_version, "args": vars(a) | {"json": str(a.json)}}
    log(raw["machine"] + f", node {node_version}")
    runs: dict[str, list[Result]] = {}
    with contextlib.ExitStack() as stack:
        bases: dict[str, str] = {}
        servers = [("mockown", mockown_cmd, DISCOVERY), ("peer", lambda p: peer_cmd(peer, p), DISCOVERY),
                   ("ceiling", ceiling_cmd, "/fixed")]  # fmt: skip
        for target, cmd, ready in servers:
            port = free_port()
            bases[target] = f"http://127.0.0.1:{port}"
            stack.enter_context(running(cmd(port), bases[target] + ready))
        scenarios = {f"mockown/{s.key}": s for s in sc.prepare_mockown(bases["mockown"])}
        for s in [*sc.peer_scenarios(), *sc.ceiling_scenarios()]:
            sc.check_plain(bases[s.target], s)
            scenarios[f"{s.target}/{s.key}"] = s
        # each round runs every scenario once, each next to what it is compared with; ratios are per round
        for n in range(a.rounds):
            log(f"round {n + 1} of {a.rounds}")
            for key in ORDER:
                s = scenarios[key]
                runs.setdefault(key, []).append(load(wrk, bases[s.target], s, a))
    raw["load"] = {k: [vars(r) for r in v] for k, v in runs.items()}

    precompile()
    ours_times: list[float] = []
    peer_times: list[float] = []
    for _ in range(a.starts):  # alternately, so that a busy moment hits both
        port = free_port()
        ours_times.append(cold_start(mockown_cmd(port), f"http://127.0.0.1:{port}{DISCOVERY}"))
        port = free_port()
        peer_times.append(cold_start(peer_cmd(peer, port), f"http://127.0.0.1:{port}{DISCOVERY}"))
    ours_cold, peer_cold = statistics.median(ours_times), statistics.median(peer_times)
    log(f"cold start: mockown {ours_cold * 1000:.0f} ms, peer {peer_cold * 1000:.0f} ms")
    raw["cold_start_s"] = {"mockown": ours_times, "peer": peer_times}

    small, large = (int(x) for x in a.tokens.split(","))
    live = live_tokens(small, large, a.live_rounds)
    log(f"live tokens: {live}")
    raw["live"] = live
    live_small, live_large = live["small"], live["large"]

    port = free_port()
    with running(mockown_cmd(port), f"http://127.0.0.1:{port}{DISCOVERY}"):
        socket_t = inproc("pertest", str(a.tests), f"http://127.0.0.1:{port}")
    local_t = inproc("pertest", str(a.tests))
    log(f"per test: {local_t} / {socket_t}")
    raw["per_test_ms"] = {**local_t, **socket_t}
    # the typical test through the pytest plugin: --mockown-url against a fresh `mockown serve`, then
    # in-process, alternately; ratios are medians of the per-round ratios
    plugin_rounds: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for _ in range(a.rounds):
        port = free_port()
        with running(mockown_cmd(port), f"http://127.0.0.1:{port}{DISCOVERY}") as server:
            over = inproc("plugin", str(a.tests), f"http://127.0.0.1:{port}", str(server.pid))
        plugin_rounds.append((over, inproc("plugin", str(a.tests))))
        log(f"per test, plugin: {plugin_rounds[-1]}")
    raw["per_test_plugin"] = plugin_rounds

    def plugin_figure(field: str) -> tuple[float, float, float]:
        sock = statistics.median(o[f"plugin_socket_{field}"] for o, _ in plugin_rounds)
        local = statistics.median(i[f"plugin_inprocess_{field}"] for _, i in plugin_rounds)
        ratios = [o[f"plugin_socket_{field}"] / i[f"plugin_inprocess_{field}"] for o, i in plugin_rounds]
        return local, sock, statistics.median(ratios)

    plugin_wall, plugin_cpu = plugin_figure("ms"), plugin_figure("cpu_ms")

    def r(key: str) -> float:
        return statistics.median(x.rps for x in runs[key])

    def fmt(key: str) -> str:
        return f"{r(key):,.0f} req/s"

    def ratio(a_: float, b: float) -> float:
        return a_ / b if b else float("nan")

    def load_ratio(ours: str, theirs: str) -> float:
        return statistics.median(x.rps / y.rps for x, y in zip(runs[ours], runs[theirs], strict=True))

    def load_row(figure: str, ours: str, theirs: str, target: str = "") -> Row:
        """A load figure: mockown's scenario `ours` against `theirs` ("peer/..." or "ceiling/...")."""
        against = theirs.split("/", 1)[0]
        return Row(figure, fmt(ours), f"{against} {fmt(theirs)}", load_ratio(ours, theirs), target)

    rows = [
        load_row("token, opaque vs peer", "mockown/token_opaque", "peer/token", ">= 3.0x"),
        load_row("token, opaque vs form ceiling", "mockown/token_opaque", "ceiling/form", ">= 0.6x"),
        load_row("token, JWT (RS256) vs peer", "mockown/token_jwt", "peer/token", ">= 1.0x"),
        load_row("discovery vs fixed-JSON ceiling", "mockown/discovery", "ceiling/fixed", ">= 0.8x"),
        load_row("discovery vs peer", "mockown/discovery", "peer/discovery"),
        load_row("introspection vs form ceiling", "mockown/introspect", "ceiling/form"),
        load_row("REST /limits vs fixed-JSON ceiling", "mockown/rest", "ceiling/fixed"),
        load_row("Own exchange vs form ceiling", "mockown/own_exchange", "ceiling/form"),
        load_row("Own GET /services vs fixed-JSON ceiling", "mockown/own_services", "ceiling/fixed"),
        Row("cold start to first 200 vs peer", f"{ours_cold * 1000:.0f} ms", f"peer {peer_cold * 1000:.0f} ms",
            ratio(ours_cold, peer_cold), "<= 1.0x"),
        Row(f"introspection p50 (CPU), {large:,} vs {small:,} live tokens", f"{live_large['p50_cpu_us']:.0f} us",
            f"{live_small['p50_cpu_us']:.0f} us", live["ratio_cpu_us"], "<= 1.2x"),
        Row(f"introspection p50 (wall), {large:,} vs {small:,} live tokens", f"{live_large['p50_wall_us']:.0f} us",
            f"{live_small['p50_wall_us']:.0f} us", live["ratio_wall_us"], ""),
        Row(f"resident memory per live token ({large:,})", f"{live['bytes_per_token']:.0f} B",
            f"RSS {live_large['rss_empty'] / 2**20:.0f} MiB -> {live_large['rss_bytes'] / 2**20:.0f} MiB",
            live["bytes_per_token"], "<= 600B", "B"),
        Row("per test: pytest plugin, in-process vs --mockown-url", f"{plugin_wall[0]:.1f} ms",
            f"socket {plugin_wall[1]:.1f} ms", plugin_wall[2], ">= 3.0x"),
        Row("per test (CPU, + server's): plugin, in-process vs --mockown-url", f"{plugin_cpu[0]:.1f} ms",
            f"socket {plugin_cpu[1]:.1f} ms", plugin_cpu[2], ""),
        Row("per test: in-process fixture (fresh app) vs socket", f"{local_t['fresh_app_ms']:.1f} ms",
            f"socket {socket_t['socket_ms']:.1f} ms", ratio(socket_t["socket_ms"], local_t["fresh_app_ms"]), ""),
        Row("per test: in-process, shared app vs socket", f"{local_t['shared_app_ms']:.1f} ms",
            f"socket {socket_t['socket_ms']:.1f} ms", ratio(socket_t["socket_ms"], local_t["shared_app_ms"]), ""),
    ]  # fmt: skip
    return rows, raw


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    started = time.perf_counter()
    try:
        rows, raw = run(a)
    except Unavailable as exc:
        print(f"bench: cannot run: {exc}", file=sys.stderr)
        return 3
    print(
        f"mockown benchmarks: {raw['machine']}; node {raw['node']}; wrk -t1 -c{a.connections} -d{a.duration:g}s,"
        f" {a.rounds} rounds (load ratios: median of per-round ratios)"
    )
    print(table(rows))
    missed = [r.figure for r in rows if r.verdict == "MISSED"]
    print(f"targets: {sum(r.verdict == 'met' for r in rows)} met, {len(missed)} missed"
          f" ({time.perf_counter() - started:.0f} s)")  # fmt: skip
    if a.json:
        raw["rows"] = [vars(r) | {"verdict": r.verdict} for r in rows]
        a.json.write_text(json.dumps(raw, indent=2))
    return 0

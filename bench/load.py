"""Load with wrk: one thread, 16 connections, a Lua script for method, body and headers."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Request:
    method: str
    path: str
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    rps: float
    p50_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers plus socket errors


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _lua(req: Request) -> str:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"wrk.method = {q(req.method)}"]
    if req.body:
        lines.append(f"wrk.body = {q(req.body)}")
    for k, v in req.headers.items():
        lines.append(f"wrk.headers[{q(k)}] = {q(v)}")
    return "\n".join(lines) + "\n"


def run_wrk(wrk: str, base: str, req: Request, duration: float, connections: int = 16, threads: int = 1) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "req.lua"
        script.write_text(_lua(req))
        cmd = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration))}s", "--latency",
               "--timeout", "10s", "-s", str(script), base + req.path]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    return parse(out)


def parse(out: str) -> Result:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s|m)\b", out)
    if not (rps and total and p50):
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors += sum(int(g) for g in sock.groups())
    return Result(float(rps.group(1)), float(p50.group(1)) * _UNITS[p50.group(2)], int(total.group(1)), errors)

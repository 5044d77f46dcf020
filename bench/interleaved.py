"""The opaque token request in-process, interleaved call by call with the form ceiling's (thread CPU time).

``python -m bench.interleaved [--calls N] [--thrash BYTES] [--variant NAME=MODULE:FUNCTION ...]
[--setting NAME=KEY=VALUE ...] [--grown NAME=N ...]``

One app per entry (the bench org seeded in each): ``mockown`` as it is, one more per ``--variant``, whose request
pipeline's ``__call__`` is replaced by ``FUNCTION`` (``async def f(pipeline, scope, receive, send)``; a patch to
try before writing it properly), one more per ``--setting`` (mockown with that setting: ``KEY`` a `Config` field,
``VALUE`` JSON or text), one more per ``--grown`` (mockown after ``N`` token requests: a full journal, a large
store), and the ceiling's ``POST /token`` (`bench/ceiling.py`). Each round calls every
app once, in turn, so whatever slows the machine slows them all alike. ``--thrash`` writes over that many bytes
between calls (default 2 MB, this machine's L2): a loaded server's caches are cold between requests, and without
it the small ceiling app gains less than it does under ``wrk``. Prints each app's median and the ceiling / app
ratio (the load figure's "opaque vs form ceiling" is a throughput ratio, the same quotient).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import importlib
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from .inproc import _asgi_call
from .scenarios import SEED

BODY = b"grant_type=client_credentials"
FORM = (b"content-type", b"application/x-www-form-urlencoded")


def _mockown_call(variant: Callable[..., Any] | None, **settings: Any) -> Callable[[], Any]:
    from mockown import Config, create_app
    from mockown.http.inprocess import in_process_client

    app = create_app(Config(seed_defaults=True, **settings))
    with in_process_client(app, base_url="http://127.0.0.1:8080") as client:
        orgs = client.post("/_mockown/seed", json=SEED).json()["salesforce"]["orgs"]
    opaque = next(a for a in orgs[0]["apps"] if a["name"] == "Bench opaque")
    if variant is not None:
        stack = app.middleware_stack or app.build_middleware_stack()
        app.middleware_stack = stack
        stack.__class__ = type("Variant", (type(stack),), {"__call__": variant})
    pair = f"{opaque['client_id']}:{opaque['client_secret']}".encode()
    auth = (b"authorization", b"Basic " + base64.b64encode(pair))
    return _asgi_call(app, "POST", "/services/oauth2/token", BODY, [auth, FORM])  # type: ignore[no-any-return]


def _ceiling_call() -> Callable[[], Any]:
    from .ceiling import app

    auth = (b"authorization", b"Basic " + base64.b64encode(b"bench-client:bench-secret"))
    return _asgi_call(app, "POST", "/token", BODY + b"&scope=api", [auth, FORM])  # type: ignore[no-any-return]


def _setting(spec: str) -> tuple[str, dict[str, Any]]:
    """``NAME=KEY=VALUE``: the app's name and its `Config` keyword (VALUE read as JSON when it is JSON)."""
    name, _, rest = spec.partition("=")
    key, _, text = rest.partition("=")
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    return name, {key: value}


def _grown(spec: str) -> tuple[str, Callable[[], Any]]:
    """``NAME=N``: a mockown app that has answered N token requests before the measurement."""
    name, _, count = spec.partition("=")
    call = _mockown_call(None)
    loop = asyncio.new_event_loop()
    try:
        for _ in range(int(count)):
            loop.run_until_complete(call())
    finally:
        loop.close()
    return name, call


def _load(spec: str) -> Callable[..., Any]:
    module, _, name = spec.partition(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return found


def measure(calls: dict[str, Callable[[], Any]], rounds: int, thrash: int, warmup: int = 300) -> dict[str, float]:
    """Median thread CPU time (µs) of each call, interleaved round by round."""
    loop = asyncio.new_event_loop()
    buffer = bytearray(thrash)
    stride = b"x" * len(buffer[::64])
    times: dict[str, list[float]] = {name: [] for name in calls}
    try:
        for i in range(warmup + rounds):
            for name, call in calls.items():
                if buffer:
                    buffer[::64] = stride
                started = time.thread_time_ns()
                status, body = loop.run_until_complete(call())
                spent = (time.thread_time_ns() - started) / 1000
                if status != 200:
                    raise RuntimeError(f"{name}: {status} {body[:200]!r}")
                if i >= warmup:
                    times[name].append(spent)
    finally:
        loop.close()
    return {name: statistics.median(spent) for name, spent in times.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.interleaved", description=__doc__.split("\n\n")[0])
    p.add_argument("--calls", type=int, default=2000, help="measured calls of each app (default 2000)")
    p.add_argument("--thrash", type=int, default=2_000_000, help="bytes written between calls (default 2 MB)")
    p.add_argument("--variant", action="append", default=[], metavar="NAME=MODULE:FUNCTION")
    p.add_argument("--setting", action="append", default=[], metavar="NAME=KEY=VALUE")
    p.add_argument("--grown", action="append", default=[], metavar="NAME=N")
    args = p.parse_args(argv)
    calls = {"mockown": _mockown_call(None)}
    for spec in args.variant:
        name, _, target = spec.partition("=")
        calls[name] = _mockown_call(_load(target))
    for spec in args.setting:
        name, settings = _setting(spec)
        calls[name] = _mockown_call(None, **settings)
    for spec in args.grown:
        name, call = _grown(spec)
        calls[name] = call
    calls["ceiling"] = _ceiling_call()
    medians = measure(calls, args.calls, args.thrash)
    ceiling = medians["ceiling"]
    for name, median in medians.items():
        print(f"{name:12s} {median:7.1f} us   ceiling / this {ceiling / median:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

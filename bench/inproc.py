"""In-process measurements, each in a fresh interpreter (``python -m bench.inproc <what> ...`` prints JSON).

- ``live SMALL LARGE ROUNDS``: two apps in this process, their stores filled with SMALL and LARGE live access
  tokens through the Salesforce core (`SalesforceService.issue`, the code the token endpoint runs, without
  HTTP); resident memory per token (RSS after - before the fill, / N); then ROUNDS alternating rounds of 200
  introspections through each whole ASGI app (middleware, routing, handler; no socket), each round's p50s.
- ``pertest N [URL]``: wall time of a typical test (fresh org, token, introspect, revoke, REST 401) with the
  in-process fixtures (a fresh app per test, as `tests/conftest.py`; and a shared app), or over a socket
  against the `mockown serve` at URL.
- ``plugin N [URL [PID]]``: the same typical test through the pytest plugin (the ``mockown`` fixture: a fresh org and
  Own account per test on the session's server), N tests in one ``pytest`` run in a subprocess, in-process or
  with ``--mockown-url URL``; each test's wall time is taken around pytest's whole protocol for it (fixture
  set-up, the test, teardown, reporting). The first two tests (the session's server, first imports) and the
  last (session teardown) are left out; the figure is the mean of the others. CPU time per test: the pytest
  process's, plus (with the server's PID) the server process's during the same tests.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import statistics
import sys
import time
from typing import Any

from .tools import rss_bytes

BASE = "http://127.0.0.1:8080"
DEMO_CID = "3MVG9MockownDemoConsumerKey0000000000000000000000000000000000000000000000000000000"
DEMO_SECRET = "MOCKOWNDEMOSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
SAMPLES = 2000


def _asgi_call(app: Any, method: str, path: str, body: bytes, headers: list[tuple[bytes, bytes]]) -> Any:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8080"), (b"content-length", str(len(body)).encode()), *headers],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8080), "state": {},
    }  # fmt: skip

    async def call() -> tuple[int, bytes]:
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, send)
        return status, b"".join(chunks)

    return call


class LiveStore:
    """An app whose store holds `n` live access tokens (filled through the Salesforce core, no HTTP)."""

    def __init__(self, n: int) -> None:
        from mockown import Config, create_app
        from mockown.salesforce.service import Issued

        self.app = create_app(Config(seed_defaults=True))
        service = self.app.state.runtime.salesforce
        client = service.app_by_client_id(DEMO_CID)
        user = service.user_by_username(client.client_credentials_user)
        org = service.org(user.org_id)
        self.loop = asyncio.new_event_loop()
        auth = (b"authorization", b"Basic " + base64.b64encode(f"{DEMO_CID}:{DEMO_SECRET}".encode()))
        form = (b"content-type", b"application/x-www-form-urlencoded")
        self.measure(1)  # every code path once, then the baseline
        gc.collect()
        self.rss_empty = rss_bytes()
        empty = len(service.access_tokens)
        started = time.perf_counter()
        raws: list[str] = []
        step = max(1, n // SAMPLES)
        for i in range(n):
            scopes = service.grant_scopes(client, "api id")  # what the bench's client-credentials app is granted
            body = service.issue(Issued(org=org, user=user, app=client, scopes=scopes, api_instance_url=True), BASE)
            if i % step == 0:
                raws.append(str(body["access_token"]))
        self.fill_seconds = time.perf_counter() - started
        gc.collect()
        self.rss = rss_bytes()
        self.tokens = len(service.access_tokens) - empty
        self.calls = [_asgi_call(self.app, "POST", "/services/oauth2/introspect", f"token={r}".encode(),
                                 [auth, form]) for r in raws[:SAMPLES]]  # fmt: skip

    def measure(self, count: int) -> tuple[float, float]:
        """p50 of `count` introspections, in the thread's CPU time and in wall time (microseconds)."""
        if not hasattr(self, "calls"):
            return 0.0, 0.0
        cpu: list[float] = []
        wall: list[float] = []
        for i in range(count):
            call = self.calls[i % len(self.calls)]
            w0, c0 = time.perf_counter_ns(), time.thread_time_ns()
            status, out = self.loop.run_until_complete(call())
            c1, w1 = time.thread_time_ns(), time.perf_counter_ns()
            cpu.append((c1 - c0) / 1000)
            wall.append((w1 - w0) / 1000)
            if status != 200 or b'"active":true' not in out:
                raise RuntimeError(f"introspection failed: {status} {out[:200]!r}")
        return statistics.median(cpu), statistics.median(wall)


def live_pair(small: int, large: int, rounds: int, count: int = 200) -> dict[str, Any]:
    """Two stores in this one process, `small` and `large` live tokens, measured alternately (`rounds` rounds of
    `count` introspections in each). One process for both, so that what slows a whole process down (where its
    memory landed, the core it sticks to on a busy VM) slows both sides of the ratio: with one process per
    size, one of them was now and then 35-60% slower for its whole life. Memory per token: the large fill's."""
    stores = [LiveStore(small), LiveStore(large)]
    for store in stores:
        store.measure(len(store.calls))  # warm
    per_round: list[list[dict[str, float]]] = [[], []]
    for _ in range(rounds):
        for i, store in enumerate(stores):
            cpu, wall = store.measure(count)
            per_round[i].append({"p50_cpu_us": cpu, "p50_wall_us": wall})
    out: dict[str, Any] = {}
    for name, store, rows in zip(("small", "large"), stores, per_round, strict=True):
        out[name] = {"tokens": store.tokens, "rss_bytes": store.rss, "rss_empty": store.rss_empty,
                     "bytes_per_token": (store.rss - store.rss_empty) / max(1, store.tokens),
                     "fill_seconds": store.fill_seconds, "rounds": rows}  # fmt: skip
    return out


def _typical(client: Any) -> None:
    """A typical test: a fresh org, a token, introspect it, revoke it, REST answers 401."""
    doc = {"salesforce": {"orgs": [{"users": [{"username": None}], "apps": [{"scopes": ["api", "id"]}]}]}}
    org = client.post("/_mockown/seed", json=_org_doc(doc)).json()["salesforce"]["orgs"][0]
    app, user = org["apps"][0], org["users"][0]
    cred = (app["client_id"], app["client_secret"])
    got = client.post("/services/oauth2/token", data={"grant_type": "password", "username": user["username"],
                      "password": user["password"] + (user.get("security_token") or "")}, auth=cred)  # fmt: skip
    token = got.json()["access_token"]
    assert client.post("/services/oauth2/introspect", data={"token": token}, auth=cred).json()["active"] is True
    assert client.post("/services/oauth2/revoke", data={"token": token}).status_code == 200
    assert client.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def _org_doc(doc: dict[str, Any]) -> dict[str, Any]:
    import secrets

    name = f"bench-{secrets.token_hex(6)}@mockown.test"
    doc["salesforce"]["orgs"][0]["users"][0] = {"username": name, "password": "BenchPassw0rd!"}
    return doc


def pertest(n: int, url: str | None) -> dict[str, Any]:
    import httpx

    from mockown import Config, create_app
    from mockown.http.inprocess import in_process_client

    out: dict[str, Any] = {}
    if url:
        with httpx.Client(base_url=url, timeout=30.0) as client:
            _typical(client)  # warm
            t0 = time.perf_counter()
            for _ in range(n):
                _typical(client)
            out["socket_ms"] = (time.perf_counter() - t0) / n * 1000
        return out
    # the `app` + `client` fixtures of tests/conftest.py: a fresh app (seeded) and client per test
    with in_process_client(create_app(Config()), base_url=BASE) as client:
        _typical(client)  # warm imports
    t0 = time.perf_counter()
    for _ in range(n):
        with in_process_client(create_app(Config()), base_url=BASE) as client:
            _typical(client)
    out["fresh_app_ms"] = (time.perf_counter() - t0) / n * 1000
    # one app shared by the tests (a session-scoped app), a fresh org per test: the socket test's shape
    with in_process_client(create_app(Config()), base_url=BASE) as client:
        _typical(client)
        t0 = time.perf_counter()
        for _ in range(n):
            _typical(client)
        out["shared_app_ms"] = (time.perf_counter() - t0) / n * 1000
    return out


PLUGIN_TEST = """
def test_typical_{i}(mockown):
    client = mockown.client
    token = mockown.issue_token()["access_token"]  # password grant
    cred = (mockown.app["client_id"], mockown.app["client_secret"])
    assert client.post("/services/oauth2/introspect", data={{"token": token}}, auth=cred).json()["active"] is True
    assert client.post("/services/oauth2/revoke", data={{"token": token}}).status_code == 200
    bearer = {{"Authorization": f"Bearer {{token}}"}}
    assert client.get("/services/data/v62.0/limits", headers=bearer).status_code == 401
"""

PLUGIN_CONFTEST = '''
import json, os, time
import pytest

TIMES = []
SERVER = os.environ.get("BENCH_SERVER_PID")


def server_cpu():
    """CPU seconds of the server process (user + system), 0 without one."""
    if not SERVER:
        return 0.0
    with open(f"/proc/{SERVER}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    s0 = server_cpu()
    w0, c0 = time.perf_counter(), time.process_time()
    yield
    w1, c1 = time.perf_counter(), time.process_time()
    TIMES.append((w1 - w0, c1 - c0, server_cpu() - s0))


def pytest_sessionfinish(session):
    with open(os.environ["BENCH_PLUGIN_TIMES"], "w") as f:
        json.dump(TIMES, f)
'''


def plugin(n: int, url: str | None, server_pid: int | None = None) -> dict[str, Any]:
    """The typical test through the pytest plugin, N tests in one pytest run (see the module's docstring).
    With the server's `server_pid` (Linux), the server's CPU time during the measured tests is added to the
    test process's for ``*_cpu_ms``."""
    import os
    import subprocess
    import tempfile
    from pathlib import Path

    n = max(n, 4)
    with tempfile.TemporaryDirectory(prefix="mockown-bench-plugin-") as tmp:
        root = Path(tmp)
        (root / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n")
        (root / "conftest.py").write_text(PLUGIN_CONFTEST)
        (root / "test_typical.py").write_text("".join(PLUGIN_TEST.format(i=i) for i in range(n)))
        out = root / "times.json"
        env = {**os.environ, "BENCH_PLUGIN_TIMES": str(out), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        env.pop("MOCKOWN_URL", None)
        env.pop("BENCH_SERVER_PID", None)
        if url and server_pid:
            env["BENCH_SERVER_PID"] = str(server_pid)
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "mockown.pytest_plugin", "-p", "no:cacheprovider",
               "-c", str(root / "pytest.ini"), "--rootdir", str(root), str(root / "test_typical.py")]  # fmt: skip
        if url:
            cmd += ["--mockown-url", url]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)
        run_s = time.perf_counter() - t0
        if done.returncode != 0:
            raise RuntimeError(f"pytest failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
        times = json.loads(out.read_text())
    kept = times[2:-1]
    key = "plugin_socket" if url else "plugin_inprocess"
    return {
        f"{key}_ms": statistics.mean(t[0] for t in kept) * 1000,
        f"{key}_median_ms": statistics.median(t[0] for t in kept) * 1000,
        # CPU: the test process (all its threads), plus the server's when its pid was given
        f"{key}_cpu_ms": sum(t[1] + t[2] for t in kept) / len(kept) * 1000,
        f"{key}_run_ms": run_s / n * 1000,  # the whole pytest run (start-up, collection, session) / N
    }


def main(argv: list[str]) -> None:
    what = argv[0]
    if what == "live":
        result = live_pair(int(argv[1]), int(argv[2]), int(argv[3]))
    elif what == "pertest":
        result = pertest(int(argv[1]), argv[2] if len(argv) > 2 else None)
    elif what == "plugin":
        pid = int(argv[3]) if len(argv) > 3 else None
        result = plugin(int(argv[1]), argv[2] if len(argv) > 2 else None, pid)
    else:
        raise SystemExit(f"unknown measurement {what!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])

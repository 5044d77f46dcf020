"""In-process measurements, each in a fresh interpreter (``python -m bench.inproc <what> ...`` prints JSON).

- ``live N``: fill the store with N live access tokens through the Salesforce core (`SalesforceService.issue`,
  the code the token endpoint runs, without HTTP), then measure the process's resident memory per token and
  the p50 of introspection requests through the whole ASGI app (middleware, routing, handler; no socket).
- ``pertest N [URL]``: wall time of a typical test (fresh org, token, introspect, revoke, REST 401) with the
  in-process fixtures (a fresh app per test, as `tests/conftest.py`; and a shared app), or over a socket
  against the `mockown serve` at URL.
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


def live(n: int) -> dict[str, Any]:
    from mockown import Config, create_app
    from mockown.salesforce.service import Issued

    app = create_app(Config(seed_defaults=True))
    service = app.state.runtime.salesforce
    client = service.app_by_client_id(DEMO_CID)
    user = service.user_by_username(client.client_credentials_user)
    org = service.org(user.org_id)
    loop = asyncio.new_event_loop()
    auth = (b"authorization", b"Basic " + base64.b64encode(f"{DEMO_CID}:{DEMO_SECRET}".encode()))
    form = (b"content-type", b"application/x-www-form-urlencoded")

    def one_issue() -> str:
        scopes = service.grant_scopes(client, "api id")  # what the bench's client-credentials app is granted
        body = service.issue(Issued(org=org, user=user, app=client, scopes=scopes, api_instance_url=True), BASE)
        return str(body["access_token"])

    # warm every code path once, then measure the baseline
    warm = one_issue()
    loop.run_until_complete(_asgi_call(app, "POST", "/services/oauth2/introspect",
                                       f"token={warm}".encode(), [auth, form])())  # fmt: skip
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    raws: list[str] = []
    step = max(1, n // SAMPLES)
    for i in range(n):
        raw = one_issue()
        if i % step == 0 and len(raws) < SAMPLES:
            raws.append(raw)
    fill_s = time.perf_counter() - started
    del raw
    gc.collect()
    after = rss_bytes()
    live_count = len(service.access_tokens)
    calls = [_asgi_call(app, "POST", "/services/oauth2/introspect", f"token={r}".encode(), [auth, form]) for r in raws]
    times: list[float] = []
    for rounds in range(3):  # the first round warms caches; the p50 is over the rest
        for call in calls:
            t0 = time.perf_counter_ns()
            status, out = loop.run_until_complete(call())
            elapsed = time.perf_counter_ns() - t0
            if rounds:
                times.append(elapsed / 1000)
            if status != 200 or b'"active":true' not in out:
                raise RuntimeError(f"introspection failed: {status} {out[:200]!r}")
    return {
        "tokens": live_count,
        "rss_bytes": after,
        "bytes_per_token": (after - before) / n,
        "introspect_p50_us": statistics.median(times),
        "fill_seconds": fill_s,
    }


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


def main(argv: list[str]) -> None:
    what = argv[0]
    if what == "live":
        result = live(int(argv[1]))
    elif what == "pertest":
        result = pertest(int(argv[1]), argv[2] if len(argv) > 2 else None)
    else:
        raise SystemExit(f"unknown measurement {what!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])

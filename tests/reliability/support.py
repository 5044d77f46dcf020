"""What the reliability and security tests share: the soak switch, servers over real sockets, storms."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx

from tests.conftest import CALLBACK
from tests.persistence.servers import Server, serve

T = TypeVar("T")

SOAK = os.environ.get("MOCKOWN_SOAK", "") not in ("", "0", "false")
# read once, then out of the environment: `mockown serve` (the servers these tests start) refuses unknown
# MOCKOWN_* settings, and this one is the test suite's, not the server's
os.environ.pop("MOCKOWN_SOAK", None)
OWNER = ("owner@own.mockown.test", "0wnerPassw0rd!", 12345)  # the demo Own user (no API token seeded)


def examples(quick: int, soak: int) -> int:
    """How many examples a property runs: `quick` in `make test`, `soak` under `make soak` (MOCKOWN_SOAK=1)."""
    return soak if SOAK else quick


@contextmanager
def server(tmp: Path, store: str) -> Iterator[Server]:
    """`mockown serve` on a free loopback port: `memory` (one process) or `sqlite` (a state file, two workers)."""
    args: list[str] = []
    if store == "sqlite":
        args = ["--state-file", str(tmp / "state.db"), "--workers", "2"]
    with serve(tmp, args) as running:
        if store == "sqlite":  # both workers up, so that the storm really is spread over two processes
            import time

            deadline = time.monotonic() + 30
            while running.output().count("Application startup complete") < 2:
                assert time.monotonic() < deadline, running.output()
                time.sleep(0.05)
        yield running


def storm(n: int, call: Callable[[httpx.AsyncClient], Awaitable[T]], base: str) -> list[T]:
    """`n` calls at once, each on its own connection (no keep-alive: with workers, connections spread)."""

    async def main() -> list[T]:
        limits = httpx.Limits(max_connections=n, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
            gate = asyncio.Event()

            async def one() -> T:
                await gate.wait()
                return await call(client)

            tasks = [asyncio.ensure_future(one()) for _ in range(n)]
            await asyncio.sleep(0)
            gate.set()
            return list(await asyncio.gather(*tasks))

    return asyncio.run(main())


def seed_rotating_app(http: httpx.Client, **app: Any) -> dict[str, str]:
    """A fresh org (through the control plane) with one user and one confidential app; returns its credentials."""
    username = f"u-{secrets.token_hex(4)}@reliability.test"
    document = {
        "salesforce": {
            "orgs": [
                {
                    "users": [{"username": username, "password": "Secret-1"}],
                    "apps": [
                        {
                            "callback_urls": [CALLBACK],
                            "scopes": ["api", "refresh_token", "openid", "id"],
                            "auto_approve": True,
                            "pre_approved_users": ["*"],
                            **app,
                        }
                    ],
                }
            ]
        }
    }
    r = http.post("/_mockown/seed", json=document)
    assert r.status_code == 201, r.text
    org = r.json()["salesforce"]["orgs"][0]
    return {
        "client_id": org["apps"][0]["client_id"],
        "secret": org["apps"][0]["client_secret"],
        "username": username,
        "password": "Secret-1",
    }


def get_code(http: httpx.Client, app: dict[str, str], scope: str = "api refresh_token") -> str:
    from urllib.parse import parse_qs, urlsplit

    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": CALLBACK}
    r = http.get("/services/oauth2/authorize", params={**query, "login_hint": app["username"], "scope": scope})
    assert r.status_code == 302, r.text
    return parse_qs(urlsplit(r.headers["location"]).query)["code"][0]


def code_form(app: dict[str, str], code: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app["client_id"],
        "client_secret": app["secret"],
        "redirect_uri": CALLBACK,
    }


def introspect(http: httpx.Client, app: dict[str, str], token: str) -> bool:
    r = http.post("/services/oauth2/introspect", data={"token": token}, auth=(app["client_id"], app["secret"]))
    assert r.status_code == 200, r.text
    active: bool = r.json()["active"]
    return active

"""How much state a long-running mockown keeps: drive a few thousand typical requests per API against one in-process
app (the clock moving on between rounds, no reset), and report, per store table and in-process structure, the count
before and after.

    .venv/bin/python -m bench.growth --rounds 2000 --step 30
    .venv/bin/python -m bench.growth --state-file /tmp/growth.db   # the same on the SQLite store

`make soak` runs it (tests/reliability/test_state_growth.py) and checks the tables README calls bounded.
"""

from __future__ import annotations

import argparse
import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime

from .scenarios import OWN_API_TOKEN, OWN_AUTH, OWN_CLIENT_ID, SEED

SF_CID = "3MVG9MockownDemoConsumerKey0000000000000000000000000000000000000000000000000000000"
SF_SECRET = "MOCKOWNDEMOSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
MC = "/mc/mcmockowndemo000000000000000/v2/token"
MC_SERVER = {"client_id": "mockowndemoserver0000000a", "client_secret": "MockownMcServerSecret000"}
SLAS = "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2/token"
AM = "http://account.demandware.com/dwsso/oauth2/access_token"


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def sizes(runtime: Runtime) -> dict[str, int]:
    """Rows per store table (every registered kind) and the sizes of the in-process structures."""
    from mockown.store import RECORD_TYPES

    out = {name: len(runtime.store.table(meta.cls)) for name, meta in sorted(RECORD_TYPES.items())}
    out["(journal entries)"] = len(runtime.control.journal)
    out["(fault rules)"] = len(runtime.control.faults.rules())
    return out


def _round(c: httpx.Client) -> list[int]:
    """One round of typical calls per API: token issuance, use, introspection, refresh, revocation."""
    statuses = []

    def hit(response: httpx.Response) -> httpx.Response:
        statuses.append(response.status_code)
        return response

    sf = _basic(SF_CID, SF_SECRET)
    body = {"grant_type": "password", "username": "admin@mockown.test", "password": "Passw0rd!"}
    token = hit(c.post("/services/oauth2/token", data=body, headers=sf)).json()
    access = token.get("access_token", "")
    hit(c.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {access}"}))
    hit(c.post("/services/oauth2/introspect", data={"token": access}, headers=sf))
    hit(c.post("/services/oauth2/revoke", data={"token": access}))
    own = {"grant_type": "refresh_token", "scope": "api:access", "client_id": OWN_CLIENT_ID}
    hit(c.post(OWN_AUTH, data={**own, "refresh_token": OWN_API_TOKEN}))
    hit(c.post(MC, json={"grant_type": "client_credentials", **MC_SERVER}))
    slas = {"grant_type": "client_credentials", "channel_id": "RefArch"}
    private = _basic("mockown-slas-private", "MockownSlasSecret0001")
    guest = hit(c.post(SLAS, data=slas, headers=private)).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": guest.get("refresh_token", ""), "channel_id": "RefArch"}
    hit(c.post(SLAS, data=refresh, headers=private))
    am = _basic("mockown-am-client-000000000001", "MockownAmSecret0001")
    hit(c.post(AM, data={"grant_type": "client_credentials"}, headers=am))
    return statuses


def run(rounds: int, step: float, state_file: Path | None = None,
        progress: Callable[[int], None] | None = None) -> dict[str, Any]:  # fmt: skip
    """`rounds` rounds on one app, the clock `step` seconds on after each; before/after sizes and the statuses."""
    clock = FrozenClock("2026-01-01T00:00:00Z")
    config = Config() if state_file is None else Config().replace(state_file=str(state_file))
    app = create_app(config, clock=clock)
    runtime: Runtime = app.state.runtime
    statuses: dict[int, int] = {}
    with in_process_client(app) as c:
        c.post("/_mockown/seed", json=SEED).raise_for_status()
        before = sizes(runtime)
        for i in range(rounds):
            for status in _round(c):
                statuses[status] = statuses.get(status, 0) + 1
            clock.advance(step)
            if progress is not None:
                progress(i)
        after = sizes(runtime)
    runtime.store.close()
    return {"before": before, "after": after, "statuses": statuses, "requests": sum(statuses.values())}


def report(result: dict[str, Any]) -> str:
    before, after = result["before"], result["after"]
    lines = [f"{result['requests']} requests, statuses {result['statuses']}"]
    lines.append(f"{'table':32} {'before':>8} {'after':>8}")
    for name in after:
        if before.get(name) or after[name]:
            lines.append(f"{name:32} {before.get(name, 0):>8} {after[name]:>8}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2000, help="rounds of calls (each ~10 requests)")
    parser.add_argument("--step", type=float, default=30.0, help="virtual seconds between rounds")
    parser.add_argument("--state-file", type=Path, default=None, help="run on the SQLite store at this path")
    args = parser.parse_args(argv)
    print(report(run(args.rounds, args.step, args.state_file)))


if __name__ == "__main__":
    main()

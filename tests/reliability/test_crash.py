"""Crash safety: `mockown serve --state-file F` killed with SIGKILL in the middle of sustained mixed load (clients
issuing, using and revoking Salesforce and Own tokens, starting backups), then restarted on the same file, several
times over. After each restart every write a client saw succeed is there, nothing a client saw revoked is live
again, and `PRAGMA integrity_check` says the file is sound.

Only what a client *saw* counts: a request in flight when the process died may or may not have happened.
`make test` runs 2 kill / restart cycles; `make soak` runs 10.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import ADMIN, CID, PASSWORD, SECRET
from tests.persistence.servers import Server, serve

from .support import OWNER, examples

OWN_TOKEN = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
OWN_REVOKE = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke"
OWN_CLIENT = "0oa4c413eq8wwcEzP4h7"
CLIENTS = 6


@dataclass
class Seen:
    """What clients were told, in any order (list appends are atomic)."""

    sf_issued: list[str] = field(default_factory=list)
    sf_revoked: list[str] = field(default_factory=list)
    own_issued: list[str] = field(default_factory=list)
    own_revoked: list[str] = field(default_factory=list)
    asked_to_revoke: list[str] = field(default_factory=list)  # sent; revoked only if the answer came back
    errors: list[str] = field(default_factory=list)
    backups: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def load(base: str, api_token: str, seen: Seen, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    sf_form = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    own_form = {"grant_type": "refresh_token", "client_id": OWN_CLIENT, "refresh_token": api_token}
    mine_sf: list[str] = []
    mine_own: list[str] = []
    with httpx.Client(base_url=base, timeout=5) as http:
        while not stop.is_set():
            try:
                step = rng.random()
                if step < 0.3:
                    r = http.post("/services/oauth2/token", data={**sf_form, "password": PASSWORD})
                    if r.status_code == 200:
                        mine_sf.append(r.json()["access_token"])
                        seen.sf_issued.append(mine_sf[-1])
                elif step < 0.45 and mine_sf:
                    token = mine_sf.pop(rng.randrange(len(mine_sf)))
                    seen.asked_to_revoke.append(token)
                    if http.post("/services/oauth2/revoke", data={"token": token}).status_code == 200:
                        seen.sf_revoked.append(token)
                elif step < 0.7:
                    r = http.post(OWN_TOKEN, data=own_form)
                    if r.status_code == 200:
                        mine_own.append(r.json()["access_token"])
                        seen.own_issued.append(mine_own[-1])
                elif step < 0.8 and mine_own:
                    token = mine_own.pop(rng.randrange(len(mine_own)))
                    seen.asked_to_revoke.append(token)
                    r = http.post(OWN_REVOKE, data={"client_id": OWN_CLIENT, "token": token})
                    if r.status_code == 200:
                        seen.own_revoked.append(token)
                elif step < 0.9 and mine_own:
                    auth = {"Authorization": f"Bearer {mine_own[-1]}"}
                    r = http.post("/api/v1/services/300002/backup_now", headers=auth)
                    if r.status_code == 200:
                        with seen.lock:
                            seen.backups += 1
                elif mine_sf:  # a read that touches (a session's idle timer may slide: a write too)
                    http.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {mine_sf[-1]}"})
            except httpx.TransportError:
                if stop.is_set():
                    return
                time.sleep(0.01)  # the server is gone (killed): stop soon
            except Exception as exc:  # a bug in the test or a broken answer: reported by the test, not lost
                seen.errors.append(repr(exc))
                return


def backups_now(http: httpx.Client, own_access: str) -> int:
    r = http.get("/api/v1/services/300002/backups", headers={"Authorization": f"Bearer {own_access}"})
    assert r.status_code == 200, r.text
    return len(r.json())


def verify(server: Server, seen: Seen, api_token: str, backups_before: int) -> int:
    with server.client() as http:
        fresh = http.post(OWN_TOKEN, data={"grant_type": "refresh_token", "client_id": OWN_CLIENT,
                                           "refresh_token": api_token})  # fmt: skip
        assert fresh.status_code == 200, f"the API token is gone after the crash: {fresh.text}"
        revoked_sf, revoked_own = set(seen.sf_revoked), set(seen.own_revoked)
        in_flight = set(seen.asked_to_revoke) - revoked_sf - revoked_own  # the kill came before the answer
        for token in seen.sf_issued:
            if token in in_flight:
                continue
            r = http.post("/services/oauth2/introspect", data={"token": token}, auth=(CID, SECRET))
            assert r.json()["active"] is (token not in revoked_sf), ("Salesforce token", token in revoked_sf)
        for token in seen.own_issued:
            if token in in_flight:
                continue
            r = http.get("/api/v1/services", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == (401 if token in revoked_own else 200), ("Own token", token in revoked_own)
        count = backups_now(http, fresh.json()["access_token"])
        assert count >= backups_before + seen.backups, (count, backups_before, seen.backups)
        return count


def integrity(path: Path) -> str:
    db = sqlite3.connect(str(path))
    try:
        result: str = db.execute("PRAGMA integrity_check").fetchone()[0]
        return result
    finally:
        db.close()


def test_sigkill_under_load_loses_no_acknowledged_write(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    args = ["--state-file", str(state)]
    cycles = examples(2, 10)
    seen = Seen()
    with serve(tmp_path, args) as server, server.client() as http:
        email, password, _ = OWNER
        csrf = re.search(r"name='_csrf' value='([^']+)'", http.get("/own/profile").text)
        assert csrf
        http.post("/own/profile", data={"email": email, "password": password, "_csrf": csrf.group(1)})
        page = http.post("/own/profile/token", data={"_csrf": csrf.group(1)})
        found = re.search(r"<code id='api-token'>([^<]+)</code>", page.text)
        assert found
        api_token = found.group(1)
        own = http.post(OWN_TOKEN, data={"grant_type": "refresh_token", "client_id": OWN_CLIENT,
                                         "refresh_token": api_token})  # fmt: skip
        backups = backups_now(http, own.json()["access_token"])
    kills = 0
    for cycle in range(cycles):
        with serve(tmp_path, args) as server:
            before = len(seen.sf_issued) + len(seen.own_issued)
            if cycle:
                backups = verify(server, seen, api_token, backups)
            stop = threading.Event()
            workers = [
                threading.Thread(target=load, args=(server.base, api_token, seen, stop, cycle * 100 + i))
                for i in range(CLIENTS)
            ]
            for w in workers:
                w.start()
            deadline = time.monotonic() + 30  # sustained load (some writes acknowledged), then the kill at an
            while time.monotonic() < deadline and len(seen.sf_issued) + len(seen.own_issued) < before + 40:
                time.sleep(0.02)
            time.sleep(random.random() * 0.5)  # arbitrary moment
            os.kill(server.proc.pid, signal.SIGKILL)
            server.proc.wait(timeout=10)
            kills += 1
            stop.set()
            for w in workers:
                w.join(timeout=10)
            assert not seen.errors, seen.errors
            assert len(seen.sf_issued) + len(seen.own_issued) > before + 5, "no real load before the kill"
        assert integrity(state) == "ok"
        seen.backups, backups = 0, backups + seen.backups
    with serve(tmp_path, args) as server:
        verify(server, seen, api_token, backups)
    assert kills == cycles

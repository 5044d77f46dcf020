"""A seed reflects the GDPR requests completed before it started, as an export does (README "Resources and rules":
a completed forget removes the record "from every export started after it (counts included)"): its logs, its record
total and the limits of S15 leave a forgotten record out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mockown import FrozenClock
from mockown.own.service import OwnService
from tests.own.conftest import SALES, SALES_SANDBOX, SUPPORT, TEMPLATE, bearer

SEED = f"/api/v1/seeding/templates/{TEMPLATE}/seed"


def _first_account(client: httpx.Client, auth: dict[str, str]) -> tuple[str, int]:
    """(the id of the first record of `accounts` in service 300001's last backup, how many records it holds)."""
    objects = client.get(f"/api/v1/services/{SALES}/backups/last/objects", headers=auth).json()
    accounts = next(o for o in objects if o["name"] == "accounts")
    rows = client.get(accounts["download_link"], headers=auth).text.splitlines()[1:]
    return rows[0].split(",")[0], len(rows)


def _forget(client: httpx.Client, auth: dict[str, str], record_id: str) -> None:
    data = {"record_id": record_id, "table_name": "Account"}
    r = client.post(f"/api/v1/services/{SALES}/gdpr/forget", headers=auth, data=data)
    assert r.status_code == 200, r.text
    assert client.get(f"/api/v1/jobs/{r.json()['job_id']}", headers=auth).json()["status"] == "COMPLETED"


def _seed(client: httpx.Client, auth: dict[str, str], destination: int) -> dict[str, Any]:
    data = {"destination": str(destination), "disable_automations": "0"}
    r = client.post(SEED, headers=auth, data=data)
    assert r.status_code == 200, r.text
    status: dict[str, Any] = client.get(f"/api/v1/seeding/seed/{r.json()['id']}", headers=auth).json()
    return status


def _total(client: httpx.Client, auth: dict[str, str]) -> int:
    objects = client.get(f"/api/v1/services/{SALES}/backups/last/objects", headers=auth).json()
    return sum(int(o["num_items"]) for o in objects)


def test_a_seed_leaves_a_forgotten_record_out_of_its_logs_and_total(client: httpx.Client, auth: dict[str, str]) -> None:
    before = _seed(client, auth, SALES_SANDBOX)
    victim, accounts = _first_account(client, auth)
    total = _total(client, auth)
    assert f"accounts: {accounts} record(s)" in before["logs"]
    assert before["logs"][-1] == f"Seed completed: {total} record(s)"
    _forget(client, auth, victim)
    after = _seed(client, auth, SALES_SANDBOX)
    assert after["status"] == "COMPLETED"
    assert f"accounts: {accounts - 1} record(s)" in after["logs"]
    assert after["logs"][-1] == f"Seed completed: {total - 1} record(s)"
    assert _total(client, auth) == total - 1  # what the objects listing counts, the seed counts
    # the seed made before the request keeps what it seeded
    assert client.get(f"/api/v1/seeding/seed/{before['id']}", headers=auth).json()["logs"] == before["logs"]


def test_the_production_limit_is_judged_without_forgotten_records(
    client: httpx.Client, auth: dict[str, str], own: OwnService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockown.own import seeding

    victim, _ = _first_account(client, auth)
    total = _total(client, auth)
    monkeypatch.setattr(seeding, "PRODUCTION_LIMIT", total - 1)
    over = _seed(client, auth, SUPPORT)
    assert over["status"] == "FAILED"
    assert f"({total:,} requested)" in over["logs"][-1]
    _forget(client, auth, victim)
    assert _seed(client, auth, SUPPORT)["status"] == "COMPLETED"  # total - 1 records: at the limit, not above


def test_a_request_pending_when_the_seed_starts_does_not_count(
    configured: Callable[..., tuple[httpx.Client, OwnService]], clock: FrozenClock
) -> None:
    client, own = configured(gdpr_mode="seconds:60")
    auth = bearer(client, own)
    victim, accounts = _first_account(client, auth)
    data = {"record_id": victim, "table_name": "Account"}
    assert client.post(f"/api/v1/services/{SALES}/gdpr/forget", headers=auth, data=data).status_code == 200
    assert f"accounts: {accounts} record(s)" in _seed(client, auth, SALES_SANDBOX)["logs"]
    clock.advance(60)
    assert f"accounts: {accounts - 1} record(s)" in _seed(client, auth, SALES_SANDBOX)["logs"]

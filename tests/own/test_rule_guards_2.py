"""Rules of the Own API's seeding limits, GDPR effects, exports, backups and job visibility that the second
hand-driven mutation audit showed no test would miss if broken (each test names the mutant it kills)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import httpx
import pytest

from mockown.clock import FrozenClock
from mockown.own.service import OwnService
from tests.own.conftest import SALES, SUPPORT, bearer
from tests.own.test_seeding_rules import _backup_only, _seed_status


# -- seeding limits (spec S15) -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("records", "outcome"), [(10_000, "COMPLETED"), (10_001, "FAILED")])
def test_seeding_into_production_is_limited_to_10k_records(
    client: httpx.Client, auth: dict[str, str], own: OwnService, records: int, outcome: str
) -> None:
    """Kills `records > PRODUCTION_LIMIT` moved to `>=` and the limit moved off 10,000 (seeding._over_limit)."""
    _backup_only(client, auth, own, "leads", records)
    status = _seed_status(client, auth, SUPPORT)
    assert status["status"] == outcome, status["logs"][-1]
    if outcome == "FAILED":
        assert "Seeding into production is limited to 10,000 records (10,001 requested)" in status["logs"][-1]


# -- GDPR effects --------------------------------------------------------------------------------------------------
def _download_ids(client: httpx.Client, auth: dict[str, str], object_id: int) -> list[str]:
    url = f"/api/v1/services/{SALES}/backups/last/objects/{object_id}/download"
    return [r["Id"] for r in csv.DictReader(io.StringIO(client.get(url, headers=auth).text))]


def test_a_pending_forget_request_changes_nothing_yet(
    configured: Callable[..., tuple[httpx.Client, OwnService]], clock: FrozenClock
) -> None:
    """Kills `completed_before(job, as_of)` replaced by a failed-only filter (gdpr.effects): a request takes effect
    when its job completes, not when it is made."""
    client, own = configured(gdpr_mode="seconds:30")
    auth = bearer(client, own)
    victim = _download_ids(client, auth, 2)[0]
    data = {"table_name": "Contact", "record_id": victim}
    assert client.post(f"/api/v1/services/{SALES}/gdpr/forget", headers=auth, data=data).status_code == 200
    assert victim in _download_ids(client, auth, 2)
    clock.advance(30)
    assert victim not in _download_ids(client, auth, 2)


def test_a_failed_forget_request_forgets_nothing(client: httpx.Client, auth: dict[str, str]) -> None:
    """Kills `not job.failed` dropped from jobs.completed_before: a request that failed (the id is no record of the
    named object: here an Account's id sent as a Contact) removes the id from no download."""
    account = _download_ids(client, auth, 1)[0]
    data = {"table_name": "Contact", "record_id": account}
    job_id = client.post(f"/api/v1/services/{SALES}/gdpr/forget", headers=auth, data=data).json()["job_id"]
    assert client.get(f"/api/v1/jobs/{job_id}", headers=auth).json()["status"] == "FAILED"
    assert account in _download_ids(client, auth, 1)


# -- exports -------------------------------------------------------------------------------------------------------
def test_an_export_refuses_an_object_the_backup_does_not_hold(client: httpx.Client, auth: dict[str, str]) -> None:
    """Kills the `missing` check dropped from exports._objects: a backup of some objects exports only those."""
    url = f"/api/v1/services/{SALES}/backup_specific_objects_now"
    assert client.post(url, headers=auth, data={"list_of_objects": "accounts"}).status_code == 200
    export = f"/api/v1/services/{SALES}/backups/last/export"
    ok = client.post(export, headers=auth, data={"export_format": "csv", "objects": "accounts"})
    assert ok.status_code == 200
    refused = client.post(export, headers=auth, data={"export_format": "csv", "objects": "contacts"})
    assert refused.status_code == 400 and "'contacts' is not in backup_id" in refused.json()["message"]

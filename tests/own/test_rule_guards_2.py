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
from tests.own.conftest import SALES, SUPPORT, TOKEN_URL, bearer, exchange_form
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


# -- jobs belong to their account --------------------------------------------------------------------------------
def test_a_job_of_another_account_is_not_found(client: httpx.Client, auth: dict[str, str], own: OwnService) -> None:
    """Kills `job.account_id != principal.account.id` dropped from jobs.get: another account's job number answers
    404 (it does not exist for this account), never the 403 of a job outside one's Business Units."""
    from mockown.seed import seed_document

    account = {"id": 2002, "name": "Other Account",
               "services": [{"id": 390001, "region": "app1", "displayed_name": "x@other.test", "backups": 1}],
               "users": [{"id": 22345, "email": "owner@other.test", "password": "0therPassw0rd!", "name": "Otto",
                          "role": "master_admin"}]}  # fmt: skip
    seed_document(own.runtime, {"own": {"accounts": [account]}})
    raw = own.generate_api_token(22345, "0therPassw0rd!")
    other = {"Authorization": "Bearer " + client.post(TOKEN_URL, data=exchange_form(raw)).json()["access_token"]}
    export = client.post("/api/v1/services/390001/backups/last/export", headers=other, data={"export_format": "csv"})
    job_id = export.json()["job_id"]
    assert client.get(f"/api/v1/jobs/{job_id}", headers=other).status_code == 200
    response = client.get(f"/api/v1/jobs/{job_id}", headers=auth)
    assert response.status_code == 404 and response.json()["message"] == f"job_id {job_id} not found"


def test_backup_object_counts_leave_out_forgotten_records(client: httpx.Client, auth: dict[str, str]) -> None:
    """Kills `- forgotten` dropped from num_items (backups.objects_json): the counts agree with the downloads once
    a forget request completed."""
    url = f"/api/v1/services/{SALES}/backups/last/objects"
    before = next(o for o in client.get(url, headers=auth).json() if o["name"] == "contacts")
    assert before["num_items"] == len(_download_ids(client, auth, 2))
    victim = _download_ids(client, auth, 2)[0]
    data = {"table_name": "Contact", "record_id": victim}
    assert client.post(f"/api/v1/services/{SALES}/gdpr/forget", headers=auth, data=data).status_code == 200
    after = next(o for o in client.get(url, headers=auth).json() if o["name"] == "contacts")
    assert after["num_items"] == before["num_items"] - 1 == len(_download_ids(client, auth, 2))


def test_an_unfinished_exports_file_is_not_served(
    configured: Callable[..., tuple[httpx.Client, OwnService]], clock: FrozenClock
) -> None:
    """Kills the `completed_at is None` 409 dropped from exports.file: a file is there once its export finished."""
    client, own = configured(export_mode="seconds:30")
    auth = bearer(client, own)
    export = f"/api/v1/services/{SALES}/backups/last/export"
    job_id = client.post(export, headers=auth, data={"export_format": "csv", "objects": "accounts"}).json()["job_id"]
    early = client.get(f"/api/v1/jobs/{job_id}/files/accounts.csv", headers=auth)
    assert early.status_code == 409
    clock.advance(30)
    assert client.get(f"/api/v1/jobs/{job_id}/files/accounts.csv", headers=auth).status_code == 200

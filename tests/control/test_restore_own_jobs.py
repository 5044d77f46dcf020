"""`POST /_mockown/restore` checks an Own job's `params` against its kind (mockown/own/job_params.py): the keys the
code that starts the job writes, of their types, no others, an export's files those of its objects, and an
export's objects among its backup's. A GDPR job without its `record_id` made `GET /api/v1/services` a 500
(KeyError), an export naming an object its backup lacks its file download one (a bare next()'s StopIteration).
Each refusal is a 400 naming the row and the key, the state unchanged. On both stores."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mockown.own import job_params
from mockown.own.models import Job
from tests.own.conftest import ENDPOINT, SALES, SALES_SANDBOX, TEMPLATE

from . import test_restore_types
from .test_restore_rules import _refused
from .test_restore_types import Snapshot, Used

used = test_restore_types.used  # the fixture: an app with tokens issued, on each store


def _bearer(used: Used) -> dict[str, str]:
    return {"Authorization": f"Bearer {used.own_access}"}


def _jobs(used: Used) -> dict[str, int]:
    """One job of every kind started through the API (two exports: CSV and SQL): name -> job number."""
    c, auth, svc = used.client, _bearer(used), f"/api/v1/services/{SALES}"
    started: dict[str, Any] = {
        "csv": c.post(f"{svc}/backups/last/export", headers=auth, data={"export_format": "csv"}),
        "sql": c.post(
            f"{svc}/backups/last/export", headers=auth, data={"export_format": "sql", "sql_dialect": "mysql"}
        ),
        "endpoint": c.post(f"{svc}/backups/last/export_to_endpoint", headers=auth, data={"endpoint_id": ENDPOINT}),
        "forget": c.post(
            f"{svc}/gdpr/forget", headers=auth, data={"record_id": "001000000000001AAA", "table_name": "Account"}
        ),
        "rectify": c.post(
            f"{svc}/gdpr/rectify",
            headers=auth,
            data={"record_id": "001000000000001AAA", "table_name": "Account", "field": "Name", "value": "X"},
        ),
        "seed": c.post(
            f"/api/v1/seeding/templates/{TEMPLATE}/seed",
            headers=auth,
            data={"destination": str(SALES_SANDBOX), "disable_automations": "true"},
        ),
        "anonymize": c.post(
            f"/api/v1/seeding/templates/{TEMPLATE}/anonymize",
            headers=auth,
            data={"destination_service_id": str(SALES_SANDBOX), "disable_automations": "true"},
        ),
    }
    for name, r in started.items():
        assert r.status_code == 200, (name, r.text)
    return {name: r.json()["job_id"] for name, r in started.items()}


@pytest.fixture
def jobs(used: Used) -> dict[str, int]:
    return _jobs(used)


def _job(snap: Snapshot, num: int) -> tuple[int, dict[str, Any]]:
    rows = snap["store"]["own_jobs"]
    index = next(i for i, row in enumerate(rows) if row["num"] == num)
    return index, rows[index]


def _reads(used: Used, jobs: dict[str, int]) -> None:
    """What reads the jobs answers: the services (GDPR effects), the jobs, each export file."""
    c, auth = used.client, _bearer(used)
    assert c.get(f"/api/v1/services/{SALES}/backups", headers=auth).status_code == 200
    assert c.get("/api/v1/services", headers=auth).status_code == 200
    assert c.get("/api/v1/jobs", headers=auth).status_code == 200
    for num in (jobs["csv"], jobs["sql"]):
        for url in c.get(f"/api/v1/jobs/{num}", headers=auth).json()["results"]:
            if url.startswith("http://"):
                assert c.get(url, headers=auth).status_code == 200, url


def test_a_snapshot_with_every_kind_of_job_restores_as_it_was(used: Used, jobs: dict[str, int]) -> None:
    snap = used.snapshot()
    assert {row["kind"] for row in snap["store"]["own_jobs"]} == set(job_params.KINDS)
    used.client.post("/_mockown/reset")
    restored = used.restore(snap)
    assert restored.status_code == 200, restored.text
    assert used.state()[0] == snap["store"]
    _reads(used, jobs)


def test_a_seed_job_from_before_source_service_id_was_recorded_restores(used: Used, jobs: dict[str, int]) -> None:
    snap = copy.deepcopy(used.snapshot())
    for name in ("seed", "anonymize"):
        del _job(snap, jobs[name])[1]["params"]["source_service_id"]
    assert used.restore(snap).status_code == 200
    _reads(used, jobs)


# every key each kind of job's params has (as the code writes them): without it, the snapshot is refused; but
# the keys a job of an earlier version lacks (a seed's `source_service_id`, an export's `gdpr_jobs`) may be missing
MISSING = [
    (name, key)
    for name, kind in [
        ("csv", "export"),
        ("endpoint", "export_to_endpoint"),
        ("forget", "gdpr_forget"),
        ("rectify", "gdpr_rectify"),
        ("seed", "seed"),
        ("anonymize", "anonymize"),
    ]
    for key in sorted(job_params._KEYS[kind] - {"source_service_id", "gdpr_jobs"})
]


@pytest.mark.parametrize(("name", "key"), MISSING, ids=[f"{n}-{k}" for n, k in MISSING])
def test_a_job_without_a_key_of_its_kind_refuses_the_snapshot(
    used: Used, jobs: dict[str, int], name: str, key: str
) -> None:
    bad = copy.deepcopy(used.snapshot())
    index, row = _job(bad, jobs[name])
    del row["params"][key]
    _refused(used, bad, f"own_jobs[{index}].params.{key}: missing")
    _reads(used, jobs)


def test_a_forget_job_with_empty_params_refuses_the_snapshot_and_the_services_still_answer(
    used: Used, jobs: dict[str, int]
) -> None:
    """The hunter's case: `params: {}` restored with a 200, then `GET /api/v1/services` raised KeyError."""
    bad = copy.deepcopy(used.snapshot())
    index, row = _job(bad, jobs["forget"])
    row["params"] = {}
    _refused(used, bad, f"own_jobs[{index}].params.record_id: missing")
    assert used.client.get("/api/v1/services", headers=_bearer(used)).status_code == 200


# (job, key, value, the refusal after "own_jobs[i].params.")
WRONG: list[tuple[str, str, Any, str]] = [
    ("forget", "record_id", ["001000000000001AAA"], "record_id: expected a string, got a list"),
    ("rectify", "value", 5, "value: expected a string, got 5"),
    ("rectify", "field", None, "field: expected a string, got null"),
    ("csv", "objects", "contacts", "objects: expected a list, got 'contacts'"),
    ("csv", "objects", ["contacts", 3], "objects[1]: expected a string, got 3"),
    ("csv", "format", "xml", "format: expected one of 'csv', 'sql', got 'xml'"),
    ("csv", "include_attachments", "no", "include_attachments: expected true or false, got 'no'"),
    ("sql", "dialect", "sqlite", "dialect: expected null or one of mysql, oracle, postgresql, mssql, got 'sqlite'"),
    ("csv", "backup_id", 420003, "backup_id: expected a string, got 420003"),
    ("endpoint", "objects", None, "objects: expected a list, got null"),
    ("seed", "logs", "Seeding", "logs: expected a list, got 'Seeding'"),
    ("seed", "source_service_id", ["app1:300001"], "source_service_id: expected a string, got a list"),
    ("anonymize", "template_id", 501, "template_id: expected a string, got 501"),
]


@pytest.mark.parametrize(("name", "key", "value", "problem"), WRONG, ids=[f"{n}-{k}" for n, k, _, _ in WRONG])
def test_a_job_param_of_the_wrong_type_refuses_the_snapshot(
    used: Used, jobs: dict[str, int], name: str, key: str, value: Any, problem: str
) -> None:
    bad = copy.deepcopy(used.snapshot())
    index, row = _job(bad, jobs[name])
    row["params"][key] = value
    _refused(used, bad, f"own_jobs[{index}].params.{problem}")


def test_a_key_the_kind_does_not_have_refuses_the_snapshot(used: Used, jobs: dict[str, int]) -> None:
    """`source_service_id` on an export: `job_visible` reads it on any job."""
    bad = copy.deepcopy(used.snapshot())
    index, row = _job(bad, jobs["csv"])
    row["params"]["source_service_id"] = "app1:300003"
    _refused(used, bad, f"own_jobs[{index}].params.source_service_id: not a parameter of a job of kind export")


def test_a_kind_the_code_never_starts_refuses_the_snapshot(used: Used, jobs: dict[str, int]) -> None:
    bad = copy.deepcopy(used.snapshot())
    index, row = _job(bad, jobs["csv"])
    row["kind"] = "backup"
    kinds = ", ".join(job_params.KINDS)
    _refused(used, bad, f"own_jobs[{index}].kind: expected one of {kinds}, got 'backup'")


def test_export_files_that_are_not_its_objects_refuse_the_snapshot(used: Used, jobs: dict[str, int]) -> None:
    bad = copy.deepcopy(used.snapshot())
    index, row = _job(bad, jobs["csv"])
    expected = row["params"]["files"]
    row["params"]["files"] = [*expected, "leads.csv"]
    _refused(
        used,
        bad,
        f"own_jobs[{index}].params.files: expected {expected} (the files of its objects as csv),"
        f" got {[*expected, 'leads.csv']}",
    )


@pytest.mark.parametrize(("name", "dialect", "problem"), [("csv", "mysql", "null"), ("sql", None, "one of")])
def test_a_dialect_that_is_not_its_formats_refuses_the_snapshot(
    used: Used, jobs: dict[str, int], name: str, dialect: str | None, problem: str
) -> None:
    bad = copy.deepcopy(used.snapshot())
    index, row = _job(bad, jobs[name])
    row["params"]["dialect"] = dialect
    before = used.state()
    response = used.restore(bad)
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert message.startswith(f"cannot restore the snapshot: own_jobs[{index}].params.dialect: expected {problem}")
    assert used.state() == before


@pytest.mark.parametrize("name", ["csv", "sql", "endpoint"])
def test_an_export_of_an_object_its_backup_lacks_refuses_the_snapshot(
    used: Used, jobs: dict[str, int], name: str
) -> None:
    bad = copy.deepcopy(used.snapshot())
    others = {jobs[n] for n in ("csv", "sql", "endpoint") if n != name}  # exports of the same backup
    bad["store"]["own_jobs"] = [row for row in bad["store"]["own_jobs"] if row["num"] not in others]
    index, row = _job(bad, jobs[name])
    backup = next(b for b in bad["store"]["own_backups"] if b["id"] == row["params"]["backup_id"])
    assert "contacts" in row["params"]["objects"]
    backup["snapshots"] = [s for s in backup["snapshots"] if s["name"] != "contacts"]
    at = row["params"]["objects"].index("contacts")
    _refused(
        used,
        bad,
        f"own_jobs[{index}].params.objects[{at}]: expected an object of backup {backup['id']}, got 'contacts',"
        " which it does not hold",
    )
    _reads(used, jobs)


def test_an_export_whose_backup_the_snapshot_lacks_restores_and_its_files_are_404(
    used: Used, jobs: dict[str, int]
) -> None:
    """As the server's own state may have it (a job outlives nothing it needs, but a hand-made snapshot may drop
    the backup): the download says the backup is gone, in the Own dialect."""
    snap = copy.deepcopy(used.snapshot())
    _, row = _job(snap, jobs["csv"])
    snap["store"]["own_backups"] = [b for b in snap["store"]["own_backups"] if b["id"] != row["params"]["backup_id"]]
    assert used.restore(snap).status_code == 200
    r = used.client.get(f"/api/v1/jobs/{jobs['csv']}/files/contacts.csv", headers=_bearer(used))
    assert r.status_code == 404 and r.json()["error"] == "Not Found", r.text


@pytest.mark.parametrize(("name", "file"), [("csv", "contacts.csv"), ("sql", "export_mysql.sql")])
def test_a_file_of_an_object_its_backup_lacks_is_404_not_a_500(
    used: Used, jobs: dict[str, int], name: str, file: str
) -> None:
    """Should such a job be stored anyway (the check is a restore's): the download answers 404 in the Own
    dialect, where a bare next() raised StopIteration into the ASGI stack."""
    own = used.runtime.own
    job = own.jobs.get(f"app1:{jobs[name]}")
    assert isinstance(job, Job)
    backup = own.backups.get(job.params["backup_id"])
    assert backup is not None
    backup.snapshots = [s for s in backup.snapshots if s["name"] != "contacts"]
    own.backups.put(backup)
    r = used.client.get(f"/api/v1/jobs/{jobs[name]}/files/{file}", headers=_bearer(used))
    assert r.status_code == 404, r.text
    assert r.json() == {
        "error": "Not Found",
        "message": f"file {file} not found in job_id {jobs[name]}: backup {backup.num} holds no contacts",
    }
    other = used.client.get(f"/api/v1/jobs/{jobs['csv']}/files/accounts.csv", headers=_bearer(used))
    assert other.status_code == 200, other.text

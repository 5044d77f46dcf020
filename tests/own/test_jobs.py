"""Exports, jobs, GDPR requests, events and seeding: success and failure paths."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import ENDPOINT, OWNER, SALES, SALES_ADMIN, SALES_SANDBOX, SUPPORT, TEMPLATE, Login

EXPORT = f"/api/v1/services/{SALES}/backups/last/export"


def _ids(text: str) -> list[str]:
    return [r["Id"] for r in csv.DictReader(io.StringIO(text))]


def _job(client: httpx.Client, auth: dict[str, str], job_id: int) -> dict[str, object]:
    r = client.get(f"/api/v1/jobs/{job_id}", headers=auth)
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


# -- exports --------------------------------------------------------------------------------------------
def test_csv_export(client: httpx.Client, auth: dict[str, str]) -> None:
    r = client.post(EXPORT, headers=auth, data={"export_format": "csv", "include_attachments": "False"})
    assert r.status_code == 200 and set(r.json()) == {"job_id"}
    job = _job(client, auth, r.json()["job_id"])
    assert set(job) == {"id", "title", "status", "progress", "results"}
    assert (job["status"], job["progress"]) == ("COMPLETED", 100)
    assert job["title"] == "Export backup 420003 (csv)"
    results = job["results"]
    assert isinstance(results, list)
    files = [u for u in results if u.startswith("http")]
    assert [f.rsplit("/", 1)[1] for f in files] == ["accounts.csv", "contacts.csv", "opportunities.csv"]
    exported = client.get(files[1], headers=auth)
    backed_up = client.get(f"/api/v1/services/{SALES}/backups/420003/objects/2/download", headers=auth)
    assert exported.text == backed_up.text


@pytest.mark.parametrize(
    ("dialect", "quoted"),
    [("mysql", "`accounts`"), ("postgresql", '"accounts"'), ("oracle", '"ACCOUNTS"'), ("mssql", "[accounts]")],
)
def test_sql_export_dialects(client: httpx.Client, auth: dict[str, str], dialect: str, quoted: str) -> None:
    data = {"export_format": "sql", "sql_dialect": dialect, "objects": "Accounts"}
    job = _job(client, auth, client.post(EXPORT, headers=auth, data=data).json()["job_id"])
    [url] = [u for u in job["results"] if isinstance(u, str) and u.startswith("http")]  # type: ignore[attr-defined]
    sql = client.get(url, headers=auth)
    assert sql.status_code == 200
    assert f"CREATE TABLE {quoted} (" in sql.text
    assert sql.text.count(f"INSERT INTO {quoted} ") == 9


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "export_format is required"),
        ({"export_format": "xml"}, "export_format must be one of csv,sql"),
        ({"export_format": "sql", "sql_dialect": "sqlite"}, "sql_dialect must be one of mysql,oracle,postgresql,mssql"),
        ({"export_format": "csv", "include_attachments": "maybe"}, "include_attachments must be a boolean"),
        ({"export_format": "csv", "objects": "widgets"}, "objects: unknown object 'widgets'"),
    ],
)
def test_export_validation(client: httpx.Client, auth: dict[str, str], data: dict[str, str], message: str) -> None:
    r = client.post(EXPORT, headers=auth, data=data)
    assert r.status_code == 400
    assert r.json()["error"] == "Bad Request" and r.json()["message"].startswith(message)


def test_export_accepts_json_and_lists(client: httpx.Client, auth: dict[str, str]) -> None:
    body = {"export_format": "CSV", "include_attachments": True, "objects": ["contacts", "ACCOUNTS"]}
    job = _job(client, auth, client.post(EXPORT, headers=auth, json=body).json()["job_id"])
    names = [u.rsplit("/", 1)[1] for u in job["results"] if u.startswith("http")]  # type: ignore[attr-defined]
    assert names == ["contacts.csv", "accounts.csv"]
    assert "with attachments" in job["results"][-1]  # type: ignore[index]


def test_export_of_unknown_backup(client: httpx.Client, auth: dict[str, str]) -> None:
    r = client.post(f"/api/v1/services/{SALES}/backups/1/export", headers=auth, data={"export_format": "csv"})
    assert r.status_code == 404 and r.json()["message"] == "backup_id 1 not found"


def test_export_to_endpoint(client: httpx.Client, auth: dict[str, str]) -> None:
    url = f"/api/v1/services/{SALES}/backups/last/export_to_endpoint"
    files = {"endpoint_id": (None, ENDPOINT), "objects": (None, "accounts")}
    job_id = client.post(url, headers=auth, files=files).json()["job_id"]
    job = _job(client, auth, job_id)
    assert job["progress"] == 100 and job["results"] == ["Exported 1 object(s) to endpoint Demo S3 bucket"]
    assert client.post(url, headers=auth, data={}).json()["message"] == "endpoint_id is required"
    assert client.post(url, headers=auth, data={"endpoint_id": "x"}).status_code == 400
    unknown = client.post(url, headers=auth, data={"endpoint_id": "00000000-0000-0000-0000-000000000000"})
    assert unknown.status_code == 404


def test_jobs_list_and_failures(client: httpx.Client, auth: dict[str, str], login: Login) -> None:
    first = client.post(EXPORT, headers=auth, data={"export_format": "csv"}).json()["job_id"]
    support = client.post(
        f"/api/v1/services/{SUPPORT}/backups/last/export", headers=auth, data={"export_format": "csv"}
    ).json()["job_id"]
    assert [j["id"] for j in client.get("/api/v1/jobs", headers=auth).json()] == [first, support]
    assert client.get("/api/v1/jobs/99", headers=auth).status_code == 404
    assert client.get("/api/v1/jobs/abc", headers=auth).status_code == 404
    sales = login(SALES_ADMIN)
    assert [j["id"] for j in client.get("/api/v1/jobs", headers=sales).json()] == [first]
    assert client.get(f"/api/v1/jobs/{support}", headers=sales).status_code == 403
    # jobs are regional
    assert client.get(f"/regions/emea2/api/v1/jobs/{first}", headers=auth).status_code == 404
    assert client.get(f"/api/v1/jobs/{first}/files/nope.csv", headers=auth).status_code == 404


# -- GDPR -----------------------------------------------------------------------------------------------
def _contact_ids(client: httpx.Client, auth: dict[str, str], backup: str = "last") -> list[str]:
    url = f"/api/v1/services/{SALES}/backups/{backup}/objects/2/download"
    return _ids(client.get(url, headers=auth).text)


def test_forget_removes_the_record_from_backups_and_later_exports(client: httpx.Client, auth: dict[str, str]) -> None:
    before = client.post(EXPORT, headers=auth, data={"export_format": "csv", "objects": "contacts"}).json()["job_id"]
    victim = _contact_ids(client, auth)[0]
    files = {"table_name": (None, "Contact"), "record_id": (None, victim[:15]), "comment": (None, "GDPR #1")}
    r = client.post(f"/api/v1/services/{SALES}/gdpr/forget", headers=auth, files=files)
    assert r.status_code == 200 and set(r.json()) == {"job_id"}
    job = _job(client, auth, r.json()["job_id"])
    assert job["status"] == "COMPLETED"
    assert victim not in _contact_ids(client, auth)
    assert victim not in _contact_ids(client, auth, "420001")
    client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth)
    assert victim not in _contact_ids(client, auth)  # nor in a later backup
    after = client.post(EXPORT, headers=auth, data={"export_format": "csv", "objects": "contacts"}).json()["job_id"]
    assert victim not in _ids(client.get(f"/api/v1/jobs/{after}/files/contacts.csv", headers=auth).text)
    # an export made before the request keeps what it exported
    assert victim in _ids(client.get(f"/api/v1/jobs/{before}/files/contacts.csv", headers=auth).text)
    keys = [e["key"] for e in client.get("/api/v1/events", headers=auth).json()]
    assert "gdpr_forget" in keys


def test_rectify_changes_the_field(client: httpx.Client, auth: dict[str, str]) -> None:
    victim = _contact_ids(client, auth)[0]
    data = {"table_name": "contacts", "record_id": victim, "field": "email", "value": "redacted@example.org"}
    r = client.post(f"/api/v1/services/{SALES}/gdpr/rectify", headers=auth, data=data)
    assert r.status_code == 200
    assert _job(client, auth, r.json()["job_id"])["status"] == "COMPLETED"
    text = client.get(f"/api/v1/services/{SALES}/backups/last/objects/2/download", headers=auth).text
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["Id"] == victim)
    assert row["Email"] == "redacted@example.org"


def test_gdpr_on_an_unknown_record_fails_the_job(client: httpx.Client, auth: dict[str, str]) -> None:
    data = {"table_name": "Contact", "record_id": "0033z000033pldQAAQ"}
    job = _job(
        client, auth, client.post(f"/api/v1/services/{SALES}/gdpr/forget", headers=auth, data=data).json()["job_id"]
    )
    assert (job["status"], job["progress"]) == ("FAILED", 100)
    assert "not found" in job["results"][0]  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("forget", {"table_name": "Contact"}, "record_id is required"),
        ("forget", {"record_id": "0033z000033pldQAAQ"}, "table_name is required"),
        ("forget", {"record_id": "nope", "table_name": "Contact"}, "record_id must be"),
        ("forget", {"record_id": "0033z000033pldQAAQ", "table_name": "Widget"}, "table_name 'Widget'"),
        ("rectify", {"record_id": "0033z000033pldQAAQ", "table_name": "Contact", "value": "x"}, "field is required"),
        ("rectify", {"record_id": "0033z000033pldQAAQ", "table_name": "Contact", "field": "Email"}, "value is"),
        ("rectify", {"record_id": "0033z000033pldQAAQ", "table_name": "Contact", "field": "Id", "value": "x"}, "field"),
    ],
)
def test_gdpr_validation(
    client: httpx.Client, auth: dict[str, str], path: str, data: dict[str, str], message: str
) -> None:
    r = client.post(f"/api/v1/services/{SALES}/gdpr/{path}", headers=auth, data=data)
    assert r.status_code == 400 and r.json()["message"].startswith(message)


# -- events ---------------------------------------------------------------------------------------------
def test_events_shape_and_paging(client: httpx.Client, auth: dict[str, str], own: OwnService) -> None:
    for i in range(2100):
        own.record_event("1001", "user_login", parameters={"i": i}, source="web app")
    page1 = client.get("/api/v1/events", headers=auth).json()
    assert len(page1) == 1000
    assert set(page1[0]) == {"created_at", "event_id", "ip_address", "key", "parameters", "service_id", "source",
                             "user_email", "user_id"}  # fmt: skip
    page2 = client.get(f"/api/v1/events?from={page1[-1]['event_id']}", headers=auth).json()
    page3 = client.get(f"/api/v1/events?from={page2[-1]['event_id']}", headers=auth).json()
    assert len(page2) == 1000 and len(page3) == 2102 - 2000  # + generated and used
    ids = [e["event_id"] for e in page1 + page2 + page3]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) == 2102  # exclusive cursor: no duplicates
    assert client.get(f"/api/v1/events?from={ids[-1]}", headers=auth).json() == []
    assert client.get("/api/v1/events?from=9999999", headers=auth).json() == []


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "2026-01-01"])
def test_events_from_must_be_an_id(client: httpx.Client, auth: dict[str, str], value: str) -> None:
    r = client.get("/api/v1/events", params={"from": value}, headers=auth)
    assert r.status_code == 400 and r.json()["message"].startswith("from must be")


def test_events_are_per_account(client: httpx.Client, auth: dict[str, str], own: OwnService) -> None:
    own.record_event("9999", "user_login")
    assert all(e["key"] != "user_login" for e in client.get("/api/v1/events", headers=auth).json())


# -- seeding --------------------------------------------------------------------------------------------
def test_templates(client: httpx.Client, auth: dict[str, str], login: Login) -> None:
    templates = client.get("/api/v1/seeding/templates", headers=auth).json()
    assert templates == [
        {
            "id": TEMPLATE,
            "name": "Sales sandbox refresh",
            "source_service_id": SALES,
            "description": "Accounts, contacts and opportunities into the Sales sandbox",
            "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z",
        }
    ]
    from tests.own.conftest import SUPPORT_USER

    assert client.get("/api/v1/seeding/templates", headers=login(SUPPORT_USER)).json() == []
    assert client.get("/regions/emea2/api/v1/seeding/templates", headers=auth).json() == []


def test_seed_and_status(client: httpx.Client, auth: dict[str, str]) -> None:
    url = f"/api/v1/seeding/templates/{TEMPLATE}/seed"
    data = {"destination": str(SALES_SANDBOX), "disable_automations": "True", "seeding_method": "upsert"}
    r = client.post(url, headers=auth, data=data)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"id", "job_id", "template_id", "destination", "status"}
    assert (body["template_id"], body["destination"], body["status"]) == (TEMPLATE, SALES_SANDBOX, "COMPLETED")
    status = client.get(f"/api/v1/seeding/seed/{body['id']}", headers=auth).json()
    assert set(status) == {"id", "status", "progress", "started_at", "completed_at", "logs"}
    assert (status["status"], status["progress"]) == ("COMPLETED", 100)
    assert status["logs"][-1].startswith("Seed completed")
    assert _job(client, auth, body["job_id"])["status"] == "COMPLETED"
    assert client.get("/api/v1/seeding/seed/1", headers=auth).status_code == 404


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"disable_automations": "true"}, 400, "destination is required"),
        ({"destination": "abc", "disable_automations": "true"}, 400, "destination must be a positive integer"),
        ({"destination": str(SALES_SANDBOX)}, 400, "disable_automations is required"),
        ({"destination": str(SALES_SANDBOX), "disable_automations": "perhaps"}, 400, "disable_automations must be"),
        ({"destination": "123", "disable_automations": "1"}, 404, "service_id 123 not found"),
        ({"destination": str(SALES), "disable_automations": "1"}, 400, "destination must be another service"),
        ({"destination": str(SALES_SANDBOX), "disable_automations": "1", "seeding_method": "x"}, 400, "seeding_method"),
        ({"destination": str(SALES_SANDBOX), "disable_automations": "1", "backup_id": "5"}, 404, "backup_id 5"),
    ],
)
def test_seed_validation(
    client: httpx.Client, auth: dict[str, str], data: dict[str, str], status: int, message: str
) -> None:
    r = client.post(f"/api/v1/seeding/templates/{TEMPLATE}/seed", headers=auth, data=data)
    assert r.status_code == status and r.json()["message"].startswith(message)


def test_seed_unknown_template(client: httpx.Client, auth: dict[str, str]) -> None:
    data = {"destination": str(SALES_SANDBOX), "disable_automations": "1"}
    assert client.post("/api/v1/seeding/templates/9/seed", headers=auth, data=data).status_code == 404


def test_seed_into_production_is_limited(client: httpx.Client, auth: dict[str, str], own: OwnService) -> None:
    service = own.services.get(f"app1:{SALES}")
    assert service is not None
    service.objects = [*service.objects, "leads"]
    service.records_per_object = 10_001  # a first backup of leads holds 10,001 records
    own.services.put(service)
    url = f"/api/v1/services/{SALES}/backup_specific_objects_now"
    assert client.post(url, headers=auth, data={"list_of_objects": "leads"}).status_code == 200
    seed = f"/api/v1/seeding/templates/{TEMPLATE}/seed"
    into_production = {"destination": str(SUPPORT), "disable_automations": "false", "backup_id": "last"}
    body = client.post(seed, headers=auth, data=into_production).json()
    status = client.get(f"/api/v1/seeding/seed/{body['id']}", headers=auth).json()
    assert status["status"] == "FAILED" and "limited to 10,000" in status["logs"][-1]
    into_sandbox = {**into_production, "destination": str(SALES_SANDBOX)}
    body = client.post(seed, headers=auth, data=into_sandbox).json()
    assert client.get(f"/api/v1/seeding/seed/{body['id']}", headers=auth).json()["status"] == "COMPLETED"


def test_anonymize(client: httpx.Client, auth: dict[str, str]) -> None:
    url = f"/api/v1/seeding/templates/{TEMPLATE}/anonymize"
    data = {
        "destination_service_id": str(SALES_SANDBOX),
        "disable_automations": "True",
        "automations_to_disable": '{"ApexTrigger": ["AccountApexTrigger", "TaskApexTrigger"]}',
        "backup_id": "last",
    }
    r = client.post(url, headers=auth, data=data)
    assert r.status_code == 200 and set(r.json()) == {"job_id"}
    status = client.get(f"/api/v1/seeding/anonymize/{r.json()['job_id']}", headers=auth).json()
    assert (status["status"], status["progress"]) == ("COMPLETED", 100)
    assert any("ApexTrigger:AccountApexTrigger" in line for line in status["logs"])
    bad = client.post(url, headers=auth, data={**data, "automations_to_disable": "[1]"})
    assert bad.status_code == 400 and bad.json()["message"].startswith("automations_to_disable")
    missing = client.post(url, headers=auth, data={"disable_automations": "1"})
    assert missing.json()["message"] == "destination_service_id is required"
    assert client.get("/api/v1/seeding/anonymize/424242", headers=auth).status_code == 404
    export = client.post(EXPORT, headers=auth, data={"export_format": "csv"}).json()["job_id"]
    assert client.get(f"/api/v1/seeding/anonymize/{export}", headers=auth).status_code == 404


def test_seeding_respects_business_units(client: httpx.Client, login: Login) -> None:
    sales = login(SALES_ADMIN)
    data = {"destination": str(SUPPORT), "disable_automations": "1"}
    r = client.post(f"/api/v1/seeding/templates/{TEMPLATE}/seed", headers=sales, data=data)
    assert r.status_code == 403
    assert OWNER == 12345

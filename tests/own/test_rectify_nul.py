"""A GDPR rectify `value` with a NUL character (U+0000) is refused: no Salesforce field holds one, and the SQL exports
put the value in a string literal, where PostgreSQL refuses a NUL (psql stops the file there). It went into the
PostgreSQL, Oracle and SQL Server exports raw. Other control characters stay, as they are valid in a literal of
every dialect (MySQL's escaped as mysql_real_escape_string does)."""

from __future__ import annotations

import copy
import csv
import io
import json
import sqlite3

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown.runtime import Runtime
from tests.own.conftest import SALES

BASE = f"/api/v1/services/{SALES}"


def _record(client: httpx.Client, auth: dict[str, str]) -> str:
    text = client.get(f"{BASE}/backups/last/objects/1/download", headers=auth).text
    return text.splitlines()[1].split(",")[0]


def _rectify(
    client: httpx.Client, auth: dict[str, str], record_id: str, value: str, *, json_body: bool
) -> httpx.Response:
    body = {"table_name": "accounts", "record_id": record_id, "field": "Name", "value": value}
    if json_body:
        return client.post(f"{BASE}/gdpr/rectify", headers=auth, json=body)
    return client.post(f"{BASE}/gdpr/rectify", headers=auth, data=body)


def _state(runtime: Runtime) -> str:
    return json.dumps(runtime.store.dump(), sort_keys=True, default=str)


@pytest.mark.parametrize("json_body", [False, True])
@pytest.mark.parametrize("value", ["\0", "Acme\0", "\0Corp", "a\0b\0c"])
def test_a_value_with_a_nul_is_refused_and_changes_nothing(
    client: httpx.Client, auth: dict[str, str], runtime: Runtime, value: str, json_body: bool
) -> None:
    record_id = _record(client, auth)
    before = _state(runtime)
    r = _rectify(client, auth, record_id, value, json_body=json_body)
    assert r.status_code == 400, r.text
    assert r.json() == {"error": "Bad Request", "message": "value must not contain a NUL character (U+0000)"}
    assert _state(runtime) == before


def test_a_restore_refuses_a_rectify_job_whose_value_holds_a_nul(
    client: httpx.Client, auth: dict[str, str], runtime: Runtime
) -> None:
    assert _rectify(client, auth, _record(client, auth), "Acme", json_body=False).status_code == 200
    snap = client.get("/_mockown/snapshot").json()
    bad = copy.deepcopy(snap)
    index, job = next((i, j) for i, j in enumerate(bad["store"]["own_jobs"]) if j["kind"] == "gdpr_rectify")
    job["params"]["value"] = "Ac\0me"
    before = _state(runtime)
    r = client.post("/_mockown/restore", json=bad)
    assert r.status_code == 400, r.text
    assert f"own_jobs[{index}].params.value: expected text without a NUL character" in r.json()["message"]
    assert _state(runtime) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(st.sampled_from("\0\x01\t\n\r\x1a'\\ aZ") | st.characters(exclude_categories=["Cs"]), max_size=8))
def test_a_value_is_refused_only_for_a_nul_and_exported_as_given(
    client: httpx.Client, auth: dict[str, str], value: str
) -> None:
    """The property: refused iff it holds a NUL; else the CSV file shows it exactly and the PostgreSQL file loads
    into a standard SQL engine (SQLite) with it. One record, rectified again each time: the last value shows."""
    record_id = _record(client, auth)
    r = _rectify(client, auth, record_id, value, json_body=True)
    if "\0" in value:
        assert r.status_code == 400, r.text
        return
    assert r.status_code == 200, r.text
    for fmt in ("csv", "sql"):
        job = client.post(
            f"{BASE}/backups/last/export",
            headers=auth,
            data={"export_format": fmt, "sql_dialect": "postgresql", "objects": "accounts"},
        ).json()["job_id"]
        (link, *_) = client.get(f"/api/v1/jobs/{job}", headers=auth).json()["results"]
        text = client.get(link, headers=auth).text
        if fmt == "csv":
            rows = {row["Id"]: row["Name"] for row in csv.DictReader(io.StringIO(text, newline=""))}
        else:
            db = sqlite3.connect(":memory:")
            try:
                db.executescript(text)
                rows = dict(db.execute('SELECT "Id", "Name" FROM "accounts"').fetchall())
            finally:
                db.close()
        assert rows[record_id] == value, fmt

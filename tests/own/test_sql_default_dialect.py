"""`sql_dialect` is optional (spec §4.3: only `export_format` is required, `sql_dialect` "used when format is sql";
S7's `export_to_file` sends `export_format='sql'` with no dialect as valid): left out (or blank, or JSON null) an
SQL export is PostgreSQL, a mock choice (README). It was refused 400 `sql_dialect is required`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.own.conftest import SALES

EXPORT = f"/api/v1/services/{SALES}/backups/last/export"


def _export(client: httpx.Client, auth: dict[str, str], **kwargs: Any) -> tuple[str, str]:
    """(the job's title, the text of its one file)."""
    r = client.post(EXPORT, headers=auth, **kwargs)
    assert r.status_code == 200, r.text
    job = client.get(f"/api/v1/jobs/{r.json()['job_id']}", headers=auth).json()
    (link,) = [u for u in job["results"] if u.startswith("http")]
    assert link.endswith("/files/export_postgresql.sql"), link
    answer = client.get(link, headers=auth)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/sql")
    return job["title"], answer.text


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"data": {"export_format": "sql"}},
        {"data": {"export_format": "SQL", "sql_dialect": ""}},
        {"data": {"export_format": "sql", "sql_dialect": "  "}},
        {"json": {"export_format": "sql"}},
        {"json": {"export_format": "sql", "sql_dialect": None}},
    ],
)
def test_an_sql_export_without_a_dialect_is_postgresql(
    client: httpx.Client, auth: dict[str, str], request_kwargs: dict[str, Any]
) -> None:
    title, text = _export(client, auth, **request_kwargs)
    named_title, named = _export(client, auth, data={"export_format": "sql", "sql_dialect": "postgresql"})
    assert text == named and text.startswith("-- Own export (postgresql)\n")
    assert title == named_title == "Export backup 420003 (sql/postgresql)"


def test_a_dialect_given_is_still_checked(client: httpx.Client, auth: dict[str, str]) -> None:
    r = client.post(EXPORT, headers=auth, data={"export_format": "sql", "sql_dialect": "sqlite"})
    assert r.status_code == 400
    assert r.json()["message"] == "sql_dialect must be one of mysql,oracle,postgresql,mssql"

"""A record's `LastModifiedDate` is when the backup that first held its version started: on the clock, and what an
incremental sync relies on (the records modified after one backup are exactly those the next one added or
changed). It was `2025-<1 + version % 12>-..` whatever the clock: a 2019 backup held records "modified" in 2025,
and the month went back from December to January after eleven changes."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.own.conftest import TOKEN_URL, exchange_form

TOKEN = "tok-modified"


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _rows(client: httpx.Client, auth: dict[str, str], link: str) -> dict[str, str]:
    """Record id -> its LastModifiedDate, of the CSV behind `link`."""
    text = client.get(link, headers=auth).text
    return {r["Id"]: r["LastModifiedDate"] for r in csv.DictReader(io.StringIO(text))}


def _history(start: str, backups: int, objects: list[str]) -> tuple[httpx.Client, dict[str, str], list[dict]]:
    app = create_app(Config(), clock=FrozenClock(start))
    client = in_process_client(app)
    user = {"email": "m@x.test", "password": "Pw123456!", "role": "master_admin", "api_token": TOKEN}
    service = {"id": 5, "backups": backups, "objects": objects, "records_per_object": 6}
    seeded = client.post(
        "/_mockown/seed", json={"own": {"accounts": [{"id": 7001, "users": [user], "services": [service]}]}}
    )
    assert seeded.status_code == 201, seeded.text
    access = client.post(TOKEN_URL, data=exchange_form(TOKEN)).json()["access_token"]
    auth = {"Authorization": f"Bearer {access}"}
    listed = client.get("/api/v1/services/5/backups", headers=auth).json()
    return client, auth, listed


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.sampled_from(["2020-01-01T00:00:00Z", "1999-06-15T08:30:00Z", "2031-11-30T23:59:59Z"]),
    backups=st.integers(2, 16),
    objects=st.lists(st.sampled_from(["accounts", "contacts", "opportunities", "widgets__c"]), min_size=1, max_size=2),
)
def test_records_modified_after_a_backup_are_those_the_next_one_added_or_changed(
    start: str, backups: int, objects: list[str]
) -> None:
    client, auth, listed = _history(start, backups, objects)
    try:
        previous: dict[str, dict[str, str]] = {}
        previous_done: datetime | None = None
        for backup in listed:
            done = _when(backup["completed_at"])
            for obj in client.get(f"/api/v1/services/5/backups/{backup['id']}/objects", headers=auth).json():
                now = _rows(client, auth, obj["download_link"])
                fresh = set(_rows(client, auth, obj["download_added_link"]))
                fresh |= set(_rows(client, auth, obj["download_changed_link"]))
                assert all(_when(v) <= done for v in now.values()), (backup, now)  # never after the backup
                if previous_done is not None:
                    assert {r for r, v in now.items() if _when(v) > previous_done} == fresh, (backup["id"], obj["name"])
                    before = previous[obj["name"]]
                    assert all(_when(now[r]) >= _when(before[r]) for r in set(now) & set(before))  # never back
                previous[obj["name"]] = now
            previous_done = done
    finally:
        client.close()


@pytest.mark.parametrize("start", ["2020-01-01T00:00:00Z", "1999-06-15T08:30:00Z"])
def test_a_first_backup_holds_records_modified_in_its_own_time(start: str) -> None:
    client, auth, listed = _history(start, 1, ["contacts"])
    try:
        (obj,) = client.get("/api/v1/services/5/backups/last/objects", headers=auth).json()
        dates = set(_rows(client, auth, obj["download_link"]).values())
        done = _when(listed[0]["completed_at"])
        assert len(dates) == 1
        (date,) = dates
        assert done.timestamp() - 540 <= _when(date).timestamp() <= done.timestamp()  # its start: 9 minutes before
    finally:
        client.close()


def test_an_export_shows_the_dates_the_downloads_show() -> None:
    client, auth, _ = _history("2020-01-01T00:00:00Z", 5, ["contacts"])
    try:
        (obj,) = client.get("/api/v1/services/5/backups/last/objects", headers=auth).json()
        data = {"export_format": "csv", "objects": "contacts"}
        job = client.post("/api/v1/services/5/backups/last/export", headers=auth, data=data).json()["job_id"]
        (link, *_) = client.get(f"/api/v1/jobs/{job}", headers=auth).json()["results"]
        exported = _rows(client, auth, link)
        assert exported == _rows(client, auth, obj["download_link"])
        assert len(set(exported.values())) > 1  # records of several backups
    finally:
        client.close()

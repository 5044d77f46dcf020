"""A seeded service's past backups never fall before the earliest instant a date can show (`clock.EARLIEST`,
0001-01-02, where the clock may be): at that clock the demo seed's daily backups (`backups: N`, placed N days back)
fell in the year 0, `GET /api/v1/services/300001/backups` was a 500 (`iso()`: year 0 is out of range) and the
server's own snapshot was refused by restore. Near that instant they are spread evenly from it instead; with room,
they are the daily backups they were."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.clock import EARLIEST, iso
from mockown.http.inprocess import in_process_client
from mockown.own.seed import _past_backups
from mockown.runtime import Runtime
from tests.own.conftest import OWNER, PASSWORDS, SALES, TOKEN_URL, exchange_form

DAY = 86400.0


def _app(at: float) -> tuple[httpx.Client, Runtime]:
    app = create_app(Config(), clock=FrozenClock(iso(at)))
    return in_process_client(app), app.state.runtime


@pytest.fixture
def earliest() -> Iterator[tuple[httpx.Client, Runtime]]:
    client, runtime = _app(EARLIEST)
    with client:
        yield client, runtime


def _bearer(client: httpx.Client, runtime: Runtime) -> dict[str, str]:
    raw = runtime.own.generate_api_token(OWNER, PASSWORDS[OWNER])
    r = client.post(TOKEN_URL, data=exchange_form(raw))
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _reads(client: httpx.Client, auth: dict[str, str]) -> None:
    """What shows the seeded backups' instants: none may be a 500."""
    for service in client.get("/api/v1/services", headers=auth).json():
        r = client.get(f"/api/v1/services/{service['id']}/backups", headers=auth)
        assert r.status_code == 200, r.text
        assert all(b["completed_at"] >= "0001-01-02T00:00:00.000Z" for b in r.json())
    svc = f"/api/v1/services/{SALES}"
    assert client.get(svc, headers=auth).json()["last_backup"] == "0001-01-02T00:00:00.000Z"
    objects = client.get(f"{svc}/backups/last/objects", headers=auth)
    assert objects.status_code == 200, objects.text
    assert client.get(objects.json()[0]["download_link"], headers=auth).status_code == 200
    job = client.post(f"{svc}/backups/last/export", headers=auth, data={"export_format": "csv"}).json()["job_id"]
    assert client.get(f"/api/v1/jobs/{job}/files/accounts.csv", headers=auth).status_code == 200
    assert client.get("/_mockown/ui").status_code == 200


def test_the_demo_seed_at_the_earliest_clock_answers_and_its_snapshot_round_trips(
    earliest: tuple[httpx.Client, Runtime],
) -> None:
    client, runtime = earliest
    for backup in runtime.own.backups.all():
        assert backup.started_at == EARLIEST and backup.completed_at == EARLIEST, backup
    auth = _bearer(client, runtime)
    _reads(client, auth)
    snap = client.get("/_mockown/snapshot").json()
    assert client.post("/_mockown/reset").status_code == 200
    restored = client.post("/_mockown/restore", json=snap)
    assert restored.status_code == 200, restored.text
    assert client.get("/_mockown/snapshot").json()["store"] == snap["store"]
    _reads(client, auth)


def _seeded(client: httpx.Client, runtime: Runtime, count: int) -> list[tuple[float, float | None]]:
    body = {"own": {"accounts": [{"services": [{"region": "emea1", "backups": count}]}]}}
    r = client.post("/_mockown/seed", json=body)
    assert r.status_code == 201, r.text
    num = r.json()["own"]["accounts"][0]["services"][0]["id"]
    found = sorted(runtime.own.backups.find("service_id", f"emea1:{num}"), key=lambda b: b.num)
    assert len(found) == count
    return [(b.started_at, b.completed_at) for b in found]


@pytest.mark.parametrize("after", [0.0, 3600.0, 1.5 * DAY, 39 * DAY])
def test_backups_near_the_earliest_instant_are_spread_from_it(after: float) -> None:
    client, runtime = _app(EARLIEST + after)
    with client:
        placed = _seeded(client, runtime, 40)
        now = EARLIEST + after
        assert placed[0][0] == EARLIEST  # the oldest starts at the earliest instant
        step = after / 40
        for (started, completed), (later, _) in pairwise(placed):
            assert started <= later
            assert completed is not None and started <= completed <= now
            assert later == pytest.approx(started + step, abs=1e-3)
        snap = client.get("/_mockown/snapshot").json()
        assert client.post("/_mockown/restore", json=snap).status_code == 200


def test_with_room_they_are_daily_as_before(clock: FrozenClock) -> None:
    client, runtime = _app(clock.now())
    with client:
        now = clock.now()
        assert _seeded(client, runtime, 3) == [(now - k * DAY, now - k * DAY + 540.0) for k in (3, 2, 1)]


@given(count=st.integers(0, 1000), after=st.one_of(st.floats(0, 2000 * DAY), st.sampled_from([0.0, 1.0, 539.0])))
def test_no_backup_is_placed_before_the_earliest_instant(count: int, after: float) -> None:
    now = EARLIEST + after
    placed = _past_backups(count, now)
    assert len(placed) == count
    previous = EARLIEST
    for started, completed in placed:
        assert previous <= started <= completed <= now
        iso(started), iso(completed)  # a date can show each
        previous = started
    if placed and after >= count * DAY:
        assert placed[-1] == (now - DAY, now - DAY + 540.0)

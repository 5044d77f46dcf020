"""An export applies the GDPR requests completed when it started, and only those (README "Resources and rules": a
forget removes the record "from every export or seed started after it"): its file, once there, never changes.
A forget requested before an export but completed later, at the same instant of a clock that stands still (polls
mode), removed the record from that finished export's file after the fact. On both stores, and across a restore."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.own import jobs
from tests.own.conftest import OWNER, SALES, bearer

S = f"/api/v1/services/{SALES}"


class Own:
    def __init__(self, client: httpx.Client, auth: dict[str, str], clock: FrozenClock) -> None:
        self.client, self.auth, self.clock = client, auth, clock

    def contacts(self) -> list[str]:
        text = self.client.get(f"{S}/backups/last/objects/contacts/download", headers=self.auth).text
        return [line.split(",")[0] for line in text.splitlines()[1:]]

    def gdpr(self, kind: str, record_id: str, **extra: str) -> int:
        data = {"record_id": record_id, "table_name": "Contact", **extra}
        r = self.client.post(f"{S}/gdpr/{kind}", headers=self.auth, data=data)
        assert r.status_code == 200, r.text
        num: int = r.json()["job_id"]
        return num

    def export(self) -> int:
        data = {"export_format": "csv", "objects": "contacts"}
        r = self.client.post(f"{S}/backups/last/export", headers=self.auth, data=data)
        assert r.status_code == 200, r.text
        num: int = r.json()["job_id"]
        return num

    def job(self, num: int) -> dict[str, Any]:
        body: dict[str, Any] = self.client.get(f"/api/v1/jobs/{num}", headers=self.auth).json()
        return body

    def file(self, num: int) -> httpx.Response:
        return self.client.get(f"/api/v1/jobs/{num}/files/contacts.csv", headers=self.auth)


@pytest.fixture(params=["memory", "sqlite"])
def make(request: pytest.FixtureRequest, tmp_path: Path, clock: FrozenClock) -> Iterator[Any]:
    clients: list[httpx.Client] = []

    def build(**own: Any) -> Own:
        config = Config() if request.param == "memory" else Config(state_file=str(tmp_path / f"s{len(clients)}.db"))
        app = create_app(config.replace(own=own), clock=clock)
        client = in_process_client(app)
        clients.append(client)
        return Own(client, bearer(client, app.state.runtime.own, OWNER), clock)

    yield build
    for client in clients:
        client.close()


def test_a_forget_completed_after_a_finished_export_leaves_its_file_as_it_was(make: Any) -> None:
    own = make(gdpr_mode="polls:2")
    victim = own.contacts()[0]
    forget = own.gdpr("forget", victim)
    export = own.export()
    assert own.job(export)["status"] == "COMPLETED"
    before = own.file(export).text
    assert victim in before
    assert own.job(forget)["status"] == "IN_PROGRESS"
    assert own.job(forget)["status"] == "COMPLETED"  # at the export's very instant: the clock stands still
    assert own.file(export).text == before
    later = own.export()
    assert victim not in own.file(later).text  # an export started after the forget completed leaves it out
    assert victim not in own.contacts()


def test_a_rectify_completed_after_a_finished_export_leaves_its_file_as_it_was(make: Any) -> None:
    own = make(gdpr_mode="polls:2")
    victim = own.contacts()[0]
    rectify = own.gdpr("rectify", victim, field="Title", value="Rectified Title")
    export = own.export()
    before = own.file(export).text
    own.job(rectify), own.job(rectify)
    assert own.job(rectify)["status"] == "COMPLETED"
    assert own.file(export).text == before
    assert "Rectified Title" not in before
    assert "Rectified Title" in own.file(own.export()).text


def test_an_export_applies_the_requests_completed_when_it_started(make: Any) -> None:
    own = make(gdpr_mode="seconds:10", export_mode="polls:1")
    first, second = own.contacts()[:2]
    done = own.gdpr("forget", first)
    own.clock.advance(10)
    pending = own.gdpr("forget", second)
    export = own.export()  # `done` is complete, `pending` has 10 seconds to go
    own.clock.advance(10)
    assert own.job(pending)["status"] == "COMPLETED" and own.job(done)["status"] == "COMPLETED"
    assert own.job(export)["status"] == "COMPLETED"  # it finishes after `pending` did
    text = own.file(export).text
    assert first not in text and second in text


def test_the_recorded_requests_survive_a_snapshot_and_restore(make: Any) -> None:
    own = make(gdpr_mode="polls:2")
    victim = own.contacts()[0]
    forget = own.gdpr("forget", victim)
    export = own.export()
    before = own.file(export).text
    snap = own.client.get("/_mockown/snapshot").json()
    own.job(forget), own.job(forget)
    assert own.client.post("/_mockown/restore", json=snap).status_code == 200
    own.job(forget), own.job(forget)
    assert own.job(forget)["status"] == "COMPLETED"
    assert own.file(export).text == before


def test_an_export_of_an_earlier_state_without_recorded_requests_reads_as_before(make: Any) -> None:
    """A state file of an earlier version has exports without `gdpr_jobs`: restored, read as that version did."""
    own = make()
    victim = own.contacts()[0]
    own.gdpr("forget", victim)
    export = own.export()
    snap = own.client.get("/_mockown/snapshot").json()
    for job in snap["store"]["own_jobs"]:
        if job["kind"] == "export":
            del job["params"]["gdpr_jobs"]
    assert own.client.post("/_mockown/restore", json=snap).status_code == 200
    assert victim not in own.file(export).text


@pytest.mark.parametrize("named", ["export", "missing", "other service"])
def test_a_restore_refuses_recorded_requests_that_are_not_gdpr_jobs_of_the_service(make: Any, named: str) -> None:
    own = make()
    own.gdpr("forget", own.contacts()[0])
    own.export()
    snap = own.client.get("/_mockown/snapshot").json()
    jobs = snap["store"]["own_jobs"]
    export = next(i for i, j in enumerate(jobs) if j["kind"] == "export")
    gdpr = next(j for j in jobs if j["kind"] == "gdpr_forget")
    bad = copy.deepcopy(snap)
    if named == "export":
        bad["store"]["own_jobs"][export]["params"]["gdpr_jobs"] = [jobs[export]["id"]]
    elif named == "missing":
        bad["store"]["own_jobs"][export]["params"]["gdpr_jobs"] = ["app1:99999"]
    else:
        moved = next(j for j in bad["store"]["own_jobs"] if j["id"] == gdpr["id"])
        moved["service_id"] = "app1:300003"
    r = own.client.post("/_mockown/restore", json=bad)
    assert r.status_code == 400, r.text
    assert f"own_jobs[{export}].params.gdpr_jobs[0]: expected a GDPR job of service app1:{SALES}" in r.json()["message"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kinds=st.lists(st.sampled_from(["forget", "rectify"]), min_size=1, max_size=3),
    gdpr=st.sampled_from(["polls:1", "polls:2", "seconds:2", "immediate"]),
    export=st.sampled_from(["immediate", "polls:1"]),
    before=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    after=st.tuples(st.integers(0, 2), st.integers(0, 2)),
)
def test_a_finished_export_applies_what_was_complete_when_it_started_for_good(
    clock: FrozenClock,
    kinds: list[str],
    gdpr: str,
    export: str,
    before: tuple[int, int],
    after: tuple[int, int],
) -> None:
    """The property: GDPR requests made, then polled and the clock moved (`before`), an export, then more polls
    and time (`after`): the export's file leaves out exactly the records forgotten, and shows exactly the values
    rectified, by the requests complete when it started, and reads the same every time."""
    app = create_app(Config().replace(own={"gdpr_mode": gdpr, "export_mode": export}), clock=clock)
    runtime = app.state.runtime
    with in_process_client(app) as client:
        own = Own(client, bearer(client, runtime.own, OWNER), clock)
        records = own.contacts()
        made = [
            (
                kind,
                records[i],
                own.gdpr(kind, records[i], **({"field": "Title", "value": f"T{i}"} if kind == "rectify" else {})),
            )
            for i, kind in enumerate(kinds)
        ]

        def wait(polls: int, seconds: int) -> None:
            for _ in range(polls):
                for _, _, num in made:
                    own.job(num)
            clock.advance(seconds)

        wait(*before)
        done = {num for _, _, num in made if _complete(runtime, num)}  # read without counting a poll
        job = own.export()
        own.job(job)  # polls:1: finished now
        first = own.file(job)
        assert first.status_code == 200, first.text
        wait(*after)
        assert own.file(job).text == first.text
        for i, (kind, record, num) in enumerate(made):
            row = next((line for line in first.text.splitlines() if line.startswith(record)), None)
            if kind == "forget":
                assert (row is None) == (num in done), (kind, num, done)
            else:
                assert row is not None and (f",T{i}," in row) == (num in done), (row, num, done)


def _complete(runtime: Any, num: int) -> bool:
    job = jobs.settle(runtime.own, runtime.own.jobs.get(f"app1:{num}"), poll=False)
    return bool(jobs.status(runtime.own, job) == "COMPLETED")

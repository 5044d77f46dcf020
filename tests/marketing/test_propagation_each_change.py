"""Each integration change shows `propagation_delay` seconds after it was made, on its own time. All changes were
merged into one `pending` change whose due time every call reset: change A at t=0 and change B at t=299 (delay 300)
showed A only at t=599, past the "up to 5 minutes" (spec: marketing-cloud-and-b2c.md 1.0). Now `Integration.queued`
keeps each change with its own due time (`propagation.settle`); of two changes to one field the later one's value
stays. A snapshot or state file of the older shape (`pending` + `pending_at`) still restores, as one change due at
`pending_at`."""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.marketing.service import MarketingService
from tests.conftest import T0

from .test_marketing import BASE, INVALID_CLIENT, SERVER, cc

CID = SERVER["client_id"]
DELAYED = Config().replace(marketing={"propagation_delay": 300})


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def delayed(clock: FrozenClock) -> Iterator[tuple[httpx.Client, MarketingService]]:
    app = create_app(DELAYED, clock=clock)
    with in_process_client(app) as client:
        yield client, app.state.runtime.marketing


def scope(client: httpx.Client) -> str:
    answer = cc(client)
    assert answer.status_code == 200, answer.text
    text: str = answer.json()["scope"]
    return text


def test_a_second_change_does_not_hold_back_the_first(
    delayed: tuple[httpx.Client, MarketingService], clock: FrozenClock
) -> None:
    client, mc = delayed
    mc.update_integration(CID, scopes=["email_read"])  # A at t=0
    clock.advance(299)
    mc.update_integration(CID, enabled=False)  # B at t=299
    assert scope(client) != "email_read"
    clock.advance(1)  # t=300: A shows, B not yet
    assert scope(client) == "email_read"
    clock.advance(298)  # t=598
    assert scope(client) == "email_read"
    clock.advance(1)  # t=599: B shows
    assert cc(client).json() == INVALID_CLIENT


def test_the_hunters_case_disabling_first(delayed: tuple[httpx.Client, MarketingService], clock: FrozenClock) -> None:
    client, mc = delayed
    mc.update_integration(CID, enabled=False)
    clock.advance(299)
    mc.update_integration(CID, scopes=["email_read"])
    assert cc(client).status_code == 200
    clock.advance(1)
    assert cc(client).json() == INVALID_CLIENT  # at t=300, not t=599


def test_a_later_change_to_the_same_field_wins(
    delayed: tuple[httpx.Client, MarketingService], clock: FrozenClock
) -> None:
    client, mc = delayed
    mc.update_integration(CID, scopes=["email_read"])
    clock.advance(100)
    mc.update_integration(CID, scopes=["email_write"])
    clock.advance(200)  # t=300: the first shows
    assert scope(client) == "email_read"
    clock.advance(100)  # t=400: the second, the service's last write
    assert scope(client) == "email_write"
    clock.advance(1000)
    assert scope(client) == "email_write"


def test_a_due_change_drops_the_fields_an_older_one_still_on_its_way_would_set() -> None:
    """Times out of order (the clock set back, or a restore): an older change never shows over a newer one."""
    from mockown.marketing.propagation import settle

    older = {"due": 500.0, "changes": {"scopes": ["a"], "name": "old"}}
    newer = {"due": 100.0, "changes": {"scopes": ["b"], "enabled": False}}
    assert settle([older, newer], 50.0) == ({}, [older, newer])
    assert settle([older, newer], 200.0) == (
        {"scopes": ["b"], "enabled": False},
        [{"due": 500.0, "changes": {"name": "old"}}],
    )
    assert settle([older, newer], 600.0) == ({"scopes": ["b"], "name": "old", "enabled": False}, [])


NAMES = st.sampled_from(["name", "scopes"])


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(0, 400), NAMES, st.integers(0, 3)), min_size=1, max_size=12))
def test_each_field_shows_the_last_change_made_among_those_due(steps: list[tuple[int, str, int]]) -> None:
    """A model: change i made at t_i shows from t_i + 300; a field shows the latest change made among the due."""
    from mockown.marketing.propagation import settle

    clock = FrozenClock(T0)
    mc = create_app(DELAYED, clock=clock).state.runtime.marketing
    start = mc.integration(CID)
    assert start is not None
    made: list[tuple[float, str, Any]] = []
    for wait, name, n in steps:
        clock.advance(wait)
        value: Any = f"name {n}" if name == "name" else [f"scope_{n}"]
        mc.update_integration(CID, **{name: value})
        made.append((clock.now(), name, value))
        for look in (0, 150, 300):
            at = clock.now() + look
            due = [(name_, value_) for t, name_, value_ in made if t + 300 <= at]
            expected = {"name": start.name, "scopes": start.scopes}
            expected.update(due)  # in the order made: the last made wins
            probe = copy.deepcopy(mc.integrations.get(CID))
            assert probe is not None
            shown, _ = settle(probe.queued, at)
            assert {k: shown.get(k, getattr(probe, k)) for k in expected} == expected
        seen = mc.integration(CID)
        assert seen is not None
        expected = {"name": start.name, "scopes": start.scopes}
        expected.update((name_, value_) for t, name_, value_ in made if t + 300 <= clock.now())
        assert {"name": seen.name, "scopes": seen.scopes} == expected


def _row(snapshot: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = next(r for r in snapshot["store"]["mc_integrations"] if r["client_id"] == CID)
    return row


def test_changes_on_their_way_survive_a_snapshot_each_with_its_time(clock: FrozenClock) -> None:
    app = create_app(DELAYED, clock=clock)
    with in_process_client(app) as client:
        app.state.runtime.marketing.update_integration(CID, scopes=["email_read"])
        clock.advance(200)
        app.state.runtime.marketing.update_integration(CID, enabled=False)
        snapshot = client.get("/_mockown/snapshot").json()
    assert [change["changes"] for change in _row(snapshot)["queued"]] == [
        {"scopes": ["email_read"]},
        {"enabled": False},
    ]
    later = FrozenClock(T0)
    with in_process_client(create_app(DELAYED, clock=later)) as client:
        assert client.post("/_mockown/restore", json=snapshot).status_code == 200
        assert later.now() == clock.now()  # the restore brings the clock back (t=200)
        later.advance(100)  # t=300
        assert scope(client) == "email_read"
        later.advance(200)  # t=500
        assert cc(client).json() == INVALID_CLIENT


def test_a_snapshot_of_the_older_shape_restores_as_one_change_due_at_pending_at(clock: FrozenClock) -> None:
    with in_process_client(create_app(DELAYED, clock=clock)) as client:
        snapshot = client.get("/_mockown/snapshot").json()
        row = _row(snapshot)
        del row["queued"]
        row["pending"], row["pending_at"] = {"enabled": False, "scopes": ["email_read"]}, clock.now() + 100
        assert client.post("/_mockown/restore", json=snapshot).status_code == 200
        assert scope(client) != "email_read"
        clock.advance(100)
        assert cc(client).json() == INVALID_CLIENT
        row = _row(client.get("/_mockown/snapshot").json())
        assert (row["queued"], row["pending"], row["pending_at"]) == ([], None, 0.0)


BAD_QUEUED: list[Any] = [
    {"due": 1.0},
    {"changes": {"enabled": False}},
    {"due": "soon", "changes": {"enabled": False}},
    {"due": 1e300, "changes": {"enabled": False}},
    {"due": 1.0, "changes": None},
    {"due": 1.0, "changes": {"nope": 1}},
    {"due": 1.0, "changes": {"scopes": 5}},
    "enabled",
]


@pytest.mark.parametrize("change", BAD_QUEUED, ids=[repr(c) for c in BAD_QUEUED])
def test_a_queued_change_the_server_never_makes_is_refused(client: httpx.Client, change: Any) -> None:
    before = client.get("/_mockown/snapshot").json()
    bad = copy.deepcopy(before)
    _row(bad)["queued"] = [change]
    refused = client.post("/_mockown/restore", json=bad)
    assert refused.status_code == 400, refused.text
    assert ".queued[0]" in refused.json()["message"]
    assert client.get("/_mockown/snapshot").json()["store"] == before["store"]  # nothing stored
    assert cc(client).status_code == 200


def test_a_state_file_of_the_older_shape_opens_its_change_due_at_pending_at(tmp_path: Path) -> None:
    config = DELAYED.replace(state_file=str(tmp_path / "state.db"))
    first = create_app(config, clock=FrozenClock(T0))
    first.state.runtime.marketing.update_integration(CID, enabled=False)
    due = first.state.runtime.clock.now() + 300
    first.state.runtime.store.close()
    with sqlite3.connect(tmp_path / "state.db") as db:  # the row as an older version wrote it
        (data,) = db.execute("SELECT data FROM r_mc_integrations WHERE key = ?", (CID,)).fetchone()
        row = json.loads(data)
        assert row.pop("queued") == [{"due": due, "changes": {"enabled": False}}]
        row["pending"], row["pending_at"] = {"enabled": False}, due
        db.execute("UPDATE r_mc_integrations SET data = ? WHERE key = ?", (json.dumps(row), CID))
    clock = FrozenClock(T0)
    second = create_app(config, clock=clock)
    with in_process_client(second) as client:
        assert cc(client).status_code == 200
        clock.advance(300)
        assert cc(client).json() == INVALID_CLIENT
    second.state.runtime.store.close()


def test_userinfo_shows_the_integration_as_its_due_changes_made_it(
    delayed: tuple[httpx.Client, MarketingService], clock: FrozenClock
) -> None:
    """/v2/userinfo read the stored integration, not the settled one: once a change was due it showed the name and
    redirect URLs of before until some other request settled the change."""
    client, mc = delayed
    token = cc(client).json()["access_token"]
    mc.update_integration(CID, name="Renamed", redirect_urls=["https://example.test/back"])

    def info() -> dict[str, Any]:
        answer = client.get(f"{BASE}/v2/userinfo", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    before = info()
    assert before["user"]["name"] != "Renamed" and before["application"]["name"] != "Renamed"
    clock.advance(300)  # due: the next request that reads the integration is userinfo itself
    after = info()
    assert after["user"]["name"] == after["application"]["name"] == "Renamed"
    assert after["application"]["redirectUrls"] == ["https://example.test/back"]

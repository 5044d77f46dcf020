"""An Own id counter behind its rows (a restored `_meta` edited by hand, or left out) handed out numbers rows had:
the row `put` under that key replaced another service's backup, or rewrote the audit history. A restore lifts
each counter to the highest number of its kind (and region), and the counters never hand out a number a row has.
On both stores."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.own.models import AuditEvent, Backup, rkey
from mockown.own.service import ID_BASES, OwnService
from tests.conftest import T0

from . import test_restore_types
from .test_restore_types import Used

used = test_restore_types.used

SERVICES = "/regions/app1/api/v1/services"
IMMEDIATE = {"mode": "immediate", "n": 0}


def _own(used: Used) -> dict[str, str]:
    return {"Authorization": f"Bearer {used.own_access}"}


def _backups(used: Used) -> dict[str, dict[str, Any]]:
    return {b["id"]: b for b in used.snapshot()["store"]["own_backups"]}


def _highest(snap: dict[str, Any], table: str, field: str = "num") -> int:
    return max(row[field] for row in snap["store"][table])


def test_a_restored_counter_behind_its_rows_is_lifted(used: Used) -> None:
    snap = copy.deepcopy(used.snapshot())
    highest = _highest(snap, "own_backups")
    snap["store"]["_meta"][0]["own.seq.app1.backup"] = ID_BASES["backup"] + 3  # behind the highest backup
    assert used.restore(snap).status_code == 200
    assert used.snapshot()["store"]["_meta"][0]["own.seq.app1.backup"] == highest
    before = _backups(used)
    service = snap["store"]["own_services"][2]["num"]
    started = used.client.post(f"{SERVICES}/{service}/backup_now", headers=_own(used))
    assert started.status_code == 200, started.text
    after = _backups(used)
    assert {k: v for k, v in after.items() if k in before} == before  # no backup replaced
    assert set(after) - set(before) == {rkey("app1", highest + 1)}


def test_a_snapshot_without_meta_numbers_new_rows_after_its_own(used: Used) -> None:
    snap = copy.deepcopy(used.snapshot())
    del snap["store"]["_meta"]
    events = {e["id"]: e for e in snap["store"]["own_events"]}
    assert used.restore(snap).status_code == 200
    meta = used.snapshot()["store"]["_meta"][0]
    assert meta["own.seq.event"] == _highest(snap, "own_events", "event_id")
    assert meta["own.seq.app1.service"] == _highest(snap, "own_services")
    assert meta["own.seq.user"] == _highest(snap, "own_users")
    used.runtime.own.record_event(used.runtime.own.accounts.all()[0].id, "backup_now")
    after = {e["id"]: e for e in used.snapshot()["store"]["own_events"]}
    assert {k: v for k, v in after.items() if k in events} == events  # the audit history as it was
    assert len(after) == len(events) + 1


def test_a_counter_ahead_of_its_rows_is_kept(used: Used) -> None:
    snap = copy.deepcopy(used.snapshot())
    snap["store"]["_meta"][0]["own.seq.app1.backup"] = _highest(snap, "own_backups") + 50
    assert used.restore(snap).status_code == 200
    assert used.snapshot()["store"]["_meta"][0] == snap["store"]["_meta"][0]


@settings(max_examples=40, deadline=None)
@given(
    taken=st.sets(st.integers(1, 40), max_size=25),
    counter=st.one_of(st.none(), st.integers(0, 45)),
    events=st.sets(st.integers(1, 40), max_size=10),
)
def test_the_counters_never_hand_out_a_number_a_row_has(taken: set[int], counter: int | None, events: set[int]) -> None:
    """A counter behind its rows (a state file edited by hand, where no restore lifts it): the next numbers skip
    every taken one."""
    own: OwnService = create_app(Config(), clock=FrozenClock(T0)).state.runtime.own
    own.store.clear()
    base = ID_BASES["backup"]
    for num in taken:
        fields = {"service_id": "app1:1", "trigger_type": "manual", "started_at": 0.0, "progress": IMMEDIATE}
        own.backups.put(Backup(id=rkey("app1", base + num), num=base + num, region="app1", **fields))
    for num in events:
        own.events.put(AuditEvent(id=str(num), event_id=num, account_id="1", created_at=0.0, key="k"))
    own.store.set_meta("own.seq.app1.backup", None if counter is None else base + counter)
    own.store.set_meta("own.seq.event", counter)
    handed = [own.next_num("app1", "backup") for _ in range(5)]
    assert not {n - base for n in handed} & taken and len(set(handed)) == 5
    assert handed == sorted(handed) and handed[0] > base + (counter or 0)
    numbers = [own.next_global("event") for _ in range(5)]
    assert not set(numbers) & events and len(set(numbers)) == 5

"""`POST /_mockown/restore` refuses what no seed, config or request makes and what reads it would fail on or
spend absurd work on: two rows with one key in a table, an Own progression that cannot progress, a count the seed
bounds past its bound, a backup object whose added or changed ids are not among its records. Each a 400 naming
the table, row and field, the state unchanged. On both stores."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mockown.own import progress
from mockown.own.models import Service
from mockown.store.decode import RowError, checked

from . import test_restore_types
from .test_restore_types import Snapshot, Used, _answers

used = test_restore_types.used  # the fixture: an app with tokens issued, on each store


def _refused(used: Used, bad: Snapshot, message: str) -> None:
    before = used.state()
    response = used.restore(bad)
    assert response.status_code == 400, response.text
    assert response.json()["message"] == f"cannot restore the snapshot: {message}"
    assert used.state() == before
    _answers(used)


def _index(snap: Snapshot, table: str, test: Any = lambda row: True) -> int:
    return next(i for i, row in enumerate(snap["store"][table]) if test(row))


# -- one key, one row -------------------------------------------------------------------------------------------
def test_two_rows_with_one_key_refuse_the_snapshot(used: Used) -> None:
    bad = copy.deepcopy(used.snapshot())
    users = bad["store"]["sf_users"]
    twin = {**users[0], "username": "twin@mockown.test"}  # a row of its own but for the key
    users.append(twin)
    _refused(used, bad, f"sf_users[{len(users) - 1}].id: {twin['id']!r} is the key of sf_users[0] too")


def test_rows_with_their_own_keys_restore_with_their_count(used: Used) -> None:
    snap = used.snapshot()
    response = used.restore(snap)
    assert response.status_code == 200
    assert response.json()["restored"]["sf_users"] == len(snap["store"]["sf_users"])


# -- progressions ------------------------------------------------------------------------------------------------
IMPOSSIBLE: list[tuple[dict[str, Any], str]] = [
    ({"mode": "polls", "n": 0, "polls": -1}, "polls: expected a count from 0, got -1"),
    ({"mode": "polls", "n": 0}, "n: expected a whole number of polls from 1, got 0"),
    ({"mode": "polls", "n": -3}, "n: expected a whole number of polls from 1, got -3"),
    ({"mode": "polls", "n": 2.5}, "n: expected a whole number of polls from 1, got 2.5"),
    ({"mode": "seconds", "n": 0}, "n: expected seconds above 0 and at most 31557600000, got 0"),
    ({"mode": "seconds", "n": -5.0}, "n: expected seconds above 0 and at most 31557600000, got -5.0"),
    ({"mode": "seconds", "n": 10**30}, "n: expected seconds above 0 and at most 31557600000, got " + str(10**30)),
    ({"mode": "immediate", "n": 0, "polls": -1}, "polls: expected a count from 0, got -1"),
]


@pytest.mark.parametrize(("value", "problem"), IMPOSSIBLE, ids=[repr(v) for v, _ in IMPOSSIBLE])
def test_an_impossible_progression_refuses_the_snapshot(used: Used, value: dict[str, Any], problem: str) -> None:
    bad = copy.deepcopy(used.snapshot())
    index = _index(bad, "own_backups")
    bad["store"]["own_backups"][index].update(progress=value, completed_at=None)
    _refused(used, bad, f"own_backups[{index}].progress.{problem}")


def test_a_progression_that_can_progress_is_restored_and_progresses(used: Used) -> None:
    snap = copy.deepcopy(used.snapshot())
    index = _index(snap, "own_backups")
    row = snap["store"]["own_backups"][index]
    row.update(progress={"mode": "polls", "n": 2, "polls": 1}, completed_at=None)
    assert used.restore(snap).status_code == 200
    service = used.runtime.own.services.get(row["service_id"])
    assert service is not None
    own = {"Authorization": f"Bearer {used.own_access}"}
    listed = used.client.get(f"/regions/{service.region}/api/v1/services/{service.num}/backups", headers=own)
    assert listed.status_code == 200, listed.text


@pytest.mark.parametrize("text", ["polls:-1", "seconds:-5", "polls:x", "sometimes"])
def test_the_config_and_the_progression_setter_refuse_them_too(text: str) -> None:
    with pytest.raises(progress.ConfigError):
        progress.parse(text)
    assert progress.parse("polls:0") == {"mode": "immediate", "n": 0, "polls": 0}  # never a polls n of 0


# -- counts the seed bounds --------------------------------------------------------------------------------------
BOUNDED: list[tuple[str, Any, str]] = [
    ("records_per_object", 10**7, "expected a whole number from 0 to 100000, got 10000000"),
    ("records_per_object", -1, "expected a whole number from 0 to 100000, got -1"),
    ("enabled", 7, "expected 0 or 1, got 7"),
    ("enabled", -1, "expected 0 or 1, got -1"),
]


@pytest.mark.parametrize(("field", "value", "problem"), BOUNDED, ids=[f"{f}={v!r}" for f, v, _ in BOUNDED])
def test_a_count_past_the_seeds_bound_refuses_the_snapshot(used: Used, field: str, value: Any, problem: str) -> None:
    bad = copy.deepcopy(used.snapshot())
    index = _index(bad, "own_services")
    bad["store"]["own_services"][index][field] = value
    _refused(used, bad, f"own_services[{index}].{field}: {problem}")


def test_the_seed_and_restore_take_the_same_records_per_object(used: Used) -> None:
    base = {"id": "app1:1", "num": 1, "region": "app1", "account_id": "a", "displayed_name": "d", "org_id": "o"}
    for taken in (0, 100_000):
        assert checked(Service, {**base, "records_per_object": taken})["records_per_object"] == taken
    with pytest.raises(RowError):
        checked(Service, {**base, "records_per_object": 100_001})
    seeded = used.client.post(
        "/_mockown/seed", json={"own": {"accounts": [{"services": [{"records_per_object": 100_001}]}]}}
    )
    assert seeded.status_code == 400
    assert "records_per_object must be between 0 and 100000" in seeded.text


# -- a backup's objects ------------------------------------------------------------------------------------------
def _backup(snap: Snapshot) -> tuple[int, dict[str, Any]]:
    index = _index(snap, "own_backups", lambda row: row["snapshots"] and row["completed_at"] is not None)
    return index, snap["store"]["own_backups"][index]


def _download(used: Used, backup: dict[str, Any], kind: str) -> int:
    service = used.runtime.own.services.get(backup["service_id"])
    assert service is not None
    name = backup["snapshots"][0]["name"]
    url = f"/regions/{service.region}/api/v1/services/{service.num}/backups/{backup['num']}/objects/{name}/download"
    response = used.client.get(url, params={"type": kind}, headers={"Authorization": f"Bearer {used.own_access}"})
    return response.status_code


STRAY = "0015g00000StrayIdAAA"


@pytest.mark.parametrize("kind", ["added", "changed"])
def test_an_added_or_changed_id_that_is_not_a_record_refuses_the_snapshot(used: Used, kind: str) -> None:
    snap = used.snapshot()
    index, backup = _backup(snap)
    assert all(_download(used, backup, k) == 200 for k in ("added", "changed", "removed", "all"))
    bad = copy.deepcopy(snap)
    bad["store"]["own_backups"][index]["snapshots"][0][kind].append(STRAY)
    problem = f"expected ids of records, got {STRAY!r}, which is not one"
    _refused(used, bad, f"own_backups[{index}].snapshots[0].{kind}: {problem}")
    assert _download(used, backup, kind) == 200


def test_removed_ids_and_records_need_no_more(used: Used) -> None:
    """A removed id keeps its last version in `removed` (it is in no `records`); a record need not be added."""
    snap = copy.deepcopy(used.snapshot())
    index, backup = _backup(snap)
    obj = snap["store"]["own_backups"][index]["snapshots"][0]
    obj["removed"][STRAY] = 3
    obj["added"] = []
    assert used.restore(snap).status_code == 200
    assert all(_download(used, backup, k) == 200 for k in ("added", "changed", "removed", "all"))


# -- the numbers clients see -------------------------------------------------------------------------------------
OWN_NUMBERED = ["own_accounts", "own_users", "own_services", "own_backups"]


@pytest.mark.parametrize("table", OWN_NUMBERED)
@pytest.mark.parametrize("num", [0, -1])
def test_an_own_number_below_one_refuses_the_snapshot(used: Used, table: str, num: int) -> None:
    """The seed takes Own ids from 1 (`id must be a positive integer`) and the counters hand out nothing less."""
    bad = copy.deepcopy(used.snapshot())
    index = _index(bad, table)
    bad["store"][table][index]["num"] = num
    _refused(used, bad, f"{table}[{index}].num: expected a whole number from 1 to 2147483647, got {num}")


def test_the_seed_refuses_the_own_numbers_restore_refuses(used: Used) -> None:
    for body in ({"id": 0}, {"services": [{"id": -1}]}, {"users": [{"id": 0, "email": "zero@own.test"}]}):
        seeded = used.client.post("/_mockown/seed", json={"own": {"accounts": [body]}})
        assert seeded.status_code == 400 and "must be a positive integer" in seeded.text, seeded.text
    assert checked(Service, {**_SERVICE, "num": 1})["num"] == 1
    with pytest.raises(RowError):
        checked(Service, {**_SERVICE, "num": 0})


_SERVICE = {"id": "app1:1", "num": 1, "region": "app1", "account_id": "a", "displayed_name": "d", "org_id": "o"}


# -- values no two rows share ------------------------------------------------------------------------------------
UNIQUE = [("sf_users", "username"), ("sf_apps", "client_id"), ("own_users", "email"), ("mc_tenants", "subdomain"),
          ("own_api_tokens", "user_id")]  # fmt: skip
UNIQUE_TOGETHER = [("mc_users", ("tenant_id", "username"))]  # a username is unique within its tenant


@pytest.mark.parametrize(("table", "field"), UNIQUE, ids=[f"{t}.{f}" for t, f in UNIQUE])
def test_two_rows_with_one_unique_value_refuse_the_snapshot(used: Used, table: str, field: str) -> None:
    """The seed refuses a taken username, client id, Own e-mail or subdomain, and an Own user's second API token (one
    per user: `generate` refuses or replaces); a look-up by it finds one row."""
    bad = copy.deepcopy(used.snapshot())
    rows = bad["store"][table]
    if len(rows) < 2:  # one Marketing Cloud tenant, one Own API token: a second one of its own key
        rows.append({**rows[0], "id": rows[0]["id"] + "1", field: "other"})  # an EID, a token's hash: a key of its own
    rows[1][field] = rows[0][field]
    _refused(used, bad, f"{table}[1].{field}: {rows[0][field]!r} is the {field} of {table}[0] too")


def test_two_marketing_users_of_one_username_in_one_tenant_refuse_the_snapshot(used: Used) -> None:
    """The seed refuses a username its tenant has already (`marketing user ... exists already in tenant`); the
    same username in another tenant is another user."""
    snap = copy.deepcopy(used.snapshot())
    rows = snap["store"]["mc_users"]
    twin = {**rows[0], "id": str(int(rows[0]["id"]) + 1)}
    elsewhere = copy.deepcopy(snap)
    elsewhere["store"]["mc_users"].append({**twin, "tenant_id": rows[0]["tenant_id"] + "1"})
    assert used.restore(elsewhere).status_code == 200
    used.restore(snap)
    rows.append(twin)
    pair = (rows[0]["tenant_id"], rows[0]["username"])
    _refused(used, snap, f"mc_users[{len(rows) - 1}].(tenant_id, username): {pair!r} is the (tenant_id, username) "
                         f"of mc_users[0] too")  # fmt: skip


def test_every_unique_field_is_one_the_seed_refuses_twice() -> None:
    from mockown.store import RECORD_TYPES

    found = sorted((t, fields) for t, meta in RECORD_TYPES.items() for fields in meta.unique)
    assert found == sorted([(t, (f,)) for t, f in UNIQUE] + UNIQUE_TOGETHER)

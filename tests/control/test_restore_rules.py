"""`POST /_mockown/restore` refuses what no seed, config or request makes and what reads it would fail on or
spend absurd work on: two rows with one key in a table, an Own progression that cannot progress, a count the seed
bounds past its bound, a backup object whose added or changed ids are not among its records. Each a 400 naming
the table, row and field, the state unchanged. On both stores."""

from __future__ import annotations

import copy
from typing import Any

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

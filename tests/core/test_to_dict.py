"""`store.to_dict`, the dump of every record (`/_mockown/snapshot`, the SQLite store's rows): the same dict as
`dataclasses.asdict`, nothing of it shared with the record, for any value a field may hold and for every record a
busy app stores."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict, namedtuple
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, create_app
from mockown.http.inprocess import in_process_client
from mockown.store import RECORD_TYPES, to_dict


@dataclasses.dataclass
class Inner:
    name: str
    values: list[Any]


@dataclasses.dataclass
class Outer:
    a: Any
    b: Any = None


Pair = namedtuple("Pair", "x y")

atoms = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
values = st.recursive(
    atoms,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=3) | st.integers(), inner, max_size=3)
        | st.tuples(inner, inner)
        | st.builds(Pair, inner, inner)
        | st.builds(Inner, st.text(max_size=3), st.lists(inner, max_size=2))
        | st.dictionaries(st.text(max_size=3), inner, max_size=2).map(OrderedDict)
        | st.frozensets(st.integers(), max_size=3)
    ),
    max_leaves=12,
)


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (a tuple is not a list)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _containers(value: Any) -> list[Any]:
    out: list[Any] = []
    if isinstance(value, dict):
        out.append(value)
        for v in value.values():
            out += _containers(v)
    elif isinstance(value, list):
        out.append(value)
        for v in value:
            out += _containers(v)
    elif isinstance(value, tuple):
        for v in value:
            out += _containers(v)
    return out


@settings(max_examples=300, deadline=None)
@given(a=values, b=values)
def test_to_dict_is_asdict_for_any_value(a: Any, b: Any) -> None:
    rec = Outer(a, b)
    assert _same(to_dict(rec), dataclasses.asdict(rec))


@settings(max_examples=200, deadline=None)
@given(a=values)
def test_the_dump_shares_no_container_with_the_record(a: Any) -> None:
    """A caller that changes the dump (a snapshot edited before a restore) cannot change the stored record."""
    rec = Outer(a, Inner("n", [a]))
    record_side = {id(c) for c in [*_containers(rec.a), rec.b.values, *_containers(rec.b.values)]}
    assert not {id(c) for c in _containers(to_dict(rec))} & record_side


def test_every_record_of_a_busy_app_dumps_as_asdict() -> None:
    """Every kind of record a default app holds after some traffic (tokens, codes, Own backups with their
    snapshots, users), each dumped as asdict dumps it."""
    app = create_app(Config(seed_defaults=True))
    with in_process_client(app) as client:
        seeded = client.post("/_mockown/seed", json={"salesforce": {"orgs": [{}]}, "own": {"accounts": [{}]}}).json()
        org = seeded["salesforce"]["orgs"][0]
        user = org["users"][0]
        auth = (org["apps"][0]["client_id"], org["apps"][0]["client_secret"])
        client.post(
            "/services/oauth2/token",
            data={"grant_type": "password", "username": user["username"], "password": user["password"]},
            auth=auth,
        )
    dumped = 0
    store = app.state.runtime.store
    for meta in RECORD_TYPES.values():
        for rec in store.table(meta.cls).all():
            assert _same(to_dict(rec), dataclasses.asdict(rec)), meta.table
            dumped += 1
    assert dumped > 20

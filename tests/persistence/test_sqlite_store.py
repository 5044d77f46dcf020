"""The SQLite store behaves as the memory store, for every kind, and is a real shared transactional store."""

from __future__ import annotations

import dataclasses
import gc
import importlib
import json
import pkgutil
import sqlite3
import subprocess
import sys
import threading
import time
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mockown
from mockown.b2c.models import BmUser, Shopper, SlasClient
from mockown.b2c.models import Site as B2CSite
from mockown.errors import ControlError
from mockown.marketing.models import Integration
from mockown.own.models import AuditEvent, Backup, Job, OwnAccount, OwnUser, Seed, SeedingTemplate, Service, rkey
from mockown.salesforce.models import Org
from mockown.store import RECORD_TYPES, record
from mockown.store.memory import MemoryStore
from mockown.store.sqlite import SCHEMA_VERSION, SqliteStore, StateFileError


@record("test_widgets", indexes=("owner", "flag", "tag"))
@dataclass(slots=True)
class Widget:
    id: str
    owner: str | None = None
    flag: bool = False
    tag: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Part:
    name: str
    qty: int = 1


@record("test_assemblies", indexes=("kind",))
@dataclass
class Assembly:
    id: str
    kind: str
    parts: list[Part] = field(default_factory=list)
    main: Part | None = None
    dims: tuple[int, int] = (0, 0)
    labels: dict[str, Part] = field(default_factory=dict)
    weight: float = 0.0


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    s = SqliteStore(tmp_path / "state.db")
    yield s  # type: ignore[misc]
    s.close()


# --- the same answers as the memory store ---------------------------------------------------------

text = st.text(max_size=6)  # includes lone surrogates, which a JSON body can carry
keys = st.sampled_from(["a", "b", "c", "\ud800", "é", ""])
widgets = st.builds(
    Widget,
    id=keys,
    owner=st.none() | st.sampled_from(["x", "y", "\udfff"]),
    flag=st.booleans(),
    tag=st.integers(0, 2),
    notes=st.lists(text, max_size=2),
)
ops = st.lists(
    st.one_of(
        st.tuples(st.just("put"), widgets),
        st.tuples(st.just("delete"), keys),
    ),
    max_size=25,
)


def _answers(s: Any) -> Any:
    t = s.table(Widget)
    out: list[Any] = [sorted(repr(w) for w in t.all()), len(t)]
    for k in ["a", "b", "c", "\ud800", "é", "", "zz"]:
        out.append(repr(t.get(k)))
    for owner in ["x", "y", "\udfff", None, "zz"]:
        out.append(sorted(repr(w) for w in t.find("owner", owner)))
    for flag in [True, False]:
        out.append(sorted(repr(w) for w in t.find("flag", flag)))
    for tag in [0, 1, 2]:
        found = t.first("tag", tag)
        out.append(found is not None and found.tag == tag)
        out.append(sorted(w.id for w in t.find("tag", tag)))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=ops)
def test_same_answers_as_memory_store(tmp_path: Path, ops: list[tuple[str, Any]]) -> None:
    memory = MemoryStore()
    sqlite = SqliteStore(tmp_path / f"eq-{time.monotonic_ns()}.db", durable=False)
    try:
        for op, arg in ops:
            for s in (memory, sqlite):
                if op == "put":
                    s.table(Widget).put(dataclasses.replace(arg, notes=list(arg.notes)))
                else:
                    s.table(Widget).delete(arg)
        assert _answers(sqlite) == _answers(memory)
        # insertion order is kept, as in the memory store (a re-put keeps its place)
        assert [w.id for w in sqlite.table(Widget).all()] == [w.id for w in memory.table(Widget).all()]
    finally:
        sqlite.close()


def test_records_come_back_fresh_and_typed(store: SqliteStore) -> None:
    a = Assembly("a1", "gear", parts=[Part("cog", 2)], main=Part("hub"), dims=(3, 4), labels={"x": Part("l")}, weight=2)
    store.table(Assembly).put(a)
    got = store.table(Assembly).get("a1")
    assert got == a and got is not a
    assert isinstance(got.parts[0], Part) and isinstance(got.main, Part) and isinstance(got.labels["x"], Part)
    assert got.dims == (3, 4) and isinstance(got.weight, float)
    got.kind = "changed"  # mutating a read does nothing until put()
    assert store.table(Assembly).get("a1") == a


# --- every registered kind survives the round trip ----------------------------------------------------


def _import_all() -> None:
    for info in pkgutil.walk_packages(mockown.__path__, "mockown."):
        if info.name.endswith(("__main__", "pytest_plugin")):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed
            continue


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


def _strategy(tp: Any) -> st.SearchStrategy[Any]:
    origin = get_origin(tp)
    if tp is Any or tp is object:
        return JSON
    if origin in (Union, types.UnionType):
        return st.one_of(*[_strategy(a) for a in get_args(tp)])
    if tp is type(None):
        return st.none()
    if tp is float:
        return st.floats(allow_nan=False)
    if dataclasses.is_dataclass(tp):
        return _builds(tp)
    if origin in (list, set, frozenset):
        (item,) = get_args(tp) or (Any,)
        return st.lists(_strategy(item), max_size=3).map(origin)
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(_strategy(args[0]), max_size=3).map(tuple)
        return st.tuples(*[_strategy(a) for a in args])
    if origin is dict:
        k, v = get_args(tp) or (str, Any)
        return st.dictionaries(_strategy(k), _strategy(v), max_size=3)
    return st.from_type(tp)


NAMES = st.lists(st.text(max_size=5), max_size=3)
# an Own job's kind and params, as its own rule (`Job.__post_init__`, own/job_params.py) ties them together
JOB_KINDS = st.one_of(
    st.tuples(
        st.just("gdpr_forget"),
        st.fixed_dictionaries({k: st.text(max_size=5) for k in ("record_id", "object", "comment")}),
    ),
    st.tuples(
        st.just("gdpr_rectify"),
        st.fixed_dictionaries({k: st.text(max_size=5) for k in ("record_id", "object", "comment", "field", "value")}),
    ),
    NAMES.map(
        lambda objs: (
            "export",
            {
                "backup_id": "app1:1",
                "format": "csv",
                "dialect": None,
                "objects": objs,
                "files": [f"{o}.csv" for o in objs],
                "include_attachments": False,
            },
        )
    ),
    NAMES.map(lambda objs: ("export_to_endpoint", {"backup_id": "app1:1", "endpoint_id": "e", "objects": objs})),
    st.tuples(st.sampled_from(["seed", "anonymize"]), st.fixed_dictionaries({"logs": NAMES, "template_id": st.text()})),
)


# an org's API window, as its own rule (`Org.__post_init__`) ties it together: none kept (any usage, an older
# state) or 1 to 24 hourly counts ending at an hour a date can show, the usage their sum
ORG_WINDOWS = st.one_of(
    st.tuples(st.none(), st.just([]), st.integers(0, 10**6)),
    st.tuples(st.integers(-(10**6), 10**6), st.lists(st.integers(0, 1000), min_size=1, max_size=24)).map(
        lambda drawn: (drawn[0], drawn[1], sum(drawn[1]))
    ),
)


# the kinds whose key is made of their fields, as their own rule (`__post_init__`) checks: the key from the fields
KEYED: dict[Any, Any] = {
    **dict.fromkeys((Service, Backup, Job, SeedingTemplate, Seed), lambda kw: rkey(kw["region"], kw["num"])),
    OwnAccount: lambda kw: str(kw["num"]),
    OwnUser: lambda kw: str(kw["num"]),
    AuditEvent: lambda kw: str(kw["event_id"]),
    BmUser: lambda kw: f"{kw['instance']}|{kw['login'].lower()}",
    B2CSite: lambda kw: f"{kw['instance']}|{kw['site_id']}",
    SlasClient: lambda kw: f"{kw['org']}|{kw['client_id']}",
    Shopper: lambda kw: f"{kw['org']}|{kw['login']}",
}


def _builds(cls: Any) -> st.SearchStrategy[Any]:
    hints = get_type_hints(cls)
    fields = {f.name: _strategy(hints[f.name]) for f in dataclasses.fields(cls) if f.init}
    if cls in KEYED:
        del fields["id"]
        return _builds_unkeyed(cls, fields).map(lambda drawn: cls(**{**drawn, "id": KEYED[cls](drawn)}))
    return _builds_unkeyed(cls, fields).map(lambda drawn: cls(**drawn))


def _builds_unkeyed(cls: Any, fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """The keyword arguments of a `cls`, drawn field by field, the fields its own rule ties together drawn
    together."""
    if cls is Org:
        del fields["api_hour"], fields["api_hours"], fields["api_usage"]  # drawn together
        return st.tuples(st.fixed_dictionaries(fields), ORG_WINDOWS).map(
            lambda drawn: {**drawn[0], "api_hour": drawn[1][0], "api_hours": drawn[1][1], "api_usage": drawn[1][2]}
        )
    if cls is Job:
        del fields["kind"], fields["params"]  # drawn together
        return st.tuples(st.fixed_dictionaries(fields), JOB_KINDS).map(
            lambda drawn: {**drawn[0], "kind": drawn[1][0], "params": drawn[1][1]}
        )
    if cls is Integration:  # an MC integration's client_id is its id (`Integration.__post_init__`)
        del fields["client_id"]
        return st.fixed_dictionaries(fields).map(lambda kw: {**kw, "client_id": kw["id"]})
    return st.fixed_dictionaries(fields)


_import_all()
KINDS = sorted(RECORD_TYPES)


@pytest.mark.parametrize("table", KINDS)
def test_every_registered_kind_round_trips(tmp_path: Path, table: str) -> None:
    meta = RECORD_TYPES[table]
    s = SqliteStore(tmp_path / "kinds.db", durable=False)

    @settings(max_examples=15, deadline=None)
    @given(rec=_builds(meta.cls))
    def check(rec: Any) -> None:
        t = s.table(meta.cls)
        t.put(rec)
        key = getattr(rec, meta.key)
        assert repr(t.get(key)) == repr(rec)
        for index in meta.indexes:
            value = getattr(rec, index)
            if value is not None:
                assert key in [getattr(r, meta.key) for r in t.find(index, value)]
        t.delete(key)
        assert t.get(key) is None

    try:
        check()
    finally:
        s.close()


def test_the_real_kinds_are_covered() -> None:
    assert {"sf_orgs", "sf_users", "sf_apps", "sf_access_tokens", "sf_refresh_tokens", "outbox"} <= set(KINDS)


# --- transactions ------------------------------------------------------------------------------------


def test_atomic_rolls_back_a_crash_and_keeps_an_answer(store: SqliteStore) -> None:
    t = store.table(Widget)
    with pytest.raises(RuntimeError), store.atomic():
        t.put(Widget("crash"))
        raise RuntimeError("bug")
    assert t.get("crash") is None
    # an error *answer* (a MockownError) keeps the transitions that led to it, as the memory store does
    with pytest.raises(ControlError), store.atomic():
        t.put(Widget("answer"))
        with store.atomic():  # nested blocks join the outer transaction
            t.put(Widget("nested"))
        raise ControlError(409, "conflict", "x")
    assert t.get("answer") is not None and t.get("nested") is not None


def test_writes_are_visible_to_another_connection_at_once(tmp_path: Path) -> None:
    a, b = SqliteStore(tmp_path / "s.db"), SqliteStore(tmp_path / "s.db")
    try:
        a.table(Widget).put(Widget("w", owner="x"))
        assert b.table(Widget).first("owner", "x") == Widget("w", owner="x")
        with a.atomic():
            a.table(Widget).put(Widget("w", owner="y"))
            assert b.table(Widget).get("w") == Widget("w", owner="x")  # not yet committed
        assert b.table(Widget).get("w") == Widget("w", owner="y")
        b.table(Widget).delete("w")
        assert len(a.table(Widget)) == 0
    finally:
        a.close()
        b.close()


def test_a_transaction_blocks_other_writers_until_it_commits(tmp_path: Path) -> None:
    a, b = SqliteStore(tmp_path / "s.db"), SqliteStore(tmp_path / "s.db")
    done = threading.Event()

    def writer() -> None:
        b.table(Widget).put(Widget("from-b"))
        done.set()

    try:
        with a.atomic():
            a.table(Widget).put(Widget("from-a"))
            thread = threading.Thread(target=writer)
            thread.start()
            assert not done.wait(0.3)  # waiting for a's write lock
        thread.join(5)
        assert done.is_set()
        assert {w.id for w in a.table(Widget).all()} == {"from-a", "from-b"}
    finally:
        a.close()
        b.close()


COUNTER = """
import os, sys, time
from mockown.store.sqlite import SqliteStore
from tests.persistence.test_sqlite_store import Widget
s = SqliteStore(sys.argv[1])
open(sys.argv[1] + "." + str(os.getpid()), "w").close()
while not os.path.exists(sys.argv[1] + ".go"):
    time.sleep(0.005)
for _ in range(int(sys.argv[2])):
    with s.atomic():
        t = s.table(Widget)
        w = t.get("counter")
        w.tag += 1
        t.put(w)
s.close()
"""


def test_atomic_is_a_cross_process_transaction(tmp_path: Path) -> None:
    path = tmp_path / "counter.db"
    s = SqliteStore(path)
    s.table(Widget).put(Widget("counter"))
    root = Path(__file__).resolve().parents[2]
    procs = [subprocess.Popen([sys.executable, "-c", COUNTER, str(path), "60"], cwd=root) for _ in range(3)]
    deadline = time.monotonic() + 30
    while len(list(tmp_path.glob("counter.db.*"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    (tmp_path / "counter.db.go").touch()  # all three start at once: their transactions collide
    assert [p.wait(60) for p in procs] == [0, 0, 0]
    got = s.table(Widget).get("counter")
    assert got is not None and got.tag == 180  # no lost update, no "database is locked"
    s.close()


# --- meta, reset, snapshots ----------------------------------------------------------------------------


def test_clear_keeps_the_runtime_state_and_dump_load_round_trip(store: SqliteStore) -> None:
    store.table(Widget).put(Widget("w", owner="x", notes=["n"]))
    store.set_meta("answer", {"v": 42})
    store.write_state("rsa_pem", "PEM")
    snapshot = store.dump()
    assert snapshot["test_widgets"] == [dataclasses.asdict(Widget("w", owner="x", notes=["n"]))]
    assert snapshot["_meta"] == [{"answer": {"v": 42}}]
    store.clear()
    assert len(store.table(Widget)) == 0 and store.get_meta("answer") is None
    assert store.read_state("rsa_pem") == "PEM"  # the signing key survives a reset
    store.load(snapshot)
    assert store.dump() == snapshot
    memory = MemoryStore()
    memory.load(snapshot)
    assert memory.dump() == snapshot
    with pytest.raises(ValueError, match="unknown table"):
        store.load({"nope": []})


# --- schema versions and migration ---------------------------------------------------------------------


def test_schema_is_versioned(tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    SqliteStore(path).close()
    db = sqlite3.connect(path)
    assert json.loads(db.execute("SELECT value FROM mockown_state WHERE name='schema_version'").fetchone()[0]) == (
        SCHEMA_VERSION
    )
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.execute("UPDATE mockown_state SET value = ? WHERE name = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    with pytest.raises(StateFileError, match="knows up to"):
        SqliteStore(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateFileError, match=r"junk\.db"):
        SqliteStore(path)


def test_a_new_index_is_added_and_filled_on_open(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    # a file written by an older mockown whose Widget had no "tag" index (every mockown file has its mockown_state)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE mockown_state (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO mockown_state VALUES ('schema_version', '1')")
    db.execute(
        'CREATE TABLE "r_test_widgets" (seq INTEGER PRIMARY KEY, key UNIQUE NOT NULL, "i_owner", "i_flag", '
        "data TEXT NOT NULL)"
    )
    db.execute(
        'INSERT INTO "r_test_widgets" (key, "i_owner", "i_flag", data) VALUES (?, ?, ?, ?)',
        ("old", "x", 0, json.dumps({"id": "old", "owner": "x", "flag": False, "tag": 2})),  # no "notes": a new field
    )
    db.commit()
    db.close()
    s = SqliteStore(path)
    try:
        assert s.table(Widget).first("tag", 2) == Widget("old", owner="x", tag=2)
    finally:
        s.close()


def test_state_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    SqliteStore(path).close()
    assert path.stat().st_mode & 0o077 == 0


def test_a_table_made_in_a_rolled_back_transaction_is_made_again(store: SqliteStore) -> None:
    """A kind first used inside a transaction that rolls back: SQLite takes its CREATE TABLE back too; the
    store makes it again, so the table object already handed out (services keep theirs) still works."""

    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.atomic():
        widgets = store.table(Widget)  # the first use of the kind: its table is made inside the transaction
        widgets.put(Widget("w1"))
        raise Boom
    assert widgets.get("w1") is None
    widgets.put(Widget("w2"))  # "no such table: r_test_widgets" before the fix
    assert [w.id for w in store.table(Widget).all()] == ["w2"]
    with pytest.raises(Boom), store.all_or_nothing():
        store.table(Widget).put(Widget("w3"))
        raise Boom
    assert [w.id for w in widgets.all()] == ["w2"]


# -- a store's connection is never left open (Python 3.13 warns about one collected open) --------------------------
def test_a_store_nobody_closed_closes_its_file_when_collected(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "dropped.db")
    db = store._db
    del store
    gc.collect()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.execute("SELECT 1")


@pytest.mark.parametrize("why", ["not a database", "a newer schema"])
def test_a_store_that_cannot_open_leaves_no_connection_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, why: str
) -> None:
    path = tmp_path / "bad.db"
    if why == "not a database":
        path.write_bytes(b"this is not sqlite" * 100)
    else:
        SqliteStore(path).close()
        db = sqlite3.connect(path)
        db.execute("UPDATE mockown_state SET value = ? WHERE name = 'schema_version'", (str(SCHEMA_VERSION + 1),))
        db.commit()
        db.close()
    opened: list[sqlite3.Connection] = []
    connect = sqlite3.connect

    def recording(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        opened.append(connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(sqlite3, "connect", recording)
    with pytest.raises(StateFileError) as caught:
        SqliteStore(path)
    assert len(opened) == 1
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):  # closed by the failed open itself: the half-made
        opened[0].execute("SELECT 1")  # store is still referenced (the traceback), so not by its collection
    assert caught.value.__traceback__ is not None

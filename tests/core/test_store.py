"""The memory store against a reference dict, with hypothesis: indexes never disagree with the rows."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from mockown.store import record
from mockown.store.memory import MemoryStore


@record("test_items", indexes=("group", "tag"))
@dataclass(slots=True)
class Item:
    id: str
    group: str
    tag: str | None = None


KEYS = st.sampled_from(["a", "b", "c", "d"])
GROUPS = st.sampled_from(["g1", "g2"])
TAGS = st.sampled_from([None, "t1", "t2"])
Op = tuple[str, str, str, str | None]


def _ops(*kinds: str, max_size: int) -> st.SearchStrategy[list[Op]]:
    """Lists of (kind, key, group, tag) operations."""
    return st.lists(st.one_of(*(st.tuples(st.just(k), KEYS, GROUPS, TAGS) for k in kinds)), max_size=max_size)


OPS = _ops("put", "mutate", "delete", max_size=40)


@given(OPS)
def test_indexes_follow_rows(ops: list[tuple[str, str, str, str | None]]) -> None:
    store = MemoryStore()
    table = store.table(Item)
    model: dict[str, tuple[str, str | None]] = {}
    for op, key, group, tag in ops:
        if op == "put":
            table.put(Item(key, group, tag))
            model[key] = (group, tag)
        elif op == "mutate":
            item = table.get(key)
            if item is not None:
                item.group, item.tag = group, tag
                table.put(item)
                model[key] = (group, tag)
        else:
            table.delete(key)
            model.pop(key, None)
    assert len(table) == len(model)
    for group in ("g1", "g2"):
        assert {i.id for i in table.find("group", group)} == {k for k, v in model.items() if v[0] == group}
    for tag in ("t1", "t2"):
        assert {i.id for i in table.find("tag", tag)} == {k for k, v in model.items() if v[1] == tag}
        first = table.first("tag", tag)
        assert (first is None) == (not any(v[1] == tag for v in model.values()))


def test_dump_and_load_round_trip() -> None:
    store = MemoryStore()
    store.table(Item).put(Item("a", "g1", "t1"))
    store.set_meta("clock_offset", 12.5)
    dumped = store.dump()
    other = MemoryStore()
    other.load(dumped)
    assert other.table(Item).get("a") == Item("a", "g1", "t1")
    assert other.get_meta("clock_offset") == 12.5
    assert other.table(Item).find("group", "g1")[0].id == "a"
    store.clear()
    assert len(store.table(Item)) == 0


def test_table_follows_clear_and_thaw() -> None:
    """table() keeps each class's table at hand; after thaw() and clear() it must be the store's new one."""
    store = MemoryStore()
    store.table(Item).put(Item("a", "g1"))
    frozen = store.freeze()
    store.table(Item).put(Item("b", "g1"))
    store.thaw(frozen)
    assert [i.id for i in store.table(Item).all()] == ["a"]
    assert [i.id for i in store.table(Item).find("group", "g1")] == ["a"]
    store.clear()
    assert store.table(Item).all() == [] and store.empty()
    store.table(Item).put(Item("c", "g2"))
    assert [r["id"] for r in store.dump()["test_items"]] == ["c"]


# -- all_or_nothing(): what a block that raises wrote is undone ------------------------------------------
class _Crash(Exception):
    pass


def _state(store: MemoryStore) -> tuple[dict[str, list[dict[str, object]]], dict[str, list[str]]]:
    """The dump, and each index's view, in order (rows and index entries restored in another order show)."""
    table = store.table(Item)
    views = {f"{name}={value}": [i.id for i in table.find(name, value)]
             for name, values in (("group", ("g1", "g2")), ("tag", ("t1", "t2"))) for value in values}  # fmt: skip
    return store.dump(), views


FRESH_OPS = _ops("put", "delete", "meta", max_size=30)  # a new object on every put (no in-place change)


@given(before=FRESH_OPS, inside=FRESH_OPS, frozen=st.booleans())
def test_a_block_that_raises_leaves_the_store_as_it_was(
    before: list[tuple[str, str, str, str | None]], inside: list[tuple[str, str, str, str | None]], frozen: bool
) -> None:
    """Rows put (new or replacing) or deleted and meta values set inside `all_or_nothing()` are undone when it
    raises, indexes included; the same writes stay when it does not. `frozen`: the store went through
    freeze/thaw first (its tables are unpickled copies, which must still record)."""

    def apply(store: MemoryStore, ops: list[tuple[str, str, str, str | None]]) -> None:
        table = store.table(Item)
        for op, key, group, tag in ops:
            if op == "put":
                table.put(Item(key, group, tag))  # a new object each time: the store restores references
            elif op == "delete":
                table.delete(key)
            else:
                store.set_meta(key, group)

    store = MemoryStore()
    apply(store, before)
    if frozen:
        copy = MemoryStore()
        copy.thaw(store.freeze())
        store = copy
    expected = _state(store)
    try:
        with store.all_or_nothing():
            apply(store, inside)
            with store.all_or_nothing():  # nested: the outer block undoes
                apply(store, inside[::-1])
            raise _Crash
    except _Crash:
        pass
    assert _state(store) == expected
    reference = MemoryStore()
    apply(reference, before)
    apply(reference, inside)
    apply(reference, inside[::-1])
    with store.all_or_nothing():
        apply(store, inside)
        apply(store, inside[::-1])
    assert _state(store) == _state(reference)


def test_an_answer_keeps_what_the_block_wrote() -> None:
    """A `MockownError` is an API's answer: what happened before it stands (SQLite commits it too)."""
    from mockown.errors import MockownError

    store = MemoryStore()
    table = store.table(Item)
    try:
        with store.all_or_nothing():
            table.put(Item("a", "g1"))
            raise MockownError("counted")
    except MockownError:
        pass
    assert table.get("a") is not None
    try:
        with store.all_or_nothing():
            table.put(Item("b", "g1"))
            raise _Crash
    except _Crash:
        pass
    assert table.get("b") is None and table.get("a") is not None

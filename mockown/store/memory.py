"""The default store: dictionaries in the app's memory, with O(1) secondary indexes."""

from __future__ import annotations

import contextlib
import pickle
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Generic

from . import R, RecordMeta, is_answer, load_snapshot, meta_of, to_dict


class _Undo:
    """What undoing an open `all_or_nothing()` block takes, per table it wrote: the keys it added (undone by
    deleting them) and, once it changed or deleted a row that was there before, a copy of the whole table as it
    was then (rows, indexes, in their order: lists come back in the same order). One per store, shared by its
    tables; `tables` is None outside such a block."""

    __slots__ = ("tables",)

    def __init__(self) -> None:
        self.tables: dict[MemoryTable[Any], _TableUndo] | None = None


class _TableUndo:
    __slots__ = ("added", "copy")

    def __init__(self) -> None:
        self.added: set[str] = set()
        self.copy: tuple[dict[str, Any], dict[str, Any], dict[str, dict[Any, dict[str, None]]]] | None = None


class MemoryTable(Generic[R]):
    __slots__ = ("_index", "_indexed", "_meta", "_rows", "_shapes", "_undo")

    def __init__(self, meta: RecordMeta, undo: _Undo | None = None) -> None:
        self._undo = undo or _Undo()
        self._meta = meta
        self._rows: dict[str, R] = {}
        self._index: dict[str, dict[Any, dict[str, None]]] = {name: {} for name in meta.indexes}
        # the indexed values each row was filed under, so an in-place mutation can be re-filed on put()
        self._indexed: dict[str, tuple[Any, ...]] = {}
        # common tuples of indexed values (e.g. (None, org id) for a million tokens) stored once: bounded
        self._shapes: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def get(self, key: str) -> R | None:
        return self._rows.get(key)

    def put(self, rec: R) -> None:
        key = getattr(rec, self._meta.key)
        if self._undo.tables is not None:
            self._note(key)
        values = self._meta.index_values(rec)
        old = self._indexed.get(key)
        if old != values:
            if old is not None:
                self._unfile(key, old)
            for name, value in zip(self._meta.indexes, values, strict=True):
                if value is not None:
                    self._index[name].setdefault(value, {})[key] = None
            shapes = self._shapes
            shared = shapes.get(values)
            if shared is None:
                if len(shapes) >= 256:
                    shapes.clear()
                shared = shapes[values] = values
            self._indexed[key] = shared
        self._rows[key] = rec

    def _note(self, key: str) -> None:
        """Inside `all_or_nothing()`: what undoing this write of `key` takes (`_Undo`)."""
        tables = self._undo.tables
        assert tables is not None
        undo = tables.get(self)
        if undo is None:
            undo = tables[self] = _TableUndo()
        if undo.copy is not None or key in undo.added:
            return
        if key in self._rows:  # a row that was there before: keep the whole table as it is (rare: seeds add rows)
            index = {name: {value: dict(bucket) for value, bucket in by.items()} for name, by in self._index.items()}
            undo.copy = (dict(self._rows), dict(self._indexed), index)
        else:
            undo.added.add(key)

    def _undo_block(self, undo: _TableUndo) -> None:
        if undo.copy is not None:
            self._rows, self._indexed, self._index = undo.copy
        for key in undo.added:  # added before the copy (in it, last in every order) or after it (not in it)
            self.delete(key)

    def _unfile(self, key: str, values: tuple[Any, ...]) -> None:
        for name, value in zip(self._meta.indexes, values, strict=True):
            bucket = self._index[name].get(value)
            if bucket is not None:
                bucket.pop(key, None)
                if not bucket:
                    del self._index[name][value]

    def delete(self, key: str) -> None:
        if self._undo.tables is not None:
            self._note(key)
        if self._rows.pop(key, None) is not None:
            self._unfile(key, self._indexed.pop(key))

    def find(self, index: str, value: Any) -> list[R]:
        bucket = self._index[index].get(value)
        if not bucket:
            return []
        return [self._rows[k] for k in bucket]

    def first(self, index: str, value: Any) -> R | None:
        bucket = self._index[index].get(value)
        if not bucket:
            return None
        return self._rows[next(iter(bucket))]

    def all(self) -> list[R]:
        return list(self._rows.values())

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[R]:
        return iter(list(self._rows.values()))


class MemoryStore:
    kind: ClassVar[str] = "memory"

    def __init__(self) -> None:
        self._tables: dict[str, MemoryTable[Any]] = {}
        # table() by record class, without the meta look-up. clear() and thaw() replace `_tables`, then this
        # dict; table() reads this dict before `_tables` and files into the dict it read: a call racing a
        # replacement may see the old table once, and never leaves it cached
        self._by_class: dict[type[Any], MemoryTable[Any]] = {}
        self._meta: dict[str, Any] = {}
        # what the runtime keeps for itself (`store.secret_key`'s keys): outside `dump()`, `clear()` and `freeze()`
        self._state: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._undo = _Undo()

    def table(self, cls: type[R]) -> MemoryTable[R]:
        by_class = self._by_class
        table = by_class.get(cls)
        if table is None:
            meta = meta_of(cls)
            tables = self._tables
            table = tables.get(meta.table)
            if table is None:
                table = tables[meta.table] = MemoryTable(meta, self._undo)
            by_class[cls] = table
        return table

    def atomic(self) -> AbstractContextManager[None]:
        return self._lock  # type: ignore[return-value]

    @contextlib.contextmanager
    def all_or_nothing(self) -> Iterator[None]:
        """`atomic()`, undone if it raises (except with a `MockownError` answer, which SQLite commits too): the
        tables it wrote come back as they were, rows and indexes in the same order, and so do the meta values.
        The memory store keeps the record objects themselves, so a record changed in place is not restored: a
        block run this way changes only records it made (a seed document). Inside another `all_or_nothing()`,
        the outer one undoes."""
        with self._lock:
            if self._undo.tables is not None:
                yield
                return
            tables: dict[MemoryTable[Any], _TableUndo] = {}
            meta = dict(self._meta)
            self._undo.tables = tables
            try:
                yield
            except BaseException as exc:
                self._undo.tables = None
                if not is_answer(exc):
                    for table, undo in tables.items():
                        table._undo_block(undo)
                    self._meta.clear()
                    self._meta.update(meta)
                raise
            finally:
                self._undo.tables = None

    def clear(self) -> None:
        with self._lock:
            self._tables = {}
            self._by_class = {}
            self._meta.clear()

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        with self._lock:
            out = {name: [to_dict(r) for r in t.all()] for name, t in self._tables.items() if len(t)}
            out["_meta"] = [dict(self._meta)]
            return out

    def load(self, data: dict[str, list[dict[str, Any]]]) -> None:
        load_snapshot(self, data)

    def empty(self) -> bool:
        return not self._meta and not any(len(t) for t in self._tables.values())

    def freeze(self) -> bytes:
        """The whole state as bytes (records keep their types); `thaw()` makes a store an independent copy."""
        with self._lock:
            return pickle.dumps((self._tables, self._meta), protocol=pickle.HIGHEST_PROTOCOL)

    def thaw(self, frozen: bytes) -> None:
        """Replace the state with a copy of what `freeze()` returned (of this process)."""
        with self._lock:
            self._tables, self._meta = pickle.loads(frozen)  # noqa: S301 - bytes this process pickled itself
            self._by_class = {}
            for table in self._tables.values():
                table._undo = self._undo

    def get_meta(self, name: str) -> Any:
        return self._meta.get(name)

    def set_meta(self, name: str, value: Any) -> None:
        self._meta[name] = value

    def read_state(self, name: str) -> Any:
        return self._state.get(name)

    def write_state(self, name: str, value: Any) -> None:
        self._state[name] = value

    def close(self) -> None:
        pass

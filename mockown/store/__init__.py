"""The typed store: tables of dataclass records with secondary indexes, behind a `Store` protocol.

Each kind of state is a dataclass registered with `@record(table, key=..., indexes=...)`. Code reads and
writes it through `store.table(Kind)`, which is typed: `store.table(AccessToken).get(h)` is an
`AccessToken | None`. Mutating a record means changing it and calling `put()` again, so every backend
(memory, SQLite) sees every change. Multi-step state transitions run inside `with store.atomic():`.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from ..fieldwise import Fieldwise
from .decode import RowError, checked, checked_meta

R = TypeVar("R")
Unique = str | tuple[str, ...]  # `record(unique=...)`: a field, or fields whose values count together


# `record(older=...)`: a row as an older mockown wrote it (a field since renamed or stored otherwise) -> the row as
# this one reads it; a RowError for a value it cannot take
Older = Callable[[dict[str, Any]], dict[str, Any]]


class RecordMeta:
    __slots__ = ("cls", "index_values", "indexes", "key", "older", "table", "unique")

    def __init__(
        self,
        cls: type[Any],
        table: str,
        key: str,
        indexes: tuple[str, ...],
        unique: tuple[Unique, ...] = (),
        older: Older | None = None,
    ) -> None:
        self.cls, self.table, self.key, self.indexes, self.older = cls, table, key, indexes, older
        # indexed fields, or groups of them, whose values no two rows share (as the seed refuses a taken one):
        # checked on restore
        self.unique: tuple[tuple[str, ...], ...] = tuple((u,) if isinstance(u, str) else u for u in unique)
        # a record's indexed values as a tuple, in `indexes` order (attrgetter gives a bare value for one name)
        getter = operator.attrgetter(*indexes) if indexes else None
        self.index_values: Callable[[Any], tuple[Any, ...]] = (
            (lambda rec: ()) if getter is None else (lambda rec: (getter(rec),)) if len(indexes) == 1 else getter
        )

    def __reduce__(self) -> tuple[Callable[[str], RecordMeta], tuple[str]]:
        # pickled (a frozen memory store) as a reference to the registered kind, not a copy
        return _registered, (self.table,)


def _registered(table: str) -> RecordMeta:
    return RECORD_TYPES[table]


RECORD_TYPES: dict[str, RecordMeta] = {}


def record(
    table: str,
    *,
    key: str = "id",
    indexes: tuple[str, ...] = (),
    unique: tuple[Unique, ...] = (),
    older: Older | None = None,
) -> Callable[[type[R]], type[R]]:
    """Register a dataclass as a stored kind (a type-level registry; state itself lives in a Store). `unique`:
    indexed fields whose values no two records share (a username, a client id), or a tuple of indexed fields whose
    values no two records share together (a username within a tenant). `older`: reads a row an older mockown
    wrote (a restored snapshot's, a state file's: `from_dict` and the SQLite store call it first)."""

    def wrap(cls: type[R]) -> type[R]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass")
        meta = RecordMeta(cls, table, key, indexes, unique, older)
        if {field for fields in meta.unique for field in fields} - set(indexes):
            raise TypeError(f"{cls.__name__}: a unique field must be indexed")
        cls.__mockown_record__ = meta  # type: ignore[attr-defined]
        RECORD_TYPES[table] = meta
        return cls

    return wrap


def meta_of(cls: type[Any]) -> RecordMeta:
    try:
        meta: RecordMeta = cls.__mockown_record__
    except AttributeError:
        raise TypeError(f"{cls.__name__} is not a registered record") from None
    return meta


def delete_rows(table: Table[Any], rows: Iterable[Any], tally: dict[str, int]) -> None:
    """Delete `rows` (records of `table`) and add their count, by table name, to `tally`."""
    for rec in rows:
        meta = meta_of(type(rec))
        table.delete(getattr(rec, meta.key))
        tally[meta.table] = tally.get(meta.table, 0) + 1


_ATOMIC = frozenset({str, int, float, bool, type(None)})  # what `dataclasses.asdict` hands back as it is


@dataclasses.dataclass(repr=False, eq=False)
class _Box(Fieldwise):
    """A value wrapped so that `dataclasses.asdict` copies it as it copies a field's value."""

    value: Any


def _plain(value: Any) -> Any:
    """`value` as `dataclasses.asdict` turns a field's value: a nested record a dict, containers deep-copied."""
    kind = type(value)
    if kind in _ATOMIC:
        return value
    if kind is list:
        return [_plain(v) for v in value]
    if kind is dict:
        return {_plain(k): _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(kind):
        return to_dict(value)
    return dataclasses.asdict(_Box(value))["value"]  # tuples, subclasses, the rest: asdict's own rules


_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def to_dict(rec: Any) -> dict[str, Any]:
    """`dataclasses.asdict(rec)`, the same dict (property-tested), without asdict's generic recursion and deep copy
    of every value: most fields are strings and numbers, handed back as they are (a dump of 60k records, the
    snapshot of a busy server, took seconds)."""
    kind = type(rec)
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(rec))
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(rec, name)
        out[name] = value if type(value) in _ATOMIC else _plain(value)
    return out


def older_row(cls: type[Any], data: dict[str, Any]) -> dict[str, Any]:
    """`data` as this mockown reads a row of `cls`: an older mockown's row mapped by the kind's `older`."""
    meta: RecordMeta | None = getattr(cls, "__mockown_record__", None)
    return data if meta is None or meta.older is None else meta.older(data)


def from_dict(cls: type[R], data: dict[str, Any]) -> R:
    """A record from a row of JSON values (an older mockown's row read as this one's: `older_row`), each checked
    against its field's type (`decode.checked`): a wrong or missing one is a `RowError` (ValueError) naming the
    field; keys the record does not have are ignored."""
    return cls(**checked(cls, older_row(cls, data)))


class Table(Protocol[R]):
    def get(self, key: str) -> R | None: ...
    def put(self, rec: R) -> None: ...
    def delete(self, key: str) -> None: ...
    def find(self, index: str, value: Any) -> list[R]: ...
    def first(self, index: str, value: Any) -> R | None: ...
    def all(self) -> list[R]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[R]: ...


@runtime_checkable
class Store(Protocol):
    kind: ClassVar[str]

    def table(self, cls: type[R]) -> Table[R]: ...
    def atomic(self) -> AbstractContextManager[None]: ...
    def all_or_nothing(self) -> AbstractContextManager[None]: ...
    def clear(self) -> None: ...
    def dump(self) -> dict[str, list[dict[str, Any]]]: ...
    def load(self, data: dict[str, list[dict[str, Any]]]) -> None: ...
    def get_meta(self, name: str) -> Any: ...
    def set_meta(self, name: str, value: Any) -> None: ...
    def read_state(self, name: str) -> Any: ...
    def write_state(self, name: str, value: Any) -> None: ...
    def close(self) -> None: ...


class StoreBusy(Exception):
    """The store cannot be read or written now: another process has held its state file's lock for longer than this
    process waits (`SqliteStore`: a transaction of another program, a backup tool). Nothing changed (the transaction
    it stopped was rolled back). A request is answered 503 with ``Retry-After: retry_after`` in its endpoint's
    dialect (`create_app`); at start-up it is a configuration error (`serving.build`). `name`: the file's name only
    (for the log)."""

    def __init__(self, name: str, waited: float) -> None:
        super().__init__(f"state file {name} is locked by another process (waited {waited:g} s for it)")
        self.name = name
        self.retry_after = max(1, math.ceil(waited))


def is_answer(exc: BaseException) -> bool:
    """Whether `exc` is an API's answer (a `MockownError`): the writes before it stand, as its rules say (a failed
    login counts, a replayed code revokes), where any other exception undoes a transaction."""
    from ..errors import MockownError

    return isinstance(exc, MockownError)


# HMAC keys the runtime makes for itself (`secret_key`), which earlier versions kept among the meta values (and so in
# every snapshot): a snapshot's are ignored on restore, a state file's are moved out of its meta values on open
RUNTIME_SECRETS = ("ui_secret", "sf_oauth_token_delete_key")
_HEX_KEY = re.compile(r"(?:[0-9a-fA-F]{2}){16,512}")


def secret_key(store: Store, name: str) -> bytes:
    """The app's own HMAC key `name` (the browser-session key, the delete-token key): 32 random bytes made on first
    use and kept with the signing keys (`read_state`: a state file's ``mockown_state``, which every worker and every
    restart share), never among the meta values: `dump()` (a snapshot) holds none, and neither a restore nor a
    `clear()` changes it."""
    stored = store.read_state(name)
    if type(stored) is not str or not _HEX_KEY.fullmatch(stored):
        with store.atomic():
            stored = store.read_state(name)
            if type(stored) is not str or not _HEX_KEY.fullmatch(stored):
                import secrets

                stored = secrets.token_hex(32)
                store.write_state(name, stored)
    return bytes.fromhex(stored)


# checks across a snapshot's tables (an Own export's objects among its backup's), registered by the modules that
# define the records: each gets {table: its rows' records, in row order} and raises a RowError naming the row
SNAPSHOT_CHECKS: list[Callable[[dict[str, list[Any]]], None]] = []
# what a restored snapshot's `_meta` values must be for its rows (an Own id counter at least the highest number of
# its kind), registered likewise: each gets the tables, as a check does, and the checked values, which it changes
SNAPSHOT_META: list[Callable[[dict[str, list[Any]], dict[str, Any]], None]] = []


def load_snapshot(store: Store, data: dict[str, list[dict[str, Any]]]) -> None:
    """Replace the state of `store` with a `dump()`: ``_meta`` holds the meta values (an older snapshot's
    `RUNTIME_SECRETS` among them are ignored: the store keeps its own), every other key a table.
    Every row is decoded (and checked: `from_dict`) before the store changes, so a `RowError` (naming the table,
    the row and the field) or an unknown table leaves the store as it was."""
    tables: list[tuple[type[Any], list[Any]]] = []
    for name, rows in data.items():
        if name == "_meta":
            continue
        meta = RECORD_TYPES.get(name)
        if meta is None:
            raise ValueError(f"unknown table in snapshot: {name}")
        recs = []
        # per field (or group of fields) no two rows share, value -> the row that has it: two rows with one key
        # would overwrite each other, and a look-up by a unique field would find either row
        owners: dict[tuple[str, ...], dict[Any, int]] = {fields: {} for fields in ((meta.key,), *meta.unique)}
        for index, row in enumerate(rows):
            try:
                rec = from_dict(meta.cls, row)
            except RowError as exc:
                raise exc.within(f"{name}[{index}]") from None
            for fields, firsts in owners.items():
                value = tuple(getattr(rec, f) for f in fields) if len(fields) > 1 else getattr(rec, fields[0])
                first = firsts.setdefault(value, index)
                if first != index:
                    field = fields[0] if len(fields) == 1 else f"({', '.join(fields)})"
                    what = "key" if fields == (meta.key,) else field
                    raise RowError(f"{name}[{index}].{field}", f"{value!r} is the {what} of {name}[{first}] too")
            recs.append(rec)
        tables.append((meta.cls, recs))
    by_table = {meta_of(cls).table: recs for cls, recs in tables}
    for check in SNAPSHOT_CHECKS:
        check(by_table)
    metas = data.get("_meta") or []
    if len(metas) > 1:
        raise RowError("_meta", f"expected a list of one object, got {len(metas)}")
    values = checked_meta(metas[0]) if metas else {}
    values = {key: value for key, value in values.items() if key not in RUNTIME_SECRETS}  # an older snapshot's
    for fit in SNAPSHOT_META:
        fit(by_table, values)
    with store.atomic():
        store.clear()
        for key, value in values.items():
            store.set_meta(key, value)
        for cls, recs in tables:
            table = store.table(cls)
            for rec in recs:
                table.put(rec)


__all__ = [
    "RECORD_TYPES",
    "RUNTIME_SECRETS",
    "SNAPSHOT_CHECKS",
    "SNAPSHOT_META",
    "RowError",
    "Store",
    "StoreBusy",
    "Table",
    "delete_rows",
    "from_dict",
    "is_answer",
    "load_snapshot",
    "meta_of",
    "older_row",
    "record",
    "secret_key",
    "to_dict",
]

"""The persistent store (``--state-file``): every registered record kind in one SQLite file.

Layout (schema version 1): one table per record kind, ``r_<table>``, with the record's key, one column
per declared index and the whole record as a JSON blob; a ``meta`` table for `get_meta` / `set_meta`;
a ``mockown_state`` table for what the runtime itself keeps (schema version, the signing keys and the other keys
it makes for itself, the clock), which a reset does not clear and a snapshot does not hold.

Properties:

- **Shared by processes.** Nothing is cached per process: every read goes to the database, so several
  workers (``mockown serve --workers N``) or two apps in one process see each other's writes.
- **Durable before the answer.** Outside `atomic()` each write is its own committed transaction;
  inside it, the outermost block commits on exit. Either way a write is committed (WAL, fsync'd)
  before the handler that made it returns its response.
- **Real transactions.** `atomic()` is ``BEGIN IMMEDIATE`` (the database write lock, waited for up
  to `BUSY_TIMEOUT` at start-up, `REQUEST_BUSY_TIMEOUT` once the app is made: then `StoreBusy`, a 503), re-entrant
  within a thread. It commits on success and when the block ends in a
  `MockownError` (an error *answer*: the state changes that led to it stand, exactly as with the
  memory store, e.g. a replayed code revoking its tokens); any other exception rolls it back.
- **Versioned.** The layout has a schema version, checked and migrated on open; record kinds are
  migrated on first use (a new kind gets its table, a new index its column, filled from the JSON).

Records come back as fresh objects on every read: mutate, then `put()` (the store's rule anyway).
"""

# ruff: noqa: S608 - table and column names come from the record declarations (code), quoted; values are bound

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import sqlite3
import stat
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Generic, Union, get_args, get_origin, get_type_hints

from ..keys import SLOTS, KeyRing, load_pem
from . import (
    RECORD_TYPES,
    RUNTIME_SECRETS,
    R,
    RecordMeta,
    StoreBusy,
    is_answer,
    load_snapshot,
    meta_of,
    older_row,
    to_dict,
)

log = logging.getLogger("mockown")

SCHEMA_VERSION = 1
BUSY_TIMEOUT = 30.0  # seconds a writer waits for another process's transaction at start-up (workers seeding at once)
# ... and once the app is made (`serving`): a request that waits runs on the event loop, which answers nothing else
# meanwhile (the liveness probe included); after it, `StoreBusy` (a 503 with Retry-After)
REQUEST_BUSY_TIMEOUT = 5.0


class StateFileError(RuntimeError):
    """A state file that cannot be used (unreadable, not SQLite, written by a newer mockown)."""


# --- values <-> SQL -------------------------------------------------------------------------------------


def _sql_value(value: Any) -> Any:
    """How a key or index value is stored: scalars as themselves, anything else as canonical JSON.

    Text that SQLite cannot hold (lone surrogates, which a JSON body can carry) becomes a BLOB of its
    ``surrogatepass`` encoding: injective, and never equal to any valid text. Lookups compare the
    records they read with the value asked for anyway, so no encoding can return a wrong record.
    """
    if value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        if -(2**63) <= value < 2**63:
            return int(value)  # bool as 0 / 1, as SQLite does
        return b"\x00int:" + str(value).encode("ascii")  # beyond SQLite's INTEGER, never equal to a text
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogatepass")
        return value
    return json.dumps(value, sort_keys=True, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    raise TypeError(f"cannot store a {type(value).__name__} in a record")


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = get_type_hints(cls)
    return hints


def _revive(tp: Any, value: Any) -> Any:
    """A JSON value back into the declared type: nested dataclasses, tuples, sets (lists stay lists)."""
    if value is None:
        return None
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        if len(members) == 1:
            return _revive(members[0], value)
        for arg in members:  # the first member the value fits
            if dataclasses.is_dataclass(arg) and isinstance(value, dict):
                return _revive(arg, value)
        return value
    if dataclasses.is_dataclass(tp) and isinstance(tp, type) and isinstance(value, dict):
        return _decode(tp, value)
    if origin in (list, tuple, set, frozenset) and isinstance(value, list):
        args = get_args(tp)
        if origin is tuple and args and args[-1] is not Ellipsis:
            return tuple(_revive(a, v) for a, v in zip(args, value, strict=False))
        item = args[0] if args else Any
        revived = [_revive(item, v) for v in value]
        return revived if origin is list else origin(revived)
    if origin is dict and isinstance(value, dict):
        args = get_args(tp)
        item = args[1] if len(args) == 2 else Any
        return {k: _revive(item, v) for k, v in value.items()}
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _decode(cls: type[R], data: dict[str, Any]) -> R:
    data = older_row(cls, data)  # a row an older mockown wrote to the file
    hints = _hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data and f.init:
            kwargs[f.name] = _revive(hints.get(f.name, Any), data[f.name])
    return cls(**kwargs)


def _encode(rec: Any) -> str:
    return json.dumps(to_dict(rec), separators=(",", ":"), default=_json_default)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_SQLITE_READONLY = 8  # SQLite's primary result code for "attempt to write a readonly database" (and its variants)


_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6  # "database is locked" (another connection's lock), "database table is locked"


def _busy(exc: sqlite3.Error) -> bool:
    """Whether `exc` is SQLite giving up on a lock another connection holds (after the busy timeout)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)


def _read_only(exc: BaseException) -> bool:
    """Whether `exc` is SQLite refusing a write to a file it could only open for reading."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.Error) and isinstance(code, int) and code & 0xFF == _SQLITE_READONLY


# --- tables ---------------------------------------------------------------------------------------------


class SqliteTable(Generic[R]):
    """One record kind. Every call reads or writes the database (no per-process cache)."""

    __slots__ = ("_cols", "_meta", "_name", "_store")

    def __init__(self, store: SqliteStore, meta: RecordMeta) -> None:
        self._store = store
        self._meta = meta
        self._name = _ident("r_" + meta.table)
        self._cols = {index: _ident("i_" + index) for index in meta.indexes}

    def _load(self, data: str) -> R:
        rec: R = _decode(self._meta.cls, json.loads(data))
        return rec

    def get(self, key: str) -> R | None:
        row = self._store._one(f"SELECT data FROM {self._name} WHERE key = ?", (_sql_value(key),))
        return None if row is None else self._load(row[0])

    def put(self, rec: R) -> None:
        meta = self._meta
        cols = ["key", *self._cols.values(), "data"]
        values = [_sql_value(getattr(rec, meta.key))]
        values += [_sql_value(getattr(rec, index)) for index in meta.indexes]
        values.append(_encode(rec))
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
        sql = (
            f"INSERT INTO {self._name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT(key) DO UPDATE SET {updates}"
        )
        self._store._write(sql, values)

    def delete(self, key: str) -> None:
        self._store._write(f"DELETE FROM {self._name} WHERE key = ?", (_sql_value(key),))

    def _select(self, index: str, value: Any) -> list[R]:
        col = self._cols[index]  # KeyError for an undeclared index, as the memory store
        if value is None:  # the memory store files no record under None
            return []
        rows = self._store._all(f"SELECT data FROM {self._name} WHERE {col} = ? ORDER BY seq", (_sql_value(value),))
        return [rec for rec in (self._load(r[0]) for r in rows) if getattr(rec, index) == value]

    def find(self, index: str, value: Any) -> list[R]:
        return self._select(index, value)

    def first(self, index: str, value: Any) -> R | None:
        found = self._select(index, value)
        return found[0] if found else None

    def all(self) -> list[R]:
        return [self._load(r[0]) for r in self._store._all(f"SELECT data FROM {self._name} ORDER BY seq", ())]

    def __len__(self) -> int:
        row = self._store._one(f"SELECT count(*) FROM {self._name}", ())
        return int(row[0]) if row else 0

    def __iter__(self) -> Iterator[R]:
        return iter(self.all())


# --- the store ------------------------------------------------------------------------------------------


class SqliteStore:
    kind: ClassVar[str] = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, durable: bool = True) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._depth = 0
        self._tables: dict[str, SqliteTable[Any]] = {}
        # kinds whose table was made (or given new index columns) inside the open transaction: a rollback takes
        # the DDL back with it, so they are made again after it (their `SqliteTable`s stay cached, in services too)
        self._made_in_transaction: list[RecordMeta] = []
        self._clock_version: int | None = None
        self._durable = durable
        self._closed = False
        self._opens = 0  # connections made: a new one counts as a change in `data_version`
        self._busy_timeout = BUSY_TIMEOUT  # `serving()` shortens it
        if str(path) == "" or str(self.path) == ":memory:":  # SQLite's names for a database in memory (`./:memory:`
            # too: a Path drops its `./`), no file: refused before a file of that name is made
            raise StateFileError(f"state file {str(path)!r} is SQLite's in-memory database, not a file: give a path")
        db: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():  # the file holds a signing key: readable by its owner only
                self.path.touch(mode=0o600)
            else:
                self._make_private()
            db = self._connect()
            self._migrate()
        except BaseException as exc:
            if db is not None:  # a store that failed to open leaves no connection behind
                db.close()
            if _read_only(exc):
                raise StateFileError(
                    f"state file {self.path} is read-only: mockown writes every change to it (make it writable, or"
                    " give a copy)"
                ) from exc
            if isinstance(exc, sqlite3.DatabaseError | OSError):  # OSError: a path that cannot be made (a folder)
                raise StateFileError(f"cannot use state file {self.path}: {exc}") from exc
            raise

    def _make_private(self) -> None:
        """An existing file (and its ``-wal``, ``-shm``) that its group or others may read made its owner's only, as a
        new one is: it holds the signing keys. A file mockown may not chmod (another user's) stays as it is."""
        widened = []
        for path in (
            self.path,
            self.path.with_name(self.path.name + "-wal"),
            self.path.with_name(self.path.name + "-shm"),
        ):
            try:
                mode = path.stat().st_mode
                if mode & 0o077 and stat.S_ISREG(mode):
                    path.chmod(stat.S_IMODE(mode) & 0o700)
                    widened.append(f"{path.name} ({stat.S_IMODE(mode):o})")
            except FileNotFoundError:
                continue
            except OSError as exc:
                log.warning("state file %s is readable by others and could not be made private: %s", path, exc)
                return
        if widened:
            log.warning(
                "state file %s holds signing keys: made readable by its owner only (it was not: %s)",
                self.path,
                ", ".join(widened),
            )

    def _connect(self) -> sqlite3.Connection:
        db = self._db = sqlite3.connect(
            str(self.path), timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
        )
        self._opens += 1
        self._clock_version = None
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            # before anything changes the file (WAL mode, tables): another program's database is not taken over
            names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if names and "mockown_state" not in names:
                raise StateFileError(
                    f"state file {self.path} is not a mockown state file: an SQLite database of something else"
                    f" ({len(names)} tables, indexes or views of its own); give a new path or an empty file"
                )
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StateFileError(f"state file {self.path}: cannot switch to WAL mode (got {mode})")
            db.execute(f"PRAGMA synchronous = {'FULL' if self._durable else 'NORMAL'}")
        except BaseException:
            db.close()  # a connection that failed to open is left behind by no one
            raise
        return db

    # schema ----------------------------------------------------------------------------------------
    def _migrate(self) -> None:
        with self.atomic():
            self._db.execute("CREATE TABLE IF NOT EXISTS mockown_state (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = self._db.execute("SELECT value FROM mockown_state WHERE name = 'schema_version'").fetchone()
            try:
                version = int(json.loads(row[0])) if row else 0
            except (TypeError, ValueError):
                raise StateFileError(f"state file {self.path}: unreadable schema version {row[0]!r}") from None
            if version > SCHEMA_VERSION:
                raise StateFileError(
                    f"state file {self.path} has schema version {version}; this mockown knows up to "
                    f"{SCHEMA_VERSION} (upgrade mockown or use another file)"
                )
            for step in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[step](self._db)
            # the HMAC keys earlier versions kept among the meta values (a snapshot's): moved to the runtime's own
            # state, where they are kept now (one there already wins); at every open, as an earlier version may
            # have used the file since
            if self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone():
                names = ", ".join("?" * len(RUNTIME_SECRETS))
                self._db.execute(
                    "INSERT OR IGNORE INTO mockown_state (name, value) "
                    f"SELECT name, value FROM meta WHERE name IN ({names})",
                    RUNTIME_SECRETS,
                )
                self._db.execute(f"DELETE FROM meta WHERE name IN ({names})", RUNTIME_SECRETS)
            # written at every open, at the current version too: a file SQLite opened read-only (its permissions, a
            # read-only mount) is refused here rather than answering every request that writes with a 500
            self._set_state("schema_version", SCHEMA_VERSION)

    @property
    def schema_version(self) -> int:
        value = self.read_state("schema_version")
        return int(value) if value is not None else 0

    def _ensure(self, meta: RecordMeta) -> None:
        """Create the kind's table, or add the index columns a newer version of the kind declares."""
        name = _ident("r_" + meta.table)
        if self._depth:
            self._made_in_transaction.append(meta)
        with self.atomic():
            cols = [f"{_ident('i_' + i)}" for i in meta.indexes]
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {name} (seq INTEGER PRIMARY KEY, key UNIQUE NOT NULL, "
                + "".join(f"{c}, " for c in cols)
                + "data TEXT NOT NULL)"
            )
            have = {row[1] for row in self._db.execute(f"PRAGMA table_info({name})")}
            missing = [i for i in meta.indexes if "i_" + i not in have]
            for index in missing:
                self._db.execute(f"ALTER TABLE {name} ADD COLUMN {_ident('i_' + index)}")
            if missing:
                rows = self._db.execute(f"SELECT seq, data FROM {name}").fetchall()
                for seq, data in rows:
                    rec = json.loads(data)
                    sets = ", ".join(f"{_ident('i_' + i)} = ?" for i in missing)
                    self._db.execute(
                        f"UPDATE {name} SET {sets} WHERE seq = ?", [*(_sql_value(rec.get(i)) for i in missing), seq]
                    )
            for index in meta.indexes:
                ix = _ident(f"ix_{meta.table}_{index}")
                self._db.execute(f"CREATE INDEX IF NOT EXISTS {ix} ON {name} ({_ident('i_' + index)})")

    def _record_tables(self) -> list[str]:
        rows = self._all("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'r\\_%' ESCAPE '\\'", ())
        return sorted(r[0][2:] for r in rows)

    def serving(self) -> None:
        """The app is made: from now on a read or a transaction waits `REQUEST_BUSY_TIMEOUT` for another process's
        lock, not start-up's `BUSY_TIMEOUT`, then raises `StoreBusy`."""
        with self._lock:
            self._busy_timeout = REQUEST_BUSY_TIMEOUT
            if not self._closed:
                self._db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")

    def _check_busy(self, exc: sqlite3.Error) -> None:
        """`StoreBusy` for SQLite giving up on another process's lock (then the caller re-raises any other error)."""
        if _busy(exc):
            raise StoreBusy(self.path.name, self._busy_timeout) from exc

    # low-level access (always under the lock: one connection per store, shared by threads) --------
    def _one(self, sql: str, params: Any) -> Any:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchone()
            except sqlite3.OperationalError as exc:
                self._check_busy(exc)
                raise

    def _all(self, sql: str, params: Any) -> list[Any]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                self._check_busy(exc)
                raise

    def _write(self, sql: str, params: Any) -> None:
        with self._lock:
            if self._depth:
                self._db.execute(sql, params)
            else:
                with self.atomic():
                    self._db.execute(sql, params)

    # the Store protocol ----------------------------------------------------------------------------
    def table(self, cls: type[R]) -> SqliteTable[R]:
        meta = meta_of(cls)
        table = self._tables.get(meta.table)
        if table is None or table._meta is not meta:
            with self._lock:
                self._ensure(meta)
                table = self._tables[meta.table] = SqliteTable(self, meta)
        return table

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")  # the write lock: waits up to the busy timeout for another's
            except sqlite3.OperationalError as exc:
                self._check_busy(exc)
                raise
            self._depth = 1
            try:
                yield
            except BaseException as exc:
                self._depth = 0
                if is_answer(exc):
                    self._db.execute("COMMIT")
                    self._made_in_transaction.clear()
                else:
                    self._db.execute("ROLLBACK")
                    self._remake_tables()
                raise
            self._depth = 0
            try:
                self._db.execute("COMMIT")
            except BaseException as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                self._remake_tables()
                if isinstance(exc, sqlite3.OperationalError):
                    self._check_busy(exc)
                raise
            self._made_in_transaction.clear()

    def _remake_tables(self) -> None:
        """After a rollback: the tables it took back, made again (empty), so that cached tables keep working."""
        made, self._made_in_transaction = self._made_in_transaction, []
        for meta in made:
            try:
                self._ensure(meta)
            except sqlite3.Error:  # the exception being raised says more; the next table() call tries again
                log.debug("could not remake table %s after a rollback", meta.table, exc_info=True)
                self._tables.pop(meta.table, None)

    all_or_nothing = atomic  # a transaction is undone when it raises (except with an answer) already

    def clear(self) -> None:
        with self.atomic():
            for name in self._record_tables():
                self._db.execute(f"DELETE FROM {_ident('r_' + name)}")
            self._db.execute("DELETE FROM meta")

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        with self.atomic():
            out: dict[str, list[dict[str, Any]]] = {}
            for name in self._record_tables():
                rows = self._db.execute(f"SELECT data FROM {_ident('r_' + name)} ORDER BY seq").fetchall()
                kind = RECORD_TYPES.get(name)
                if rows and kind is not None and kind.older is not None:  # an older mockown's rows, as read
                    out[name] = [kind.older(json.loads(r[0])) for r in rows]
                elif rows:
                    out[name] = [json.loads(r[0]) for r in rows]
            meta = {name: json.loads(value) for name, value in self._db.execute("SELECT name, value FROM meta")}
            out["_meta"] = [meta]
            return out

    def load(self, data: dict[str, list[dict[str, Any]]]) -> None:
        load_snapshot(self, data)  # rows checked (`from_dict`); `_decode` reads the store's own trusted rows

    def get_meta(self, name: str) -> Any:
        row = self._one("SELECT value FROM meta WHERE name = ?", (name,))
        return None if row is None else json.loads(row[0])

    def set_meta(self, name: str, value: Any) -> None:
        self._write(
            "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, json.dumps(value, default=_json_default)),
        )

    def checkpoint(self) -> None:
        """Move everything the write-ahead log (``<file>-wal``) holds into the file itself, and empty the log: the
        file alone then holds the whole state (a copy of it, without its ``-wal``, starts where this one is).
        Best effort: another process still reading, or writing, keeps its part in the log (it checkpoints at its
        own close)."""
        with self._lock:
            if self._closed:
                return
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlite3.Error as exc:
                log.warning("state file %s: could not checkpoint its write-ahead log: %s", self.path.name, exc)

    def close(self) -> None:
        """Checkpoint (`checkpoint`) and close the file: what a server does when it stops. `reopen()` opens it
        again (a server started again on the same app); closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            self.checkpoint()
            self._closed = True
            self._db.close()

    def reopen(self) -> None:
        """Open the file again after `close()` (nothing to do when it is open)."""
        with self._lock:
            if not self._closed:
                return
            self._connect()
            self._closed = False

    def __del__(self) -> None:
        """A store nobody closed (an app a test made and dropped) closes its file when it is collected: Python 3.13
        warns about (`ResourceWarning`) a connection collected open. Closing twice is harmless."""
        db = getattr(self, "_db", None)
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.close()

    # the runtime's own state (survives a reset) ----------------------------------------------------
    def read_state(self, name: str) -> Any:
        row = self._one("SELECT value FROM mockown_state WHERE name = ?", (name,))
        return None if row is None else json.loads(row[0])

    def _set_state(self, name: str, value: Any) -> None:
        self._write(
            "INSERT INTO mockown_state (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, json.dumps(value)),
        )

    def write_state(self, name: str, value: Any) -> None:
        self._set_state(name, value)

    def first_start(self) -> bool:
        """True exactly once in the life of the file: the first app to open it seeds it.

        Call it inside `atomic()` together with the seeding, so that workers starting at once agree.
        """
        if self.read_state("started"):
            return False
        self._set_state("started", True)
        return True

    def data_version(self) -> int:
        """Changes whenever another connection commits (SQLite's `PRAGMA data_version`: no file read)."""
        with self._lock:  # a new connection (`reopen`) starts its count again: the number of connections says so
            return (self._opens << 40) | int(self._db.execute("PRAGMA data_version").fetchone()[0])

    # the shared clock (see `mockown.clock.SharedClock`) --------------------------------------------
    def clock_changed(self) -> bool:
        """Whether another connection committed anything since the clock last looked (cheap)."""
        with self._lock:
            version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
            changed = version != self._clock_version
            self._clock_version = version
            return changed

    def read_clock(self) -> dict[str, float | None] | None:
        value = self.read_state("clock")
        return value if isinstance(value, dict) else None

    def write_clock(self, state: dict[str, float | None]) -> None:
        self._set_state("clock", state)


def _migrate_1(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")


# step N brings a file from schema version N-1 to N (record tables are migrated per kind on first use)
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1}


# --- binding a runtime to the file ----------------------------------------------------------------------


class StoredKeyRing(KeyRing):
    """The app's signing keys, kept in the state file so that every worker and every restart sign alike and
    publish one JWKS. Each key is still made on first use, by whichever process needs it first.

    Rows of `mockown_state`: `<slot>_pem` per slot (`rsa_pem` and `ec_pem` are the current keys, as in files
    of older versions), `keys_generation`, the number of rotations, `keys_retired`, the kids rotations dropped
    lately (a new key avoids them), and `keys_serial`, bumped by every change
    of a slot (a rotation, or a key made on first use). A process notices another one's change at its next
    use of the keys: `PRAGMA data_version` (no file read) tells whether any other connection committed since,
    and only then is `keys_serial` read. No staleness window."""

    def __init__(self, store: SqliteStore) -> None:
        super().__init__()
        self._store = store
        self._seen: int | None = None  # the file's data_version when the slots were last checked
        self._serial = 0  # the file's `keys_serial` when the slots were last read
        self._parsed: dict[str, Any] = {}  # PEM -> key: a rotation moves keys between slots, parsed once

    def _sync(self) -> None:
        version = self._store.data_version()
        if version == self._seen:
            return
        serial = self._store.read_state("keys_serial") or 0
        if self._seen is None or serial != self._serial:
            with self._transaction(), self._lock:
                self._reload()
        self._seen = version

    def _transaction(self) -> Any:
        return self._store.atomic()

    def _reload(self) -> None:
        keys: dict[str, Any] = {}
        for slot in SLOTS:
            pem = self._store.read_state(f"{slot}_pem")
            if pem:
                key = self._parsed.get(pem)
                if key is None:
                    key = self._parsed[pem] = load_pem(slot, str(pem).encode("ascii"))
                keys[slot] = key
        self._keys = keys
        self.generation = int(self._store.read_state("keys_generation") or 0)
        retired = self._store.read_state("keys_retired")
        self.retired = [str(kid) for kid in retired] if isinstance(retired, list) else []
        self._serial = int(self._store.read_state("keys_serial") or 0)
        if len(self._parsed) > 2 * len(SLOTS):  # keys no slot holds any more
            held = {id(k) for k in keys.values()}
            self._parsed = {pem: k for pem, k in self._parsed.items() if id(k) in held}

    def _save(self, slots: tuple[str, ...]) -> None:
        for slot in slots:
            key = self._keys.get(slot)
            pem = key.pem().decode("ascii") if key is not None else None
            if pem is not None:
                self._parsed[pem] = key
            self._store.write_state(f"{slot}_pem", pem)
        if slots == SLOTS:  # a rotation
            self._store.write_state("keys_generation", self.generation)
            self._store.write_state("keys_retired", self.retired)
        self._serial += 1  # `_reload` read it in this transaction
        self._store.write_state("keys_serial", self._serial)


__all__ = ["SCHEMA_VERSION", "SqliteStore", "SqliteTable", "StateFileError", "StoredKeyRing"]

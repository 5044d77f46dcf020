"""A pytest plugin that runs any test on the SQLite store: every app's default store becomes a fresh
state file (``make test-sqlite``, or ``pytest -p tests.persistence.sqlite_everywhere tests/...``).

It proves the persistent store is a drop-in for the memory store across the whole behaviour suite, and
that no caller mutates a record without `put()` (SQLite hands out a fresh object on every read).
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import mockown.runtime
from mockown.store.sqlite import SqliteStore

_dir = Path(tempfile.mkdtemp(prefix="mockown-sqlite-"))
_count = itertools.count(1)


def _store() -> SqliteStore:
    return SqliteStore(_dir / f"state-{next(_count)}.db", durable=False)


mockown.runtime.MemoryStore = _store  # type: ignore[misc,assignment]

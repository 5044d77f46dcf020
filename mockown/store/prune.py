"""Lazy, amortized pruning of rows no answer reads any more (README, "What a long-running server keeps").

A service calls `Pruner.added()` each time it adds a row to a table that would otherwise grow for as long as the
server runs; every `every` additions (or as many as the rows the last pass kept, if more) it runs one pass over
the table, so the work is O(1) amortized per addition and the table stays within a constant factor of its live
rows. A pass deletes through the store API, inside `atomic()`, so both stores (memory, SQLite) see it; a pass
decides with the injected clock only. The count is per process: with several workers each prunes its share.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from . import Store, Table

DEAD_KEEP = 86400.0  # a token or code dead this long (by expiry) is pruned: a clock moved back less finds it again


class Pruner:
    __slots__ = ("_added", "_kept", "_lock", "every")

    def __init__(self, every: int = 256) -> None:
        self.every = every
        self._added = 0  # additions since the last pass
        self._kept = 0  # rows the last pass left
        self._lock = threading.Lock()

    def added(self, store: Store, table: Table[Any], prunable: Callable[[Any], bool], key: str = "id") -> int:
        """One row was added to `table`; on every `every`-th call (amortized) delete the rows `prunable` accepts.
        Returns how many were deleted (0 when no pass ran)."""
        with self._lock:
            self._added += 1
            if self._added < max(self.every, self._kept):
                return 0
            self._added = 0
        removed = 0
        with store.atomic():
            for row in table.all():
                if prunable(row):
                    table.delete(getattr(row, key))
                    removed += 1
            self._kept = len(table)
        return removed


__all__ = ["DEAD_KEEP", "Pruner"]

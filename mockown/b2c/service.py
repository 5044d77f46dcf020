"""B2C Commerce: one service object per runtime holding Account Manager, OCAPI and SLAS, plus shared counters
(rate-limit windows, SLAS login attempts) kept in the store so a reset clears them."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from ..store import Table
from .am import AccountManager
from .models import Counter
from .ocapi import OcapiService
from .slas import SlasService

if TYPE_CHECKING:
    from ..runtime import Runtime


class B2CService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @cached_property
    def am(self) -> AccountManager:
        return AccountManager(self.runtime)

    @cached_property
    def ocapi(self) -> OcapiService:
        return OcapiService(self.runtime)

    @cached_property
    def slas(self) -> SlasService:
        return SlasService(self.runtime)

    @property
    def counters(self) -> Table[Counter]:
        return self.runtime.store.table(Counter)

    def counter(self, key: str) -> Counter:
        return self.counters.get(key) or Counter(id=key)

    def count(self, key: str, now: float) -> int:
        """Add one call to the counter `key` and return the calls so far."""
        with self.runtime.store.atomic():
            counter = self.counter(key)
            counter.count += 1
            counter.last_at = now
            self.counters.put(counter)
            return counter.count

"""B2C Commerce: one service object per runtime holding Account Manager, OCAPI and SLAS, plus shared counters
(rate-limit windows, SLAS login attempts) kept in the store so a reset clears them, and the removal of a seeded
instance, which spans Account Manager and OCAPI (`remove_instance`)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from ..store import Table, delete_rows
from ..store.prune import Pruner
from .am import AccountManager
from .models import Counter, Customer
from .ocapi import OcapiService
from .slas import SlasService

if TYPE_CHECKING:
    from ..runtime import Runtime


# a counter row matters while its window lasts (the longest is 5 minutes) or, for a login, for the conflict window
# after it: one whose last call is an hour old is pruned (B2CService.counter_added)
COUNTER_KEEP = 3600.0
PRUNE_EVERY = 256


class B2CService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.counter_pruner = Pruner(PRUNE_EVERY)  # counter rows whose windows ended (`counter_added`)

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
        return self.tick(key, now)[0]

    def tick(self, key: str, now: float) -> tuple[int, float | None]:
        """Add one call to the counter `key`, read and written in one transaction (two workers' calls at once
        both count): the calls so far, and when the one before it was (None for the first)."""
        with self.runtime.store.atomic():
            counter = self.counter(key)
            previous = counter.last_at if counter.count else None
            counter.count += 1
            counter.last_at = now
            self.counters.put(counter)
            if counter.count == 1:
                self.counter_added(now)
            return counter.count, previous

    def counter_added(self, now: float) -> None:
        """A counter row was added: every `PRUNE_EVERY` additions (or as many as the rows left by the last pass,
        if more: amortized O(1) per addition), delete the rows no answer reads any more. A row's window (1 or 5
        minutes) or login-conflict window has ended once its last call is `COUNTER_KEEP` (or the conflict
        window, if longer) in the past; a later call in the same key counts afresh either way. Rows whose last
        call is after `now` (the clock was moved back) stay."""
        keep = max(COUNTER_KEEP, self.runtime.config.b2c.slas_login_conflict_window)
        self.counter_pruner.added(self.runtime.store, self.counters, lambda row: row.last_at + keep < now)

    def remove_instance(self, host: str) -> dict[str, int] | None:
        """Remove an instance (by its host) and everything under it: its Business Manager users and the tokens
        they were granted, its sites with their customers, OCAPI tokens and storefront sessions, in one
        transaction. The rows removed per table, or None when there is no such instance."""
        am, ocapi = self.am, self.ocapi
        host = host.lower()
        removed: dict[str, int] = {}
        with self.runtime.store.atomic():
            instance = am.instances.get(host)
            if instance is None:
                return None
            sites = ocapi.sites.find("instance", host)
            site_ids = {s.id for s in sites}
            customers: list[Customer] = [c for site in sites for c in ocapi.customers.find("site", site.id)]
            delete_rows(ocapi.tokens, [t for t in ocapi.tokens.all() if t.site in site_ids], removed)  # no index
            delete_rows(ocapi.sessions, [s for s in ocapi.sessions.all() if s.site in site_ids], removed)
            delete_rows(ocapi.customers, customers, removed)
            delete_rows(ocapi.sites, sites, removed)
            delete_rows(am.tokens, [t for t in am.tokens.all() if t.kind == "bm" and t.instance == host], removed)
            delete_rows(am.bm_users, am.bm_users.find("instance", host), removed)
            delete_rows(am.instances, [instance], removed)
        return removed

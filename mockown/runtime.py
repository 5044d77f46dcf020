"""The state an app owns: config, clock, store, keys and the services of each API built on them.

There are no module globals: two apps in one process have two runtimes and never see each other.
"""

from __future__ import annotations

import pickle
from functools import cached_property
from typing import TYPE_CHECKING, Any

from . import metakeys  # noqa: F401 - the checks a restored snapshot's _meta values take
from .clock import Clock, FrozenClock, SystemClock
from .config import Config, ConfigError
from .keys import KeyRing
from .store import Store, secret_key
from .store import memory as memory_store
from .store.memory import MemoryStore

if TYPE_CHECKING:
    from .b2c.service import B2CService
    from .http.control import ControlState
    from .marketing.service import MarketingService
    from .own.service import OwnService
    from .salesforce.service import SalesforceService


# seeded states per (seed file version, config, instant): see `Runtime.seed_defaults`
_SEEDED: dict[tuple[Any, ...], tuple[bytes, bytes]] = {}


class Runtime:
    def __init__(self, config: Config, *, clock: Clock | None = None, store: Store | None = None) -> None:
        self.config = config
        if clock is None:
            try:
                clock = FrozenClock(config.frozen_at) if config.frozen_at else SystemClock()
            except (ValueError, OverflowError) as exc:
                raise ConfigError(f"frozen_at: {exc}") from None
        self.clock = clock
        if store is None and config.state_file:
            from .store.sqlite import SqliteStore

            store = SqliteStore(config.state_file)
        self.store: Store = store if store is not None else MemoryStore()
        self.keys = KeyRing()
        self.seeded: dict[str, Any] = {}  # the credentials the start-up seed created (the CLI banner)
        if self.store.kind == "sqlite":  # shared by restarts and workers: the clock and keys live in the file
            from .store.sqlite import SqliteStore, StoredKeyRing

            assert isinstance(self.store, SqliteStore)
            self.clock.share(self.store)
            self.keys = StoredKeyRing(self.store)

    @cached_property
    def salesforce(self) -> SalesforceService:
        from .salesforce.service import SalesforceService

        return SalesforceService(self)

    @cached_property
    def own(self) -> OwnService:
        from .own.service import OwnService

        return OwnService(self)

    @cached_property
    def marketing(self) -> MarketingService:
        from .marketing.service import MarketingService

        return MarketingService(self)

    @cached_property
    def b2c(self) -> B2CService:
        from .b2c.service import B2CService

        return B2CService(self)

    @property
    def ui_secret(self) -> bytes:
        """The key that signs this app's browser cookies (login session, anti-CSRF): one per app, kept with the
        signing keys (`store.secret_key`), so that every worker sharing a state file (and a restart) accepts the
        same cookies and no snapshot holds it."""
        return secret_key(self.store, "ui_secret")

    def end_browser_sessions(self) -> None:
        """Drop the browser-cookie key (a new one is made at its next use): every session cookie and anti-CSRF token
        signed before is refused. A full reset does it: the server starts afresh, no browser signed in."""
        self.store.write_state("ui_secret", None)

    @cached_property
    def control(self) -> ControlState:
        """The control plane's state outside the store: request journal and fault rules."""
        from .http.control import ControlState

        return ControlState(self)

    def seed_defaults(self) -> None:
        """Load the seed data the config names (the shipped fixtures by default).

        On a fresh memory store and a frozen clock (every test's `create_app()`), the seeded state is the same
        each time for the same seed file, config and instant: it is made once per process and copied after.
        """
        from .seed import load_seed_file, seed_file_key

        store = self.store if isinstance(self.store, memory_store.MemoryStore) else None
        key = None
        if store is not None and self.clock.frozen and store.empty():
            key = (seed_file_key(self.config.seed), repr(self.config), self.clock.now())
            cached = _SEEDED.get(key)
            if cached is not None:
                store.thaw(cached[0])
                self.seeded = pickle.loads(cached[1])  # noqa: S301 - bytes this process pickled itself
                return
        self.seeded = load_seed_file(self, self.config.seed)
        if store is not None and key is not None and key[0] is not None:
            if len(_SEEDED) >= 16:
                _SEEDED.clear()
            _SEEDED[key] = (store.freeze(), pickle.dumps(self.seeded))

    def start(self, *, seed: bool) -> None:
        """Seed a new store. A state file that was started before keeps its state (a restart, a worker)."""
        first_start = getattr(self.store, "first_start", None)
        with self.store.atomic():
            if (first_start is None or first_start()) and seed:
                self.seed_defaults()

    def serving(self) -> None:
        """Start-up is over (the app is made): a request waits `REQUEST_BUSY_TIMEOUT` (5 s), not start-up's 30 s, for a
        state file another process holds locked, then is answered 503 (`StoreBusy`)."""
        serving = getattr(self.store, "serving", None)
        if serving is not None:
            serving()

    def open(self) -> None:
        """A server starts serving this runtime: a state file a previous stop closed is opened again."""
        reopen = getattr(self.store, "reopen", None)
        if reopen is not None:
            reopen()

    def close(self) -> None:
        """A server stops serving this runtime: a state file is checkpointed (the file alone holds the whole state,
        without its ``-wal``) and closed."""
        self.store.close()

    def reset(self) -> None:
        self.store.clear()
        self.end_browser_sessions()
        if self.config.seed_defaults:
            self.seed_defaults()

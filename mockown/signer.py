"""Signatures made off the event loop.

An RS256 signature costs a few hundred microseconds of OpenSSL time, more than everything else a token request
does. OpenSSL runs without the GIL, so one background thread (`Signer`) makes the signatures while the event
loop goes on serving other requests; the peer we are measured against does the same (WebCrypto's `subtle.sign`
runs on libuv's thread pool). Its results reach each loop in batches: one wake-up per batch, not per signature.

The thread pays only when the loop has something else to do meanwhile. For a lone caller (a test suite's
requests, one after another) the hop costs more than it saves: a thread wake-up each way, and the loop going to
sleep in between (measured: ~30% fewer sequential JWT requests per second over a socket). So `Pending.settle()`
first yields to the loop once (`Signer.offload_pays`): when other work ran during that yield and the thread is
idle, the jobs go to the thread; otherwise they run right there, on the loop (beside the thread's signature,
when it has one in flight).

The protocol code stays synchronous and atomic. While a request's state transition runs (`deferring()`), code
that needs a signature may register a `Deferred` instead of signing inline: the state it stores must already be
consistent without the signature (see `SalesforceService.issue`). After the transition, the endpoint awaits
`Pending.settle()`: each job runs (on the signer thread or on the loop, as above), then its `commit` runs on the
loop (in a store transaction), or its `abandon` when the job failed or the request was cancelled. Either way the
signature comes after the first transaction, so the window in between exists on both paths. A job is pure: it
may sign and build claims, never touch the store or anything lazily created.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from .fieldwise import Fieldwise

Job = Callable[[], Any]


class Signer:
    """One daemon thread running jobs in order; each result is set on its caller's future, on its caller's loop.
    The thread starts with the first job (in a forked child too, with a fresh queue).

    `busy_after`: how long one yield to the loop may take and still count as "nothing else ran" (a bare yield
    takes 1-3 us here; the cheapest request ~10 us). `clock` measures it (injected by tests). `backlog`: how many
    signatures may be in flight on the thread before callers sign on the loop instead (`offload_pays`)."""

    busy_after = 20e-6
    backlog = 2  # signatures in flight on the thread (one signing, one waiting) before callers sign beside it

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self._reset()
        if hasattr(os, "register_at_fork"):  # a forked child has the parent's queue and locks, not its thread
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._jobs: deque[tuple[Job, asyncio.Future[Any]]] = deque()
        self._ready = threading.Condition(threading.Lock())
        self._done: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]] = {}
        self._done_lock = threading.Lock()
        self._started = False
        self._in_flight = 0  # submitted jobs whose result has not been handed back yet

    def submit(self, job: Job) -> asyncio.Future[Any]:
        """Run `job` on the signer thread; the returned future (of the running loop) gets its result or error."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        with self._ready:
            if not self._started:
                self._started = True
                threading.Thread(target=self._work, name="mockown-signer", daemon=True).start()
            self._jobs.append((job, future))
            self._in_flight += 1
            self._ready.notify()
        return future

    async def offload_pays(self) -> bool:
        """Whether the caller's jobs should go to the thread: other work ran on the loop during one yield to it,
        and the thread has fewer than `backlog` signatures in flight. A lone caller gets False and signs on the
        loop, without the two thread wake-ups. So does a caller that finds the thread's backlog full: it signs on
        the loop, beside the thread. OpenSSL signs without the GIL, so the loop and the thread are two signers on
        two cores; queueing every signature behind the thread made it the one signer of a loaded server (JWT
        `client_credentials` under `wrk`, alternating with the queueing policy: +24% requests per second)."""
        if self._in_flight >= self.backlog:
            return False
        started = self.clock()
        await asyncio.sleep(0)
        busy = self.clock() - started > self.busy_after
        return busy and self._in_flight < self.backlog  # other callers' jobs may have gone to it during the yield

    def _work(self) -> None:
        while True:
            with self._ready:
                while not self._jobs:
                    self._ready.wait()
                job, future = self._jobs.popleft()
            try:
                outcome: tuple[bool, Any] = (True, job())
            except BaseException as exc:  # delivered to the caller, who raises it in the request's task
                outcome = (False, exc)
            with self._ready:
                self._in_flight -= 1
            self._deliver(future, *outcome)

    def _deliver(self, future: asyncio.Future[Any], ok: bool, value: Any) -> None:
        loop = future.get_loop()
        with self._done_lock:
            first = loop not in self._done
            self._done.setdefault(loop, []).append((future, ok, value))
        if first:  # the loop has no drain pending: schedule one; later results join this batch
            try:
                loop.call_soon_threadsafe(self._drain, loop)
            except RuntimeError:  # the loop has closed; nobody waits for these results
                with self._done_lock:
                    self._done.pop(loop, None)

    def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._done_lock:
            batch = self._done.pop(loop, [])
        for future, ok, value in batch:
            if future.done():  # cancelled meanwhile
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


SIGNER = Signer()


@dataclass(slots=True, repr=False, eq=False)
class Deferred(Fieldwise):
    """A signature a state transition needs: `job` (pure, on the signer thread) makes what `commit` (on the loop,
    in a store transaction) stores; `abandon` (on the loop, in a transaction) undoes what was stored before."""

    job: Job
    commit: Callable[[Any], None]
    abandon: Callable[[], None]


@dataclass(slots=True, repr=False, eq=False)
class Pending(Fieldwise):
    """The deferred signatures of one request, in the order they were registered."""

    items: list[Deferred] = field(default_factory=list)

    def add(self, deferred: Deferred) -> None:
        self.items.append(deferred)

    def abandon(self, atomic: Callable[[], AbstractContextManager[None]]) -> None:
        """Undo what every registered signature's transition stored (the transition itself failed)."""
        items, self.items = self.items, []
        if items:
            with atomic():
                for deferred in items:
                    deferred.abandon()

    async def settle(self, atomic: Callable[[], AbstractContextManager[None]]) -> None:
        """Make every signature (on the signer thread when `offload_pays`, else on the loop), then commit each;
        when one fails or is cancelled (or its commit fails), abandon it and those after it, and re-raise."""
        items, self.items = self.items, []
        offload = True
        for n, deferred in enumerate(items):
            try:
                if n == 0:
                    offload = await SIGNER.offload_pays()
                result = await SIGNER.submit(deferred.job) if offload else deferred.job()
                with atomic():
                    deferred.commit(result)
            except BaseException:
                with atomic():
                    for left in items[n:]:
                        left.abandon()
                raise


_PENDING: ContextVar[Pending | None] = ContextVar("mockown_pending_signatures", default=None)


def pending() -> Pending | None:
    """The request's collector while a `deferring()` block runs, else None (sign inline)."""
    return _PENDING.get()


class deferring:  # lower-case: used like a function, `with signer.deferring(...) as pending:`
    """Collect the signatures the block needs instead of making them inline (when `enabled`). A plain class,
    not a generator: it runs on every token request."""

    __slots__ = ("_enabled", "_pending", "_token")

    def __init__(self, enabled: bool = True) -> None:
        self._enabled = enabled
        self._pending = Pending()

    def __enter__(self) -> Pending:
        self._token = _PENDING.set(self._pending if self._enabled else None)
        return self._pending

    def __exit__(self, *exc: object) -> None:
        _PENDING.reset(self._token)

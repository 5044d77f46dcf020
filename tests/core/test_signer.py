"""`mockown.signer`: jobs run on the signer thread, results come back to each caller's loop, and a request's
deferred signatures are committed, or abandoned when they fail or the request is cancelled."""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from mockown import signer
from mockown.signer import Deferred, Pending, Signer


@contextmanager
def _atomic() -> Iterator[None]:
    yield


def test_a_job_runs_on_the_signer_thread_and_its_result_comes_back() -> None:
    s = Signer()

    async def main() -> tuple[str, str]:
        name: str = await s.submit(lambda: threading.current_thread().name)
        return name, threading.current_thread().name

    ran_on, caller = asyncio.run(main())
    assert ran_on == "mockown-signer" and caller != ran_on


def test_a_job_error_is_raised_to_its_caller_and_the_signer_goes_on() -> None:
    s = Signer()

    def boom() -> None:
        raise ValueError("bad key")

    async def main() -> int:
        with pytest.raises(ValueError, match="bad key"):
            await s.submit(boom)
        result: int = await s.submit(lambda: 42)
        return result

    assert asyncio.run(main()) == 42


def test_loops_in_several_threads_each_get_their_own_results() -> None:
    s = Signer()
    results: dict[int, list[int]] = {}

    def worker(n: int) -> None:
        async def main() -> list[int]:
            return list(await asyncio.gather(*(s.submit(lambda i=i: n * 100 + i) for i in range(20))))

        results[n] = asyncio.run(main())

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == {n: [n * 100 + i for i in range(20)] for n in range(4)}


def test_a_closed_loop_does_not_stop_the_signer() -> None:
    s = Signer()
    gate = threading.Event()
    loop = asyncio.new_event_loop()

    async def abandoned() -> None:
        s.submit(lambda: gate.wait(10))  # its result arrives after this loop has closed

    loop.run_until_complete(abandoned())
    loop.close()
    gate.set()

    async def later() -> str:
        result: str = await asyncio.wait_for(s.submit(lambda: "still signing"), 10)  # a dead signer would hang
        return result

    assert asyncio.run(later()) == "still signing"


def _sign_in_child(s: Signer, out: multiprocessing.SimpleQueue[str]) -> None:
    async def main() -> str:
        result: str = await asyncio.wait_for(s.submit(lambda: f"signed in {os.getpid()}"), 10)
        return result

    out.put(asyncio.run(main()))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() only")
def test_a_forked_child_signs_on_a_thread_of_its_own() -> None:
    s = Signer()

    async def warm() -> None:
        await s.submit(lambda: None)  # the parent's thread runs: the child inherits its state, not the thread

    asyncio.run(warm())
    ctx = multiprocessing.get_context("fork")
    out: multiprocessing.SimpleQueue[str] = ctx.SimpleQueue()
    child = ctx.Process(target=_sign_in_child, args=(s, out))
    with warnings.catch_warnings():  # Python 3.12+ warns about fork() in a process with threads
        warnings.simplefilter("ignore", DeprecationWarning)
        child.start()
    child.join(30)
    assert child.exitcode == 0
    assert out.get() == f"signed in {child.pid}"


def _recorder(log: list[str], name: str, fail: bool = False) -> Deferred:
    def job() -> str:
        if fail:
            raise RuntimeError(f"{name} failed")
        return f"{name} signed on {threading.current_thread().name}"

    return Deferred(job, lambda out: log.append(f"commit {out} -> {threading.current_thread().name}"),
                    lambda: log.append(f"abandon {name}"))  # fmt: skip


def _ticks(*values: float) -> Callable[[], float]:
    """A clock reading `values` in turn (the last one from then on)."""
    left = list(values)

    def clock() -> float:
        return left.pop(0) if len(left) > 1 else left[0]

    return clock


@pytest.mark.parametrize(("yield_took", "expected"), [(1e-6, False), (19e-6, False), (21e-6, True), (1e-3, True)])
def test_offloading_pays_when_other_work_ran_during_one_yield(yield_took: float, expected: bool) -> None:
    s = Signer(clock=_ticks(5.0, 5.0 + yield_took))
    assert asyncio.run(s.offload_pays()) is expected


def test_offloading_pays_when_other_work_runs_on_the_loop() -> None:
    s = Signer()  # the real clock: the other task's 2 ms run inside the yield, whatever the machine's speed

    async def main() -> bool:
        other = asyncio.get_running_loop().call_soon(time.sleep, 0.002)
        try:
            return await s.offload_pays()
        finally:
            other.cancel()

    assert asyncio.run(main()) is True


def test_once_the_threads_backlog_is_full_the_loop_signs_beside_it() -> None:
    # every yield would say "busy" (each reading a second later): only the thread's backlog makes a caller sign on
    # the loop, as a second signer
    seconds = itertools.count()
    s = Signer(clock=lambda: float(next(seconds)))
    gate = threading.Event()

    async def main() -> list[bool]:
        answers = []
        held = [s.submit(gate.wait)]
        answers.append(await s.offload_pays())  # one in flight: room for one more
        held.append(s.submit(gate.wait))
        answers.append(await s.offload_pays())  # two in flight (the backlog): sign on the loop
        gate.set()
        await asyncio.gather(*held)
        answers.append(await s.offload_pays())  # none in flight
        return answers

    assert s.backlog == 2
    assert asyncio.run(main()) == [True, False, True]


def test_a_backlog_filled_during_the_yield_counts() -> None:
    # the caller found room, but other callers' jobs filled the thread's backlog while it yielded
    seconds = itertools.count()
    s = Signer(clock=lambda: float(next(seconds)))
    gate = threading.Event()

    async def main() -> bool:
        loop = asyncio.get_running_loop()
        held: list[asyncio.Future[object]] = []
        loop.call_soon(lambda: held.extend(s.submit(gate.wait) for _ in range(2)))
        answer = await s.offload_pays()
        gate.set()
        await asyncio.gather(*held)
        return answer

    assert asyncio.run(main()) is False


@pytest.mark.parametrize(("offload", "signed_on"), [(False, None), (True, "mockown-signer")], ids=["lone", "busy"])
def test_settle_commits_each_signature_on_the_loop(
    monkeypatch: pytest.MonkeyPatch, offload: bool, signed_on: str | None
) -> None:
    # a lone caller signs on the loop; a busy loop hands the jobs to the thread; commits run on the loop either way
    monkeypatch.setattr(signer, "SIGNER", Signer(clock=_ticks(0.0, 1.0 if offload else 0.0)))
    log: list[str] = []
    pending = Pending()
    pending.add(_recorder(log, "access"))
    pending.add(_recorder(log, "id"))
    asyncio.run(pending.settle(_atomic))
    here = threading.current_thread().name
    on = signed_on or here
    assert log == [f"commit access signed on {on} -> {here}", f"commit id signed on {on} -> {here}"]
    assert pending.items == []


@pytest.mark.parametrize("offload", [False, True], ids=["lone", "busy"])
def test_a_failed_signature_abandons_it_and_those_after_it(monkeypatch: pytest.MonkeyPatch, offload: bool) -> None:
    monkeypatch.setattr(signer, "SIGNER", Signer(clock=_ticks(0.0, 1.0 if offload else 0.0)))
    log: list[str] = []
    pending = Pending()
    for name, fail in [("a", False), ("b", True), ("c", False)]:
        pending.add(_recorder(log, name, fail))
    with pytest.raises(RuntimeError, match="b failed"):
        asyncio.run(pending.settle(_atomic))
    assert log[0].startswith("commit a signed") and log[1:] == ["abandon b", "abandon c"]


def test_a_cancelled_request_abandons_its_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[str] = []

    class Never:
        async def offload_pays(self) -> bool:
            return True

        def submit(self, job: object) -> asyncio.Future[None]:
            return asyncio.get_running_loop().create_future()  # never resolved

    monkeypatch.setattr(signer, "SIGNER", Never())
    pending = Pending()
    pending.add(_recorder(log, "access"))

    async def main() -> None:
        task = asyncio.ensure_future(pending.settle(_atomic))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert log == ["abandon access"]


def test_abandon_undoes_every_registered_signature() -> None:
    log: list[str] = []
    pending = Pending()
    pending.add(_recorder(log, "a"))
    pending.add(_recorder(log, "b"))
    pending.abandon(_atomic)
    assert log == ["abandon a", "abandon b"] and pending.items == []


def test_deferring_collects_only_while_enabled_and_inside_the_block() -> None:
    assert signer.pending() is None
    with signer.deferring() as collector:
        assert signer.pending() is collector
        with signer.deferring(False):
            assert signer.pending() is None
        assert signer.pending() is collector
    assert signer.pending() is None

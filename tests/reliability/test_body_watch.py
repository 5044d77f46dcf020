"""`body_timeout` is per part of a request body: a body that keeps coming, each part within the timeout, is read
whole however long it takes in all; a pause longer than the timeout is 408; a cancellation that is not the
watch's (a server shutting down) stays a cancellation. The watch is one timer per event loop
(`pipeline._LoopWatch`), not one per request."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from mockown import Config, FrozenClock, create_app
from tests.conftest import CID, SECRET

TIMEOUT = 0.4
PATHS = ["/services/oauth2/token", "/_mockown/seed"]  # the journaled path reads in _buffered, the control plane not


def _app() -> Any:
    return create_app(Config(body_timeout=TIMEOUT), clock=FrozenClock("2026-01-01T00:00:00Z"))


async def _post(app: Any, path: str, parts: list[bytes], pause: float) -> tuple[int, bytes]:
    """POST `parts` (chunked), `pause` seconds before each part after the first."""
    kind = b"application/x-www-form-urlencoded" if "oauth2" in path else b"application/json"
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "server": ("testserver", 80), "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"testserver"), (b"transfer-encoding", b"chunked"),
                    (b"content-type", kind)],
    }  # fmt: skip
    queue = list(parts)
    first = True

    async def receive() -> dict[str, Any]:
        nonlocal first
        if not queue:
            await asyncio.sleep(3600)
        if not first:
            await asyncio.sleep(pause)
        first = False
        part = queue.pop(0)
        return {"type": "http.request", "body": part, "more_body": bool(queue)}

    status, body = 0, b""

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body += message.get("body", b"")

    await asyncio.wait_for(app(scope, receive, send), 10)
    return status, body


def _parts(path: str) -> list[bytes]:
    whole = (
        f"grant_type=password&client_id={CID}&client_secret={SECRET}&username=nobody@x.test&password=x".encode()
        if "oauth2" in path
        else json.dumps({"salesforce": {"orgs": [{"name": "Slow body"}]}}).encode()
    )
    size = len(whole) // 5 + 1
    return [whole[i : i + size] for i in range(0, len(whole), size)]  # five parts


@pytest.mark.parametrize("path", PATHS)
def test_a_body_whose_parts_keep_coming_is_read_whole(path: str) -> None:
    parts = _parts(path)
    assert len(parts) >= 4
    # each part 0.25 s after the last (under the 0.4 s timeout), more than the timeout in all
    status, body = asyncio.run(_post(_app(), path, parts, pause=TIMEOUT * 0.6))
    assert status != 408, body
    assert status == (400 if "oauth2" in path else 201), body  # the password grant's own refusal; the seed's 201


@pytest.mark.parametrize("path", PATHS)
def test_a_pause_longer_than_the_timeout_is_408(path: str) -> None:
    status, body = asyncio.run(_post(_app(), path, _parts(path), pause=TIMEOUT * 2))
    assert status == 408, body


def test_a_cancellation_that_is_not_the_watch_s_stays_one() -> None:
    """A server cancelling a request that waits for its body (shutdown) gets its CancelledError, no 408 answer."""
    app = _app()

    async def main() -> None:
        task = asyncio.ensure_future(_post(app, "/services/oauth2/token", _parts("/services/oauth2/token"), 5))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())


def test_one_timer_per_loop_not_per_request() -> None:
    """20 requests, one sweep timer. A timeout of a minute: with `TIMEOUT` (a sweep every 0.1 s), a loaded machine
    took longer than a sweep period for the 20 requests now and then, and a wait after the sweep rightly armed a
    second timer (the count read 2)."""
    from mockown.http import pipeline

    app = create_app(Config(body_timeout=60), clock=FrozenClock("2026-01-01T00:00:00Z"))

    async def main() -> int:
        loop = asyncio.get_running_loop()
        scheduled = 0
        real = loop.call_later

        def counting(delay: float, callback: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal scheduled
            scheduled += getattr(callback, "__func__", None) is pipeline._LoopWatch.sweep  # not wait_for's own
            return real(delay, callback, *args, **kwargs)

        loop.call_later = counting  # type: ignore[method-assign]
        for _ in range(20):
            status, _ = await _post(app, "/services/oauth2/token", [b"grant_type=client_credentials"], 0)
            assert status in (400, 401)
        return scheduled

    assert asyncio.run(main()) == 1
    assert pipeline._WATCHES  # the loop's watch, kept while the loop lives


def test_a_loop_s_watch_goes_with_its_loop() -> None:
    """The watch holds its loop weakly: a loop that is gone leaves no entry (tests run many loops)."""
    import gc

    from mockown.http import pipeline

    app = _app()
    for _ in range(5):
        asyncio.run(_post(app, "/services/oauth2/token", [b"grant_type=client_credentials"], 0))
    gc.collect()
    alive = [loop for loop in pipeline._WATCHES if not loop.is_closed()]
    assert len(pipeline._WATCHES) - len(alive) <= 1  # at most the last one, held by the one-entry cache


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("server_first", [True, False], ids=["server-then-watch", "watch-then-server"])
def test_a_server_s_cancellation_at_the_watch_s_moment_stays_one(
    path: str, server_first: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server cancels a request (shutdown) in the same loop iteration as the sweep finds its part overdue:
    one CancelledError reaches the code, two cancellations were asked for. The watch takes back only its own
    (`uncancel`); the server's stays a CancelledError, not a 408 answer that swallows it."""
    from mockown.http import pipeline

    real = pipeline._LoopWatch.sweep

    def sweep(self: Any) -> None:
        now = asyncio.get_running_loop().time()
        overdue = [task for task, (deadline, _) in self.waiting.items() if deadline <= now]
        if server_first:
            for task in overdue:
                task.cancel()
        real(self)
        if not server_first:
            for task in overdue:
                task.cancel()

    monkeypatch.setattr(pipeline._LoopWatch, "sweep", sweep)
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(_post(_app(), path, _parts(path), pause=TIMEOUT * 3))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("beside", [False, True], ids=["alone", "beside-a-slower-app-s-wait"])
def test_the_408_comes_between_1_and_1_25_times_the_timeout(path: str, beside: bool) -> None:
    """The settings table's bound: a part that does not come is 408 no sooner than `body_timeout` after its wait
    began and within 1.25 times it (a sweep every `body_timeout` / 4), also when another app on the same loop (a
    10 s `body_timeout`, a sweep every 2.5 s) was already waiting. Measured from the wait for the part that never
    comes. The upper bound has a second of slack for a loaded CI machine: a sweep missed for the shorter wait (the
    other app's 2.5 s period) still fails it, a sweep every `body_timeout` / 2 would not."""
    import time

    slow = create_app(Config(body_timeout=10), clock=FrozenClock("2026-01-01T00:00:00Z"))

    async def main() -> tuple[int, float]:
        other = asyncio.ensure_future(_post(slow, path, _parts(path), pause=3600)) if beside else None
        await asyncio.sleep(0.05)  # the other wait, and its 2.5 s sweep, come first
        started = time.monotonic()
        status, _ = await _post(_app(), path, _parts(path)[:2], pause=3600)  # the second part never comes
        took = time.monotonic() - started
        if other is not None:
            other.cancel()
            with pytest.raises(asyncio.CancelledError):
                await other
        return status, took

    status, took = asyncio.run(main())
    assert status == 408
    assert TIMEOUT <= took < TIMEOUT * 1.25 + 1.0, took

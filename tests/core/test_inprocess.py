"""The in-process transports: the app runs on the calling thread (a private loop per thread), falls back to
a loop thread when the caller already runs a loop, and behaves as `httpx.ASGITransport` (scope, buffered
body, disconnect only after the response, exceptions reaching the caller)."""

from __future__ import annotations

import asyncio
import gc
import threading
import traceback
import warnings
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from mockown import Config, create_app
from mockown.http.inprocess import AsyncInProcessTransport, InProcessTransport, in_process_client
from mockown.testing.control import ControlClient, ControlPlaneError

BASE = "http://testserver"


async def _where(request: Request) -> Response:
    await asyncio.sleep(0)  # a real suspension: the task goes back to its loop once
    return JSONResponse({"thread": threading.get_ident(), "task": asyncio.current_task() is not None})


async def _sleepy(request: Request) -> Response:
    await asyncio.sleep(0.02)
    task = asyncio.get_running_loop().create_task(asyncio.sleep(0, result="from a task"))
    return PlainTextResponse(await task)


def _sync_endpoint(request: Request) -> Response:  # Starlette runs it in a worker thread (anyio)
    return PlainTextResponse(f"sync in {threading.current_thread().name != 'MainThread'}")


async def _echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse({"len": len(body), "query": request.url.query, "path": request.url.path})


async def _stream(request: Request) -> Response:
    async def parts() -> AsyncIterator[bytes]:
        for i in range(3):
            await asyncio.sleep(0)
            yield f"part{i};".encode()

    return StreamingResponse(parts(), media_type="text/plain")  # listens for the disconnect meanwhile


async def _crash_deep(request: Request) -> Response:
    def inner_helper_that_fails() -> None:
        raise ValueError("deep inside the app")

    inner_helper_that_fails()
    return Response()


async def _interrupt(request: Request) -> Response:
    raise KeyboardInterrupt


async def _reenter(request: Request) -> Response:
    # sync code inside the app calling another in-process app: this thread runs a loop at that moment
    with in_process_client(request.app.state.other, base_url=BASE) as inner:
        return PlainTextResponse("outer+" + inner.get("/where").text[:1])


def _app() -> Starlette:
    app = Starlette(
        routes=[
            Route("/where", _where),
            Route("/sleepy", _sleepy),
            Route("/sync", _sync_endpoint),
            Route("/echo", _echo, methods=["GET", "POST", "HEAD"]),
            Route("/stream", _stream),
            Route("/crash", _crash_deep),
            Route("/interrupt", _interrupt),
            Route("/reenter", _reenter),
        ]
    )
    app.state.other = Starlette(routes=[Route("/where", _where)])
    return app


@pytest.fixture
def sync() -> Any:
    with in_process_client(_app(), base_url=BASE) as client:
        yield client


def test_the_app_runs_on_the_calling_thread_in_a_real_task(sync: httpx.Client) -> None:
    answer = sync.get("/where").json()
    assert answer == {"thread": threading.get_ident(), "task": True}
    assert asyncio._get_running_loop() is None  # nothing left running on this thread


def test_sleeps_tasks_and_worker_threads_work(sync: httpx.Client) -> None:
    assert sync.get("/sleepy").text == "from a task"
    assert sync.get("/sync").text == "sync in True"


def test_a_caller_inside_a_running_loop_is_served_by_the_loop_thread() -> None:
    transport = InProcessTransport(_app())
    with httpx.Client(transport=transport, base_url=BASE) as client:

        async def inside() -> dict[str, Any]:
            answer: dict[str, Any] = client.get("/where").json()  # blocking call from async code
            return answer

        answer = asyncio.run(inside())
        assert answer["thread"] != threading.get_ident() and answer["task"] is True
        assert transport._thread is not None and transport._thread.is_alive()
    assert transport._thread is None  # close() stopped it


def test_the_app_may_call_an_in_process_client_itself(sync: httpx.Client) -> None:
    assert sync.get("/reenter").text == "outer+{"


def test_many_threads_share_one_client(sync: httpx.Client) -> None:
    results: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                answer = sync.get("/where").json()
                results.append(int(answer["thread"] == threading.get_ident()))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [1] * 80


def test_threads_that_end_leave_no_unclosed_loop_behind() -> None:
    app = _app()

    def work() -> None:
        with in_process_client(app, base_url=BASE) as client:
            assert client.get("/where").status_code == 200

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            t = threading.Thread(target=work)
            t.start()
            t.join()
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_an_app_exception_reaches_the_caller_with_its_traceback(sync: httpx.Client) -> None:
    with pytest.raises(ValueError, match="deep inside the app") as info:
        sync.get("/crash")
    frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert "inner_helper_that_fails" in frames and "_crash_deep" in frames
    assert sync.get("/where").status_code == 200  # and the next call works


def test_without_raising_an_app_exception_is_a_500() -> None:
    with httpx.Client(transport=InProcessTransport(_app(), raise_app_exceptions=False), base_url=BASE) as client:
        r = client.get("/crash")
    assert (r.status_code, r.content) == (500, b"Internal Server Error")  # Starlette's error middleware


def test_an_interrupted_call_does_not_break_the_next_one(sync: httpx.Client) -> None:
    with pytest.raises(KeyboardInterrupt):
        sync.get("/interrupt")
    assert sync.get("/sleepy").text == "from a task"


def test_streamed_bodies_are_joined_and_head_has_none(sync: httpx.Client) -> None:
    r = sync.get("/stream")
    assert (r.status_code, r.text) == (200, "part0;part1;part2;")
    head = sync.head("/echo")
    assert head.status_code == 200 and head.content == b""


def test_the_scope_is_the_one_httpx_asgi_transport_builds() -> None:
    seen: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append({k: v for k, v in scope.items() if k != "client"})
        message = await receive()
        seen[-1]["body"] = message["body"]
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    url = "/a%20b/c%2Fd?x=1&y=%C3%A9"
    with in_process_client(app, base_url="http://example.test:8080") as client:
        client.post(url, content=b"hello", headers={"X-Thing": "1"})

    async def reference() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://example.test:8080") as client:
            await client.post(url, content=b"hello", headers={"X-Thing": "1"})

    asyncio.run(reference())
    ours, theirs = seen
    assert ours == theirs


def test_the_body_arrives_whole_and_the_disconnect_only_after_the_response() -> None:
    messages: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        messages.append(await receive())
        waiter = asyncio.ensure_future(receive())  # waits: the response is not complete yet
        await asyncio.sleep(0)
        assert not waiter.done()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        messages.append(await waiter)

    with in_process_client(app) as client:
        assert client.post("/", content=b"x" * 100_000).text == "ok"
    assert messages == [
        {"type": "http.request", "body": b"x" * 100_000, "more_body": False},
        {"type": "http.disconnect"},
    ]


def test_the_async_transport() -> None:
    async def run() -> tuple[str, int, Any]:
        transport = AsyncInProcessTransport(_app())
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            streamed = (await client.get("/stream")).text
            echoed = (await client.post("/echo?q=1", content=b"abc")).json()
            try:
                await client.get("/crash")
            except ValueError as exc:
                return streamed, echoed["len"], exc
        raise AssertionError("no exception")

    streamed, length, exc = asyncio.run(run())
    assert (streamed, length, str(exc)) == ("part0;part1;part2;", 3, "deep inside the app")


def test_a_close_fault_is_a_dropped_connection_in_process_too() -> None:
    """A `close` fault made the in-process call an `AssertionError` ("the app returned without completing its
    response", gone under `python -O`); over a socket the client sees `httpx.RemoteProtocolError`, and so it does
    here, sync and async, and the next call is served."""
    app = create_app(Config())
    token = "/services/oauth2/token"
    with in_process_client(app, base_url=BASE) as client:
        assert client.post("/_mockown/faults", json={"path": token, "close": True, "times": 2}).status_code == 201
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(token, data={"grant_type": "password"})

        async def run() -> None:
            async with httpx.AsyncClient(transport=AsyncInProcessTransport(app), base_url=BASE) as async_client:
                with pytest.raises(httpx.RemoteProtocolError):
                    await async_client.post(token, data={"grant_type": "password"})

        asyncio.run(run())
        assert client.post(token, data={"grant_type": "password"}).status_code == 400  # served again
        entries = client.get("/_mockown/journal", params={"path": token}).json()["entries"]
        assert [e["closed"] for e in entries] == [True, True, False]


def test_the_in_process_control_client_answers_as_the_http_one() -> None:
    app = create_app(Config(seed_defaults=False, admin_token="s3cret"))
    direct = ControlClient.in_process(app, "s3cret")
    over_httpx = ControlClient(in_process_client(app), "s3cret")
    try:
        for control in (direct, over_httpx):
            assert control.health()["status"] == "ok"
            created = control.seed({"salesforce": {"orgs": [{"name": "Émile & Co"}]}})
            assert created["salesforce"]["orgs"][0]["name"] == "Émile & Co"
            journal = control.get("journal", path="/services/*", limit=1, method=None)
            assert journal == {"count": 0, "entries": [], "dropped": 0}
            org = created["salesforce"]["orgs"][0]["id"]
            assert control.reset(org=org, delete=True)["deleted"] is True
            with pytest.raises(ControlPlaneError) as info:
                control.reset(org=org, delete=True)
            assert info.value.status == 404
        with pytest.raises(ControlPlaneError) as refused:
            ControlClient.in_process(app, "wrong").health()
        assert refused.value.status == 401
    finally:
        direct.close()
        over_httpx.close()

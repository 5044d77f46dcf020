"""Every request's way in: the app's whole middleware stack (`MockownApp.build_middleware_stack`), one pure-ASGI
pass in front of the router, and the one place where exceptions become answers (`RequestPipeline`).

In this order, as separate middlewares once did: the control plane's guard (`/_mockown/...` only); the request
journal (everything outside `/_mockown`): read the body once, parse its parameters once (shared with the
endpoint's `read_params`), work out who the request is about (`resolve`), record an `Entry`; the path guard
(control characters: 404); the body limit (declared `Content-Length` over the limit: 413); the fault rules
(skipped at once when there are none). The journal keeps the raw request and redacts it when read
(`journal.Entry`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import dialect_for
from .control import ControlGuard, _is_control
from .faults import apply_faults
from .forms import FORM_KEY, NO_PARAMS, BadBody, Params, read_params, starts_like_markup
from .guards import host_problem, limit_for
from .headers import header_index
from .journal import CONTROL_PREFIX, Entry, Journal, RequestInfo, bearer_of, log, names_nobody, resolve
from .routing import one_leading_slash, route_path

if TYPE_CHECKING:
    from ..runtime import Runtime

_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f]")
_FORM_TYPES = ("", "application/x-www-form-urlencoded")


def _host_refusal(scope: Scope, path: str, index: dict[bytes, bytes]) -> Response | None:
    """The 400 for a Host header field RFC 9112 3.2 refuses (`guards.host_problem`), in `path`'s dialect; else None."""
    problem = host_problem(scope.get("headers", []), index, scope.get("http_version"))
    if problem is None:
        return None
    return dialect_for(scope["app"].state.dialects, path)(400, "Bad Request", problem).response()


def _refusal(scope: Scope, path: str, index: dict[bytes, bytes], limit: int, *, host: bool = True) -> Response | None:
    """The path guard, the Host header field (unless `host` is False: checked already) and the body limit: the
    answer when they refuse the request, else None. `path`: the path the router routes (`route_path`: without
    a root path), whose dialect answers; `index`: the request's `header_index`."""
    # printable ASCII (the usual path) has no control character: the regex only for the others
    if not (path.isascii() and path.isprintable()) and _CONTROL_CHARS.search(path):
        return dialect_for(scope["app"].state.dialects, path)(404, "Not Found", "no such resource").response()
    refused = _host_refusal(scope, path, index) if host else None
    if refused is not None:
        return refused
    declared = index.get(b"content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        dialect = dialect_for(scope["app"].state.dialects, path)
        return dialect(413, "Payload Too Large", f"request body larger than {limit} bytes").response()
    return None


# uvicorn's message when it cancels the requests still running at the end of its graceful shutdown (`mockown serve`
# passes `shutdown_timeout` as its `timeout_graceful_shutdown`); any other cancellation is a caller that stopped waiting
_SHUTDOWN_CANCEL = "graceful shutdown"


def _stopping(exc: asyncio.CancelledError) -> bool:
    """Whether `exc` is the server's stop cancelling this request (its `shutdown_timeout` over)."""
    return any(isinstance(arg, str) and _SHUTDOWN_CANCEL in arg for arg in exc.args)


def _stopped(scope: Scope, path: str) -> Response:
    """The answer to a request the server's stop cancelled (`_stopping`), in `path`'s dialect, instead of the
    500 uvicorn sends for an app that raised: a 503 on a closing connection (uvicorn closes it after this)."""
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()  # answered: the cancellation is handled here (asyncio's rule for a swallowed cancel)
    dialect = dialect_for(scope["app"].state.dialects, path)
    response = dialect(503, "Service Unavailable", "the server is stopping").response()
    response.headers["Connection"] = "close"
    return response


def _form_params(scope: Scope, body: bytes, declared: bytes | None, content_type: bytes, limit: int) -> Params | None:
    """A form body's parameters as `read_params` reads them (empty when it would refuse them), given the request's
    first Content-Length and Content-Type; None when the body is not a form (`_body_params` reads it)."""
    if content_type.split(b";", 1)[0].strip().lower().decode("latin-1") not in _FORM_TYPES:
        return None
    if starts_like_markup(body):  # markup (a SOAP envelope), no form: `read_params` finds no parameters in it
        return None
    # the common case, without a Request: the same checks and the same parse as read_params
    if declared is not None:
        try:
            if int(declared) > limit:
                return Params()
        except ValueError:
            return Params()
    try:
        params = Params(
            parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=1000)
        )
    except ValueError:  # UnicodeDecodeError included
        return Params()
    scope[FORM_KEY] = (body, params)
    return params


async def _body_params(scope: Scope, body: bytes, limit: int) -> Params:
    """Any other body's parameters as `read_params(json_ok=True)` reads them (empty when it would refuse them)."""
    sent = False

    async def once() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    parse_scope = dict(scope)
    try:
        params = await read_params(Request(parse_scope, once), limit, json_ok=True)
    except BadBody:
        params = Params()
    if FORM_KEY in parse_scope:  # the endpoint's own read of this form body reuses the parse
        scope[FORM_KEY] = parse_scope[FORM_KEY]
    return params


async def _buffered(receive: Receive, limit: int, seconds: float = 0.0) -> tuple[bytes, bool, Receive]:
    """The request body read up to `limit` (more than that stays unread), whether more of it is left, and a
    `receive` for the app that replays what was read, then carries on with the server's. With `seconds`, a part
    of the body that does not come within them is `BadBody` 408 (`_LoopWatch`)."""
    watch, task = _watching(seconds) if seconds else (None, None)
    try:
        message = await receive()
        more = False
        disconnect: Message | None = None
        if message["type"] != "http.request":
            disconnect, body = message, b""
        else:
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if more and len(body) <= limit:
                chunks, total = [body], len(body)
                while more and total <= limit:
                    if watch is not None and task is not None:
                        watch.add(task, seconds)  # each part has `seconds` of its own
                    message = await receive()
                    if message["type"] != "http.request":
                        disconnect = message
                        break
                    chunk = message.get("body", b"")
                    chunks.append(chunk)
                    total += len(chunk)
                    more = message.get("more_body", False)
                body = b"".join(chunks)
    except asyncio.CancelledError:
        timed_out = watch.timed_out(task, seconds) if watch is not None and task is not None else None
        if timed_out is None:
            raise
        raise timed_out from None
    finally:
        if watch is not None and task is not None:
            watch.end(task)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            if disconnect is not None and not body:
                return disconnect
            return {"type": "http.request", "body": body, "more_body": more}
        if disconnect is not None:
            return disconnect
        return await receive()

    return body, more, replay


class _LoopWatch:
    """One event loop's requests waiting for a part of their body, and one timer that ends the overdue waits: a
    timer per request (`asyncio.timeout`) cost ~10 µs, an eighth of a token request; a wait here costs a clock
    read and two dict operations. A wait ends between `seconds` and 1.25 times `seconds` after it began (the sweep
    runs every `seconds` / 4 while something waits)."""

    __slots__ = ("armed", "expired", "loop", "waiting")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = weakref.ref(loop)  # weakly: the watch is the value of its loop's entry in `_WATCHES`
        self.waiting: dict[asyncio.Task[Any], tuple[float, float]] = {}  # task -> (deadline, sweep period)
        self.expired: set[asyncio.Task[Any]] = set()
        self.armed = 0.0  # the scheduled sweep's period, 0 for none (its handle is not kept: it refers to the loop)

    def add(self, task: asyncio.Task[Any], seconds: float) -> None:
        period = seconds / 4
        loop = asyncio.get_running_loop()  # the watch's own: `_watching` found it by this loop
        self.waiting[task] = (loop.time() + seconds, period)
        if not self.armed or period < self.armed:  # none yet, or one too late for this wait (another app's)
            self.armed = period
            loop.call_later(period, self.sweep)

    def timed_out(self, task: asyncio.Task[Any], seconds: float) -> BadBody | None:
        """After a CancelledError in `task`'s wait: the 408 when the cancellation was the watch's alone; None when
        it was another's, or the watch's together with another (a server's at shutdown), which must stay one."""
        if task not in self.expired or task.uncancel():
            return None
        return BadBody(f"the request body stopped coming: nothing for {seconds:g} s", 408)

    def end(self, task: asyncio.Task[Any]) -> None:
        self.waiting.pop(task, None)
        self.expired.discard(task)

    def sweep(self) -> None:
        self.armed = 0.0
        loop = asyncio.get_running_loop()  # a callback of the watch's loop
        now = loop.time()
        for task, (deadline, _) in list(self.waiting.items()):
            if deadline <= now and task not in self.expired:
                self.expired.add(task)
                task.cancel()
        if self.waiting:
            self.armed = min(p for _, p in self.waiting.values())
            loop.call_later(self.armed, self.sweep)


_WATCHES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopWatch] = weakref.WeakKeyDictionary()
_LAST_WATCH: _LoopWatch | None = None


def _watching(seconds: float) -> tuple[_LoopWatch, asyncio.Task[Any]]:
    """This task's wait for a part of its body, begun: its loop's watch and the task."""
    global _LAST_WATCH
    loop = asyncio.get_running_loop()
    watch = _LAST_WATCH  # a server runs one loop: found without the weak dictionary's look-up
    if watch is None or watch.loop() is not loop:
        watch = _WATCHES.get(loop)
        if watch is None:
            watch = _WATCHES[loop] = _LoopWatch(loop)
        _LAST_WATCH = watch
    task = asyncio.current_task()
    assert task is not None  # an ASGI app runs in a task
    watch.add(task, seconds)
    return watch, task


def _timed(receive: Receive, seconds: float) -> Receive:
    """`receive` for a control-plane request with a body (the journaled path reads its body in `_buffered`): a
    part of the body that does not come within `seconds` is `BadBody` 408. Once the body has ended, the server's
    own `receive`."""
    ended = False

    async def timed() -> Message:
        nonlocal ended
        if ended:
            return await receive()
        watch, task = _watching(seconds)
        try:
            message = await receive()
        except asyncio.CancelledError:
            timed_out = watch.timed_out(task, seconds)
            if timed_out is None:
                raise
            raise timed_out from None
        finally:
            watch.end(task)
        if message["type"] != "http.request" or not message.get("more_body", False):
            ended = True
        return message

    return timed


Handler = Callable[[Request, Exception], Awaitable[Response]]


class RequestPipeline:
    """The whole request path in front of the router, and the one place its exceptions are rendered: a type
    with a handler (`MockownError`, `BadBody`, `HTTPException`) by that handler; anything else by the
    `Exception` handler (a 500 in the path's dialect), then re-raised for the server's log and for in-process
    callers, as Starlette's `ServerErrorMiddleware` does. An exception after the response started is re-raised."""

    def __init__(self, app: ASGIApp, handlers: Mapping[Any, Handler] | None = None) -> None:
        self.app = app
        self.control = ControlGuard(self._guarded)
        self.handlers = dict(handlers or {})

    def _handler_for(self, exc: Exception) -> Handler | None:
        for cls in type(exc).__mro__:
            handler: Handler | None = self.handlers.get(cls)
            if handler is not None:
                return handler
        return None

    async def _render_error(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> bool:
        """Answer `exc`; False when it must still be re-raised (no handler for it, or a crash: a 500)."""
        handler = self._handler_for(exc)
        if handler is None:
            return False
        crash = handler is self.handlers.get(Exception)
        response = await handler(Request(scope, receive), exc)
        await response(scope, receive, send)
        if not crash:
            exc.__traceback__ = None  # as Starlette: a reused exception instance would pile up tracebacks
        return not crash

    async def _rendering(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await app(scope, receive, sending)
        except ClientDisconnect:
            pass  # the client closed its connection before its body ended: nobody to answer, nothing went wrong here
        except Exception as exc:
            if started or not await self._render_error(scope, receive, send, exc):
                raise
        except asyncio.CancelledError as exc:
            if started or not _stopping(exc):
                raise
            await _stopped(scope, route_path(scope))(scope, receive, send)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A control-plane request's path guard and body limit (`__call__` checked its Host header already)."""
        path = route_path(scope)  # under a root path too
        limit = limit_for(path, scope["app"].runtime.config.max_body_bytes)
        refusal = _refusal(scope, path, header_index(scope), limit, host=False)
        if refusal is not None:
            await refusal(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        one_leading_slash(scope)  # `//services/...` is `/services/...` for the journal, the faults and the router
        path: str = route_path(scope)  # as the router reads it: without a root path (`--root-path`, a `Mount`)
        if path.startswith(CONTROL_PREFIX):  # not journaled, never faulted
            index = header_index(scope)
            refused = _host_refusal(scope, path, index)  # before the control plane's own rules (a 401, a 403)
            if refused is not None:
                await refused(scope, receive, send)
                return
            seconds = scope["app"].runtime.config.body_timeout
            with_body = b"transfer-encoding" in index or index.get(b"content-length", b"").strip() not in (b"", b"0")
            if seconds and with_body:
                receive = _timed(receive, seconds)
            await self._rendering(self.control if _is_control(path) else self._guarded, scope, receive, send)
            return
        await self._journaled(scope, receive, send, path)

    async def _journaled(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        """`path`: the path the router routes (`route_path`)."""
        runtime: Runtime = scope["app"].runtime
        started = time.perf_counter()
        limit = runtime.config.max_body_bytes
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        index = header_index(scope)  # one scan, kept for the endpoint's look-ups too
        declared = index.get(b"content-length")
        authorization = index.get(b"authorization")
        # the legacy Own session (read only without Authorization: the Own API reads it only then)
        session = index.get(b"x-session-id") if authorization is None else None
        content_type = index.get(b"content-type")
        chunked = b"transfer-encoding" in index
        body, more = b"", False
        app_receive = receive
        # decided before the body is read: a body declared over the limit is refused unread (uvicorn sends a request's
        # `Expect: 100-continue` on the first receive: reading first invited the client to send what is refused)
        refusal = _refusal(scope, path, index, limit)
        if refusal is None and (chunked or (declared is not None and declared.strip() not in (b"", b"0"))):
            # a body to read (HTTP/1.1 has none without Content-Length or Transfer-Encoding): read it up to the
            # limit, then replay it to the app
            try:
                body, more, app_receive = await _buffered(receive, limit, runtime.config.body_timeout)
            except BadBody as exc:  # the body stopped coming (`_timed`): answered in the endpoint's dialect
                dialect = dialect_for(scope["app"].state.dialects, path)
                refusal = dialect(exc.status, "Request Timeout", str(exc)).response()
            except asyncio.CancelledError as exc:  # the server stopped while the body was still coming
                if not _stopping(exc):
                    raise
                refusal = _stopped(scope, path)
        raw_query: bytes = scope.get("query_string", b"")
        control = runtime.control
        journal = control.journal
        info: RequestInfo | None = None
        if control.faults.empty and names_nobody(path, bool(raw_query or body), authorization, session):
            # no parameters, no credentials: the entry `resolve` would make, at once (no fault rule needs `info`)
            entry = Entry(runtime.clock.now(), scope["method"], path, "", headers, NO_PARAMS,
                          None, None, None, None, None)  # fmt: skip
        else:
            query = raw_query.decode("latin-1")
            info = RequestInfo(method=scope["method"], path=path)
            if body and not more and len(body) <= limit:  # an empty body has no parameters
                form = _form_params(scope, body, declared, content_type or b"", limit)
                info.params = form if form is not None else await _body_params(scope, body, limit)
            qparams = NO_PARAMS
            if query:
                with contextlib.suppress(ValueError):
                    qparams = Params(parse_qsl(query, keep_blank_values=True, max_num_fields=1000))
                info.params = info.params.merged_under(qparams)
            if authorization is not None:
                info.authorization = authorization.decode("latin-1")
            elif session is not None:
                info.session_id = session.decode("latin-1")
            info.bearer = bearer_of(authorization, qparams)
            try:
                resolve(runtime, info)
            except Exception:  # resolution is best effort; the app itself reports real problems
                log.debug("could not resolve the subject of %s %s", info.method, info.path, exc_info=True)
            entry = Entry(  # positional: time, method, path, query, headers, params, grant type, org, account, ...
                runtime.clock.now(),
                info.method,
                info.path,
                query,
                headers,
                info.params,
                info.grant_type,
                info.org,
                info.account,
                info.client_id,
                info.user,
            )
        scope["mockown.entry"] = entry
        recording = _Recording(entry, journal, started, send)
        recording_send = recording.send
        try:
            if refusal is not None:
                await refusal(scope, app_receive, recording_send)
            elif info is None or control.faults.empty:
                await self.app(scope, app_receive, recording_send)
            else:
                await apply_faults(self.app, scope, app_receive, recording_send, info)
        except ClientDisconnect:
            # the client closed its connection before its body ended (a Content-Length longer than what it sent, a
            # chunked body cut short): nobody to answer, no error of mockown's; journaled as nginx's 499
            if entry.status == 0:
                entry.status = 499
        except Exception as exc:
            if entry.status or not await self._render_error(scope, app_receive, recording_send, exc):
                if entry.status == 0:
                    entry.status = 500
                raise
        except asyncio.CancelledError as exc:
            if entry.status == 0 and _stopping(exc):  # the server's stop: a 503 rather than uvicorn's 500
                await _stopped(scope, path)(scope, app_receive, recording_send)
                return
            # the caller stopped waiting (an in-process client's read timeout cancels the call): nobody to answer,
            # as with a client gone (499); the app's work stopped where it was
            if entry.status == 0:
                entry.status = 499
            raise
        except BaseException:
            if entry.status == 0:
                entry.status = 500
            raise
        finally:
            if not recording.recorded:
                recording.record()


class _Recording:
    """The journal's side of one response: the status from its start, and the entry recorded before its last part
    goes out (a client that has its answer finds the entry), or when the request ends without one."""

    __slots__ = ("_send", "entry", "journal", "recorded", "started")

    def __init__(self, entry: Entry, journal: Journal, started: float, send: Send) -> None:
        self.entry, self.journal, self.started, self._send = entry, journal, started, send
        self.recorded = False

    def record(self) -> None:
        self.recorded = True
        entry = self.entry
        entry.elapsed = time.perf_counter() - self.started
        self.journal.add(entry)
        if log.isEnabledFor(logging.INFO):
            _log_entry(entry)

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.entry.status = int(message["status"])
        elif kind == "http.response.body" and not self.recorded and not message.get("more_body", False):
            self.record()
        await self._send(message)


def _log_entry(entry: Entry) -> None:
    log.info(
        "request",
        extra={
            "fields": {
                "method": entry.method,
                "path": entry.path,
                "status": entry.status,
                "ms": entry.duration_ms,
                "grant_type": entry.grant_type,
                "org": entry.org,
                "account": entry.account,
                "client_id": entry.client_id,
                "fault": entry.fault,
                "closed": entry.closed or None,
            }
        },
    )

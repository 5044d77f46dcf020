"""Intercept mode: `requests` and `httpx` traffic for the Salesforce / Own (/ Marketing Cloud / B2C) hosts goes
to the mock, so code that hard-codes ``https://login.salesforce.com`` runs unmodified. Other hosts are untouched.

    with intercept() as mock:                  # a fresh in-process app with the demo seed
        sf = Salesforce(username=..., password=..., consumer_key=..., consumer_secret=...)
        mock.clock.advance("3h")

    @intercept("http://127.0.0.1:8080")         # or a running server (admin token from MOCKOWN_ADMIN_TOKEN)
    def test_something(): ...

How: `httpx.HTTPTransport.handle_request` / `httpx.AsyncHTTPTransport.handle_async_request` and
`requests.adapters.HTTPAdapter.send` are patched while at least one interceptor is active (they are process-wide:
every thread sees them). A request for an intercepted host goes to the ASGI app in-process (exceptions inside the
app reach the caller with their traceback), or to the external server's address with the original ``Host`` header
and the scheme it used (``X-Mockown-Scheme``, honoured from any address, unlike ``X-Forwarded-Proto``), so the mock
puts the host name and scheme the client used in the URLs it returns; the forward keeps the client's TLS settings
(`requests`' ``verify``/``cert``; an httpx client's own transport carries it when that connects directly). Anything
else goes through the original method.
"""

from __future__ import annotations

import functools
import inspect
import io
import os
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

from ..http.headers import SCHEME_HEADER
from .hosts import INTERCEPTED_HOSTS, HostMatcher
from .target import LocalTarget, RemoteTarget, Target

if TYPE_CHECKING:
    import httpx

    from .handle import ClockHelper

F = TypeVar("F", bound=Callable[..., Any])

_lock = threading.RLock()
_active: list[intercept] = []
_saved: dict[str, Any] = {}


class intercept:  # lower case: used like a function, `with intercept():`, `@intercept()`
    """Route the real-service hosts of `requests` and `httpx` to a mock (see the module docstring).

    `target`: None (a new in-process app with the default seed), an app from `create_app()`, a
    `MockownServer`, a base URL of a running server, or a `Target`. `hosts` replaces the intercepted host
    patterns, `extra_hosts` adds to them (``*.example.com`` matches sub-domains).
    """

    def __init__(
        self,
        target: Any = None,
        *,
        hosts: Iterable[str] | None = None,
        extra_hosts: Iterable[str] = (),
        admin_token: str | None = None,
    ) -> None:
        self._spec = target
        self._admin_token = admin_token
        self.hosts = tuple(hosts if hosts is not None else INTERCEPTED_HOSTS) + tuple(extra_hosts)
        self._matches = HostMatcher(self.hosts)
        self._target: Target | None = None
        self._owned = False
        self._forward: Any = None  # an httpx.HTTPTransport to the external server
        self._forward_adapter: Any = None  # a requests HTTPAdapter to the external server
        self._forward_lock = threading.Lock()

    # -- as a context manager --------------------------------------------------------------------------
    def __enter__(self) -> intercept:
        if self._target is not None:
            raise RuntimeError("this interceptor is active already (use a new one, or the decorator form)")
        self._target, self._owned = _make_target(self._spec, self._admin_token)
        _install(self)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        _uninstall(self)
        target, self._target = self._target, None
        with self._forward_lock:
            forward, adapter = self._forward, self._forward_adapter
            self._forward = self._forward_adapter = None
        if forward is not None:
            forward.close()
        if adapter is not None:
            adapter.close()
        if target is not None and self._owned:
            target.close()

    def start(self) -> intercept:
        return self.__enter__()

    def stop(self) -> None:
        self.__exit__(None, None, None)

    # -- as a decorator: each call gets its own activation (and, by default, its own fresh app) ------------
    def __call__(self, func: F) -> F:
        def fresh() -> intercept:
            return intercept(self._spec, hosts=self.hosts, admin_token=self._admin_token)

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with fresh():
                    return await func(*args, **kwargs)

            return cast(F, run_async)

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with fresh():
                return func(*args, **kwargs)

        return cast(F, run)

    # -- what a caller may want from the mock ------------------------------------------------------------
    @property
    def target(self) -> Target:
        if self._target is None:
            raise RuntimeError("the interceptor is not active")
        return self._target

    @property
    def app(self) -> Any:
        return self.target.app

    @property
    def runtime(self) -> Any:
        return self.target.runtime

    @property
    def control(self) -> Any:
        return self.target.control

    @property
    def clock(self) -> ClockHelper:
        from .handle import ClockHelper

        return ClockHelper(self.target.control)

    def matches(self, host: str | None) -> bool:
        return self._matches(host)

    # -- sending ---------------------------------------------------------------------------------------
    def _remote_url(self, url: str) -> tuple[str, str, str]:
        """(URL on the external server, original host[:port], original scheme)."""
        parts = urlsplit(url)
        base = urlsplit(self.target.url)
        path = parts.path or "/"
        query = f"?{parts.query}" if parts.query else ""
        return f"{base.scheme}://{base.netloc}{path}{query}", parts.netloc, parts.scheme

    def send_httpx(self, request: httpx.Request, transport: Any = None) -> httpx.Response:
        """`transport`: the caller's (whose `handle_request` was called): the external server is reached through it
        when it connects directly, so its TLS settings (`verify=`, a client certificate) hold there too."""
        import httpx

        target = self.target
        if isinstance(target, LocalTarget):
            try:
                return target.shared_transport().handle_request(request, _read_timeout(request))
            except TimeoutError:
                raise httpx.ReadTimeout("timed out", request=request) from None
        url, host, scheme = self._remote_url(str(request.url))
        forwarded = httpx.Request(
            request.method,
            url,
            headers=_forward_headers(request, host, scheme),
            content=request.read(),
            extensions=_timeout_of(request),
        )
        if _connects_directly(transport):
            forward = transport
        else:
            with self._forward_lock:
                if self._forward is None:
                    self._forward = httpx.HTTPTransport()
                forward = self._forward
        response: httpx.Response = _saved["httpx_sync"](forward, forwarded)
        return response

    async def send_httpx_async(self, request: httpx.Request, transport: Any = None) -> httpx.Response:
        import httpx

        target = self.target
        if isinstance(target, LocalTarget):
            try:
                return await target.async_transport().handle_async_request(request, _read_timeout(request))
            except TimeoutError:
                raise httpx.ReadTimeout("timed out", request=request) from None
        url, host, scheme = self._remote_url(str(request.url))
        body = await request.aread()
        forwarded = httpx.Request(
            request.method,
            url,
            headers=_forward_headers(request, host, scheme),
            content=body,
            extensions=_timeout_of(request),
        )
        if _connects_directly(transport):  # the caller's, in the caller's event loop
            answer: httpx.Response = await _saved["httpx_async"](transport, forwarded)
            return answer
        own = httpx.AsyncHTTPTransport()  # one per call: a pool belongs to one event loop
        try:
            response = await _saved["httpx_async"](own, forwarded)
            content = await response.aread()
            await response.aclose()
        finally:
            await own.aclose()
        return httpx.Response(response.status_code, headers=response.headers, content=content)

    def send_requests(self, adapter: Any, request: Any, kwargs: dict[str, Any]) -> Any:
        target = self.target
        if isinstance(target, LocalTarget):
            return _requests_in_process(adapter, request, target, _requests_read_timeout(kwargs.get("timeout")))
        url, host, scheme = self._remote_url(request.url)
        forwarded = request.copy()
        forwarded.url = url
        forwarded.headers.update(_scheme_headers(host, scheme))
        with self._forward_lock:
            if self._forward_adapter is None:
                from requests.adapters import HTTPAdapter

                self._forward_adapter = HTTPAdapter()
            forward = self._forward_adapter
        # the caller's TLS settings (`verify=`, `REQUESTS_CA_BUNDLE` as the session resolved it, a client `cert=`)
        # hold for the external server too; its proxies do not (the server is reached directly)
        response = _saved["requests_send"](
            forward,
            forwarded,
            stream=kwargs.get("stream", False),
            timeout=kwargs.get("timeout"),
            verify=kwargs.get("verify", True),
            cert=kwargs.get("cert"),
            proxies={},
        )
        response.url = request.url
        response.request = request
        response.connection = adapter
        return response


def _connects_directly(transport: Any) -> bool:
    """Whether an httpx transport connects straight to the URL's host (httpcore's plain connection pool: no proxy,
    no Unix socket), so that it can carry a request to the external server with its own TLS settings. A proxy's
    pool would send it through the proxy, which cannot reach a server on the caller's loopback."""
    pool = getattr(transport, "_pool", None)
    kind = type(pool)  # by name: httpcore is httpx's own dependency, not one of mockown's (a proxy's pool subclasses)
    return (
        kind.__module__.partition(".")[0] == "httpcore"
        and kind.__name__ in ("ConnectionPool", "AsyncConnectionPool")
        and getattr(pool, "_proxy", None) is None
        and getattr(pool, "_uds", None) is None
    )


def _scheme_headers(host: str, scheme: str) -> dict[str, str]:
    """What a forwarded request says of the URL the client called: its `Host`, and its scheme in
    `X-Mockown-Scheme`, which the mock honours from any address (`mockown.http.api.scheme`; uvicorn trusts
    `X-Forwarded-Proto` only from loopback, and a CI service container sees another address). `X-Forwarded-Proto`
    too, for a server older than that header."""
    headers = {"Host": host, SCHEME_HEADER: scheme}
    if scheme == "https":
        headers["X-Forwarded-Proto"] = "https"
    return headers


def _forward_headers(request: httpx.Request, host: str, scheme: str) -> httpx.Headers:
    """The headers of an httpx request forwarded to the external server: the original `Host` and scheme
    (`_scheme_headers`), and no framing of its own: the body goes buffered, with the Content-Length httpx sets
    for it (a streamed body's `Transfer-Encoding: chunked` next to it is a request a server refuses)."""
    import httpx

    headers = httpx.Headers(request.headers)
    for name in ("Transfer-Encoding", "Content-Length"):
        headers.pop(name, None)
    headers.update(_scheme_headers(host, scheme))
    return headers


def _timeout_of(request: httpx.Request) -> dict[str, Any]:
    """The extensions a forwarded request keeps: the client's timeouts (not its SNI name or trace hooks)."""
    timeout = request.extensions.get("timeout")
    return {} if timeout is None else {"timeout": timeout}


def _read_timeout(request: httpx.Request) -> float | None:
    """httpx's read timeout of `request` (None: none): how long an in-process answer may take."""
    read = (request.extensions.get("timeout") or {}).get("read")
    return None if read is None else float(read)


def _requests_read_timeout(timeout: Any) -> float | None:
    """The read timeout of a `requests` call's `timeout`: a number, a (connect, read) pair or a urllib3 `Timeout`
    (its read timeout once a connection has started: `total` counts too). A tuple of another length is refused
    with `requests`' own message."""
    if isinstance(timeout, tuple):
        try:
            _, timeout = timeout
        except ValueError:
            raise ValueError(
                f"Invalid timeout {timeout}. Pass a (connect, read) timeout tuple, or a single float to set both "
                "timeouts to the same value."
            ) from None
    if callable(getattr(timeout, "start_connect", None)) and callable(getattr(timeout, "clone", None)):
        started = timeout.clone()  # urllib3's Timeout: its read_timeout needs a started connect timer
        started.start_connect()
        timeout = started.read_timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        return None
    return float(timeout)


def _make_target(spec: Any, admin_token: str | None) -> tuple[Target, bool]:
    if isinstance(spec, Target):
        return spec, False
    if spec is None:
        from .. import create_app

        return LocalTarget(create_app()), True
    if isinstance(spec, str):
        token = admin_token if admin_token is not None else os.environ.get("MOCKOWN_ADMIN_TOKEN")
        return RemoteTarget(spec, token), True
    app = getattr(spec, "app", None) if not hasattr(spec, "state") else spec
    if app is not None and hasattr(getattr(app, "state", None), "runtime"):
        return LocalTarget(app), True
    raise TypeError(f"intercept() needs an app, a MockownServer, a base URL or a Target, not {spec!r}")


def _route(host: str | None) -> intercept | None:
    with _lock:
        for interceptor in reversed(_active):
            if interceptor.matches(host):
                return interceptor
    return None


# -- the patches ---------------------------------------------------------------------------------------
def _install(interceptor: intercept) -> None:
    with _lock:
        if not _active:
            _patch()
        _active.append(interceptor)


def _uninstall(interceptor: intercept) -> None:
    with _lock:
        if interceptor in _active:
            _active.remove(interceptor)
        if not _active:
            _unpatch()


def _patch() -> None:
    import httpx

    sync_original = httpx.HTTPTransport.handle_request
    async_original = httpx.AsyncHTTPTransport.handle_async_request
    _saved["httpx_sync"] = sync_original
    _saved["httpx_async"] = async_original

    @functools.wraps(sync_original)
    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        interceptor = _route(request.url.host)
        if interceptor is None:
            return sync_original(self, request)
        return interceptor.send_httpx(request, self)

    @functools.wraps(async_original)
    async def handle_async_request(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        interceptor = _route(request.url.host)
        if interceptor is None:
            return await async_original(self, request)
        return await interceptor.send_httpx_async(request, self)

    httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
    httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]

    try:
        from requests.adapters import HTTPAdapter
    except ImportError:  # requests is optional
        return
    send_original = HTTPAdapter.send
    _saved["requests_send"] = send_original

    @functools.wraps(send_original)
    def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        interceptor = _route(urlsplit(request.url).hostname)
        if interceptor is None:
            return send_original(self, request, *args, **kwargs)
        names = ("stream", "timeout", "verify", "cert", "proxies")
        kwargs.update(zip(names, args, strict=False))
        return interceptor.send_requests(self, request, kwargs)

    HTTPAdapter.send = send  # type: ignore[method-assign]


def _unpatch() -> None:
    import httpx

    if "httpx_sync" in _saved:
        httpx.HTTPTransport.handle_request = _saved.pop("httpx_sync")  # type: ignore[method-assign]
        httpx.AsyncHTTPTransport.handle_async_request = _saved.pop("httpx_async")  # type: ignore[method-assign]
    if "requests_send" in _saved:
        from requests.adapters import HTTPAdapter

        HTTPAdapter.send = _saved.pop("requests_send")  # type: ignore[method-assign]


# -- requests, in-process --------------------------------------------------------------------------------
def _request_body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk) for chunk in body)


def _requests_in_process(adapter: Any, request: Any, target: LocalTarget, timeout: float | None) -> Any:
    """Send a `requests.PreparedRequest` to the app and build the `requests.Response` an adapter would; an app
    slower than the read `timeout` is `requests.exceptions.ReadTimeout`, as from a server."""
    import http.client

    import httpx
    from urllib3 import HTTPResponse
    from urllib3._collections import HTTPHeaderDict

    outgoing = httpx.Request(
        request.method, request.url, headers=list(request.headers.items()), content=_request_body(request.body)
    )
    try:
        answer = target.shared_transport().handle_request(outgoing, timeout)
    except TimeoutError:
        from requests.exceptions import ReadTimeout

        host = urlsplit(request.url).hostname
        raise ReadTimeout(f"{host}: Read timed out. (read timeout={timeout})", request=request) from None
    content = answer.read()
    headers = HTTPHeaderDict()
    message = http.client.HTTPMessage()
    for name, value in answer.headers.multi_items():
        if name.lower() == "content-encoding":  # the body is already decoded
            continue
        headers.add(name, value)
        message[name] = value
    original = HTTPResponse(body=io.BytesIO(), headers=headers, status=answer.status_code, preload_content=False)
    original.msg = message  # what requests' cookie jar reads Set-Cookie from
    raw = HTTPResponse(
        body=io.BytesIO(content),
        headers=headers,
        status=answer.status_code,
        reason=http.client.responses.get(answer.status_code, ""),
        preload_content=False,
        decode_content=False,
        original_response=cast(Any, original),
        request_method=request.method,
        request_url=request.url,
    )
    return adapter.build_response(request, raw)


__all__ = ["intercept"]

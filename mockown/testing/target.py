"""Where a test's mockown traffic goes: an app in this process, or a server in another one.

`LocalTarget(app)` talks to the ASGI app without a socket (exceptions inside the app reach the caller with
their traceback) and opens a real socket (`MockownServer`, a thread on a free port) only when someone asks
for `url`. `RemoteTarget(url, admin_token)` talks to a running `mockown serve` (a subprocess, a container).
Both hand out ready `httpx` clients and a `ControlClient` for the control plane (`/_mockown/*`).
"""

from __future__ import annotations

import functools
import threading
from http.cookiejar import CookieJar
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import ssl

    import httpx

    from ..http.inprocess import AsyncInProcessTransport, InProcessTransport
    from ..server import MockownServer
    from .control import ControlClient

IN_PROCESS_BASE = "http://testserver"
C = TypeVar("C", "httpx.Client", "httpx.AsyncClient")


@functools.cache
def _response_cookies() -> type[httpx.Cookies]:
    import httpx

    class ResponseCookies(httpx.Cookies):
        """`httpx.Cookies` that skips a response without cookies: httpx hands every response to
        `extract_cookies`, which first builds a `urllib.request.Request` copy of the request (URL parsed again,
        headers copied: ~20-50 µs) for the jar, and a standard `CookieJar` takes cookies only from
        ``Set-Cookie`` and ``Set-Cookie2`` headers. With either header the jar sees the response as before."""

        def extract_cookies(self, response: httpx.Response) -> None:
            headers = response.headers
            if "set-cookie" in headers or "set-cookie2" in headers:
                super().extract_cookies(response)

    return ResponseCookies


def lean_cookies(client: C) -> C:
    """`client` with `ResponseCookies` over its own cookie jar (the same jar object, so `client.cookies`
    holds the same cookies), when the jar is a plain `http.cookiejar.CookieJar`; else left as it is."""
    import httpx

    cookies = getattr(client, "_cookies", None)  # what `client.cookies` returns; httpx has no public setter
    if type(cookies) is httpx.Cookies and type(cookies.jar) is CookieJar:
        client._cookies = _response_cookies()(cookies.jar)
    return client


_MERGED_URLS = 256  # URL texts remembered merged with one base URL (then it starts again)
_MERGED_BASES = 16  # base URLs whose merged URLs are remembered (then it starts again)
# base URL text -> URL text -> the merged `httpx.URL`, shared by the clients of one base URL: the `mockown` fixture
# makes a client per test, whose requests are the same few URL texts from one test to the next
_MERGED: dict[str, dict[str, httpx.URL]] = {}


@functools.cache
def _client_classes() -> tuple[type[httpx.Client], type[httpx.AsyncClient]]:
    import httpx

    class MergedUrls:
        """Request URLs merged with the client's base URL once per URL text. httpx merges every request's URL
        anew (`_merge_url`: the text parsed, then the base URL copied, each through its URL parser: ~100-150 µs
        in-process on a slow machine, a quarter of a request to the in-process app); a merged `httpx.URL` is
        immutable and depends on the base URL and the text alone, so the same text gets the same object, for
        every client of that base URL (`_MERGED`: the fixture's client of the next test too). The memo follows
        the base URL (a new `base_url` looks up that one's) and holds at most `_MERGED_URLS` texts per base URL
        and `_MERGED_BASES` base URLs; a URL given as an `httpx.URL` is merged as httpx merges it."""

        _base_url: httpx.URL
        _merged: tuple[httpx.URL, dict[str, httpx.URL]] | None = None

        def _merge_url(self, url: httpx.URL | str) -> httpx.URL:
            merge = super()._merge_url  # type: ignore[misc]  # httpx's, next in the client's MRO
            if type(url) is not str:
                return merge(url)  # type: ignore[no-any-return]
            memo = self._merged
            if memo is None or memo[0] is not self._base_url:
                base = str(self._base_url)
                texts = _MERGED.get(base)
                if texts is None:
                    if len(_MERGED) >= _MERGED_BASES:
                        _MERGED.clear()
                    texts = _MERGED[base] = {}
                memo = self._merged = (self._base_url, texts)
            found = memo[1].get(url)
            if found is None:
                found = merge(url)
                if len(memo[1]) >= _MERGED_URLS:
                    memo[1].clear()
                memo[1][url] = found
            return found

    class Client(MergedUrls, httpx.Client):
        """`httpx.Client` with `MergedUrls`."""

    class AsyncClient(MergedUrls, httpx.AsyncClient):
        """`httpx.AsyncClient` with `MergedUrls`."""

    return Client, AsyncClient


class Target:
    mode: str = ""
    base_url: str = IN_PROCESS_BASE
    admin_token: str | None = None

    def __init__(self) -> None:
        self._control: ControlClient | None = None
        self._lock = threading.Lock()
        self._parsed_base: tuple[str, httpx.URL] | None = None  # `base_url`, parsed once for every client

    def _base_url(self) -> httpx.URL:
        """`base_url` as an `httpx.URL`: a client made with it does not parse the text again (each test's
        `mockown.client` is a new client)."""
        parsed = self._parsed_base
        if parsed is None or parsed[0] != self.base_url:
            import httpx

            parsed = self._parsed_base = (self.base_url, httpx.URL(self.base_url))
        return parsed[1]

    # what a subclass provides
    def transport(self) -> httpx.BaseTransport:
        raise NotImplementedError

    def async_transport(self) -> httpx.AsyncBaseTransport:
        raise NotImplementedError

    @property
    def url(self) -> str:
        raise NotImplementedError

    @property
    def app(self) -> Any:
        raise RuntimeError(f"the app object exists only in-process; this target is {self.mode}")

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    # shared
    def client(self, **kwargs: Any) -> httpx.Client:
        """A synchronous client whose base URL is this target (close it, or use `with`)."""

        kwargs.setdefault("base_url", self._base_url())
        return lean_cookies(_client_classes()[0](transport=self.transport(), **kwargs))

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:

        kwargs.setdefault("base_url", self._base_url())
        return lean_cookies(_client_classes()[1](transport=self.async_transport(), **kwargs))

    @property
    def control(self) -> ControlClient:
        with self._lock:
            if self._control is None:
                self._control = self._make_control()
            return self._control

    def _make_control(self) -> ControlClient:
        from .control import ControlClient

        return ControlClient(self.client(timeout=60.0), self.admin_token)

    def close(self) -> None:
        with self._lock:
            control, self._control = self._control, None
        if control is not None:
            control.close()


class LocalTarget(Target):
    mode = "in-process"

    def __init__(self, app: Any) -> None:
        super().__init__()
        self._app = app
        self.admin_token = app.state.runtime.config.admin_token
        self._server: MockownServer | None = None
        self._errors: list[BaseException] = []
        self._transport: InProcessTransport | None = None

    @property
    def app(self) -> Any:
        return self._app

    def transport(self) -> httpx.BaseTransport:
        from ..http.inprocess import InProcessTransport

        return InProcessTransport(self._app)

    def _make_control(self) -> ControlClient:
        from .control import ControlClient

        return ControlClient.in_process(self._app, self.admin_token)

    def shared_transport(self) -> InProcessTransport:
        """One transport (one private event loop) reused by intercepted calls."""
        from ..http.inprocess import InProcessTransport

        with self._lock:
            if self._transport is None:
                self._transport = InProcessTransport(self._app)
            return self._transport

    def async_transport(self) -> AsyncInProcessTransport:
        from ..http.inprocess import AsyncInProcessTransport

        return AsyncInProcessTransport(self._app)

    @property
    def server(self) -> MockownServer:
        """The same app on a real socket (started on first use, stopped by `close()`). Exceptions the app
        raises there are kept for `take_errors()` (the client sees a 500)."""
        with self._lock:
            if self._server is None:
                from ..server import MockownServer

                self._server = MockownServer(_Recorder(self._app, self._errors)).start()
            return self._server

    def take_errors(self) -> list[BaseException]:
        """The exceptions the app raised on the socket since the last call."""
        with self._lock:
            errors, self._errors[:] = list(self._errors), []
        return errors

    @property
    def url(self) -> str:
        return self.server.url

    def close(self) -> None:
        super().close()
        with self._lock:
            server, self._server = self._server, None
            transport, self._transport = self._transport, None
        if server is not None:
            server.stop()
        if transport is not None:
            transport.close()


class _Recorder:
    """The app, with every exception it raises recorded before the client has its whole answer: the app renders
    a crash as a 500 and only then re-raises, so the last part of each response is held back until the app's
    call has ended (else a test could reach its teardown, and `take_errors()`, before the error is recorded)."""

    def __init__(self, app: Any, errors: list[BaseException]) -> None:
        self.app = app
        self.state = app.state
        self._errors = errors

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Any] = []

        async def holding(message: Any) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                held.append(message)  # sent once the app's call has ended
            else:
                await send(message)

        try:
            await self.app(scope, receive, holding)
        except Exception as exc:
            self._errors.append(exc)
            raise
        finally:
            for message in held:
                await send(message)


class RemoteTarget(Target):
    mode = "external"

    def __init__(self, url: str, admin_token: str | None = None) -> None:
        super().__init__()
        self.base_url = url.rstrip("/")
        self.admin_token = admin_token or None
        self._ssl: ssl.SSLContext | None = None
        self._ssl_lock = threading.Lock()  # not `_lock`: `control` holds that one while it makes its client

    @property
    def url(self) -> str:
        return self.base_url

    def _ssl_context(self) -> ssl.SSLContext:
        """httpx's default verifying context, made once: building one loads the CA bundle (~20 ms), which a
        new transport per test would otherwise pay every time."""
        with self._ssl_lock:
            if self._ssl is None:
                import httpx

                self._ssl = httpx.create_ssl_context()
            return self._ssl

    def transport(self) -> httpx.BaseTransport:
        import httpx

        return httpx.HTTPTransport(verify=self._ssl_context())

    def async_transport(self) -> httpx.AsyncBaseTransport:
        import httpx

        return httpx.AsyncHTTPTransport(verify=self._ssl_context())


__all__ = ["IN_PROCESS_BASE", "LocalTarget", "RemoteTarget", "Target", "lean_cookies"]

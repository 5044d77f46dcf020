"""What an API contributes to the app: its routes and the dialect its generic errors are rendered in."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.routing import BaseRoute

from .. import security
from ..errors import Dialect
from ..fieldwise import Value
from ..runtime import Runtime
from .headers import SCHEME_HEADER, header_index, host_name
from .routing import Route


@dataclass(frozen=True, repr=False, eq=False)
class Api(Value):
    """One API's routes and the error dialects its paths answer in."""

    name: str
    routes: Sequence[BaseRoute]
    # (path prefix, dialect): errors raised before the API's own code runs are rendered by the dialect of the
    # longest prefix; a `*` in a prefix is one path segment (`errors.dialect_for`)
    dialects: Sequence[tuple[str, Dialect]] = field(default_factory=list)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.scope["app"].runtime  # `MockownApp.runtime` (= app.state.runtime)
    return runtime


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def header(request: Request, name: str) -> str | None:
    """The first value of a request header, as `request.headers.get(name)` gives it, from the request's header
    index (`headers.header_index`: no `Headers` object, no scan per look-up on the hot paths)."""
    value = header_index(request.scope).get(_header_name(name))
    return None if value is None else value.decode("latin-1")


@functools.lru_cache(maxsize=64)
def _header_name(name: str) -> bytes:
    return name.lower().encode("latin-1")


def _host_header(request: Request) -> str | None:
    return header(request, "host")


_SCHEME_KEY = SCHEME_HEADER.lower().encode("latin-1")
_SCHEMES = {b"http": "http", b"https": "https"}


def scheme(request: Request) -> str:
    """The scheme the client used: `X-Mockown-Scheme` (``http`` or ``https``) when intercept mode sent it, else
    the connection's (ASGI's `scheme`, which uvicorn sets from `X-Forwarded-Proto` for a trusted proxy)."""
    claimed = _SCHEMES.get(header_index(request.scope).get(_SCHEME_KEY, b""))
    return claimed or request.scope.get("scheme", "http")


def _server_host(request: Request) -> str:
    """The host (and port, unless it is the scheme's default) the server says it listens on."""
    server = request.scope.get("server")
    if not server:
        return ""
    host, port = server
    if port is None or port == _DEFAULT_PORTS.get(scheme(request)):
        return str(host)
    return f"{host}:{port}"


def base_url(request: Request) -> str:
    """The URL the mock puts in responses: `--base-url` if set, else what the client called: its scheme and host,
    and the root path the app is served under (`uvicorn --root-path /x`, a `Mount("/x", app)`), so that a URL the
    mock hands out (`instance_url`, `id`, the discovery document's) reaches the mock again."""
    configured = runtime_of(request).config.base_url
    if configured:
        return configured.rstrip("/")
    host = _host_header(request) or _server_host(request)
    return f"{scheme(request)}://{host}{root_path(request)}"


def same_origin(request: Request) -> bool:
    """Whether a state-changing request comes from a page of this server, or from no browser page at all
    (`security.same_origin`), the host of the base URL counting as this server's besides the `Host` header's (a
    proxy may rewrite `Host`; `--base-url` is the name the browser shows). The one rule of every form page and
    of the control plane."""
    try:
        ours: tuple[str, ...] = (urlsplit(base_url(request)).netloc,)
    except ValueError:  # a Host header urlsplit refuses ("[::1", "[zz]"): no origin, only the Host itself
        ours = ()
    return security.same_origin(request.headers, *ours)


def root_path(request: Request) -> str:
    """The path the app is served under, as a URL path (percent-encoded) without a trailing slash ("" at the host's
    root; `uvicorn --root-path`, a `Mount`): a path of this server that the mock hands out (a URL, a form's action, a
    redirect to one of its pages, a cookie's `Path`) starts with it. Encoded because ASGI's root path is decoded
    text, and under a `Mount` with path parameters it holds what the client sent (`;`, CR, LF, `?`)."""
    root: str = request.scope.get("root_path") or ""
    return quote(root.rstrip("/"), safe=_PATH_SAFE)


_PATH_SAFE = "/!$&'()*+,=:@-._~"  # RFC 3986 pchar and "/", less ";" (a cookie attribute's separator)


def host_of(request: Request) -> str:
    """The host the request names, lower-case, without its port or the final dot of an absolute name
    (`login.salesforce.com.` is `login.salesforce.com`, RFC 1034 3.1): the name the mock's host rules read."""
    host = _host_header(request) or _server_host(request)
    return host_name(host.split(":", 1)[0])


def with_and_without_slash(path: str, endpoint: Any, methods: list[str]) -> list[BaseRoute]:
    """A route with and without one trailing slash, the same resource (Salesforce answers both; the Own API too),
    never Starlette's empty 307, after which many clients re-send without their Authorization header."""
    return [Route(path, endpoint, methods=methods), Route(path + "/", endpoint, methods=methods)]

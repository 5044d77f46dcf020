"""Route dispatch: Starlette's rules (the first route in order that matches wins; a path match with the wrong
method answers 405; then redirect-slashes and 404), over fewer candidates. One departure: a 405 of a path several
routes serve (`/services/oauth2/authorize/{brand}` GET and `/services/oauth2/authorize/login` POST) lists all
their methods in `Allow`, where Starlette lists the first one's.

Starlette's `Router` tries every route's regex in order, ~140 of them here. `PrefixRouter` files each route
under the literal first segment of its path (`/services/...` under `services`); a route whose first segment
is not literal (a parameter), or that is not path-based (`Host`), is filed under every segment. A request is
tried only against the routes filed under its own first segment, in the original order. No route left out
can match that path, so the first match and the first partial match are the ones the full scan would find;
anything that matches nothing goes to Starlette's own code (redirect-slashes, 404) unchanged.

A `Host` route (filed under every segment) matches by the request's ``Host`` header alone: which of them match a
given header is worked out once per (segment, header value) by Starlette's own `Host.matches`, and the others are
not tried (they would answer `Match.NONE`).

A matched plain `async def endpoint(request)` route is called directly: `Request`, endpoint, response. Its
exceptions go to the app's `ExceptionMiddleware`, which renders them with the same handlers Starlette's
per-route wrapper would have used.

Which plain route a request goes to is a function of its route path, method and ``Host`` header (the route table
unchanged): the router remembers it per such triple (`choose`; at most `_PLAIN_MATCHES` triples, none longer than
`_KEY_CHARS`), so a request for a path seen before skips the candidates and their regexes (~20 µs of a ~200 µs
token request, issue #9). Anything else (a partial match: 405; no match; a route that is not plain; a router
mounted under path parameters; a very long path or Host) takes the scan above every time.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from starlette import routing
from starlette._utils import get_route_path
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Host, Match, Mount, Router
from starlette.types import Receive, Scope, Send

from .headers import header_index

Endpoint = Callable[[Request], Awaitable[Response]]
# a scope's path less its root path, as Starlette's routes match it; Starlette keeps the helper private, so mockown
# imports it here only and every other module reads `route_path`
route_path = get_route_path

_COMPILED = ("path_regex", "path_format", "param_convertors")
_PLAIN_MATCHES = 1024  # (route path, method, Host) triples whose plain route is remembered (then it starts again)
_KEY_CHARS = 1024  # a longer route path or Host header is not remembered: 1,024 keys of them: ~2 MB at most
PlainMatch = tuple[BaseRoute, Endpoint, dict[str, Any]]  # the route, its endpoint, the converted path parameters
PlainKey = tuple[str, str, bytes | None]  # route path, method, Host header
FullMatch = tuple[BaseRoute, Endpoint | None, Scope]  # a route, its plain endpoint (or None), the child scope
Candidate = tuple[BaseRoute, Endpoint | None]  # a route and its plain endpoint (or None)
# the first partial match, its child scope, and the methods of every route the path partially matches (sorted)
# when there are several (None for one: that route's own 405 is right)
PartialMatch = tuple[BaseRoute, Scope, list[str] | None]
Choice = tuple[PlainMatch | None, FullMatch | None, PartialMatch | None]  # `PrefixRouter.choose`


def lazy_endpoint(module: str, name: str) -> Endpoint:
    """The endpoint `name` of `module`, imported with the first request that reaches it: a page or flow a run
    rarely uses stays off the start-up path (issue #9). The returned endpoint is named `name`, as the route (and
    `url_path_for`) would name the endpoint itself."""
    found: Endpoint | None = None

    async def endpoint(request: Request) -> Response:
        nonlocal found
        if found is None:
            found = getattr(importlib.import_module(module), name)
        return await found(request)

    endpoint.__name__ = endpoint.__qualname__ = name
    return endpoint


class Route(routing.Route):
    """Starlette's `Route`, its path compiled at its first use rather than when it is made: mockown makes ~230
    routes at start-up (every API's), a run uses a few of them, and `compile_path` (a regex each) was ~30 ms of a
    ~550 ms cold start. Everything else is Starlette's: what `compile_path` makes from the path, the first time
    anything reads it (`matches`, `url_path_for`, the router's 405 and redirect code)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not path.startswith("/"):
            raise ValueError(f"a routed path must start with '/': {path!r}")
        super().__init__("/", endpoint, **kwargs)  # "/" compiles once per process (`re` keeps its patterns)
        self.path = path
        del self.path_regex, self.path_format, self.param_convertors

    if not TYPE_CHECKING:  # for mypy a route has Starlette's attributes and no others (a typo stays an error)

        def __getattr__(self, name: str) -> Any:
            """Called only for an attribute the route does not have: the compiled path's, until the first use."""
            if name not in _COMPILED:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            self.path_regex, self.path_format, self.param_convertors = routing.compile_path(self.path)
            return self.__dict__[name]


def _first_segment(route: BaseRoute) -> str | None:
    """The literal first path segment every match of `route` has, or None when it can be any."""
    if not isinstance(route, routing.Route | Mount):
        return None
    segment = route.path.split("/", 2)[1] if route.path.startswith("/") else "{"
    return None if "{" in segment else segment


def _plain_endpoint(route: BaseRoute) -> Endpoint | None:
    """The endpoint of a route Starlette wraps in nothing but its own `request_response` (no route middleware,
    no body limit, not an `HTTPEndpoint` class, not a sync function run in a thread, Starlette's own `matches` and
    `handle`)."""
    if not isinstance(route, routing.Route) or not inspect.iscoroutinefunction(route.endpoint):
        return None
    if type(route).matches is not routing.Route.matches or type(route).handle is not routing.Route.handle:
        return None  # a subclass that matches or handles in its own way: its `handle` runs
    if getattr(route.app, "__qualname__", "") != "request_response.<locals>.app":
        return None
    endpoint: Endpoint = route.endpoint
    return endpoint


def _plain_match(full: FullMatch | None) -> PlainMatch | None:
    """A scan's full match as a plain route (with a copy of its parameters), None when it is no plain route."""
    return None if full is None or full[1] is None else (full[0], full[1], dict(full[2]["path_params"]))


def one_leading_slash(scope: Scope) -> None:
    """`//services/...` (any run of leading slashes, as sent) is `/services/...`, as on Salesforce's hosts: a
    client that joins an instance URL's trailing slash with a path's leading one sends it (@salesforce/core's
    Dev Hub check before 8.32, jsforce's authorize URL before jsforce#1525, which notes production accepts it).
    Only Salesforce's `services/` paths; a slash sent as `%2F` is no slash here (raw_path keeps it encoded).
    The request pipeline applies it, before the fault rules, the journal, its own refusals and the router: every
    app's router is behind that pipeline (`MockownApp.build_middleware_stack`)."""
    raw = scope.get("raw_path")
    path = scope["path"]
    if not path.startswith("//") or not isinstance(raw, bytes) or not raw.startswith(b"//"):
        return
    if path.lstrip("/").startswith("services/") and raw.lstrip(b"/").startswith(b"services/"):
        scope["path"] = "/" + path.lstrip("/")
        scope["raw_path"] = b"/" + raw.lstrip(b"/")


def _segment_of(path: str) -> str:
    parts = path.split("/", 2)
    return parts[1] if len(parts) > 1 else ""


def _changing(method: Callable[..., Any]) -> Callable[..., Any]:
    """A `list` method of `_Routes` that tells the router afterwards, even when it raises part-way (an `extend`
    whose iterable fails, a `sort` whose comparison does: the list may have changed)."""

    def changing(self: _Routes, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        finally:
            self._changed()

    changing.__name__ = method.__name__
    return changing


class _Routes(list[BaseRoute]):
    """A router's route table that says when it changes (a route added, removed, replaced or moved), so that the
    router indexes it again before its next request, as Starlette's router reads its list anew each time."""

    def __init__(self, routes: Iterable[BaseRoute], changed: Callable[[], None]) -> None:
        super().__init__(routes)
        self._changed = changed


# every `list` method that changes the list in place (for mypy, `_Routes` keeps `list`'s own signatures)
_MUTATORS = ("__setitem__", "__delitem__", "__iadd__", "__imul__", "append", "extend", "insert", "pop", "remove",
             "clear", "sort", "reverse")  # fmt: skip
for _name in _MUTATORS:
    setattr(_Routes, _name, _changing(getattr(list, _name)))


_MATCHED_BY_PATH_METHOD_HOST = (routing.Route.matches, Mount.matches, Host.matches, routing.WebSocketRoute.matches)
_GENERATIONS = itertools.count(1)  # a fresh number for each change of any router's table (`next` is atomic)


class _Index:
    """One generation of a router's route table, indexed, with the caches worked out from it: a request reads the
    router's current one once and uses only it, so a change meanwhile (another thread) never mixes two tables."""

    __slots__ = ("anywhere", "by_segment", "for_host", "generation", "hosts", "plain", "remembers")

    def __init__(self, generation: int, routes: list[BaseRoute]) -> None:
        self.generation = generation
        segments = {_first_segment(r) for r in routes} - {None}
        filed = [(r, _first_segment(r), _plain_endpoint(r)) for r in routes]
        self.by_segment = {s: [(r, e) for r, seg, e in filed if seg in (s, None)] for s in segments if s is not None}
        self.anywhere = [(r, e) for r, seg, e in filed if seg is None]
        self.hosts = [r for r in routes if type(r) is Host]  # exactly that class: matched by the Host header alone
        # (first path segment, Host header) -> the candidates: those of the segment less the Host routes that fail
        self.for_host: dict[tuple[str | None, bytes | None], list[Candidate]] = {}
        # (route path, method, Host header) -> the plain route a request with them goes to, None for none
        self.plain: dict[PlainKey, PlainMatch | None] = {}
        # only when every route's match is decided by the path, method and Host header (Starlette's own classes)
        self.remembers = all(type(r).matches in _MATCHED_BY_PATH_METHOD_HOST for r in routes)


class PrefixRouter(Router):
    def __init__(self, routes: Sequence[BaseRoute] | None = None, **kwargs: Any) -> None:
        self._generation = 0  # the table's: a new number with each change (`_Routes`)
        self._snapshot: _Index | None = None
        super().__init__(routes, **kwargs)

    @property
    def routes(self) -> list[BaseRoute]:
        return self._routes

    @routes.setter
    def routes(self, routes: Iterable[BaseRoute]) -> None:
        """The router keeps its own table: a list assigned here is copied into it (change `router.routes`, not the
        list it was given); `router.routes += [...]` keeps the table it extended."""
        if not (isinstance(routes, _Routes) and routes._changed == self._change):
            routes = _Routes(routes, self._change)
        self._routes = routes
        self._change()

    def _change(self) -> None:
        self._generation = next(_GENERATIONS)

    def _current(self) -> _Index:
        """The index of the route table as it is now (made again after a change)."""
        index = self._snapshot
        if index is None or index.generation != self._generation:
            generation = self._generation  # read before the table: a change while it is copied makes another
            index = self._snapshot = _Index(generation, list(self._routes))
        return index

    def candidates(self, scope: Scope) -> list[Candidate]:
        """The routes that can match this request, in the route table's order (with their plain endpoints): those
        filed under its first path segment, less the `Host` routes its Host header does not match."""
        return self._candidates(self._current(), scope)

    @staticmethod
    def _candidates(index: _Index, scope: Scope) -> list[Candidate]:
        name = _segment_of(route_path(scope))
        filed = index.by_segment.get(name)
        segment = name if filed is not None else None  # a segment no route names: the `anywhere` routes
        if filed is None:
            filed = index.anywhere
        if not index.hosts:
            return filed
        host = header_index(scope).get(b"host")  # the first one, as Starlette's `Headers.get`
        found = index.for_host.get((segment, host))
        if found is None:
            probe: Scope = {"type": "http", "headers": [] if host is None else [(b"host", host)]}
            matching = {id(r) for r in index.hosts if r.matches(probe)[0] is Match.FULL}
            found = [(r, e) for r, e in filed if type(r) is not Host or id(r) in matching]
            if len(index.for_host) >= 512:
                index.for_host.clear()
            index.for_host[(segment, host)] = found
        return found

    def choose(self, scope: Scope) -> Choice:
        """Where this request goes, as Starlette's `Router` would send it: (the plain route, None, None) when it
        goes to one, else (None, the first full match, the first partial match before it). Which plain route is
        remembered per route path, method and Host header, as nothing else of a request decides which route
        matches it (`Route.matches`, `Host.matches`, `Mount.matches`; a table with another kind of route remembers
        nothing); not for a request that carries path parameters already (this router mounted under a route that
        has some: its matches merge them in). A request to no plain route is scanned every time, once."""
        index = self._current()
        key = self._key(scope) if index.remembers else None
        memo = index.plain
        if key is not None:
            plain = memo.get(key)
            if plain is not None:
                return plain, None, None
        full, partial = self._scan(index, scope)
        plain = self._remember(memo, key, full) if key is not None and key not in memo else _plain_match(full)
        if plain is not None:
            return plain, None, None
        return None, full, partial

    def _key(self, scope: Scope) -> PlainKey | None:
        """What decides the route of a request (`choose`), None when its match cannot be remembered."""
        if scope.get("path_params"):
            return None
        path: str = route_path(scope)
        host = header_index(scope).get(b"host")
        if len(path) > _KEY_CHARS or (host is not None and len(host) > _KEY_CHARS):
            return None  # scanned every time: a client sending megabyte paths fills no memory here
        return (path, scope["method"], host)

    def _scan(self, index: _Index, scope: Scope) -> tuple[FullMatch | None, PartialMatch | None]:
        """Starlette's choice over the candidates, in order: the first full match (its route, plain endpoint and
        child scope), and the first partial match before it (the 405 when there is no full one), with the methods
        of every partial match when there are several (`PartialMatch`)."""
        partial: tuple[BaseRoute, Scope] | None = None
        allowed: set[str] = set()
        partials = 0
        for route, endpoint in self._candidates(index, scope):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return (route, endpoint, child_scope), None if partial is None else (*partial, None)
            if match is Match.PARTIAL:
                partial = partial or (route, child_scope)
                partials += 1
                allowed |= getattr(route, "methods", None) or set()
        if partial is None:
            return None, None
        return None, (*partial, sorted(allowed) if partials > 1 else None)

    @staticmethod
    def _remember(memo: dict[PlainKey, PlainMatch | None], key: PlainKey, full: FullMatch | None) -> PlainMatch | None:
        """File what a scan found for `key` in `memo` (the dict read before the scan: a re-index meanwhile leaves
        the new one untouched): the plain route and a copy of its parameters, or None."""
        found = _plain_match(full)
        if len(memo) >= _PLAIN_MATCHES:
            memo.clear()
        memo[key] = found
        return found

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        plain, full, partial = self.choose(scope)
        if plain is not None:  # as `Route.matches` leaves the scope for it
            scope["route"], scope["endpoint"], params = plain
            scope["path_params"] = dict(params)  # the request's own: an endpoint may change it
            response = await plain[1](Request(scope, receive, send))
            await response(scope, receive, send)
            return
        if full is not None:  # a route Starlette wraps: it handles the request itself
            route, _, child_scope = full
            scope["route"] = route
            scope.update(child_scope)
            await route.handle(scope, receive, send)
            return
        if partial is not None:  # the path is known, the method is not: 405 (Starlette's, or the endpoint's own)
            route, child_scope, allowed = partial
            scope["route"] = route
            scope.update(child_scope)
            endpoint = getattr(route, "endpoint", None)
            if getattr(endpoint, "answers_every_method", False):  # its own 405, in its API's words (`guarded`)
                response = await endpoint(Request(scope, receive, send))  # type: ignore[misc]
                await response(scope, receive, send)
                return
            if allowed is None:
                await route.handle(scope, receive, send)  # 405, as Starlette answers it
                return
            # several routes serve the path (a parameter route and a literal one): the 405 lists every method the
            # path is served for (RFC 9110 15.5.6), not only the first partial match's as Starlette's does
            headers = {"Allow": ", ".join(allowed)}
            if "app" in scope:
                raise HTTPException(status_code=405, headers=headers)
            await PlainTextResponse("Method Not Allowed", status_code=405, headers=headers)(scope, receive, send)
            return
        if route_path(scope).endswith("//"):
            # Starlette would strip every trailing slash and redirect `/sobjects/%2F/` (decoded: `/sobjects///`)
            # to `/sobjects`, another resource: only one trailing slash is a spelling of the same path
            await self.default(scope, receive, send)
            return
        await super().app(scope, receive, send)  # no route matches: redirect-slashes or 404, Starlette's way

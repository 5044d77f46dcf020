"""`PrefixRouter` picks exactly the route Starlette's `Router` would, over the app's real route table."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Host, Match, Mount, Route, Router

from mockown import Config, create_app
from mockown.http import routing as routing_mod
from mockown.http.inprocess import in_process_client
from mockown.http.routing import PrefixRouter

_APP = create_app(Config(seed_defaults=False))
ROUTES: list[BaseRoute] = list(_APP.routes)
METHODS = ["GET", "POST", "HEAD", "DELETE", "PUT", "PATCH", "OPTIONS"]
HOSTS = ["127.0.0.1:8080", "testserver", "mc.auth.marketingcloudapis.com", "account.demandware.com", "x.y",
         "MC.Auth.MarketingCloudAPIs.com:443", "mc.rest.marketingcloudapis.com", "", "[::1]:80",
         "bad host"]  # fmt: skip


def _concrete(route: BaseRoute) -> list[str]:
    """Paths that match `route` (its parameters filled in), plus near misses (a trailing slash, a prefix)."""
    path = getattr(route, "path", None)
    if not path:
        return []
    filled = re.sub(r"\{[^}:]+(:[a-z]+)?\}", "seg-1", path)
    return [filled, filled.rstrip("/") + "/", filled.rsplit("/", 1)[0] or "/"]


CANDIDATE_PATHS = sorted({p for r in ROUTES for p in _concrete(r)} | {"/", "/nope", "/services", "/regions/app1"})


def _scope(method: str, path: str, host: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"",
            "headers": [(b"host", host.encode())], "scheme": "http", "server": ("127.0.0.1", 8080)}  # fmt: skip


def _first_match(routes: list[BaseRoute], scope: dict[str, Any]) -> tuple[BaseRoute | None, str]:
    """What Starlette's Router.app chooses: the first full match, else the first partial one."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route, "full"
        if match is Match.PARTIAL and partial is None:
            partial = route
    return (partial, "partial") if partial is not None else (None, "none")


def _prefix_choice(router: PrefixRouter, scope: dict[str, Any]) -> tuple[BaseRoute | None, str]:
    """What `PrefixRouter.app` chooses: the first match among the candidates it tries (`candidates`)."""
    return _first_match([r for r, _ in router.candidates(scope)], scope)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CANDIDATE_PATHS), st.sampled_from(METHODS), st.sampled_from(HOSTS))
def test_the_prefix_router_chooses_what_starlette_chooses(path: str, method: str, host: str) -> None:
    router = PrefixRouter(ROUTES)
    scope = _scope(method, path, host)
    assert _prefix_choice(router, scope) == _first_match(ROUTES, scope)


def test_one_router_remembers_which_hosts_match_without_mixing_them_up() -> None:
    """The router keeps, per Host header, which Host routes match it: one router over every host, twice, in
    an order that alternates hosts, chooses what Starlette chooses every time."""
    router = PrefixRouter(ROUTES)
    paths = [*[p for p in CANDIDATE_PATHS if p.count("/") < 4][:60], "/v2/token", "/hierarchies"]
    for _ in range(2):
        for path in paths:
            for host in HOSTS:
                scope = _scope("POST", path, host)
                assert _prefix_choice(router, scope) == _first_match(ROUTES, scope), (path, host)
    no_host = {**_scope("GET", "/v2/token", "x"), "headers": []}
    assert _prefix_choice(router, no_host) == _first_match(ROUTES, no_host)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["services", "oauth2", "regions", "id", "x", "{p}", "data", ""]), max_size=4),
       st.sampled_from(METHODS))  # fmt: skip
def test_random_paths_route_alike(segments: list[str], method: str) -> None:
    path = "/" + "/".join(s.replace("{p}", "v62.0") for s in segments)
    router = PrefixRouter(ROUTES)
    scope = _scope(method, path, "127.0.0.1:8080")
    assert _prefix_choice(router, scope) == _first_match(ROUTES, scope)


async def _named(request: Request) -> Response:
    return PlainTextResponse(request.scope["route"].name + ":" + ",".join(sorted(request.path_params.values())))


def _app(router_cls: type[Router]) -> Starlette:
    routes: list[BaseRoute] = [
        Route("/a/{x}", _named, methods=["GET"], name="a-param"),
        Route("/a/fixed", _named, methods=["GET", "POST"], name="a-fixed"),  # shadowed by a-param for GET
        Route("/{any}/b", _named, methods=["GET"], name="any-b"),
        Host("other.test", Router([Route("/a/fixed", _named, name="host")])),
        Route("/c", _named, methods=["POST"], name="c"),
    ]
    app = Starlette()
    app.router = router_cls(routes)
    return app


@pytest.mark.parametrize(
    ("method", "path", "host"),
    [("GET", "/a/fixed", "t"), ("POST", "/a/fixed", "t"), ("GET", "/z/b", "t"), ("GET", "/a/b", "t"),
     ("GET", "/a/fixed", "other.test"), ("GET", "/c", "t"), ("GET", "/c/", "t"), ("GET", "/nowhere", "t"),
     ("DELETE", "/c", "t")],
)  # fmt: skip
def test_answers_are_starlettes(method: str, path: str, host: str) -> None:
    """Order (a parameter route before a literal one), Host routes, 405 and redirect-slashes, end to end (a 405
    of a path several routes serve lists all their methods: `test_a_405_lists_every_method_...`)."""
    answers = []
    for cls in (Router, PrefixRouter):
        with in_process_client(_app(cls), base_url=f"http://{host}", follow_redirects=False) as client:
            r = client.request(method, path)
            answers.append((r.status_code, r.text, r.headers.get("allow"), r.headers.get("location")))
    assert answers[0] == answers[1]


def test_a_405_lists_every_method_the_path_is_served_for() -> None:
    """`/a/fixed` is served by `a-param` (GET) and `a-fixed` (GET, POST): Starlette's 405 lists the first partial
    match's methods only, `GET, HEAD`, though POST is served there (RFC 9110 15.5.6: Allow lists the methods the
    target supports). A path one route serves keeps that route's own answer."""
    with in_process_client(_app(PrefixRouter), base_url="http://t") as client:
        for _ in range(2):  # worked out, then again (a 405 is not remembered)
            several = client.delete("/a/fixed")
            one = client.get("/c")
            assert (several.status_code, several.text) == (405, "Method Not Allowed")
            assert several.headers["allow"] == "GET, HEAD, POST"
            assert (one.status_code, one.headers["allow"]) == (405, "POST")


def test_every_405_of_the_app_lists_the_methods_its_path_answers() -> None:
    """Over every route's path (and near misses): a 405's `Allow` is exactly the methods a request of that path is
    routed for. `PUT /services/oauth2/authorize/login` said `GET, HEAD` (the branded login page's route matched
    first) though the login form posts there."""
    router = _APP.router
    assert isinstance(router, PrefixRouter)
    checked = 0
    with in_process_client(_APP, base_url="http://127.0.0.1:8080") as client:
        for path in CANDIDATE_PATHS:
            plain, full, partial = router.choose(_scope("PROPFIND", path, "127.0.0.1:8080"))
            if plain is not None or full is not None or partial is None:
                continue  # served (a mount answers for itself), or no such path
            if getattr(getattr(partial[0], "endpoint", None), "answers_every_method", False):
                continue  # its own 405, in its API's words
            routed = set()
            for method in METHODS:
                chosen = router.choose(_scope(method, path, "127.0.0.1:8080"))
                if chosen[0] is not None or chosen[1] is not None:
                    routed.add(method)
            r = client.request("PROPFIND", path)
            assert r.status_code == 405, (path, r.status_code)
            assert set(r.headers["allow"].split(", ")) == routed, path
            checked += 1
    assert checked > 50


def test_routes_added_later_are_found() -> None:
    app = _app(PrefixRouter)
    with in_process_client(app, base_url="http://t") as client:
        assert client.get("/late").status_code == 404
        app.router.routes.append(Route("/late", _named, name="late"))
        assert client.get("/late").text == "late:"


def test_the_app_uses_the_prefix_router_and_calls_plain_endpoints_directly() -> None:
    assert isinstance(_APP.router, PrefixRouter)
    services = _APP.router._current().by_segment["services"]
    token = next(e for r, e in services if getattr(r, "path", "") == "/services/oauth2/token")
    assert token is not None and token.__name__ == "token_endpoint"


@pytest.mark.parametrize(
    ("path", "expected", "one_slash"),
    [("/services/data/v62.0/sobjects/%2F/", "NOT_FOUND", None),
     ("/services/data/v62.0/limits//", "NOT_FOUND", 401),  # `/limits/` is a route of its own
     ("/services/oauth2/token//", "not_found", 400),  # `/token/` is a route of its own (a GET: must use POST)
     ("/c//", None, 307)],
)  # fmt: skip
def test_only_one_trailing_slash_redirects(path: str, expected: str | None, one_slash: int | None) -> None:
    """Starlette strips every trailing slash: `/sobjects/%2F/` (decoded `/sobjects///`) went 307 to `/sobjects`,
    another resource. A path ending in an empty segment is a 404 in its API's dialect; one slash still
    redirects as Starlette does where no route takes it."""
    app = _APP if expected else _app(PrefixRouter)
    with in_process_client(app, base_url="http://127.0.0.1:8080", follow_redirects=False) as client:
        r = client.get(path)
        assert r.status_code == 404, (r.status_code, r.headers.get("location"))
        if expected == "NOT_FOUND":
            assert r.json()[0]["errorCode"] == "NOT_FOUND"
        elif expected:
            assert r.json()["error"] == "not_found"
        if one_slash is not None:  # one slash: the same resource, redirected (or routed) as before
            assert client.get(path.rstrip("/") + "/").status_code == one_slash


# -- the plain route remembered per (route path, method, Host) ----------------------------------------------
_SHARED = PrefixRouter(ROUTES)  # one router over every example: its memo fills, later examples hit it


def _starlettes_plain(scope: dict[str, Any]) -> tuple[BaseRoute, dict[str, Any]] | None:
    """Starlette's first full match and its path parameters, when it is a plain route (else None)."""
    for route in ROUTES:
        match, child_scope = route.matches(scope)
        if match is Match.FULL:
            plain = routing_mod._plain_endpoint(route)
            return (route, child_scope["path_params"]) if plain is not None else None
    return None


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CANDIDATE_PATHS), st.sampled_from(METHODS), st.sampled_from(HOSTS))
def test_the_remembered_plain_route_is_starlettes_full_match(path: str, method: str, host: str) -> None:
    expected = _starlettes_plain(_scope(method, path, host))
    for _ in range(2):  # worked out, then remembered
        found = _SHARED.choose(_scope(method, path, host))[0]
        assert (None if found is None else (found[0], found[2])) == expected, (method, path, host)


def test_each_request_gets_its_own_path_parameters() -> None:
    """The remembered parameters are copied into each request's scope: an endpoint that changes its own does not
    change the next request's."""
    seen: list[dict[str, Any]] = []

    async def greedy(request: Request) -> Response:
        seen.append(dict(request.path_params))
        request.scope["path_params"]["x"] = "changed"
        return PlainTextResponse("ok")

    app = Starlette()
    app.router = PrefixRouter([Route("/p/{x}", greedy)])
    with in_process_client(app, base_url="http://t") as client:
        for _ in range(3):
            assert client.get("/p/one").text == "ok"
    assert seen == [{"x": "one"}] * 3


def test_the_memo_is_bounded_and_still_right_after_it_starts_again() -> None:
    router = PrefixRouter(ROUTES)
    paths = [f"/services/data/v62.0/sobjects/Account/001{i:012d}" for i in range(routing_mod._PLAIN_MATCHES + 10)]
    for p in paths:
        assert router.choose(_scope("GET", p, "127.0.0.1:8080"))[0] is not None
        assert len(router._current().plain) <= routing_mod._PLAIN_MATCHES
    again = router.choose(_scope("GET", paths[0], "127.0.0.1:8080"))[0]
    assert again is not None and again[2] == _starlettes_plain(_scope("GET", paths[0], "127.0.0.1:8080"))[1]  # type: ignore[index]


def test_a_long_path_or_host_is_routed_but_not_remembered() -> None:
    """The memo's keys are bounded in length (so is the memo in size); a longer path or Host still routes as
    Starlette's router, scanned each time."""
    app = _app(PrefixRouter)
    long_x = "x" * (routing_mod._KEY_CHARS + 1)
    with in_process_client(app, base_url="http://t") as client:
        assert client.get("/a/" + long_x).text == "a-param:" + long_x
        assert client.get("/a/" + "x" * 1000).text == "a-param:" + "x" * 1000
        assert client.post("/c", headers={"Host": "h" * (routing_mod._KEY_CHARS + 1)}).text == "c:"
    remembered = app.router._current().plain  # type: ignore[attr-defined]
    assert [key[0] for key in remembered] == ["/a/" + "x" * 1000]


def test_a_router_under_path_parameters_scans_every_time() -> None:
    """Mounted under a route with parameters, a request carries them: its matches merge them in, so no match of
    such a request is remembered, and the endpoint sees both."""
    inner = PrefixRouter([Route("/b", _named, name="inner")])
    app = Starlette(routes=[Mount("/t/{tenant}", app=inner)])
    with in_process_client(app, base_url="http://t") as client:
        assert client.get("/t/one/b").text == "inner:one"
        assert client.get("/t/two/b").text == "inner:two"
    assert inner._current().plain == {}


@pytest.mark.parametrize(
    ("method", "path", "host"),
    [("GET", "/a/fixed", "t"), ("POST", "/a/fixed", "t"), ("GET", "/z/b", "t"), ("GET", "/a/b", "t"),
     ("GET", "/a/fixed", "other.test"), ("GET", "/c", "t"), ("DELETE", "/c", "t")],
)  # fmt: skip
def test_a_remembered_route_answers_as_starlette_does(method: str, path: str, host: str) -> None:
    """The same request three times through one app (the second and third from the memo): Starlette's answer."""
    with in_process_client(_app(Router), base_url=f"http://{host}", follow_redirects=False) as client:
        r = client.request(method, path)
        expected = (r.status_code, r.text, r.headers.get("allow"))
    with in_process_client(_app(PrefixRouter), base_url=f"http://{host}", follow_redirects=False) as client:
        for _ in range(3):
            r = client.request(method, path)
            assert (r.status_code, r.text, r.headers.get("allow")) == expected


def test_a_route_added_in_front_takes_over_a_remembered_path() -> None:
    app = _app(PrefixRouter)
    with in_process_client(app, base_url="http://t") as client:
        assert client.post("/c").text == "c:"  # remembered
        app.router.routes.insert(0, Route("/c", _named, methods=["POST"], name="new-c"))
        assert client.post("/c").text == "new-c:"


_REQUESTS = [("GET", "/a/fixed", "t"), ("POST", "/a/fixed", "t"), ("GET", "/z/b", "t"), ("POST", "/c", "t"),
             ("GET", "/a/fixed", "other.test"), ("GET", "/late", "t"), ("DELETE", "/a/fixed", "t")]  # fmt: skip
_CHANGES: dict[str, Any] = {
    "replace": lambda rs: rs.__setitem__(4, Route("/c", _named, methods=["POST"], name="new-c")),
    "slice": lambda rs: rs.__setitem__(slice(0, 1), []),
    "del": lambda rs: rs.__delitem__(0),
    "pop": lambda rs: rs.pop(0),
    "remove": lambda rs: rs.remove(rs[1]),
    "reverse": lambda rs: rs.reverse(),
    "sort": lambda rs: rs.sort(key=lambda r: getattr(r, "path", "")),
    "append": lambda rs: rs.append(Route("/a/fixed", _named, methods=["DELETE"], name="late")),
    "extend": lambda rs: rs.extend([Route("/a/fixed", _named, methods=["DELETE"], name="late")]),
    "iadd": lambda rs: rs.__iadd__([Route("/a/fixed", _named, methods=["DELETE"], name="late")]),
    "imul": lambda rs: rs.__imul__(0),
    "clear": lambda rs: rs.clear(),
}


def _answers(app: Starlette) -> list[tuple[int, str]]:
    answers = []
    for method, path, host in _REQUESTS:
        with in_process_client(app, base_url=f"http://{host}", follow_redirects=False) as client:
            r = client.request(method, path)
            answers.append((r.status_code, r.text))
    return answers


@pytest.mark.parametrize("change", sorted(_CHANGES))
def test_a_changed_route_table_routes_as_starlettes_router(change: str) -> None:
    """Starlette's router reads its route list anew for each request; the prefix router's index and memo are made
    again after any change to the list (a route replaced in place, removed, moved, added), or to the list itself."""
    apps = [_app(Router), _app(PrefixRouter)]
    assert _answers(apps[0]) == _answers(apps[1])  # the prefix router's memo filled
    for app in apps:
        _CHANGES[change](app.router.routes)
    assert _answers(apps[1]) == _answers(apps[0])
    apps[1].router.routes = list(apps[0].router.routes)[::-1]  # a new list
    apps[0].router.routes = list(apps[0].router.routes)[::-1]
    assert _answers(apps[1]) == _answers(apps[0])


def test_a_request_that_goes_to_no_plain_route_is_scanned_once() -> None:
    """A 405, a 404 or a route that is not plain: the candidates are tried once per request (the memo is filled
    from that scan, not from a second one)."""
    tried: list[str] = []
    routes = [Route("/a/{x}", _named, methods=["GET"]), Route("/a/fixed", _named, methods=["POST"])]
    for route in routes:  # Starlette's own `matches`, its regex counted
        route.path_regex = _Counting(route.path_regex, route.path, tried)
    app = Starlette()
    app.router = PrefixRouter(routes)
    with in_process_client(app, base_url="http://t") as client:
        for n in (1, 2):
            assert client.delete("/a/fixed").status_code == 405
            assert tried == ["/a/{x}", "/a/fixed"] * n
        tried.clear()
        assert client.get("/a/one").text == "_named:one" and client.get("/a/one").text == "_named:one"
        assert tried == ["/a/{x}"]  # the second request from the memo


class _Counting:
    """A route's compiled path that notes each match tried."""

    def __init__(self, regex: Any, path: str, tried: list[str]) -> None:
        self.regex, self.path, self.tried = regex, path, tried

    def match(self, text: str) -> Any:
        self.tried.append(self.path)
        return self.regex.match(text)


def test_a_route_that_matches_by_more_than_path_method_and_host_turns_the_memo_off() -> None:
    """A `Route` subclass whose `matches` reads another header: what it matches is not a function of the memo's key,
    so nothing is remembered and each request goes where Starlette's router sends it."""

    class Beta(Route):
        def matches(self, scope: Any) -> tuple[Match, Any]:
            if (b"x-beta", b"1") not in scope["headers"]:
                return Match.NONE, {}
            return super().matches(scope)

    def table() -> list[BaseRoute]:
        return [Beta("/p", _named, name="beta"), Route("/p", _named, name="normal")]

    answers = []
    for cls in (Router, PrefixRouter):
        app = Starlette()
        app.router = cls(table())
        with in_process_client(app, base_url="http://t") as client:
            answers.append([client.get("/p", headers=h).text for h in ({}, {"x-beta": "1"}, {}, {"x-beta": "1"})])
    assert answers[0] == answers[1] == ["normal:", "beta:", "normal:", "beta:"]


def test_the_router_keeps_the_table_it_was_extended_with() -> None:
    """`router.routes += [...]` keeps the router's own table (a reference held to it still changes routing); a
    list assigned is copied into a new table, which changes routing from then on."""
    app = _app(PrefixRouter)
    with in_process_client(app, base_url="http://t") as client:
        assert client.get("/late").status_code == 404
        held = app.router.routes
        app.router.routes += [Route("/late", _named, name="late")]
        assert app.router.routes is held and client.get("/late").text == "late:"
        held.insert(0, Route("/late", _named, name="first"))
        assert client.get("/late").text == "first:"
        app.router.routes = [Route("/late", _named, name="assigned")]
        assert client.get("/late").text == "assigned:" and client.post("/c").status_code == 404


def test_a_change_that_fails_part_way_still_counts() -> None:
    """An `extend` whose iterable raises after one route, a `sort` whose key raises: the list may have changed, so
    the router indexes it again."""

    def one_then_fail() -> Any:
        yield Route("/a/fixed", _named, methods=["DELETE"], name="added")
        raise RuntimeError("no more")

    app = _app(PrefixRouter)
    with in_process_client(app, base_url="http://t") as client:
        assert client.delete("/a/fixed").status_code == 405  # remembered as no plain route
        with pytest.raises(RuntimeError):
            app.router.routes.extend(one_then_fail())
        assert client.delete("/a/fixed").text == "added:"


def test_a_request_during_another_threads_re_index_routes_by_the_changed_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread that is still indexing the changed table does not make another thread's request, begun after the
    change, go to the old route; nor does a request that read the old index file its candidates where a later
    request would find them."""
    entered, proceed = threading.Event(), threading.Event()
    slow_thread: list[threading.Thread] = []
    real = routing_mod._plain_endpoint

    def paused(route: BaseRoute) -> Any:
        if threading.current_thread() in slow_thread and not proceed.is_set():
            entered.set()
            proceed.wait(10)
        return real(route)

    router = PrefixRouter([Route("/c", _named, name="old")])
    assert _chosen(router, b"t") == "old"
    router.routes[0] = Route("/c", _named, name="new")
    monkeypatch.setattr(routing_mod, "_plain_endpoint", paused)
    slow_thread.append(threading.Thread(target=router.choose, args=(_scope("GET", "/c", "t"),)))
    slow_thread[0].start()
    assert entered.wait(10)
    assert _chosen(router, b"t") == "new"  # while the other thread indexes
    proceed.set()
    slow_thread[0].join(10)
    assert _chosen(router, b"t") == "new"


def test_candidates_read_from_an_old_index_are_not_filed_in_a_new_one(monkeypatch: pytest.MonkeyPatch) -> None:
    entered, proceed = threading.Event(), threading.Event()
    real = routing_mod.header_index

    def paused(scope: Any) -> Any:
        calls = scope.get("pause_at")
        if calls is not None:
            scope["pause_at"] = calls - 1
            if calls == 1:  # in `_candidates`, between its index's segment table and Host cache
                entered.set()
                proceed.wait(10)
        return real(scope)

    router = PrefixRouter([Host("other.test", app=Router([])), Route("/c", _named, name="old")])
    assert _chosen(router, b"t") == "old"
    monkeypatch.setattr(routing_mod, "header_index", paused)
    slow = threading.Thread(target=router.choose, args=({**_scope("GET", "/c", "t2"), "pause_at": 2},))
    slow.start()
    assert entered.wait(10)
    router.routes[1] = Route("/c", _named, name="new")
    assert _chosen(router, b"t3") == "new"
    proceed.set()
    slow.join(10)
    assert [_chosen(router, b"t2") for _ in range(3)] == ["new"] * 3


def _chosen(router: PrefixRouter, host: bytes) -> str:
    plain = router.choose(_scope("GET", "/c", host.decode()))[0]
    assert plain is not None
    return str(plain[0].name)  # type: ignore[attr-defined]

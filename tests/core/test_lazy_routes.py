"""`mockown.http.routing.Route`: Starlette's `Route` whose path is compiled at its first use. Every route mockown
makes is one; none is compiled by `create_app()`; what it compiles is what Starlette's `compile_path` makes, and
it matches as an eagerly compiled Starlette route does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette import routing as starlette_routing
from starlette.routing import BaseRoute, Host, Mount, Router

from mockown import Config, create_app
from mockown.http.routing import Route

COMPILED = ("path_regex", "path_format", "param_convertors")


def _routes(routes: list[BaseRoute]) -> list[BaseRoute]:
    """Every route, those inside `Host` and `Mount` routers too."""
    found: list[BaseRoute] = []
    for route in routes:
        found.append(route)
        inner = getattr(route, "app", None)
        if isinstance(route, Host | Mount) and isinstance(inner, Router):
            found += _routes(list(inner.routes))
    return found


def _plain_routes(app: Any) -> list[starlette_routing.Route]:
    return [r for r in _routes(list(app.routes)) if isinstance(r, starlette_routing.Route)]


def _compiled(route: starlette_routing.Route) -> bool:
    return any(name in route.__dict__ for name in COMPILED)


_FRESH = """
import json
from mockown import Config, create_app
from mockown.http.inprocess import in_process_client
from tests.core.test_lazy_routes import _compiled, _plain_routes

app = create_app(Config(seed_defaults=True))
routes = _plain_routes(app)
out = {"count": len(routes), "not_lazy": [r.path for r in routes if type(r).__module__ != "mockown.http.routing"],
       "at_start": [r.path for r in routes if _compiled(r)]}
with in_process_client(app) as client:
    out["status"] = client.get("/.well-known/openid-configuration").status_code
out["after"] = [r.path for r in routes if _compiled(r)]
print(json.dumps(out))
"""


def test_every_route_is_lazy_and_a_request_compiles_only_what_it_tries() -> None:
    """In a process of its own: the API modules make their routes once per process, and other tests use them."""
    done = subprocess.run([sys.executable, "-c", _FRESH], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    out = json.loads(done.stdout)
    assert out["count"] > 200
    assert out["not_lazy"] == []  # a starlette.routing.Route slipped in
    assert out["at_start"] == []
    assert out["status"] == 200
    assert "/.well-known/openid-configuration" in out["after"]
    assert len(out["after"]) < 10


def _eager(route: starlette_routing.Route) -> starlette_routing.Route:
    return starlette_routing.Route(route.path, route.endpoint, methods=route.methods, name=route.name)


def test_what_it_compiles_is_starlettes() -> None:
    for route in _plain_routes(create_app(Config(seed_defaults=False))):
        eager = _eager(route)
        assert route.path_regex.pattern == eager.path_regex.pattern, route.path
        assert route.path_format == eager.path_format
        assert {k: type(v) for k, v in route.param_convertors.items()} == {
            k: type(v) for k, v in eager.param_convertors.items()
        }
        assert (route.name, route.methods, route.endpoint) == (eager.name, eager.methods, eager.endpoint)


ROUTES = _plain_routes(create_app(Config(seed_defaults=False)))


def _filled(path: str) -> str:
    return re.sub(r"\{[^}:]+(:[a-z]+)?\}", "seg-1", path)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ROUTES),
    st.sampled_from([*sorted({_filled(r.path) for r in ROUTES}), "/", "/x/y", "/services/oauth2/token/"]),
    st.sampled_from(["GET", "POST", "HEAD", "DELETE"]),
)
def test_it_matches_as_an_eager_route_does(route: Route, path: str, method: str) -> None:
    fresh = Route(route.path, route.endpoint, methods=route.methods)  # not compiled yet: `matches` compiles it
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
    lazy_match, lazy_child = fresh.matches(dict(scope))
    eager_match, eager_child = _eager(route).matches(dict(scope))
    assert lazy_match == eager_match
    assert lazy_child == eager_child
    if lazy_match is not starlette_routing.Match.NONE:
        assert fresh.url_path_for(fresh.name, **lazy_child["path_params"]) == _eager(route).url_path_for(
            route.name, **eager_child["path_params"]
        )


def test_a_path_without_its_leading_slash_is_refused_at_once() -> None:
    async def endpoint(request: Any) -> Any:
        raise AssertionError

    with pytest.raises(ValueError, match="must start with '/'"):
        Route("services/x", endpoint)


def test_other_missing_attributes_are_attribute_errors() -> None:
    route = ROUTES[0]
    with pytest.raises(AttributeError, match="no_such_thing"):
        route.no_such_thing  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(route, "__deepcopy__")

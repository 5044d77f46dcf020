"""The request pipeline is the one place exceptions become answers: handled types by their handler, a crash
as a 500 in the path's dialect (journaled) and then re-raised to the caller, as Starlette's own layers did."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mockown import Config, create_app
from mockown.http.inprocess import InProcessTransport
from mockown.salesforce.errors import OAuthError


async def _crash(request: Request) -> Response:
    raise RuntimeError("boom")


async def _oauth_error(request: Request) -> Response:
    raise OAuthError("invalid_request", "nope")


class _LateCrash:
    """A raw ASGI endpoint (Starlette calls an object like this with scope, receive, send)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"10")]})
        raise RuntimeError("after the start")


@pytest.fixture
def app() -> Starlette:
    app = create_app(Config(seed_defaults=False))
    app.router.routes.extend(
        [
            Route("/services/data/v62.0/boom", _crash),
            Route("/_mockown/boom", _crash),
            Route("/services/oauth2/oops", _oauth_error, methods=["POST"]),
            Route("/services/data/v62.0/late", _LateCrash()),
        ]
    )
    return app


def _client(app: Starlette, raise_errors: bool) -> httpx.Client:
    transport = InProcessTransport(app, raise_app_exceptions=raise_errors)
    return httpx.Client(transport=transport, base_url="http://testserver")


def test_a_crash_is_a_500_in_the_dialect_and_is_journaled(app: Starlette) -> None:
    with _client(app, raise_errors=False) as client:
        r = client.get("/services/data/v62.0/boom")
    assert r.status_code == 500
    message = "internal error in mockown (a bug: please report it)"
    assert r.json() == [{"errorCode": "UNKNOWN_EXCEPTION", "message": message}]
    entry = app.state.runtime.control.journal.entries()[-1]
    assert (entry.path, entry.status) == ("/services/data/v62.0/boom", 500)


def test_a_crash_reaches_the_in_process_caller(app: Starlette) -> None:
    with _client(app, raise_errors=True) as client, pytest.raises(RuntimeError, match="boom"):
        client.get("/services/data/v62.0/boom")
    assert app.state.runtime.control.journal.entries()[-1].status == 500


def test_a_crash_on_the_control_plane_is_a_500_too(app: Starlette) -> None:
    with _client(app, raise_errors=False) as client:
        r = client.get("/_mockown/boom")
    assert r.status_code == 500 and "internal error" in r.text
    with _client(app, raise_errors=True) as client, pytest.raises(RuntimeError, match="boom"):
        client.get("/_mockown/boom")


def test_a_handled_error_is_answered_not_raised(app: Starlette) -> None:
    with _client(app, raise_errors=True) as client:
        r = client.post("/services/oauth2/oops")
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    assert app.state.runtime.control.journal.entries()[-1].status == 400


def test_not_found_and_wrong_method_are_rendered_in_the_dialect(app: Starlette) -> None:
    with _client(app, raise_errors=True) as client:
        missing = client.get("/services/data/v62.0/no/such/thing")
        wrong = client.get("/services/oauth2/introspect")  # the token endpoint answers a GET itself
    assert missing.status_code == 404 and missing.json()[0]["errorCode"] == "NOT_FOUND"
    assert wrong.status_code == 405 and "GET is not allowed" in wrong.text


def test_an_error_after_the_response_started_is_raised(app: Starlette) -> None:
    with _client(app, raise_errors=True) as client, pytest.raises(RuntimeError, match="after the start"):
        client.get("/services/data/v62.0/late")
    assert app.state.runtime.control.journal.entries()[-1].status == 200

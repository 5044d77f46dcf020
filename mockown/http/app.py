"""`create_app(config)`: the ASGI app that every way of running mockown serves."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from ..clock import Clock
from ..config import Config
from ..errors import DialectTable, MockownError, dialect_for
from ..runtime import Runtime
from ..store import Store, StoreBusy
from .api import Api
from .forms import BadBody
from .routing import route_path

log = logging.getLogger("mockown")


def _apis() -> list[Api]:
    from ..b2c.routes import API as B2C
    from ..contracts import contracts_api
    from ..marketing.routes import API as MARKETING
    from ..own.routes import API as OWN
    from ..salesforce.flow_routes import API as SALESFORCE_FLOWS
    from ..salesforce.routes import API as SALESFORCE
    from .control import control_api

    return [SALESFORCE, SALESFORCE_FLOWS, OWN, MARKETING, B2C, control_api(), contracts_api()]


_REASONS = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    413: "Payload Too Large",
    503: "Service Unavailable",
}


def create_app(
    config: Config | None = None,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
    seed: bool | None = None,
) -> Starlette:
    """The mockown ASGI app. State (store, clock, keys) belongs to the returned app alone."""
    config = config or Config.load()
    runtime = Runtime(config, clock=clock, store=store)
    runtime.start(seed=config.seed_defaults if seed is None else seed)
    apis = _apis()
    dialects: DialectTable = [d for api in apis for d in api.dialects]

    def render(request: Request, status: int, message: str) -> Response:
        dialect = dialect_for(dialects, route_path(request.scope))  # without a root path, as routed
        return dialect(status, _REASONS.get(status, "Error"), message).response()

    async def on_mockown_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, MockownError)
        return exc.response()

    async def on_bad_body(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BadBody)
        return render(request, exc.status, str(exc))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = {404: f"no such resource: {request.url.path}", 405: f"{request.method} is not allowed here"}
        response = render(request, exc.status_code, message.get(exc.status_code, str(exc.detail)))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def on_busy(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StoreBusy)
        log.warning("%s: %s %s answered 503", exc, request.method, request.url.path)  # the file's name, not its path
        response = render(request, 503, "mockown's state file is locked by another process: try again later")
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.error("internal error on %s %s: %r", request.method, request.url.path, exc)
        response = render(request, 500, "internal error in mockown (a bug: please report it)")
        # the pipeline re-raises a crash after this answer (for the server's log), and uvicorn then closes the
        # connection: said here, a keep-alive client sends its next request on a new one instead of into a reset
        response.headers["Connection"] = "close"
        return response

    handlers: dict[Any, Any] = {
        MockownError: on_mockown_error,
        BadBody: on_bad_body,
        HTTPException: on_http,
        StoreBusy: on_busy,
        Exception: on_crash,
    }
    from .routing import PrefixRouter

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        """A server's start and stop (uvicorn's lifespan, in each worker): at the stop the state file is
        checkpointed and closed, so that the file alone holds the whole state. In-process use runs no lifespan."""
        runtime.open()
        try:
            yield
        finally:
            runtime.close()

    runtime.control  # noqa: B018 - the control plane's state, made now so it records the clock's start
    runtime.serving()  # start-up is over: requests wait less for a state file another process holds
    app = MockownApp(exception_handlers=handlers)
    app.router = PrefixRouter([r for api in apis for r in api.routes], lifespan=lifespan)
    app.runtime = app.state.runtime = runtime
    app.state.dialects = dialects
    return app


class MockownApp(Starlette):
    """Starlette, with one request pipeline in front of the router instead of Starlette's three layers
    (`ServerErrorMiddleware`, user middleware, `ExceptionMiddleware`): control guard, journal, path guard,
    body limit and fault rules in one pass, and every exception rendered there by the app's handlers.
    `runtime` is also `state.runtime`: a plain attribute, read on every request without `State`'s lookup."""

    runtime: Runtime

    def build_middleware_stack(self) -> ASGIApp:
        from .pipeline import RequestPipeline

        return RequestPipeline(self.router, self.exception_handlers)


def app_from_env() -> Starlette:
    """The app configured from ``MOCKOWN_*`` alone: the import string ``mockown serve --workers N`` hands
    to uvicorn, whose worker processes each build one (they share state through ``MOCKOWN_STATE_FILE``)."""
    return create_app(Config.load())

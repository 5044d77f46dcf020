"""What an API contributes to the app: its routes and the dialect its generic errors are rendered in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.routing import BaseRoute

from ..errors import MockownError
from ..runtime import Runtime


@dataclass(frozen=True)
class Api:
    name: str
    routes: Sequence[BaseRoute]
    # (path prefix, dialect): errors raised before the API's own code runs are rendered by the dialect
    dialects: Sequence[tuple[str, Callable[[int, str, str], MockownError]]] = field(default_factory=list)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def base_url(request: Request) -> str:
    """The URL the mock puts in responses: `--base-url` if set, else what the client called."""
    configured = runtime_of(request).config.base_url
    if configured:
        return configured.rstrip("/")
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return f"{request.url.scheme}://{host}"


def host_of(request: Request) -> str:
    return (request.headers.get("host") or request.url.hostname or "").split(":", 1)[0].lower()

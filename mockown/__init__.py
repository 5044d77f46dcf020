"""mockown: a stateful emulator of Salesforce OAuth/OIDC and the Own API, plus a contract-testing kit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .clock import Clock, FrozenClock, SystemClock
from .config import Config

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from .server import MockownServer as MockownServer

__all__ = ["Clock", "Config", "FrozenClock", "MockownServer", "SystemClock", "create_app"]
__version__ = "0.1.0"


def create_app(config: Config | None = None, **kwargs: Any) -> Starlette:
    """The mockown ASGI app (see `mockown.http.app.create_app`)."""
    from .http.app import create_app as _create_app

    return _create_app(config, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "MockownServer":  # loaded on first use: uvicorn stays out of light imports
        from .server import MockownServer

        return MockownServer
    raise AttributeError(f"module 'mockown' has no attribute {name!r}")

"""Test helpers: the per-test handle, intercept mode, targets (in-process / external) and URL helpers.

Light to import: each name loads its module on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..server import MockownServer as MockownServer
    from .control import ControlClient as ControlClient
    from .control import ControlPlaneError as ControlPlaneError
    from .handle import Mockown as Mockown
    from .handle import MockownTokenError as MockownTokenError
    from .hosts import INTERCEPTED_HOSTS as INTERCEPTED_HOSTS
    from .interceptor import intercept as intercept
    from .target import LocalTarget as LocalTarget
    from .target import RemoteTarget as RemoteTarget
    from .target import Target as Target
    from .urls import Urls as Urls

_WHERE = {
    "ControlClient": ".control",
    "ControlPlaneError": ".control",
    "INTERCEPTED_HOSTS": ".hosts",
    "LocalTarget": ".target",
    "Mockown": ".handle",
    "MockownServer": "..server",
    "MockownTokenError": ".handle",
    "RemoteTarget": ".target",
    "Target": ".target",
    "Urls": ".urls",
    "intercept": ".interceptor",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module, __name__), name)

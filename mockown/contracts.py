"""The contract kit's files: the OpenAPI documents (and the suite) shipped with mockown.

In a wheel they live in `mockown/_contracts/` (pyproject force-includes the repository's `contracts/`);
in a source checkout, in `contracts/` next to the package. The app serves the documents at
`/_mockown/openapi/<name>.yaml` (`ROUTES` below, registered in `http/app.py`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from .http.routing import Route

if TYPE_CHECKING:
    from .http.api import Api

SPECS = ("salesforce", "own", "control", "marketing", "b2c")


def root() -> Path:
    """The directory that holds the specs and the suite (installed copy first, then the checkout)."""
    packaged = resources.files("mockown") / "_contracts"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "contracts"


def spec_path(name: str) -> Path:
    if name not in SPECS:
        raise KeyError(f"unknown contract {name!r} (known: {', '.join(SPECS)})")
    return root() / f"{name}.yaml"


def spec_text(name: str) -> str:
    return spec_path(name).read_text(encoding="utf-8")


def load_spec(name: str) -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = yaml.safe_load(spec_text(name))
    return data


def suite_path() -> Path:
    return root() / "suite"


async def openapi_endpoint(request: Request) -> Response:
    from .errors import ControlError

    name = request.path_params["name"]
    try:
        text = spec_text(name)
    except (KeyError, OSError):
        raise ControlError(404, "not_found", f"no OpenAPI document {name!r} (known: {', '.join(SPECS)})") from None
    return Response(text, media_type="application/yaml")


ROUTES: list[BaseRoute] = [Route("/_mockown/openapi/{name}.yaml", openapi_endpoint, methods=["GET"])]


def contracts_api() -> Api:
    from .errors import control_dialect
    from .http.api import Api

    return Api(name="contracts", routes=ROUTES, dialects=[("/_mockown/openapi", control_dialect)])

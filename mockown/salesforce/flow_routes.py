"""HTTP wiring of the Salesforce flows beyond the core: the login / consent forms, the device flow's
verification page and control route, and dynamic client registration."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from ..errors import ControlError, control_dialect
from ..http.api import Api, base_url, runtime_of
from ..http.api import with_and_without_slash as _both
from ..http.forms import BadBody, parse_json, read_body, read_params
from ..http.routing import Route, lazy_endpoint
from ..ui import paths
from .errors import NO_STORE, oauth_dialect
from .service import SalesforceService

# The pages (ui/login.py, ui/frontdoor.py, with authorize and web behind them) and the flows' modules (device,
# register, identity) load with the first request that uses them, not with every start (issue #9): the handlers
# import them, and the pages' routes are `lazy_endpoint`s.


def _service(request: Request) -> SalesforceService:
    return runtime_of(request).salesforce


def _bearer(request: Request) -> str | None:
    from .identity import bearer

    return bearer(request.headers.get("authorization"), None)


async def register_endpoint(request: Request) -> Response:
    from . import register as dcr

    service = _service(request)
    token = _bearer(request)
    dcr.registering_app(service, token)  # 401 before reading the body
    raw = await read_body(request, runtime_of(request).config.max_body_bytes)
    try:
        body = parse_json(raw or b"null")
    except BadBody:
        raise dcr.metadata_error("the body must be a JSON object") from None
    answer = dcr.register(service, token, body, base_url(request))
    return JSONResponse(answer, status_code=201, headers=NO_STORE)


async def registration_endpoint(request: Request) -> Response:
    from . import register as dcr

    service, client_id = _service(request), request.path_params["client_id"]
    if request.method == "DELETE":
        dcr.delete(service, client_id, _bearer(request))
        return Response(status_code=204, headers=NO_STORE)
    return JSONResponse(dcr.read(service, client_id, _bearer(request)), headers=NO_STORE)


async def device_approve_endpoint(request: Request) -> Response:
    """`POST /_mockown/salesforce/device/approve` {user_code, username, decision: allow|deny}: what the user
    would do on `/setup/connect`, for tests that drive a device-flow client without a browser."""
    try:
        params = await read_params(request, runtime_of(request).config.max_body_bytes, json_ok=True)
    except BadBody as exc:
        raise ControlError(exc.status, None, str(exc)) from None
    from . import device as dev

    for name in ("user_code", "username"):  # the contract's DeviceDecision requires both
        if not params.get(name):
            raise ControlError(400, "invalid_request", f"{name} is required")
    service = _service(request)
    user = service.user_by_username(params.get("username"))
    if user is None:
        raise ControlError(404, "not_found", "no such user")
    decision = (params.get("decision") or "allow").lower()
    if decision not in ("allow", "deny"):
        raise ControlError(400, "invalid_request", "decision is allow or deny")
    try:
        device = dev.decide(service, params.get("user_code"), user, allow=decision == "allow")
    except dev.DeviceError as exc:
        raise ControlError(404, "not_found", str(exc)) from None
    body: dict[str, Any] = {"user_code": device.user_code, "username": user.username}
    body["status"] = "approved" if decision == "allow" else "denied"
    return JSONResponse(body)


ROUTES: list[BaseRoute] = [
    # with one trailing slash too: `/services/oauth2/authorize/{brand}/` (GET) would otherwise take the form posts'
    # slash paths and answer 405
    *_both(paths.LOGIN_ACTION, lazy_endpoint("mockown.ui.login", "login_submit"), ["POST"]),
    *_both(paths.CONSENT_ACTION, lazy_endpoint("mockown.ui.login", "consent_submit"), ["POST"]),
    *_both(paths.DEVICE_ACTION, lazy_endpoint("mockown.ui.login", "device_page"), ["GET", "POST"]),
    # the OAuth endpoints with and without one trailing slash (never Starlette's empty 307), as routes.py's
    *_both("/services/oauth2/register", register_endpoint, ["POST"]),
    *_both("/services/oauth2/register/{client_id}", registration_endpoint, ["GET", "DELETE"]),
    Route("/_mockown/salesforce/device/approve", device_approve_endpoint, methods=["POST"]),
    Route(paths.FRONTDOOR, lazy_endpoint("mockown.ui.frontdoor", "frontdoor"), methods=["GET", "POST"]),
    *_both(paths.LOGOUT, lazy_endpoint("mockown.ui.frontdoor", "logout"), ["GET", "POST"]),
    Route(paths.LOGOUT_JSP, lazy_endpoint("mockown.ui.frontdoor", "logout_jsp"), methods=["GET"]),
    Route(paths.HOME, lazy_endpoint("mockown.ui.frontdoor", "home"), methods=["GET", "POST"]),
]

API = Api(
    name="salesforce-flows",
    routes=ROUTES,
    dialects=[("/setup/", oauth_dialect), ("/_mockown/salesforce/", control_dialect)],
)

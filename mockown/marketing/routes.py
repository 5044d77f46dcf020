"""HTTP wiring of Marketing Cloud Engagement: by `Host` for `{subdomain}.auth.marketingcloudapis.com` (and the
legacy `auth[-test].exacttargetapis.com`), and under the path prefix `/mc/{subdomain}` for clients that can only
set a base URL. Handlers read the request, call `MarketingService`, render."""

from __future__ import annotations

import html
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Host, Router

from ..errors import NO_STORE
from ..http.api import Api, runtime_of
from ..http.forms import Params, media_type, query_params, read_params
from ..http.responses import no_store_redirect
from ..http.routing import Route
from ..ui.csrf import Page
from .errors import invalid_request, mc_dialect, mc_v1_dialect
from .params import token_params
from .service import MarketingService

FORM = "application/x-www-form-urlencoded"


def _service(request: Request) -> MarketingService:
    return runtime_of(request).marketing


def _subdomain(request: Request) -> str:
    return str(request.path_params.get("subdomain", "")).lower()


async def token_endpoint(request: Request) -> Response:
    service = _service(request)
    kind = media_type(request)
    if kind not in ("application/json", FORM) or (kind == FORM and not service.settings.accept_form):
        allowed = "application/json" + (" or " + FORM if service.settings.accept_form else "")
        raise invalid_request(f"The request body must be {allowed}.")
    params = await token_params(request, runtime_of(request).config.max_body_bytes)
    body = service.token(params, _subdomain(request))
    return JSONResponse(body, headers=NO_STORE)


_LOGIN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Marketing Cloud sign in (mockown)</title></head><body><h1>Marketing Cloud (mockown)</h1>
<form method="post" id="login"><input type="hidden" name="_csrf" value="{csrf}">
<label>Username <input id="username" name="username" value="{username}" autocomplete="username"></label>
<label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
<button type="submit" id="Login">Log In</button></form></body></html>"""
REFUSED = "This sign-in form expired or was posted from another site. Go back, reload the page and sign in again."


def _refused_page(page: Page) -> Response:
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Marketing Cloud sign in (mockown)</title>'
        f'</head><body><h1>Marketing Cloud (mockown)</h1><p id="error" role="alert">{html.escape(REFUSED)}</p>'
        "</body></html>"
    )
    return page.finish(HTMLResponse(body, status_code=403))


async def authorize_endpoint(request: Request) -> Response:
    service = _service(request)
    subdomain = _subdomain(request)
    params = query_params(request)
    page = Page(request)
    form = Params()
    if request.method == "POST":
        # only the sign-in page posts here: its form must carry the page's anti-CSRF token (ui/csrf.py)
        form = await read_params(request, runtime_of(request).config.max_body_bytes)
        if page.refused(form.get("_csrf")):
            return _refused_page(page)
    # who signs in: the posted login form, or (auto consent) `login_hint` or the tenant's first active user
    if "username" in form:
        user = service.sign_in(subdomain, form.get("username"), form.get("password") or "")
    elif service.settings.auto_consent:
        hint = params.get("login_hint")
        user = service.sign_in(subdomain, hint, None) if hint else service.default_user(subdomain)
    else:
        service.authorize(params, subdomain, None)  # validate client and redirect_uri before showing a page
        # the form has no action: it posts back to this URL, query string included
        text = _LOGIN_PAGE.format(csrf=html.escape(page.csrf), username=html.escape(params.get("login_hint") or ""))
        return page.finish(HTMLResponse(text))
    decision = service.authorize(params, subdomain, user)
    return no_store_redirect(decision.url, service.settings.authorize_status)  # a code or an error in its Location


def _bearer(request: Request) -> str | None:
    value = request.headers.get("authorization") or ""
    if value[:7].lower() == "bearer ":
        return value[7:].strip() or None
    return None


async def userinfo_endpoint(request: Request) -> Response:
    service = _service(request)
    body = service.userinfo(_bearer(request), _subdomain(request), request.query_params.get("view"))
    return JSONResponse(body)


async def request_token_endpoint(request: Request) -> Response:
    service = _service(request)
    params = await read_params(request, runtime_of(request).config.max_body_bytes, json_ok=True)
    legacy = request.query_params.get("legacy") in ("1", "true")
    subdomain = request.path_params.get("subdomain")
    body: dict[str, Any] = service.request_token_v1(params, str(subdomain) if subdomain else None, legacy)
    return JSONResponse(body, headers=NO_STORE)


def _v2_routes() -> list[BaseRoute]:
    return [
        Route("/v2/token", token_endpoint, methods=["POST"]),
        Route("/v2/authorize", authorize_endpoint, methods=["GET", "POST"]),
        Route("/v2/userinfo", userinfo_endpoint, methods=["GET"]),
        Route("/v1/requestToken", request_token_endpoint, methods=["POST"]),
    ]


ROUTES: list[BaseRoute] = [
    Route("/mc/{subdomain}/v2/token", token_endpoint, methods=["POST"]),
    Route("/mc/{subdomain}/v2/authorize", authorize_endpoint, methods=["GET", "POST"]),
    Route("/mc/{subdomain}/v2/userinfo", userinfo_endpoint, methods=["GET"]),
    Route("/mc/{subdomain}/v1/requestToken", request_token_endpoint, methods=["POST"]),
    Host("{subdomain}.auth.marketingcloudapis.com", app=Router(routes=_v2_routes())),
    Host(
        "auth.exacttargetapis.com",
        app=Router(routes=[Route("/v1/requestToken", request_token_endpoint, methods=["POST"])]),
    ),
    Host(
        "auth-test.exacttargetapis.com",
        app=Router(routes=[Route("/v1/requestToken", request_token_endpoint, methods=["POST"])]),
    ),
]

API = Api(
    name="marketing",
    routes=ROUTES,
    dialects=[
        ("/mc/", mc_dialect),
        ("/v2/", mc_dialect),
        ("/v1/requestToken", mc_v1_dialect),
        ("/mc/*/v1/requestToken", mc_v1_dialect),
    ],
)

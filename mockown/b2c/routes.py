"""HTTP wiring of B2C Commerce. Real host names and base-URL prefixes (README, "B2C Commerce"):

- Account Manager: `/dwsso/oauth2/{access_token,authorize}` on any host (the paths are unique),
  `/dw/oauth2/access_token` on `account.demandware.com`, and everything under `/b2c/am/`.
- Instance (BM user grant, OCAPI): `/dw/oauth2/access_token` on any other host when `grant_type` is the BM grant,
  `/s/{site}/dw/shop/v{NN_N}/...`; the instance is the `Host` when it is a seeded instance host, else the default
  instance; or explicitly under `/b2c/instances/{instance}/` (a seeded instance, else 404: no default).
- SLAS: `/shopper/auth/v1/organizations/{org}/oauth2/...` on any host (the short code comes from
  `{short_code}.api.commercecloud.salesforce.com` when that is the host), or under `/b2c/{short_code}/shopper/...`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from ..errors import MockownError
from ..http.api import Api, base_url, host_of, runtime_of
from ..http.forms import BadBody, Params, query_params, read_body, read_params
from ..http.responses import no_store_redirect
from ..http.routing import Route, route_path
from .am import AM_HOST, AM_TOKEN_URL, BM_GRANT
from .errors import AM_HEADERS, AM_JSON, AmError, OcapiFault, SlasError, am_dialect, ocapi_dialect, slas_dialect
from .models import Instance, SlasTenant
from .ocapi import api_version
from .service import B2CService

SLAS_HOST_SUFFIX = ".api.commercecloud.salesforce.com"


def _b2c(request: Request) -> B2CService:
    return runtime_of(request).b2c


async def _form(request: Request) -> Params:
    return await read_params(request, runtime_of(request).config.max_body_bytes)


# -- Account Manager and the BM grant -------------------------------------------------------------------
def _am_json(request: Request, body: dict[str, Any]) -> Response:
    headers = {**AM_HEADERS, **_b2c(request).am.rate_headers()}
    return Response(json.dumps(body, separators=(",", ":")), 200, headers, media_type=AM_JSON)


async def _am_params(request: Request) -> Params:
    """The form and query parameters of an Account Manager token call; an unreadable body is AM's 400, with the
    rate-limit headers every token answer carries."""
    try:
        return (await _form(request)).merged_under(query_params(request))
    except BadBody as exc:
        error = AmError("server_error" if exc.status >= 500 else "invalid_request", str(exc), exc.status)
        error.headers.update(_b2c(request).am.rate_headers())
        raise error from None


async def am_token(request: Request) -> Response:
    return _am_token(request, await _am_params(request))


def _am_token(request: Request, params: Params) -> Response:
    """An Account Manager token call; a client assertion may name the real token URL or this one. Its errors
    carry the rate-limit headers too (the captured 400 of the password grant had them)."""
    here = base_url(request) + route_path(request.scope)  # base_url has the root path already
    urls = (AM_TOKEN_URL, f"https://{AM_HOST}/dw/oauth2/access_token", here)
    am = _b2c(request).am
    try:
        body = am.token(params, request.headers.get("authorization"), urls)
    except AmError as exc:
        exc.headers.update(am.rate_headers())
        raise
    return _am_json(request, body)


async def am_authorize(request: Request) -> Response:
    decision = _b2c(request).am.authorize(query_params(request))
    return no_store_redirect(decision.url)  # a code, a token (the implicit flow's fragment) or an error


def _instance(request: Request, not_found: Callable[[str], MockownError]) -> Instance | None:
    """The instance a request is for: the `Host`'s (else the default instance), or the one named by an explicit
    `/b2c/instances/{instance}/`, which must be seeded (else `not_found(message)`: 404 in the path's dialect, as
    SLAS's unknown short code)."""
    explicit = request.path_params.get("instance")
    am = _b2c(request).am
    if not explicit:
        return am.instance(host_of(request))
    found = am.instance(str(explicit), fallback=False)
    if found is None:
        raise not_found(f"The instance '{explicit}' was not found.")
    return found


def _am_not_found(message: str) -> MockownError:
    return am_dialect(404, "Not Found", message)


async def dw_token(request: Request) -> Response:
    """`/dw/oauth2/access_token`: Account Manager on its host, the BM user grant on an instance."""
    params = await _am_params(request)
    if host_of(request) == AM_HOST or params.get("grant_type") != BM_GRANT:
        return _am_token(request, params)
    return bm_body(request, params)


def bm_body(request: Request, params: Params) -> Response:
    instance = _instance(request, _am_not_found)
    body = _b2c(request).am.bm_grant(params, request.headers.get("authorization"), instance)
    return Response(json.dumps(body), 200, AM_HEADERS, media_type=AM_JSON)


async def bm_token(request: Request) -> Response:
    """The BM grant on an explicit instance: an unreadable body is OAuth JSON as on the instance's host, not the
    OCAPI fault envelope of the rest of `/b2c/instances/`."""
    return bm_body(request, await _am_params(request))


# -- OCAPI ----------------------------------------------------------------------------------------------
def _ocapi_client_id(request: Request) -> str | None:
    return request.headers.get("x-dw-client-id") or request.query_params.get("client_id")


def _ocapi_site(request: Request) -> tuple[Any, str]:
    version = api_version(str(request.path_params["version"]))
    instance = _instance(request, lambda message: OcapiFault(404, "ResourcePathNotFoundException", message, version))
    site = _b2c(request).ocapi.site(
        instance.id if instance else None, str(request.path_params["site"]), _ocapi_client_id(request), version
    )
    return site, version


async def customers_auth(request: Request) -> Response:
    site, version = _ocapi_site(request)
    ocapi = _b2c(request).ocapi
    if request.method == "DELETE":
        ocapi.logout(site, version, request.headers.get("authorization"))
        return Response(status_code=204)
    raw = await read_body(request, runtime_of(request).config.max_body_bytes)
    client_id = _ocapi_client_id(request) or ""
    result = ocapi.auth(site, client_id, version, raw, request.headers.get("authorization"), dict(request.cookies))
    response = JSONResponse(result.customer, headers={"Authorization": f"Bearer {result.token}"})
    response.headers["content-type"] = "application/json;charset=UTF-8"
    return response


async def ocapi_sessions(request: Request) -> Response:
    site, version = _ocapi_site(request)
    dwsid = _b2c(request).ocapi.new_session(site, version, request.headers.get("authorization"))
    response = Response(status_code=204)
    response.set_cookie("dwsid", dwsid, httponly=True, secure=True, samesite="none", path="/")
    return response


# -- SLAS -----------------------------------------------------------------------------------------------
SlasHandler = Callable[[Request, SlasTenant], Awaitable[Response]]


def _short_code(request: Request) -> str | None:
    explicit = request.path_params.get("short_code")
    if explicit:
        return str(explicit)
    host = host_of(request)
    return host[: -len(SLAS_HOST_SUFFIX)] if host.endswith(SLAS_HOST_SUFFIX) else None


ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def slas(handler: SlasHandler, methods: tuple[str, ...] = ()) -> Callable[[Request], Awaitable[Response]]:
    """Resolve the tenant, count the call and put the rate-limit headers on every answer, errors included: the
    route takes every method, so that a 405 (a method not in `methods`) carries them too."""
    allowed = (*methods, "HEAD") if "GET" in methods else methods

    async def endpoint(request: Request) -> Response:
        service = _b2c(request).slas
        org = str(request.path_params["org"])
        headers: dict[str, str] = {}
        try:
            # every answer carries the headers, a malformed or unknown tenant's too (those count under one key,
            # so that made-up tenant ids leave no counters behind)
            try:
                tenant = service.tenant(org, _short_code(request))
            except SlasError:
                headers = service.rate_headers("-")
                raise
            headers = service.rate_headers(tenant.id)
            if request.method not in allowed:
                error = SlasError(405, "invalid_request", f"{request.method} is not allowed here")
                error.headers["Allow"] = ", ".join(allowed)
                raise error
            response = await handler(request, tenant)
        except SlasError as exc:
            exc.headers.update(headers)
            raise
        except BadBody as exc:
            error = SlasError(exc.status, "invalid_request", str(exc))
            error.headers.update(headers)
            raise error from None
        response.headers.update(headers)
        return response

    return endpoint


def _redirect(request: Request, url: str) -> Response:
    """SLAS's /authorize and /login answer: a code (or an error) in its Location, so no cache keeps it."""
    return no_store_redirect(url, runtime_of(request).config.b2c.slas_redirect_status)


def _slas_json(body: dict[str, Any]) -> Response:
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def slas_authorize(request: Request, tenant: SlasTenant) -> Response:
    located = _b2c(request).slas.authorize(tenant, query_params(request), request.headers.get("x-slas-client-auth"))
    return _redirect(request, located.url)


async def slas_login(request: Request, tenant: SlasTenant) -> Response:
    located = _b2c(request).slas.login(
        tenant, await _form(request), request.headers.get("authorization"), request.headers.get("x-slas-client-auth")
    )
    return _redirect(request, located.url)


async def _strict_form(request: Request) -> Params:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise SlasError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded.")
    return await _form(request)


async def slas_token(request: Request, tenant: SlasTenant) -> Response:
    form, authorization = await _strict_form(request), request.headers.get("authorization")
    body = _b2c(request).slas.token(tenant, form, authorization, _oauth2_base(request))
    return _slas_json(body)


async def slas_session_bridge(request: Request, tenant: SlasTenant) -> Response:
    params = await _strict_form(request)
    authorization = request.headers.get("authorization")
    return _slas_json(_b2c(request).slas.session_bridge(tenant, params, authorization, _oauth2_base(request)))


async def slas_trusted_system(request: Request, tenant: SlasTenant) -> Response:
    params = await _strict_form(request)
    authorization = request.headers.get("authorization")
    return _slas_json(_b2c(request).slas.trusted_system(tenant, params, authorization, _oauth2_base(request)))


async def slas_logout(request: Request, tenant: SlasTenant) -> Response:
    body = _b2c(request).slas.logout(tenant, query_params(request), request.headers.get("authorization"))
    return _slas_json(body)


async def slas_revoke(request: Request, tenant: SlasTenant) -> Response:
    return _slas_json(_b2c(request).slas.revoke(tenant, await _form(request), request.headers.get("authorization")))


def _oauth2_base(request: Request) -> str:
    path = route_path(request.scope)  # base_url has the root path already
    return base_url(request) + path[: path.index("/oauth2") + len("/oauth2")]


async def slas_introspect(request: Request, tenant: SlasTenant) -> Response:
    body = _b2c(request).slas.introspect(
        tenant, await _form(request), request.headers.get("authorization"), _oauth2_base(request)
    )
    return _slas_json(body)


async def slas_userinfo(request: Request, tenant: SlasTenant) -> Response:
    return JSONResponse(_b2c(request).slas.userinfo(tenant, request.headers.get("authorization")))


async def slas_discovery(request: Request, tenant: SlasTenant) -> Response:
    return JSONResponse(_b2c(request).slas.discovery(_oauth2_base(request)))


async def slas_jwks(request: Request, tenant: SlasTenant) -> Response:
    return JSONResponse(_b2c(request).slas.jwks(tenant))


async def slas_unknown(request: Request, tenant: SlasTenant) -> Response:
    raise SlasError(404, "not_found", f"no such resource: {request.url.path}")


def _slas_routes(prefix: str) -> list[BaseRoute]:
    base = prefix + "/shopper/auth/v1/organizations/{org}/oauth2"
    endpoints: list[tuple[str, SlasHandler, str]] = [
        ("/authorize", slas_authorize, "GET"),
        ("/login", slas_login, "POST"),
        ("/token", slas_token, "POST"),
        ("/session-bridge/token", slas_session_bridge, "POST"),
        ("/trusted-system/token", slas_trusted_system, "POST"),
        ("/logout", slas_logout, "GET"),
        ("/revoke", slas_revoke, "POST"),
        ("/introspect", slas_introspect, "POST"),
        ("/userinfo", slas_userinfo, "GET"),
        ("/.well-known/openid-configuration", slas_discovery, "GET"),
        ("/jwks", slas_jwks, "GET"),
    ]
    routes: list[BaseRoute] = [
        Route(base + path, slas(handler, (method,)), methods=ANY_METHOD) for path, handler, method in endpoints
    ]
    # any other path under a tenant's oauth2/ is a 404 that carries the rate-limit headers too
    routes.append(Route(base + "/{rest:path}", slas(slas_unknown, tuple(ANY_METHOD)), methods=ANY_METHOD))
    return routes


def _ocapi_routes(prefix: str) -> list[BaseRoute]:
    shop = prefix + "/s/{site}/dw/shop/{version}"
    return [
        Route(shop + "/customers/auth", customers_auth, methods=["POST", "DELETE"]),
        Route(shop + "/sessions", ocapi_sessions, methods=["POST"]),
    ]


ROUTES: list[BaseRoute] = [
    Route("/dwsso/oauth2/access_token", am_token, methods=["POST"]),
    Route("/dwsso/oauth2/authorize", am_authorize, methods=["GET"]),
    Route("/dw/oauth2/access_token", dw_token, methods=["POST"]),
    Route("/b2c/am/dwsso/oauth2/access_token", am_token, methods=["POST"]),
    Route("/b2c/am/dwsso/oauth2/authorize", am_authorize, methods=["GET"]),
    Route("/b2c/am/dw/oauth2/access_token", am_token, methods=["POST"]),
    Route("/b2c/instances/{instance}/dw/oauth2/access_token", bm_token, methods=["POST"]),
    *_ocapi_routes(""),
    *_ocapi_routes("/b2c/instances/{instance}"),
    *_slas_routes(""),
    *_slas_routes("/b2c/{short_code}"),
]

API = Api(
    name="b2c",
    routes=ROUTES,
    dialects=[
        ("/dwsso/", am_dialect),
        ("/dw/oauth2/", am_dialect),
        ("/b2c/am/", am_dialect),
        ("/b2c/instances/", ocapi_dialect),
        ("/b2c/instances/*/dw/oauth2/", am_dialect),  # the BM grant: OAuth JSON, as on the instance's host
        ("/s/", ocapi_dialect),
        ("/shopper/auth/", slas_dialect),
        ("/b2c/", slas_dialect),
    ],
)

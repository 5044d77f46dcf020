"""HTTP wiring of the Salesforce dialect: each handler reads the request, calls the core, renders."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from ..errors import NO_STORE, MockownError
from ..fieldwise import Value
from ..http.api import Api, base_url, header, host_of, runtime_of
from ..http.api import with_and_without_slash as _both
from ..http.forms import BadBody, Params, media_type, query_params, read_params
from ..http.responses import JsonBody, JsonHeaders, Prepared
from .errors import OAuthError, RestError, authorize_dialect, identity_dialect, not_found, oauth_dialect, rest_dialect
from .introspect import introspect
from .models import Org, User
from .revoke import revoke
from .service import SalesforceService
from .token import JSON_TYPE, accepted_format, token

if TYPE_CHECKING:
    from .describe import SObjectType

# The modules behind the less used endpoints (authorize and its pages, the identity service, the browser bridges,
# the REST API's resources, SOAP login()) load with the first request that uses them, not with every start
# (issue #9): each handler imports what it calls.


def _service(request: Request) -> SalesforceService:
    return runtime_of(request).salesforce


async def _form(request: Request) -> Params:
    limit = runtime_of(request).config.max_body_bytes
    return await read_params(request, limit)


_PLAIN, _NO_STORE = JsonHeaders(JSON_TYPE), JsonHeaders(JSON_TYPE, NO_STORE)


def _json(body: Any, status: int = 200, *, no_store: bool = False, headers: dict[str, str] | None = None) -> Response:
    prepared = JsonHeaders(JSON_TYPE, headers) if headers else _NO_STORE if no_store else _PLAIN
    return JsonBody(body, prepared, status)


_JSON_TYPES = ("application/json", "text/json")


async def _token_form(request: Request) -> Params:
    """The token request's body parameters. Salesforce reads the body as a form and finds none in a JSON document:
    posted as JSON, the request has no `grant_type` (`unsupported_grant_type`, as users of JSON-posting clients
    report), not an unreadable body."""
    try:
        return await _form(request)
    except BadBody as exc:
        if exc.status == 400 and media_type(request) in _JSON_TYPES:
            return Params()
        raise


async def token_endpoint(request: Request) -> Response:
    # Parameters in the query string of the POST are accepted too (widely copied examples put them there).
    params = (await _token_form(request)).merged_under(query_params(request))
    return await token(
        _service(request),
        params,
        authorization=header(request, "authorization"),
        accept=header(request, "accept"),
        base=base_url(request),
        host=host_of(request),
    )


async def authorize_endpoint(request: Request) -> Response:
    params = query_params(request)
    if request.method == "POST":
        params = (await _form(request)).merged_under(params)
    from ..ui.login import redirect, render_login  # the login / consent page (HTML, no JavaScript needed)
    from ..ui.session import current_session, note_signin
    from . import authorize as authz

    session = current_session(request)
    user, signed_in_at = (session.user, session.signed_in_at) if session is not None else (None, None)
    decision = authz.decide(
        _service(request), params, session_user=user, signed_in_at=signed_in_at, base=base_url(request)
    )
    if isinstance(decision, authz.Redirect):
        if session is not None:
            note_signin(request, decision, session)  # the browser session signed in to the app (its SLO)
        return redirect(decision.url)  # no-store, as after the pages: a code or tokens ride in its Location

    return render_login(request, decision)


async def introspect_endpoint(request: Request) -> Response:
    body = introspect(_service(request), await _form(request), header(request, "authorization"), base_url(request))
    return _json(body, no_store=True)


async def revoke_endpoint(request: Request) -> Response:
    params = query_params(request)
    if request.method == "POST":
        params = (await _form(request)).merged_under(params)
    error_format = runtime_of(request).config.salesforce.revoke_error_format
    return revoke(_service(request), params, error_format, base_url(request))


def _bearer(request: Request) -> str | None:
    """The token of the identity services (identity URL, userinfo, singleaccess): the Authorization header, else
    `?oauth_token=`, as Salesforce documents them."""
    from .identity import bearer

    return bearer(header(request, "authorization"), request.query_params.get("oauth_token"))


def _rest_token(request: Request) -> str | None:
    """The REST API's token: `Authorization: Bearer|OAuth <token>` only (spec 9.1). Salesforce documents the query
    token for the identity URL and userinfo alone, and a REST call whose token rides in the URL is answered 401
    INVALID_SESSION_ID; taking `?oauth_token=` here let a client work against the mock and fail against the real
    service."""
    from .identity import bearer

    return bearer(header(request, "authorization"), None)


@dataclass(frozen=True, repr=False, eq=False)
class _IdentityFormat(Value):
    """The identity service's answer format, read and checked (`identity_format`) before its session is touched:
    `format` (beats Accept): json (default), xml, urlencoded; JSONP `callback`; the header `X-PrettyPrint: 1`
    makes JSON and XML readable (indented) rather than small."""

    fmt: str
    pretty: bool
    callback: str | None

    def render(self, body: dict[str, Any]) -> Response:
        from . import identity as ident

        if self.callback:  # JSONP "when the specified format is JSON"
            text = json.dumps(body, indent=2 if self.pretty else None)
            return Response(f"{self.callback}({text})", media_type="application/javascript")
        if self.fmt == "xml":
            return Response(ident.xml_document(body, pretty=self.pretty), media_type="application/xml")
        if self.fmt == "urlencoded":
            flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
            from urllib.parse import urlencode

            return Response(urlencode(flat), media_type="application/x-www-form-urlencoded")
        if self.pretty:
            return Response(json.dumps(body, indent=2), media_type=JSON_TYPE)
        return _json(body)


def _identity_format(request: Request) -> _IdentityFormat:
    """The answer format the request asks for; a bad `callback` is `406 Invalid_Callback` (a refusal: the session
    is not touched)."""
    from . import identity as ident

    fmt = (request.query_params.get("format") or "").lower() or accepted_format(request.headers.get("accept", ""))
    pretty = request.headers.get("x-prettyprint", "").strip() == "1"
    callback = ident.jsonp_callback(request.query_params.get("callback")) if fmt not in ("xml", "urlencoded") else None
    return _IdentityFormat(fmt, pretty, callback)


async def _identity_token(request: Request) -> str | None:
    """The identity service's token: the Authorization header, `?oauth_token=`, else a POST body's `oauth_token`,
    else a form-encoded POST body's `access_token` (OIDC Core 5.3.1 / RFC 6750 §2.2: "Form-Encoded Body
    Parameter", only with `Content-Type: application/x-www-form-urlencoded`). When a request carries more than
    one, the first of that order wins, as it already did for the header and `oauth_token`: the identity service's
    documented errors (spec 6.2) have no RFC 6750 `invalid_request`."""
    token_value = _bearer(request)
    if token_value is None and request.method == "POST":
        form = await _form(request)
        token_value = form.get("oauth_token")
        if not token_value and media_type(request) == "application/x-www-form-urlencoded":
            token_value = form.get("access_token")
    return token_value


async def identity_endpoint(request: Request) -> Response:
    from .identity import identity, served

    service = _service(request)
    session, body = identity(
        service,
        await _identity_token(request),
        request.path_params["org_id"],
        request.path_params["user_id"],
        base_url(request),
        request.query_params.get("version"),
    )
    answer = _identity_format(request)
    served(service, session)  # only now: a refused callback does not slide the session
    return answer.render(body)


async def userinfo_endpoint(request: Request) -> Response:
    from .identity import served, userinfo

    service = _service(request)
    session, body = userinfo(service, await _identity_token(request), base_url(request))
    answer = _identity_format(request)
    served(service, session)
    return answer.render(body)


async def discovery_endpoint(request: Request) -> Response:
    service, base = _service(request), base_url(request)
    if service.on_my_domain_or_site(base):  # spec 7.1: the My Domain / site variant, with the OIDC logout endpoint
        return Prepared(service.documents.my_domain_discovery(base), _PLAIN)
    return Prepared(service.documents.discovery(base), _PLAIN)


async def auth_configuration_endpoint(request: Request) -> Response:
    """My Domain's `/.well-known/auth-configuration`; elsewhere the same 404 as any unknown path."""
    from . import web

    body = web.auth_configuration(_service(request), base_url(request))
    if body is None:
        raise oauth_dialect(404, "Not Found", f"no such resource: {request.url.path}")
    return _json(body)


async def singleaccess_endpoint(request: Request) -> Response:
    """`POST /services/oauth2/singleaccess` (spec 6.2): a live OAuth session with `web` scope gets a one-time
    `frontdoor_uri`; otherwise 403 `Bad_OAuth_Token` / `Invalid_Scope` in one word of plain text."""
    from . import web

    return _json(web.single_access(_service(request), _bearer(request), base_url(request)), no_store=True)


async def jwks_endpoint(request: Request) -> Response:
    return _json(runtime_of(request).keys.jwks())


# -- REST ---------------------------------------------------------------------------------------------
async def versions_endpoint(request: Request) -> Response:
    from . import rest

    return _json(rest.versions(_service(request)))


@dataclass(frozen=True, repr=False, eq=False)
class RestCall(Value):
    """A REST API call whose session checked out: the service, API version, org, user and request."""

    service: SalesforceService
    version: str
    org: Org
    user: User
    request: Request


def _rest(handler: Callable[[RestCall], Any]) -> Callable[[Request], Awaitable[Response]]:
    """A REST endpoint: a live session, the call counted, `Sforce-Limit-Info` on every answer it can attribute
    to an org (errors included; a dead token's org is known from the session it was)."""

    async def endpoint(request: Request) -> Response:
        from . import rest

        service = _service(request)
        raw = _rest_token(request)
        if service.foreign_session(raw, base_url(request)):
            raw = None  # another org's session: none on this org's My Domain
        try:
            _, org, user = rest.session(service, raw)
        except RestError as exc:
            known = rest.org_of_token(service, raw)
            if known is not None:
                exc.headers["Sforce-Limit-Info"] = rest.usage(known, service.clock.now())
            raise
        org = rest.count_call(service, org.id)  # 403 REQUEST_LIMIT_EXCEEDED (its own header) once used up
        headers = {"Sforce-Limit-Info": rest.usage(org, service.clock.now())}
        try:
            version = rest.check_version(service, request.path_params["version"])
            body = handler(RestCall(service, version, org, user, request))
        except RestError as exc:
            exc.headers.update(headers)
            raise
        if isinstance(body, Response):  # a 204 or 304 the handler made itself
            body.headers.update(headers)
            return body
        return _json(body, headers=headers)

    return endpoint


@_rest
def resources_endpoint(call: RestCall) -> Any:
    from . import rest

    return rest.resources(call.version, base_url(call.request), call.org, call.user)


@_rest
def limits_endpoint(call: RestCall) -> Any:
    from . import rest

    return rest.limits(call.org, call.service.clock.now())


def _describe_answer(call: RestCall, body: Callable[[], Any]) -> Response:
    """A describe (global or an object's) with `Last-Modified` (the org's creation: the table never changes), or
    `304` with no body to an `If-Modified-Since` at or after it."""
    from . import describe

    modified = {"Last-Modified": describe.http_date(describe.last_modified(call.org))}
    if describe.unchanged_since(header(call.request, "if-modified-since"), call.org):
        return Response(status_code=304, headers=modified)
    return _json(body(), headers=modified)


@_rest
def describe_global_endpoint(call: RestCall) -> Any:
    from . import rest

    return _describe_answer(call, lambda: rest.describe_global(call.version, call.org))


@_rest
def sobject_endpoint(call: RestCall) -> Any:
    from . import rest

    params, fields = call.request.path_params, call.request.query_params.get("fields")
    return rest.sobject(call.service, params["sobject"], params["record_id"], call.version, call.org, fields)


@_rest
def query_endpoint(call: RestCall) -> Any:
    from . import cursors, rest

    resource = "queryAll" if "/queryAll" in call.request.url.path else "query"
    batch = cursors.batch_size(header(call.request, "sforce-query-options"))
    q = call.request.query_params.get("q")
    return rest.query(call.service, q, call.version, call.org, call.user, resource=resource, batch=batch)


@_rest
def query_more_endpoint(call: RestCall) -> Any:
    """`nextRecordsUrl`: `/query/<01g locator>-<offset>` (or under `/queryAll`), the next batch of a cursor."""
    from . import cursors

    batch = cursors.batch_size(header(call.request, "sforce-query-options"))
    locator = call.request.path_params["locator"]
    return cursors.next_batch(call.service, locator, call.version, call.org, call.user, batch)


@_rest
def search_endpoint(call: RestCall) -> Any:
    from . import rest

    return rest.search(call.service, call.request.query_params.get("q"), call.version, call.org)


@_rest
def recent_endpoint(call: RestCall) -> Any:
    from . import rest

    return rest.recent()


def _sobject_type(call: RestCall) -> SObjectType:
    from . import describe

    kind = describe.lookup(call.org, call.request.path_params["sobject"])  # case-insensitive, as Salesforce
    if kind is None:
        raise not_found()
    return kind


@_rest
def sobject_basic_endpoint(call: RestCall) -> Any:
    from . import describe

    return describe.basic_info(_sobject_type(call), call.version)


@_rest
def sobject_describe_endpoint(call: RestCall) -> Any:
    from . import describe

    kind = _sobject_type(call)
    return _describe_answer(call, lambda: describe.describe(kind, call.version))


_DELETED = 204


@_rest
def oauth_usage_endpoint(call: RestCall) -> Any:
    from . import oauth_usage

    return oauth_usage.apps(call.service, call.org, call.user, call.version, call.request.query_params)


@_rest
def oauth_usage_users_endpoint(call: RestCall) -> Any:
    from . import oauth_usage

    app_id = call.request.path_params["app_id"]
    return oauth_usage.users(call.service, call.org, call.user, app_id, call.version, call.request.query_params)


@_rest
def oauth_usage_user_tokens_endpoint(call: RestCall) -> Any:
    from . import oauth_usage

    request = call.request
    app_id, user_id = request.path_params["app_id"], request.path_params["user_id"]
    if request.method == "DELETE":
        oauth_usage.revoke_user(call.service, call.org, call.user, app_id, user_id)
        return Response(status_code=_DELETED)
    return oauth_usage.tokens(call.service, call.org, call.user, app_id, user_id, call.version, request.query_params)


@_rest
def oauth_usage_app_tokens_endpoint(call: RestCall) -> Any:
    from . import oauth_usage

    oauth_usage.revoke_app(call.service, call.org, call.user, call.request.path_params["app_id"])
    return Response(status_code=_DELETED)


@_rest
def oauth_usage_token_endpoint(call: RestCall) -> Any:
    from . import oauth_usage

    oauth_usage.revoke_token(call.service, call.org, call.user, call.request.path_params["token_id"])
    return Response(status_code=_DELETED)


# SOAP login() (soap.py): the endpoint, and the faults of the errors under its paths
async def soap_endpoint(request: Request) -> Response:
    from .soap import soap_endpoint

    return await soap_endpoint(request)


def soap_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    from .soap import soap_dialect

    return soap_dialect(status, reason, message, code)


def soap_enterprise_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    from .soap import enterprise_dialect

    return enterprise_dialect(status, reason, message, code)


_ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_OAUTH_USAGE = 59  # the API version the OAuth Usage resources came with (oauth_usage.py)


def _older_than(version: str, since: int) -> bool:
    """Whether the URL's `vXX.0` names an API version before `since` (any other text: no, `check_version`'s)."""
    from . import rest  # on first use, as every endpoint module

    number = rest.version_number(version)
    return number is not None and number < since


def _rest_both(
    path: str, endpoint: Callable[[Request], Awaitable[Response]], methods: list[str], *, since: int | None = None
) -> list[BaseRoute]:
    """A REST resource (with and without the trailing slash) that answers another method itself, in the REST API's
    words: `405 [{"errorCode": "METHOD_NOT_ALLOWED", "message": "HTTP Method 'PATCH' not allowed. Allowed are
    GET,HEAD,POST"}]` with `Allow`, as Salesforce does (HEAD goes with GET). A resource added in API version
    `since` is, in an older version, what a resource the API does not have is: the REST 404, before any session
    check or count, whatever the method."""
    allowed = sorted({*methods, "HEAD"} if "GET" in methods else set(methods))
    listed = ",".join(allowed)

    async def guarded(request: Request) -> Response:
        if since is not None and _older_than(request.path_params.get("version", ""), since):
            raise not_found()
        if request.method not in allowed:
            message = f"HTTP Method '{request.method}' not allowed. Allowed are {listed}"
            raise RestError(405, "METHOD_NOT_ALLOWED", message, headers={"Allow": ", ".join(allowed)})
        return await endpoint(request)

    guarded.answers_every_method = True  # type: ignore[attr-defined]  # the router calls it for TRACE, FOO... too
    return _both(path, guarded, _ANY_METHOD)


def _oauth_post_both(path: str, endpoint: Callable[[Request], Awaitable[Response]]) -> list[BaseRoute]:
    """An OAuth endpoint served for POST only (with and without the trailing slash) that answers every other method
    itself, in the OAuth dialect: `400 {"error": "invalid_request", "error_description": "must use HTTP POST"}`
    (spec 1.5, the token endpoint's counterpart of the authorize endpoint's documented `must use HTTP GET`;
    [INF/OBS] wording), not a 405. HEAD gets the same answer without a body, and OPTIONS too: the mock answers no
    CORS preflight."""

    async def post_only(request: Request) -> Response:
        if request.method != "POST":
            raise OAuthError("invalid_request", "must use HTTP POST")
        return await endpoint(request)

    post_only.__name__ = post_only.__qualname__ = endpoint.__name__  # the route's name, as before (`url_path_for`)
    post_only.answers_every_method = True  # type: ignore[attr-defined]  # the router calls it for TRACE, FOO... too
    return _both(path, post_only, _ANY_METHOD)


ROUTES: list[BaseRoute] = [
    # with and without one trailing slash, never Starlette's empty 307 (after which clients re-send without their
    # Authorization header or body)
    *_oauth_post_both("/services/oauth2/token", token_endpoint),
    *_both("/services/oauth2/authorize", authorize_endpoint, ["GET", "POST"]),
    # a branded login page (Experience Cloud; the Mobile SDK's login brand, spec 2.1): the same endpoint, its look
    # aside; GET only, so the login and consent forms' POSTs under /services/oauth2/authorize/ stay theirs
    *_both("/services/oauth2/authorize/{brand}", authorize_endpoint, ["GET"]),
    *_both("/services/oauth2/introspect", introspect_endpoint, ["POST"]),
    *_both("/services/oauth2/revoke", revoke_endpoint, ["GET", "POST"]),
    *_both("/services/oauth2/userinfo", userinfo_endpoint, ["GET", "POST"]),
    *_both("/.well-known/openid-configuration", discovery_endpoint, ["GET"]),
    *_both("/.well-known/auth-configuration", auth_configuration_endpoint, ["GET"]),
    *_both("/services/oauth2/singleaccess", singleaccess_endpoint, ["POST"]),
    *_both("/id/keys", jwks_endpoint, ["GET"]),
    *_both("/id/{org_id}/{user_id}", identity_endpoint, ["GET", "POST"]),
    *_rest_both("/services/data", versions_endpoint, ["GET"]),
    *_rest_both("/services/data/{version}", resources_endpoint, ["GET"]),
    *_rest_both("/services/data/{version}/limits", limits_endpoint, ["GET"]),
    *_rest_both("/services/data/{version}/query", query_endpoint, ["GET"]),
    # queryAll: query plus deleted and archived rows; the mock has none, so the same answer (spec 9.5)
    *_rest_both("/services/data/{version}/queryAll", query_endpoint, ["GET"]),
    *_rest_both("/services/data/{version}/query/{locator}", query_more_endpoint, ["GET"]),
    *_rest_both("/services/data/{version}/queryAll/{locator}", query_more_endpoint, ["GET"]),
    *_rest_both("/services/data/{version}/search", search_endpoint, ["GET"]),
    *_rest_both("/services/data/{version}/recent", recent_endpoint, ["GET"]),
    *_rest_both("/services/data/{version}/sobjects", describe_global_endpoint, ["GET"]),
    *_rest_both("/services/data/{version}/sobjects/{sobject}", sobject_basic_endpoint, ["GET"]),
    *_rest_both("/services/data/{version}/sobjects/{sobject}/describe", sobject_describe_endpoint, ["GET"]),
    *_rest_both("/services/data/{version}/sobjects/{sobject}/{record_id}", sobject_endpoint, ["GET"]),
    # Connect REST "OAuth Usage" (oauth_usage.py): API 59.0 and later
    *_rest_both("/services/data/{version}/apps/oauth/usage", oauth_usage_endpoint, ["GET"], since=_OAUTH_USAGE),
    *_rest_both(
        "/services/data/{version}/apps/oauth/usage/tokens/{token_id}",
        oauth_usage_token_endpoint,
        ["DELETE"],
        since=_OAUTH_USAGE,
    ),
    *_rest_both(
        "/services/data/{version}/apps/oauth/usage/{app_id}/users",
        oauth_usage_users_endpoint,
        ["GET"],
        since=_OAUTH_USAGE,
    ),
    *_rest_both(
        "/services/data/{version}/apps/oauth/usage/{app_id}/tokens",
        oauth_usage_app_tokens_endpoint,
        ["DELETE"],
        since=_OAUTH_USAGE,
    ),
    *_rest_both(
        "/services/data/{version}/apps/oauth/usage/{app_id}/{user_id}/tokens",
        oauth_usage_user_tokens_endpoint,
        ["GET", "DELETE"],
        since=_OAUTH_USAGE,
    ),
    # the SOAP API's login() / logout() (salesforce/soap.py): partner (u) and enterprise (c), as serverUrl gives
    *(
        r
        for w in "uc"
        for p in ("{version}", "{version}/{org_id}")
        for r in _both(f"/services/Soap/{w}/{p}", soap_endpoint, ["POST"])
    ),
]

API = Api(
    name="salesforce",
    routes=ROUTES,
    dialects=[
        ("/services/oauth2", oauth_dialect),
        ("/services/oauth2/authorize", authorize_dialect),
        ("/services/oauth2/userinfo", identity_dialect),  # the identity service, as /id/: one word of text
        ("/.well-known", oauth_dialect),
        ("/services/data", rest_dialect),
        ("/services", rest_dialect),
        ("/services/Soap/", soap_dialect),
        ("/services/Soap/c/", soap_enterprise_dialect),  # the enterprise API's fault namespace
        ("/id/", identity_dialect),
    ],
)

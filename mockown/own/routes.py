"""HTTP wiring of the Own API: the auth host, the regional API (Host header or /regions/<r>/ prefix), the profile page.

Each handler reads the request, calls the rules (plain Python), renders JSON. Regions: `<region>.owndata.com`
or `<region>.ownbackup.com` in the Host header, `/regions/<region>/api/v1/...` in the path, else the default.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from ..errors import NO_STORE
from ..http.api import Api, base_url, host_of, runtime_of
from ..http.api import with_and_without_slash as _both
from ..http.forms import Params, media_type, query_params, read_params
from . import backups, exports, gdpr, jobs, seeding, tokens
from .errors import OktaError, not_found, okta_dialect, own_dialect
from .models import REGIONS
from .params import BodyAndQuery, names, single
from .profile import ROUTES as PROFILE_ROUTES
from .service import OwnService, Principal

Handler = Callable[[Request], Awaitable[Response]]


def _own(request: Request) -> OwnService:
    return runtime_of(request).own


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def region_of(request: Request) -> str:
    region = request.path_params.get("region")
    if region is not None:
        if region not in REGIONS:
            raise not_found(f"unknown region {region} (known: {', '.join(REGIONS)})")
        return str(region)
    sub = _own_subdomain(request)
    if sub is None:
        return _own(request).settings.default_region
    if sub not in REGIONS:
        raise not_found(f"unknown region {sub} (known: {', '.join(REGIONS)})")
    return sub


def _own_subdomain(request: Request) -> str | None:
    """`app1` of a Host `app1.owndata.com` (or the legacy `.ownbackup.com`), `auth` of the auth host; None for
    any other host (localhost, a test server): the default region, and the auth endpoints too."""
    host = host_of(request)
    for suffix in (".owndata.com", ".ownbackup.com"):
        if host.endswith(suffix):
            return host[: -len(suffix)]
    return None


def regional_base(request: Request, region: str) -> str:
    """Where links in responses point: the same host, and the same /regions/<r> prefix if one was used."""
    base = base_url(request)
    return f"{base}/regions/{region}" if "region" in request.path_params else base


class Ctx:
    __slots__ = ("base", "own", "principal", "region")

    def __init__(self, own: OwnService, region: str, principal: Principal, base: str) -> None:
        self.own, self.region, self.principal, self.base = own, region, principal, base


def _ctx(request: Request) -> Ctx:
    own = _own(request)
    region = region_of(request)
    principal = own.authenticate(
        request.headers.get("authorization"), ip=_ip(request), session_id=request.headers.get("x-session-id")
    )
    return Ctx(own, region, principal, regional_base(request, region))


async def _body(request: Request) -> Params:
    limit = runtime_of(request).config.max_body_bytes
    # a compressed body is read as SOAP's is (gzip, deflate; another coding 415): no Own client is known to send
    # one, but a client library that compresses by default would otherwise meet a misleading "not valid UTF-8"
    return BodyAndQuery(await read_params(request, limit, json_ok=True, decode=True), query_params(request))


def _polls(request: Request) -> bool:
    """Whether this read counts as a poll (``polls:N``): a GET shows the status; a HEAD, which Starlette answers
    with the GET handler, shows nothing and moves nothing on."""
    return request.method != "HEAD"


def _json(body: Any, status: int = 200) -> Response:
    return JSONResponse(body, status_code=status)


# -- auth host ------------------------------------------------------------------------------------------
def _auth_host_only(request: Request) -> None:
    """S1: login and logout are on auth.owndata.com, everything else on the regional domain. A regional host
    (reached through intercept mode) has no Okta server: 404, as its unknown paths answer."""
    if _own_subdomain(request) not in (None, "auth"):
        raise not_found(f"{request.url.path} is not on {host_of(request)}: use https://auth.owndata.com")


# "": no Content-Type, read as a form; the JSON types reach `read_params`, which refuses them with its own message
_OKTA_BODY_TYPES = frozenset({"", "application/x-www-form-urlencoded", "application/json", "text/json"})


async def _okta_form(request: Request) -> Params:
    """The body of an auth-host endpoint: S1 documents `application/x-www-form-urlencoded` as required (RFC 6749
    and 7009 too). JSON is refused by `read_params`; a multipart body, or one of any other type, is refused here
    the same way (a text/plain body holding a form was read as the form). A body without a Content-Type is read
    as a form, as `read_params` says."""
    kind = media_type(request)
    if kind == "multipart/form-data":
        raise OktaError(
            "invalid_request", "multipart bodies are not accepted here; send application/x-www-form-urlencoded"
        )
    if kind not in _OKTA_BODY_TYPES:
        raise OktaError(
            "invalid_request", f"{kind} bodies are not accepted here; send application/x-www-form-urlencoded"
        )
    params = await read_params(request, runtime_of(request).config.max_body_bytes)
    # RFC 6749 3.2: parameters "MUST NOT be included more than once"; 5.2 and Okta's /token errors: invalid_request
    given = params.keys()  # Params is not iterable
    repeated = next((name for name in given if len(params.getlist(name)) > 1), None)
    if repeated is not None:
        raise OktaError("invalid_request", f"The request repeats the '{repeated}' parameter.")
    return params


@contextmanager
def _client_challenge(request: Request) -> Iterator[None]:
    """RFC 6749 5.2: a client that "attempted to authenticate via the Authorization request header field" and
    failed (401 ``invalid_client``) is answered with ``WWW-Authenticate`` of the scheme it used. Only Basic is a
    client authentication there; the client is still known by the form's ``client_id`` alone (S1), not the header."""
    try:
        yield
    except OktaError as exc:
        scheme = request.headers.get("authorization", "").strip().partition(" ")[0]
        if exc.status == 401 and scheme.lower() == "basic":
            exc.challenge = f'Basic realm="{tokens.ISSUER}"'
        raise


async def token_endpoint(request: Request) -> Response:
    _auth_host_only(request)
    params = await _okta_form(request)
    with _client_challenge(request):
        body = tokens.exchange(_own(request), params, ip=_ip(request))
    return JSONResponse(body, headers=NO_STORE)


async def revoke_endpoint(request: Request) -> Response:
    _auth_host_only(request)
    params = await _okta_form(request)
    with _client_challenge(request):
        tokens.revoke_access(_own(request), params, ip=_ip(request))
    return Response(status_code=200, headers=NO_STORE)


# -- the legacy session API (S6, S13: being retired) ------------------------------------------------------
async def legacy_login(request: Request) -> Response:
    region_of(request)
    params = await _body(request)  # S13: the query string, S6: the body
    session_id = tokens.legacy_login(
        _own(request), single(params, "email"), single(params, "password"), ip=_ip(request)
    )
    return JSONResponse({"session_id": session_id}, headers=NO_STORE)  # a bearer credential: kept by no cache


async def legacy_logout(request: Request) -> Response:
    region_of(request)
    tokens.legacy_logout(_own(request), request.headers.get("x-session-id"), ip=_ip(request))
    return _json({})


# -- services -------------------------------------------------------------------------------------------
async def services_list(request: Request) -> Response:
    c = _ctx(request)
    return _json([backups.service_json(c.own, s) for s in c.own.reachable_services(c.principal, c.region)])


def _service(c: Ctx, request: Request, *, write: bool = False) -> Any:
    return c.own.service_for(c.principal, c.region, request.path_params["service_id"], write=write)


async def service_one(request: Request) -> Response:
    c = _ctx(request)
    return _json(backups.service_json(c.own, _service(c, request)))


async def backup_now(request: Request) -> Response:
    c = _ctx(request)
    service = _service(c, request, write=True)
    await _body(request)  # read (and size-check) whatever was sent; backup_now takes no parameters
    backups.backup_now(c.own, c.principal, service)
    return _json({})


async def backup_specific(request: Request) -> Response:
    c = _ctx(request)
    service = _service(c, request, write=True)
    backups.backup_now(c.own, c.principal, service, names(await _body(request), "list_of_objects"))
    return _json({})


# -- backups and objects --------------------------------------------------------------------------------
async def backups_list(request: Request) -> Response:
    c = _ctx(request)
    service = _service(c, request)
    return _json([backups.backup_json(c.own, b) for b in backups.listing(c.own, service, poll=_polls(request))])


async def backup_one(request: Request) -> Response:
    c = _ctx(request)
    service = _service(c, request)
    backup = backups.get(c.own, service, request.path_params["backup_id"], poll=_polls(request))
    return _json(backups.backup_json(c.own, backup))


async def objects_list(request: Request) -> Response:
    c = _ctx(request)
    service = _service(c, request)
    backup = backups.get(c.own, service, request.path_params["backup_id"], poll=False)
    return _json(backups.objects_json(c.own, service, backup, c.base))


async def object_download(request: Request) -> Response:
    c = _ctx(request)
    service = _service(c, request)
    backup = backups.get(c.own, service, request.path_params["backup_id"], poll=False)
    kind = single(query_params(request), "type")
    text = backups.download(c.own, service, backup, request.path_params["object_id"], kind)
    return Response(text, media_type="text/csv")


async def export_endpoint(request: Request) -> Response:
    c = _ctx(request)
    service = _service(c, request, write=True)
    job = exports.export(c.own, c.principal, service, request.path_params["backup_id"], await _body(request))
    return _json({"job_id": job.num})


async def export_to_endpoint(request: Request) -> Response:
    c = _ctx(request)
    service = _service(c, request, write=True)
    params = await _body(request)
    job = exports.export_to_endpoint(c.own, c.principal, service, request.path_params["backup_id"], params)
    return _json({"job_id": job.num})


# -- jobs -----------------------------------------------------------------------------------------------
async def jobs_list(request: Request) -> Response:
    c = _ctx(request)
    found = jobs.listing(c.own, c.principal, c.region, poll=_polls(request))
    return _json([jobs.to_json(c.own, j, c.base) for j in found])


async def job_one(request: Request) -> Response:
    c = _ctx(request)
    job = jobs.get(c.own, c.principal, c.region, request.path_params["job_id"], poll=_polls(request))
    return _json(jobs.to_json(c.own, job, c.base))


async def job_file(request: Request) -> Response:
    c = _ctx(request)
    media, text = exports.file(c.own, c.principal, c.region, request.path_params["job_id"], request.path_params["name"])
    return Response(text, media_type=media)


# -- GDPR -----------------------------------------------------------------------------------------------
async def gdpr_rectify(request: Request) -> Response:
    c = _ctx(request)
    service = _service(c, request, write=True)
    job = gdpr.request(c.own, c.principal, service, await _body(request), forget=False)
    return _json({"job_id": job.num})


async def gdpr_forget(request: Request) -> Response:
    c = _ctx(request)
    service = _service(c, request, write=True)
    job = gdpr.request(c.own, c.principal, service, await _body(request), forget=True)
    return _json({"job_id": job.num})


# -- events ---------------------------------------------------------------------------------------------
async def events_list(request: Request) -> Response:
    c = _ctx(request)
    return _json(c.own.events_page(c.principal, single(query_params(request), "from")))


# -- seeding --------------------------------------------------------------------------------------------
async def templates_list(request: Request) -> Response:
    c = _ctx(request)
    found = seeding.templates(c.own, c.principal, c.region)
    return _json([seeding.template_json(c.own, t) for t in found])


async def seed_endpoint(request: Request) -> Response:
    c = _ctx(request)
    params = await _body(request)
    record, job = seeding.seed(c.own, c.principal, c.region, request.path_params["template_id"], params)
    return _json(seeding.seed_json(c.own, record, job))


async def seed_status(request: Request) -> Response:
    c = _ctx(request)
    seed_id = request.path_params["seed_id"]
    return _json(seeding.seed_status(c.own, c.principal, c.region, seed_id, poll=_polls(request)))


async def anonymize_endpoint(request: Request) -> Response:
    c = _ctx(request)
    params = await _body(request)
    job = seeding.anonymize(c.own, c.principal, c.region, request.path_params["template_id"], params)
    return _json({"job_id": job.num})


async def anonymize_status(request: Request) -> Response:
    c = _ctx(request)
    job_id = request.path_params["job_id"]
    return _json(seeding.anonymize_status(c.own, c.principal, c.region, job_id, poll=_polls(request)))


def _regional(path: str, endpoint: Handler, methods: list[str], *, slash_first: bool = False) -> list[BaseRoute]:
    """`path` under `/api/v1` and `/regions/<r>/api/v1`, each with and without a trailing slash; `slash_first`
    for a path ending in a `{…:path}` parameter, which would otherwise take the trailing slash into its value."""
    out: list[BaseRoute] = []
    for prefix in ("/api/v1", "/regions/{region}/api/v1"):
        pair = _both(prefix + path, endpoint, methods)
        out += reversed(pair) if slash_first else pair
    return out


_SVC = "/services/{service_id}"
_BKP = _SVC + "/backups/{backup_id}"
ROUTES: list[BaseRoute] = [
    *_both(tokens.TOKEN_PATH, token_endpoint, ["POST"]),
    *_both(tokens.REVOKE_PATH, revoke_endpoint, ["POST"]),
    *_both("/api/auth/v1/login", legacy_login, ["POST"]),
    *_both("/regions/{region}/api/auth/v1/login", legacy_login, ["POST"]),
    *_both("/api/auth/v1/logout", legacy_logout, ["POST"]),
    *_both("/regions/{region}/api/auth/v1/logout", legacy_logout, ["POST"]),
    *_regional("/services", services_list, ["GET"]),
    *_regional(_SVC, service_one, ["GET"]),
    *_regional(_SVC + "/backup_now", backup_now, ["POST"]),
    *_regional(_SVC + "/backup_specific_objects_now", backup_specific, ["POST"]),
    *_regional(_SVC + "/backups", backups_list, ["GET"]),
    *_regional(_BKP, backup_one, ["GET"]),
    *_regional(_BKP + "/objects", objects_list, ["GET"]),
    *_regional(_BKP + "/objects/{object_id}/download", object_download, ["GET"]),
    *_regional(_BKP + "/export", export_endpoint, ["POST"]),
    *_regional(_BKP + "/export_to_endpoint", export_to_endpoint, ["POST"]),
    *_regional(_SVC + "/gdpr/rectify", gdpr_rectify, ["POST"]),
    *_regional(_SVC + "/gdpr/forget", gdpr_forget, ["POST"]),
    *_regional("/jobs", jobs_list, ["GET"]),
    *_regional("/jobs/{job_id}", job_one, ["GET"]),
    # a file's name may hold `/` (an object `a/b`: its URL's `a%2Fb.csv` reaches the route decoded, `a/b.csv`)
    *_regional("/jobs/{job_id}/files/{name:path}", job_file, ["GET"], slash_first=True),
    *_regional("/events", events_list, ["GET"]),
    *_regional("/seeding/templates", templates_list, ["GET"]),
    *_regional("/seeding/templates/{template_id}/seed", seed_endpoint, ["POST"]),
    *_regional("/seeding/seed/{seed_id}", seed_status, ["GET"]),
    *_regional("/seeding/templates/{template_id}/anonymize", anonymize_endpoint, ["POST"]),
    *_regional("/seeding/anonymize/{job_id}", anonymize_status, ["GET"]),
    *PROFILE_ROUTES,
]

API = Api(
    name="own",
    routes=ROUTES,
    dialects=[
        ("/api/v1", own_dialect),
        ("/api/auth/", own_dialect),
        ("/regions/", own_dialect),
        ("/oauth2/", okta_dialect),
        ("/own/", own_dialect),
    ],
)

"""`GET /services/oauth2/authorize`: validate the client and redirect URI, then decide.

`decide()` returns either a redirect (code, or an error the client may see) or `NeedsLogin`, which the
HTTP layer renders as the login / consent page. Errors about the client or the redirect URI itself are
never redirected: they are a 400 page with an urlencoded body, as Salesforce does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .. import ids
from ..fieldwise import Value
from ..http.forms import Params
from ..redirects import add_params
from .errors import AuthorizePageError, OAuthError
from .models import ConnectedApp, User
from .service import SalesforceService

RESPONSE_TYPES = ("code", "token", "token id_token", "id_token token", "hybrid_token")


@dataclass(frozen=True, repr=False, eq=False)
class AuthorizeRequest(Value):
    """A checked `/services/oauth2/authorize` request."""

    app: ConnectedApp
    response_type: str
    redirect_uri: str
    scope: str | None
    state: str | None
    code_challenge: str | None
    nonce: str | None
    login_hint: str | None
    prompt: set[str] = field(default_factory=set)
    immediate: bool = False
    display: str = "page"
    response_mode: str | None = None  # "query" | "fragment" (Discovery's default when none is advertised); else None
    id_token_hint: str | None = None
    max_age: str | None = None  # as given (`refusal` checks it is ASCII digits); `max_age_seconds` reads it


@dataclass(frozen=True, repr=False, eq=False)
class Redirect(Value):
    """Where authorize sends the browser next, and for which user and app."""

    url: str
    # set when the redirect carries a code or tokens: the user who signed in to the app (the browser session
    # that did it records the app, whose Single Logout URL its logout notifies)
    user_id: str | None = None
    app_id: str | None = None


@dataclass(frozen=True, repr=False, eq=False)
class NeedsLogin(Value):
    """An authorize request that waits for the user to sign in (with the error to show, if any)."""

    request: AuthorizeRequest
    error: str | None = None


def parse(service: SalesforceService, params: Params) -> AuthorizeRequest:
    app = service.app_by_client_id(params.get("client_id"))
    if app is None:
        raise AuthorizePageError("invalid_client_id", "client identifier invalid")
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri:
        raise AuthorizePageError("redirect_uri_missing", "redirect_uri not provided")
    if redirect_uri not in app.callback_urls:  # exact match: no prefixes, no wildcards
        raise AuthorizePageError("redirect_uri_mismatch", "redirect_uri must match configuration")
    return AuthorizeRequest(
        app=app,
        response_type=(params.get("response_type") or "").strip(),
        redirect_uri=redirect_uri,
        scope=params.get("scope"),
        state=params.get("state"),
        code_challenge=params.get("code_challenge") or None,
        nonce=params.get("nonce"),
        login_hint=params.get("login_hint"),
        prompt=set((params.get("prompt") or "").split()),
        immediate=(params.get("immediate") or "").lower() == "true",
        display=params.get("display") or "page",
        response_mode=_response_mode(params.get("response_mode")),
        id_token_hint=params.get("id_token_hint") or None,
        max_age=params.get("max_age") or None,
    )


def max_age_seconds(req: AuthorizeRequest) -> int | None:
    """OIDC Core 3.1.2.1 `max_age`: the most seconds since the user last signed in that the client accepts; None
    when absent or malformed (`refusal` refuses the request then). Over 15 digits is as good as forever."""
    text = req.max_age
    if text is None or not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text.lstrip("0")) <= 15 else 10**15


def fresh_enough(service: SalesforceService, req: AuthorizeRequest, signed_in_at: float | None) -> bool:
    """Whether a browser session signed in at `signed_in_at` (None: unknown) satisfies the request's `max_age`
    (OIDC Core 3.1.2.1: more seconds than that since the user last actively authenticated -> sign in again;
    `max_age=0` is `prompt=login`). Without `max_age`, any session does."""
    limit = max_age_seconds(req)
    if limit is None:
        return True
    if signed_in_at is None or limit == 0:
        return False
    return service.clock.now() - signed_in_at <= limit


def auth_time(req: AuthorizeRequest, signed_in_at: float | None) -> int | None:
    """The ID token's `auth_time` (epoch seconds of the sign-in), which OIDC Core 2 makes REQUIRED when `max_age`
    was requested; None otherwise (Salesforce's claim list is the mock's inference: nothing added unasked)."""
    if req.max_age is None or signed_in_at is None:
        return None
    return int(signed_in_at)


def _response_mode(value: str | None) -> str | None:
    """The requested `response_mode` if it is one the discovery document advertises by omitting the member (OIDC
    Discovery 1.0 §3: default ["query", "fragment"]); any other value (`form_post` ...) is not acted on."""
    return value if value in ("query", "fragment") else None


def in_fragment(req: AuthorizeRequest) -> bool:
    """Where the response goes: the fragment for token response types (OAuth 2.0 Multiple Response Type Encoding
    Practices §3) or when asked for with `response_mode=fragment` (§2.1); else the query."""
    return (
        req.response_mode == "fragment" or req.response_type == "hybrid_token" or "token" in req.response_type.split()
    )


def redirect(req: AuthorizeRequest, values: dict[str, str], *, fragment: bool = False) -> Redirect:
    """`values` (plus `state`) added to the redirect URI's query, or put in its fragment."""
    if req.state is not None:
        values = {**values, "state": req.state}
    return Redirect(add_params(req.redirect_uri, values, fragment=fragment))


def error_redirect(req: AuthorizeRequest, error: str, description: str) -> Redirect:
    return redirect(req, {"error": error, "error_description": description}, fragment=in_fragment(req))


def decide(
    service: SalesforceService,
    params: Params,
    *,
    session_user: User | None = None,
    signed_in_at: float | None = None,
    base: str = "",
) -> Redirect | NeedsLogin:
    """`session_user`: who is logged in on the login page (the `sid` cookie), `signed_in_at` when they signed in
    (None: unknown); `base`: the mock's base URL."""
    req = parse(service, params)
    refused = refusal(service, req)
    if refused is not None:
        return refused
    user = service.user_by_username(req.login_hint)
    # OIDC Core 3.1.2.1 `id_token_hint`: only the user the hint names may be approved without a login
    if not hinted(service, req, user):
        user = None
    # a My Domain signs in its own org's users only: another org's user (hinted or logged in) is unknown there
    if user is not None and service.foreign_org(user.org_id, base):
        user = None
    if session_user is not None and service.foreign_org(session_user.org_id, base):
        session_user = None
    # a session older than `max_age` (or of unknown age) is no sign-in for this request: the login page again
    relogin = session_user is not None and (
        not hinted(service, req, session_user) or not fresh_enough(service, req, signed_in_at)
    )
    if relogin:
        session_user = None
    # the mock's shortcut (a login_hint signs in without a password) is the auto-approved apps' only: a user's
    # earlier approval spares the consent page, not the login; and it signs no one in when the client asks how
    # recent the sign-in is
    headless = (
        req.app.auto_approve
        and user is not None
        and user.org_id == req.app.org_id
        and signs_in(service, user)
        and not ({"login", "consent"} & req.prompt)
        and req.max_age is None
    )
    if headless and user is not None:
        return approve(service, req, user, base=base)
    if (
        session_user is not None
        and session_user.org_id == req.app.org_id
        and signs_in(service, session_user)
        and not ({"login", "consent"} & req.prompt)
        and approved(service, req.app, session_user)
    ):
        return approve(service, req, session_user, base=base, signed_in_at=signed_in_at)
    if req.immediate:  # Salesforce's documented answer wins over OIDC's prompt=none (undocumented there)
        return error_redirect(req, "immediate_unsuccessful", "immediate unsuccessful")
    if "none" in req.prompt:  # OIDC Core 3.1.2.1: no login or consent page; 3.1.2.6: say which one was needed
        logged_in = (
            session_user is not None and session_user.org_id == req.app.org_id and signs_in(service, session_user)
        )
        if logged_in:
            return error_redirect(req, "consent_required", "consent required")
        return error_redirect(req, "login_required", "login required")
    if relogin:  # the page asks for a login, not for the consent of the session's user
        return NeedsLogin(replace(req, prompt=req.prompt | {"login"}))
    return NeedsLogin(req)


def refusal(service: SalesforceService, req: AuthorizeRequest) -> Redirect | None:
    """The error redirect for an authorize request the app may not make (its response type, response mode, PKCE,
    scopes, prompt), or None. Every step of the flow applies it: the first GET and the login and consent forms,
    whose hidden field carries the request again (an edited one is refused as the GET would be)."""
    if req.response_type not in RESPONSE_TYPES:
        return error_redirect(req, "unsupported_response_type", "response type not supported")
    if req.response_mode == "query" and in_fragment(replace(req, response_mode=None)):
        # Multiple Response Types §2.1: tokens never go in the query (the refusal goes in the fragment)
        return error_redirect(req, "invalid_request", "response_mode query not allowed for this response type")
    if req.app.pkce_required and req.response_type == "code" and not req.code_challenge:
        # PKCE is for "the OAuth authorization code flow and its derivatives" (Salesforce Help, remoteaccess_pkce):
        # the user-agent flows have no code exchange a challenge could guard, and are not refused
        return error_redirect(req, "invalid_request", "missing required code challenge")
    try:
        service.grant_scopes(req.app, req.scope)
    except Exception:
        return error_redirect(req, "invalid_scope", "requested scope is invalid, unknown, or malformed")
    if "none" in req.prompt and len(req.prompt) > 1:  # OIDC Core 3.1.2.1: none with another value is an error
        return error_redirect(req, "invalid_request", "prompt none cannot be combined with other values")
    if req.max_age is not None and max_age_seconds(req) is None:  # OIDC Core 3.1.2.1: a number of seconds
        return error_redirect(req, "invalid_request", "max_age must be a non-negative integer")
    return None


def approved(service: SalesforceService, app: ConnectedApp, user: User) -> bool:
    """Whether `user` may be given `app`'s code or tokens with no consent page: the app is auto-approved, or the
    user approved it before and that approval is live (Salesforce remembers it; spec 2.2 `immediate` fails only
    for a user "not logged-in/approved"). `prompt=consent` asks again all the same (the callers check it)."""
    return app.auto_approve or service.has_approved(app, user)


def signs_in(service: SalesforceService, user: User) -> bool:
    """Whether `user` may be signed in to an app now: active, in an org that is not locked, closed or suspended
    (`inactive_org`, spec 1.5; the token endpoint's `require_active` and the login page refuse the others)."""
    return service.active(user)


def hinted(service: SalesforceService, req: AuthorizeRequest, user: User | None) -> bool:
    """Whether `user` is the one `id_token_hint` names (True without a hint): the hint is an ID token the mock
    signed (with any key `/id/keys` publishes; an expired one too, OIDC Core 3.1.2.1) whose `sub` is the identity
    URL of `user`. A hint the mock did not sign names no one."""
    if req.id_token_hint is None:
        return True
    if user is None:
        return False
    claims = service.runtime.keys.verify(req.id_token_hint, "rsa")
    sub = claims.get("sub") if claims is not None else None
    return isinstance(sub, str) and sub.rsplit("/", 1)[-1] == ids.to18(user.id)


def approve(
    service: SalesforceService, req: AuthorizeRequest, user: User, *, base: str = "", signed_in_at: float | None = None
) -> Redirect:
    """The user said yes: redirect with a code (or, for other response types, what they ask for). `signed_in_at`:
    when the user signed in (the ID token's `auth_time` when `max_age` was asked for). A user who may not be
    signed in now (deactivated, or the org locked since the page was shown) gets the token endpoint's refusal
    (`inactive_user` / `inactive_org`, spec 1.5) in the redirect, never a code or tokens."""
    try:
        service.require_active(user)
    except OAuthError as exc:
        return error_redirect(req, exc.error, exc.description)
    when = auth_time(req, signed_in_at)
    if req.response_type != "code":
        from .user_agent import token_redirect  # tokens in the fragment: user-agent and hybrid flows

        return replace(token_redirect(service, req, user, base, when), user_id=user.id, app_id=req.app.id)
    scopes = service.grant_scopes(req.app, req.scope)
    code = service.new_code(
        org=service.org(user.org_id),
        app=req.app,
        user=user,
        redirect_uri=req.redirect_uri,
        scopes=scopes,
        code_challenge=req.code_challenge,
        nonce=req.nonce,
        auth_time=when,
    )
    return replace(redirect(req, {"code": code}, fragment=in_fragment(req)), user_id=user.id, app_id=req.app.id)


def deny(req: AuthorizeRequest) -> Redirect:
    return error_redirect(req, "access_denied", "end-user denied authorization")

"""The login and consent pages of the authorize flow, and the device flow's verification page.

Plain server-rendered HTML forms: no JavaScript needed. Every form carries an anti-CSRF token and every
POST checks it and refuses a cross-site post (`ui/csrf.py`, shared with Marketing Cloud's page); a
successful login sets the signed `sid` cookie.

Authorize: `GET /services/oauth2/authorize` without auto-approval renders the login page (username
prefilled from `login_hint`; a logged-in browser skips it unless `prompt=login`), then the Allow / Deny
page when the app is not auto-approved or `prompt=consent`. The pages post to
`/services/oauth2/authorize/login` and `/services/oauth2/authorize/consent` with the original query in a
hidden field; the authorize request is validated again on every step. A wrong password shows the error
and counts toward the user's lockout (`SalesforceService.login`).

Device: `/setup/connect` logs the user in, takes the user code, shows the app and its scopes, and records
the decision; the device's next poll gets its tokens or `access_denied`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..fieldwise import Value
from ..http.api import base_url, runtime_of
from ..http.forms import Params, read_params
from ..http.responses import no_store_redirect
from ..salesforce import authorize as authz
from ..salesforce import device as dev
from ..salesforce.errors import OAuthError
from ..salesforce.models import ConnectedApp, User
from ..salesforce.service import SalesforceService
from .csrf import Page
from .paths import CONSENT_ACTION, DEVICE_ACTION, LOGIN_ACTION
from .session import BrowserSession, current_session, note_signin, start_session

BAD_LOGIN = "Please check your username and password. If you still can't log in, contact your Salesforce administrator."
LOCKED = "Your access has been locked because of too many failed login attempts. Try again later."
SCOPE_LABELS = {
    "api": "Access and manage your data (api)",
    "refresh_token": "Perform requests on your behalf at any time (refresh_token, offline_access)",
    "offline_access": "Perform requests on your behalf at any time (refresh_token, offline_access)",
    "id": "Access your basic information (id, profile, email, address, phone)",
    "profile": "Access your basic information (id, profile, email, address, phone)",
    "email": "Access your basic information (id, profile, email, address, phone)",
    "openid": "Access unique user identifiers (openid)",
    "web": "Provide access to your data via the Web (web)",
    "full": "Full access (full)",
}
DISPLAYS = ("page", "popup", "touch", "mobile")
STYLE = (
    "body{font-family:Arial,Helvetica,sans-serif;background:#f3f3f3;margin:0;color:#16325c}"
    "main{background:#fff;max-width:380px;margin:40px auto;padding:24px;border:1px solid #d8dde6;border-radius:4px}"
    "body.display-popup main{margin:8px auto}body.display-touch main,body.display-mobile main{max-width:none;"
    "margin:0;border:0}label{display:block;margin:12px 0 4px;font-size:13px}input[type=text],input[type=email],"
    "input[type=password]{width:100%;box-sizing:border-box;padding:10px;font-size:15px}"
    "button{margin-top:16px;padding:10px 18px;font-size:15px;border:1px solid #0070d2;border-radius:4px;"
    "background:#0070d2;color:#fff;cursor:pointer}button.secondary{background:#fff;color:#0070d2}"
    ".error{color:#c23934;background:#fdf0ef;padding:10px;border-radius:4px}ul{padding-left:20px}"
)


# -- rendering ----------------------------------------------------------------------------------------
def _html(page: Page, title: str, body: str, *, display: str = "page", status: int = 200, head: str = "") -> Response:
    display = display if display in DISPLAYS else "page"
    viewport = (
        "<meta name='viewport' content='width=device-width, initial-scale=1'>" if display in ("touch", "mobile") else ""
    )
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"{head}{viewport}<title>{escape(title)} | Salesforce</title><style>{STYLE}</style></head>"
        f"<body class='display-{display}'><main>{body}</main></body></html>"
    )
    return page.finish(HTMLResponse(html, status_code=status))


def _hidden(page: Page, fields: dict[str, str]) -> str:
    out = f"<input type='hidden' name='_csrf' value='{escape(page.csrf, quote=True)}'>"
    for name, value in fields.items():
        out += f"<input type='hidden' name='{escape(name, quote=True)}' value='{escape(value, quote=True)}'>"
    return out


def login_page(
    page: Page,
    *,
    action: str,
    fields: dict[str, str],
    title: str,
    username: str = "",
    error: str | None = None,
    display: str = "page",
    status: int = 200,
) -> Response:
    error_html = f"<p class='error' role='alert' id='error'>{escape(error)}</p>" if error else ""
    body = (
        f"<h1>Log in</h1><p>to <strong>{escape(title)}</strong></p>{error_html}"
        f"<form method='post' action='{escape(page.here(action), quote=True)}' id='login'>{_hidden(page, fields)}"
        "<label for='username'>Username</label>"
        f"<input type='email' id='username' name='username' value='{escape(username, quote=True)}' "
        "autocomplete='username' required>"
        "<label for='password'>Password</label>"
        "<input type='password' id='password' name='password' autocomplete='current-password' required>"
        "<button type='submit' id='Login' name='Login' value='Log In'>Log In</button></form>"
    )
    return _html(page, "Login", body, display=display, status=status)


def consent_page(
    page: Page,
    *,
    action: str,
    fields: dict[str, str],
    app: ConnectedApp,
    user: User,
    scopes: list[str],
    display: str = "page",
) -> Response:
    labels = list(dict.fromkeys(SCOPE_LABELS.get(s, f"Access {s} ({s})") for s in scopes))
    items = "".join(f"<li>{escape(label)}</li>" for label in labels)
    body = (
        f"<h1>Allow Access?</h1><p><strong>{escape(app.name)}</strong> is asking to:</p><ul>{items}</ul>"
        f"<p>You are logged in as <strong id='who'>{escape(user.username)}</strong>.</p>"
        f"<form method='post' action='{escape(page.here(action), quote=True)}' id='consent'>{_hidden(page, fields)}"
        "<button type='submit' class='secondary' id='deny' name='decision' value='deny'>Deny</button> "
        "<button type='submit' id='allow' name='decision' value='allow'>Allow</button></form>"
    )
    return _html(page, "Allow Access", body, display=display)


def message_page(page: Page, title: str, text: str, *, status: int = 200) -> Response:
    return _html(page, title, f"<h1>{escape(title)}</h1><p id='message'>{escape(text)}</p>", status=status)


def single_logout_page(page: Page, urls: list[str], then: str, delay: int) -> Response:
    """The logged-out page of a session with Single Logout apps (front-channel SLO, no JavaScript needed): one
    hidden iframe per app's Single Logout URL, which the browser loads with its own cookies for that app, and
    a refresh that goes on to `then` after `delay` seconds (Salesforce: "delayed for about 10 seconds")."""
    target = escape(then, quote=True)
    refresh = f"<meta http-equiv='refresh' content='{max(delay, 0)};url={target}'>"
    frames = "".join(
        f"<iframe class='slo' src='{escape(url, quote=True)}' title='Single Logout' hidden "
        "width='0' height='0'></iframe>"
        for url in urls
    )
    body = (
        "<h1>Logged Out</h1><p id='message'>You have been logged out.</p>"
        f"<p><a id='continue' href='{target}'>Continue</a></p>{frames}"
    )
    return _html(page, "Logged Out", body, head=refresh)


def forbidden(page: Page) -> Response:
    """The answer to a form whose anti-CSRF token is missing or wrong, or that another site posted."""
    text = "Your form expired. Go back, reload the page and try again."
    return message_page(page, "Session expired", text, status=403)


def login_error(service: SalesforceService, username: str | None, base: str | None = None) -> str:
    """The page's text for a refused login at `base`: another org's user on an org's My Domain is unknown there
    (the wrong username/password text, never whether that user is locked out)."""
    user = service.user_by_username(username)
    if user is not None and base is not None and service.foreign_org(user.org_id, base):
        return BAD_LOGIN
    if user is not None and user.locked(service.clock.now()):
        return LOCKED
    return BAD_LOGIN


def _authenticate(
    service: SalesforceService, username: str | None, password: str | None, org_id: str, base: str
) -> User:
    """The user, or `OAuthError` (a wrong password counts toward the lockout; another org's user on an org's My
    Domain is unknown there, `SalesforceService.sign_in`)."""
    user = service.sign_in(username, password, base)
    if user.org_id != org_id:
        raise OAuthError("invalid_grant", "authentication failure")
    return user


# -- the authorize flow -------------------------------------------------------------------------------
def _service(request: Request) -> SalesforceService:
    return runtime_of(request).salesforce


def session_here(request: Request) -> BrowserSession | None:
    """The browser's session, unless this host is another org's My Domain (where its user is unknown)."""
    session = current_session(request)
    if session is not None and _service(request).foreign_org(session.user.org_id, base_url(request)):
        return None
    return session


def session_user_here(request: Request) -> User | None:
    """The browser's user, unless this host is another org's My Domain (where that user is unknown)."""
    session = session_here(request)
    return session.user if session is not None else None


def _query(req: authz.AuthorizeRequest) -> str:
    """The authorize request again as a query string (GET or POST alike), for the next form."""
    values = {
        "response_type": req.response_type,
        "client_id": req.app.client_id,
        "redirect_uri": req.redirect_uri,
        "scope": req.scope,
        "state": req.state,
        "code_challenge": req.code_challenge,
        "nonce": req.nonce,
        "login_hint": req.login_hint,
        "prompt": " ".join(sorted(req.prompt)) or None,
        "display": req.display if req.display != "page" else None,
        "response_mode": req.response_mode,
        "id_token_hint": req.id_token_hint,
        "max_age": req.max_age,
    }
    return urlencode({k: v for k, v in values.items() if v is not None})


def render_login(request: Request, decision: authz.NeedsLogin) -> Response:
    """The page `GET /services/oauth2/authorize` shows when it cannot redirect at once."""
    page = Page(request)
    req = decision.request
    query = _query(req)
    user = session_user_here(request)
    if user is not None and user.org_id == req.app.org_id and "login" not in req.prompt:
        return _consent(page, req, user, query)
    return login_page(
        page,
        action=LOGIN_ACTION,
        fields={"q": query},
        title=req.app.name,
        username=req.login_hint or "",
        error=decision.error,
        display=req.display,
    )


def _consent(page: Page, req: authz.AuthorizeRequest, user: User, query: str) -> Response:
    scopes = _service(page.request).grant_scopes(req.app, req.scope)
    return consent_page(
        page, action=CONSENT_ACTION, fields={"q": query}, app=req.app, user=user, scopes=scopes, display=req.display
    )


async def _form(request: Request) -> Params:
    return await read_params(request, runtime_of(request).config.max_body_bytes)


def redirect(url: str) -> Response:
    """A 302 to `url` that no cache keeps (`no_store_redirect`, the one every authorize endpoint answers with)."""
    return no_store_redirect(url)


@dataclass(frozen=True, repr=False, eq=False)
class _Submitted(Value):
    """A login or consent form that passed the anti-CSRF check, with the authorize request it carries (`q`)."""

    page: Page
    form: Params
    query: str
    service: SalesforceService
    req: authz.AuthorizeRequest


async def _submitted(request: Request) -> _Submitted | Response:
    """The posted form; the 403 page when its anti-CSRF token does not match; the error redirect when the
    authorize request it carries (`q`) is one the first GET refuses (`authorize.refusal`)."""
    page = Page(request)
    form = await _form(request)
    if page.refused(form.get("_csrf")):
        return forbidden(page)
    query = form.get("q") or ""
    service = _service(request)
    req = authz.parse(service, Params(parse_qsl(query, keep_blank_values=True)))  # as `query_params` reads a GET
    refused = authz.refusal(service, req)
    if refused is not None:
        return page.finish(redirect(refused.url))
    return _Submitted(page, form, query, service, req)


async def login_submit(request: Request) -> Response:
    posted = await _submitted(request)
    if isinstance(posted, Response):
        return posted
    page, form, query, service, req = posted.page, posted.form, posted.query, posted.service, posted.req
    username = form.get("username")
    try:
        user = _authenticate(service, username, form.get("password"), req.app.org_id, base_url(request))
    except OAuthError:
        return login_page(
            page,
            action=LOGIN_ACTION,
            fields={"q": query},
            title=req.app.name,
            username=username or "",
            error=login_error(service, username, base_url(request)),
            display=req.display,
        )
    issued = None
    now = service.clock.now()  # the sign-in: the session's and (with max_age) the ID token's auth_time
    if not authz.hinted(service, req, user):  # OIDC Core 3.1.2.1: logged in, but not as the hint's user
        response = redirect(authz.error_redirect(req, "login_required", "login required").url)
    elif "consent" not in req.prompt and authz.approved(service, req.app, user):
        issued = authz.approve(service, req, user, base=base_url(request), signed_in_at=now)
        response = redirect(issued.url)
    else:
        response = _consent(page, req, user, query)
    session = start_session(request, response, user, now=now)
    if issued is not None:
        note_signin(request, issued, session)
    return page.finish(response)


async def consent_submit(request: Request) -> Response:
    posted = await _submitted(request)
    if isinstance(posted, Response):
        return posted
    page, form, query, service, req = posted.page, posted.form, posted.query, posted.service, posted.req
    session = session_here(request)
    user = session.user if session is not None else None
    if session is None or user is None or user.org_id != req.app.org_id:
        return login_page(page, action=LOGIN_ACTION, fields={"q": query}, title=req.app.name, display=req.display)
    if not authz.hinted(service, req, user):  # OIDC Core 3.1.2.1: not the user `id_token_hint` names
        return page.finish(redirect(authz.error_redirect(req, "login_required", "login required").url))
    if form.get("decision") == "allow":
        # max_age was checked when the page was shown (authorize, or the login just before): the consent itself
        # is no sign-in, and checking again would loop `max_age=0` between the two pages
        issued = authz.approve(service, req, user, base=base_url(request), signed_in_at=session.signed_in_at)
        note_signin(request, issued, session)
        return page.finish(redirect(issued.url))
    return page.finish(redirect(authz.deny(req).url))


# -- the device flow's verification page --------------------------------------------------------------
def _code_page(page: Page, user: User, code: str = "", error: str | None = None) -> Response:
    error_html = f"<p class='error' role='alert' id='error'>{escape(error)}</p>" if error else ""
    body = (
        f"<h1>Connect Your Device</h1>{error_html}<p>Logged in as <strong>{escape(user.username)}</strong>. "
        "Enter the code displayed on your device.</p>"
        f"<form method='post' action='{escape(page.here(DEVICE_ACTION), quote=True)}' id='connect'>"
        f"{_hidden(page, {'action': 'code'})}"
        "<label for='user_code'>Code</label>"
        f"<input type='text' id='user_code' name='user_code' value='{escape(code, quote=True)}' "
        "autocomplete='off' required><button type='submit' id='next'>Connect</button></form>"
    )
    return _html(page, "Connect Your Device", body)


async def device_page(request: Request) -> Response:
    """`GET|POST /setup/connect`: log in, enter the user code, Allow / Deny."""
    page = Page(request)
    service = _service(request)
    form = await _form(request) if request.method == "POST" else Params(request.query_params.multi_items())
    if request.method == "POST" and page.refused(form.get("_csrf")):
        return forbidden(page)
    action = (form.get("decision") or form.get("action")) if request.method == "POST" else None
    code = form.get("user_code") or ""
    user = session_user_here(request)  # on an org's My Domain: that org's users only
    fresh_login = False
    if action == "login":
        username = form.get("username")
        try:
            user = service.sign_in(username, form.get("password"), base_url(request))
        except OAuthError:
            return login_page(
                page,
                action=DEVICE_ACTION,
                fields={"action": "login", "user_code": code},
                title="Connect Your Device",
                username=username or "",
                error=login_error(service, username, base_url(request)),
            )
        fresh_login = True
    if user is None:
        return login_page(
            page, action=DEVICE_ACTION, fields={"action": "login", "user_code": code}, title="Connect Your Device"
        )
    response = _device_step(page, service, user, action, code)
    if fresh_login:
        start_session(request, response, user)
    return response


def _device_step(page: Page, service: SalesforceService, user: User, action: str | None, code: str) -> Response:
    if action in ("allow", "deny"):
        try:
            dev.decide(service, code, user, allow=action == "allow")
        except dev.DeviceError as exc:
            return _code_page(page, user, code, str(exc))
        if action == "allow":
            return message_page(page, "Device Connected", "You can return to your device now.")
        return message_page(page, "Access Denied", "The device was not connected.")
    if action in ("code", "login") and code:
        try:
            device = dev.pending(service, code)
        except dev.DeviceError as exc:
            return _code_page(page, user, code, str(exc))
        app = service.apps.get(device.app_id)
        if app is None or app.org_id != user.org_id:
            return _code_page(page, user, code, "This code belongs to another organization.")
        fields = {"user_code": device.user_code}
        response = consent_page(page, action=DEVICE_ACTION, fields=fields, app=app, user=user, scopes=device.scopes)
        return response
    return _code_page(page, user, code)

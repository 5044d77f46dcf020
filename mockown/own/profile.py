"""The "Edit Profile" page: where an Own user generates and revokes their API token (plain HTML forms, no JS).

The real service has no public API for this; the page stands in for Own's UI. It is protected by a login
(e-mail and password) that sets an HttpOnly, SameSite=Strict session cookie, and by the form guard every mockown
page shares (`ui/csrf.py`): each form carries an anti-CSRF token bound to the `mockown_bid` browser cookie, a POST
without it (or from another site: `Origin` / `Sec-Fetch-Site`) is refused with 403 before anything changes, and
the pages cannot be framed (`X-Frame-Options: DENY`, `frame-ancestors 'none'`). SSO users confirm their password
on the Generate form (the documented rule).

    GET  /own/profile                 login form, or the profile of the signed-in user
    POST /own/profile                 sign in (email, password)
    POST /own/profile/token           generate the API token (password: required for SSO users)
    POST /own/profile/token/revoke    revoke it (everywhere, irreversibly)
    POST /own/profile/logout          sign out
"""

from __future__ import annotations

import secrets
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute

from .. import security
from ..http.api import root_path, runtime_of
from ..http.api import with_and_without_slash as _both
from ..http.forms import Params, read_params
from ..ui import csrf
from .errors import OwnError
from .models import OwnUser, WebSession
from .service import OwnService

COOKIE = "own_profile"
PATH = "/own/profile"


def _own(request: Request) -> OwnService:
    return runtime_of(request).own


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def _form(request: Request) -> Params:
    """The posted form, once the shared guard (`ui/csrf.py`) let it through; refused with 403 otherwise."""
    params = await read_params(request, runtime_of(request).config.max_body_bytes)
    why = csrf.refused(request, params.get(csrf.CSRF_FIELD))
    if why == csrf.CROSS_SITE:
        raise OwnError(403, "cross-site form posts are refused")
    if why is not None:
        raise OwnError(403, "the form's anti-CSRF token is missing or wrong: reload the page and try again")
    return params


def _session_user(request: Request) -> tuple[WebSession | None, OwnUser | None]:
    own = _own(request)
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None, None
    session = own.web_sessions.get(security.token_hash(raw))
    if session is None or own.clock.now() >= session.expires_at:
        return None, None
    user = own.user(session.user_id)
    if user is None or not user.active:
        return None, None
    return session, user


def _page(page: csrf.Page, title: str, body: str, status: int = 200) -> Response:
    html = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)} | Own</title></head><body>{body}</body></html>"
    )
    return page.finish(HTMLResponse(html, status_code=status))


def _form_open(page: csrf.Page, action: str) -> str:
    token = escape(page.csrf, quote=True)
    where = escape(page.here(action), quote=True)  # under the app's root path
    return f"<form method='post' action='{where}'><input type='hidden' name='{csrf.CSRF_FIELD}' value='{token}'>"


def _cookie_path(request: Request) -> str:
    """The profile session cookie's `Path`: the profile's pages, under the app's root path."""
    return root_path(request) + "/own/"


def _login_page(page: csrf.Page, message: str = "", status: int = 200) -> Response:
    note = f"<p class='error' role='alert'>{escape(message)}</p>" if message else ""
    return _page(
        page,
        "Sign in",
        "<h1>Own: sign in to edit your profile</h1>"
        f"{note}{_form_open(page, PATH)}"
        "<label>E-mail <input name='email' type='email' required></label> "
        "<label>Password <input name='password' type='password' required></label> "
        "<button type='submit'>Sign in</button></form>",
        status,
    )


def _profile_page(
    page: csrf.Page,
    own: OwnService,
    user: OwnUser,
    *,
    token: str | None = None,
    message: str = "",
    status: int = 200,
) -> Response:
    account = own.account(user.account_id)
    info = own.api_token_info(user.id)
    # a master_admin reaches every service of the account, whatever Business Units the seed gave them
    units = "all" if user.role == "master_admin" else ", ".join(user.business_units) or "none"
    parts = [
        "<h1>Edit Profile</h1>",
        f"<p>Signed in as <strong id='user-email'>{escape(user.email)}</strong> "
        f"(role {escape(user.role)}, Business Units: {escape(units)}"
        f"{', SSO' if user.sso else ''}) in account {escape(account.name)}.</p>",
    ]
    if message:
        parts.append(f"<p class='message' role='alert'>{escape(message)}</p>")
    parts.append("<h2>API Token</h2>")
    if token:
        parts.append(
            f"<p>Copy your API token now: it is shown only once.</p><p><code id='api-token'>{escape(token)}</code></p>"
        )
    if not account.api_tokens_enabled:
        parts.append("<p id='api-token-state'>API tokens are disabled for this account.</p>")
    elif info is None:
        password = (
            "<label>Confirm your password <input name='password' type='password' required></label> " if user.sso else ""
        )
        parts.append(
            "<p id='api-token-state'>You have no API token.</p>"
            f"{_form_open(page, PATH + '/token')}{password}<button type='submit'>Generate</button></form>"
        )
    else:
        parts.append(
            f"<p id='api-token-state'>API token ending in <code>{escape(info['hint'])}</code>, created "
            f"{escape(info['created_at'])}, expires {escape(info['expires_at'])}"
            f"{', last used ' + escape(info['last_used_at']) if info['last_used_at'] else ''}.</p>"
            f"{_form_open(page, PATH + '/token/revoke')}"
            "<button type='submit'>Revoke</button> (irreversible; applies in every region)</form>"
        )
    parts.append(f"{_form_open(page, PATH + '/logout')}<button type='submit'>Sign out</button></form>")
    return _page(page, "Edit Profile", "".join(parts), status)


async def profile(request: Request) -> Response:
    page = csrf.Page(request)
    _, user = _session_user(request)
    if user is None:
        return _login_page(page)
    return _profile_page(page, _own(request), user)


async def login(request: Request) -> Response:
    own = _own(request)
    params = await _form(request)
    page = csrf.Page(request)
    user = own.user_by_email(params.get("email"))
    if user is None or not user.active or not own.check_password(user, params.get("password")):
        return _login_page(page, "Invalid e-mail or password.", 401)
    raw = secrets.token_urlsafe(32)
    now = own.clock.now()
    with own.store.atomic():
        own.web_sessions.put(
            WebSession(id=security.token_hash(raw), user_id=user.id, expires_at=now + own.settings.profile_session_ttl)
        )
        own.record_event(user.account_id, "user_login", user=user, ip=_ip(request), source="web app")
    response = _profile_page(page, own, user)
    response.set_cookie(
        COOKIE, raw, httponly=True, samesite="strict", path=_cookie_path(request), secure=csrf.secure(request)
    )
    return response


async def generate(request: Request) -> Response:
    own = _own(request)
    params = await _form(request)
    page = csrf.Page(request)
    _, user = _session_user(request)
    if user is None:
        return _login_page(page, "Your session has ended: sign in again.", 401)
    password = params.get("password") or None
    try:
        token = own.generate_api_token(user.id, password if user.sso else None, ip=_ip(request))
    except OwnError as exc:
        return _profile_page(page, own, user, message=exc.message, status=exc.status)
    return _profile_page(page, own, user, token=token, message="API token generated. An e-mail was sent to you.")


async def revoke(request: Request) -> Response:
    own = _own(request)
    await _form(request)
    page = csrf.Page(request)
    _, user = _session_user(request)
    if user is None:
        return _login_page(page, "Your session has ended: sign in again.", 401)
    try:
        own.revoke_api_token(user.id, ip=_ip(request))
    except OwnError as exc:
        return _profile_page(page, own, user, message=exc.message, status=exc.status)
    return _profile_page(page, own, user, message="API token revoked in every region. An e-mail was sent to you.")


async def logout(request: Request) -> Response:
    own = _own(request)
    await _form(request)
    page = csrf.Page(request)
    session, user = _session_user(request)
    if session is not None and user is not None:
        with own.store.atomic():
            own.web_sessions.delete(session.id)
            own.record_event(user.account_id, "user_logout", user=user, ip=_ip(request), source="web app")
    response = _login_page(page, "Signed out.")
    response.delete_cookie(COOKIE, path=_cookie_path(request))
    return response


# each with one trailing slash too (never Starlette's empty 307, which a browser follows as a GET without the form)
ROUTES: list[BaseRoute] = [
    *_both(PATH, profile, ["GET"]),
    *_both(PATH, login, ["POST"]),
    *_both(PATH + "/token", generate, ["POST"]),
    *_both(PATH + "/token/revoke", revoke, ["POST"]),
    *_both(PATH + "/logout", logout, ["POST"]),
]

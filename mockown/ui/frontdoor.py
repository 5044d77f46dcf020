"""Browser sessions that start or end outside the authorize flow (`salesforce/web.py` holds the rules).

* `GET /secur/frontdoor.jsp?sid=<access token>&retURL=<path>` (or `?otp=` from `singleaccess`): a live
  session id logs the browser in as its user (the signed `sid` cookie) and redirects to `retURL` (a path on
  this host; else `/`). A dead or unknown one goes to the login page, `/?ec=302&startURL=<retURL>`.
* `GET|POST /`: the login page (Salesforce's is the host's root); logging in redirects to `startURL`.
* `GET|POST /services/auth/idp/oidc/logout`: ends the browser session (the cookie is cleared), then
  redirects to `post_logout_redirect_uri` when it is a registered callback URL of the client, else shows
  a logged-out page. When the session had signed in to apps with a Single Logout URL (front-channel SLO), the
  answer is instead a page with one hidden iframe per such URL and a refresh, after `slo_redirect_delay`
  seconds, to where the browser would have gone (the redirect above, else the login page). A POST that
  comes without the `sid` cookie (an RP's cross-site form: SameSite=Lax keeps it back) is answered 303 to the
  GET form of the same logout, which the browser sends with its cookie.
* `GET /secur/logout.jsp`: Salesforce's logout of the UI session: the same ending (SLO included), then the
  login page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..http.api import base_url, root_path, runtime_of
from ..http.forms import Params, read_params
from ..salesforce import web
from ..salesforce.errors import OAuthError
from .csrf import Page, secure
from .login import forbidden, login_error, login_page, message_page, redirect, session_user_here, single_logout_page
from .paths import HOME, LOGOUT
from .session import SESSION_COOKIE, end_session, start_session


async def _params(request: Request) -> Params:
    params = Params(request.query_params.multi_items())
    if request.method == "POST":
        limit = runtime_of(request).config.max_body_bytes
        params = (await read_params(request, limit)).merged_under(params)
    return params


async def frontdoor(request: Request) -> Response:
    params = await _params(request)
    service = runtime_of(request).salesforce
    ret = web.safe_return(params.get("retURL"))
    sid = params.get("sid")
    # a session id's browser session is that session: it ends when the token is revoked or expires (spec 10)
    token_id: str | None = None
    if sid:
        foreign = service.foreign_session(sid, base_url(request))  # another org's, on this org's My Domain
        session = None if foreign else web.session_user(service, sid)
        user, token_id = session if session is not None else (None, None)
    else:
        user = web.redeem_otp(service, params.get("otp"))  # spent even here: a one-time password, tried once
        if user is not None and service.foreign_org(user.org_id, base_url(request)):
            user = None  # another org's user is unknown on this org's My Domain
    here = root_path(request)  # the pages' paths (and retURL, a path of this server) under the app's root path
    if user is None:
        return redirect(f"{here}{HOME}?{urlencode({'ec': '302', 'startURL': ret or HOME})}")
    response = redirect(here + (ret or HOME))
    start_session(request, response, user, token_id=token_id)
    return response


async def home(request: Request) -> Response:
    """The login page; a logged-in browser goes on to `startURL` (or sees who it is logged in as)."""
    page = Page(request)
    service = runtime_of(request).salesforce
    params = await _params(request)
    start = web.safe_return(params.get("startURL"))
    fields = {"startURL": start} if start else {}
    if request.method == "POST":
        if page.refused(params.get("_csrf")):
            return forbidden(page)
        username = params.get("username")
        try:
            logged_in = service.sign_in(username, params.get("password"), base_url(request))  # own org on a My Domain
        except OAuthError:
            error = login_error(service, username, base_url(request))
            return login_page(
                page, action=HOME, fields=fields, title="Salesforce", username=username or "", error=error
            )
        response = redirect(page.here(start or HOME))
        start_session(request, response, logged_in)
        return page.finish(response)
    user = session_user_here(request)  # another org's session is none on this org's My Domain
    if user is None:
        return login_page(page, action=HOME, fields=fields, title="Salesforce")
    if start:
        return page.finish(redirect(page.here(start)))
    return message_page(page, "Home", f"You are logged in as {user.username}.")


def _cleared(request: Request, response: Response) -> Response:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure(request))
    return response


def _single_logout(request: Request, page: Page, urls: list[str], then: str) -> Response:
    """The page that notifies the session's Single Logout apps, then goes on to `then`."""
    delay = runtime_of(request).config.salesforce.slo_redirect_delay
    return single_logout_page(page, urls, then, delay)


async def logout(request: Request) -> Response:
    page = Page(request)
    params = await _params(request)
    if request.method == "POST" and SESSION_COOKIE not in request.cookies:
        # an RP's cross-site form POST: the browser sends no SameSite=Lax `sid` with it, so the session would
        # outlive its logout (and its apps go unnotified): the same logout as a GET, which, top-level, carries it
        again = RedirectResponse(f"{page.here(LOGOUT)}?{urlencode(params.items())}", status_code=303)
        return page.finish(again)
    slo_urls = end_session(request)
    target = web.logout_redirect(runtime_of(request).salesforce, params)
    if slo_urls:  # front-channel SLO: every app of the session, the one that asked included
        response = _single_logout(request, page, slo_urls, target or page.here(HOME))
    elif target is not None:
        response = page.finish(redirect(target))
    else:
        response = message_page(page, "Logged Out", "You have been logged out.")
    return _cleared(request, response)


async def logout_jsp(request: Request) -> Response:
    """`GET /secur/logout.jsp`: Salesforce's own logout (the UI's): ends the session, SLO included, and goes to
    the login page (after the SLO page's delay when the session had Single Logout apps)."""
    page = Page(request)
    slo_urls = end_session(request)
    if slo_urls:
        return _cleared(request, _single_logout(request, page, slo_urls, page.here(HOME)))
    return _cleared(request, page.finish(redirect(page.here(HOME))))

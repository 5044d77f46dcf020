"""The protection every HTML form page of mockown shares: Salesforce's login, consent, device and frontdoor pages
Marketing Cloud's `/v2/authorize` sign-in page and Own's Edit Profile page (`own/profile.py`). One mechanism,
called from each page (`Page`, `refused`):

* `mockown_bid` (browser id): a random value set with the first page (HttpOnly, SameSite=Lax, Secure on https);
  every form carries `HMAC(Runtime.ui_secret, "csrf|" + bid)` in a hidden `_csrf` field, and a POST without the
  cookie or with another token is refused (double-submit with a signed token: a cross-site form can neither read
  nor forge either). The secret is the app's own, so two apps in one process never accept each other's tokens.
* A POST whose `Origin` is another site's, or (without one) whose `Sec-Fetch-Site` is not `same-origin`/`none`,
  is refused too (`http.api.same_origin`, the control plane's rule too; the configured base URL's host counts
  as this server's).
* Every page is sent with `Cache-Control: no-store`, `X-Frame-Options: DENY` and
  `Content-Security-Policy: frame-ancestors 'none'`: no other site may frame a page whose buttons post
  same-origin (clickjacking); and with `Referrer-Policy: no-referrer`: a page's URL (the OIDC logout page's
  `id_token_hint`, a login page's query) is never sent on to the sites it links or loads (Single Logout URLs).

Each page renders its own refusal (Salesforce: the "Session expired" page; Marketing Cloud: its own 403 page;
Own: a 403 in the Own dialect).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from .. import security
from ..http.api import base_url, root_path, runtime_of, same_origin

BROWSER_COOKIE = "mockown_bid"
CSRF_FIELD = "_csrf"
# the headers every HTML page carries besides `Cache-Control: no-store` (the dashboard's too)
PAGE_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}
CROSS_SITE = "cross-site"
BAD_TOKEN = "bad-token"


def secure(request: Request) -> bool:
    return base_url(request).startswith("https://")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax", secure=secure(request))


def browser_id(request: Request) -> str | None:
    value = request.cookies.get(BROWSER_COOKIE, "")
    return value if 16 <= len(value) <= 64 and value.isalnum() else None


def csrf_token(request: Request, bid: str) -> str:
    mac = hmac.new(runtime_of(request).ui_secret, f"csrf|{bid}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def csrf_ok(request: Request, token: str | None) -> bool:
    bid = browser_id(request)
    return bool(bid and token) and security.equal(token or "", csrf_token(request, bid or ""))


def cross_site(request: Request) -> bool:
    """Whether the request comes from another site's page (see the module's docstring)."""
    return not same_origin(request)


def refused(request: Request, token: str | None) -> str | None:
    """Why a posted form is refused (`CROSS_SITE`, `BAD_TOKEN`), or None when it may go on. `token` is the
    form's `_csrf` field."""
    if cross_site(request):
        return CROSS_SITE
    if not csrf_ok(request, token):
        return BAD_TOKEN
    return None


class Page:
    """What a page handler needs: the browser id (made on first sight) and the form's CSRF token."""

    def __init__(self, request: Request) -> None:
        self.request = request
        existing = browser_id(request)
        self.new_bid = existing is None
        self.bid = existing or secrets.token_hex(16)
        self.csrf = csrf_token(request, self.bid)

    def refused(self, token: str | None) -> str | None:
        return refused(self.request, token)

    def here(self, path: str) -> str:
        """`path` (a path of this server, `/...`) as the browser must ask for it: under the app's root path."""
        return root_path(self.request) + path

    def finish(self, response: Response) -> Response:
        """`response` with the browser-id cookie (first time) and the headers every page carries."""
        if self.new_bid:
            set_cookie(self.request, response, BROWSER_COOKIE, self.bid)
        response.headers["Cache-Control"] = "no-store"
        response.headers.update(PAGE_HEADERS)
        return response

"""Browser state of the login pages: a signed `sid` session cookie and anti-CSRF tokens.

Both are keyed by the app's own secret (`Runtime.ui_secret`), never by a module global, so two apps in one
process never accept each other's cookies. Cookies are HttpOnly and SameSite=Lax (Secure on https).

* `mockown_bid` (browser id) and the anti-CSRF token of every form: `ui/csrf.py`, shared with the other pages.
* `sid`: `{"u": user id, "exp": expiry, "a": when the user signed in}` signed with HMAC-SHA256; times on the
  app's clock, expiry `web_session_ttl` after the sign-in (authorize's `max_age` reads the sign-in time: a
  cookie without it, made before sessions had one, is of unknown age, so `max_age` asks for a login again).
  The user must still exist and be active. A session `frontdoor.jsp?sid=` started from an access token also
  holds the token's id (`"t"`) and lasts only while that token is live: an access token is a session id, and
  revoking it logs that session out (spec 5, 10). Each session has a random nonce (`"n"`): the OIDC logout
  files it as ended, so a copy of the cookie stops working too.
* The apps a session signed in to (authorize gave them a code or tokens for the session's user) are kept in
  the store against the nonce (`web.BrowserSessionApps`); ending the session returns their Single Logout URLs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .. import security
from ..fieldwise import Value
from ..http.api import runtime_of
from ..salesforce import web
from ..salesforce.authorize import Redirect
from ..salesforce.models import User
from .csrf import set_cookie

SESSION_COOKIE = "sid"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: bytes, payload: dict[str, Any]) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    mac = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    return f"{body}.{mac}"


def unsign(secret: bytes, value: str | None) -> dict[str, Any] | None:
    if not value or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    expected = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    if not security.equal(mac, expected):
        return None
    try:
        payload = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


@dataclass(frozen=True, repr=False, eq=False)
class BrowserSession(Value):
    """A live browser session: its user, its nonce (None for a cookie made before sessions had one), expiry, and
    when the user signed in (None for a cookie made before sessions recorded it)."""

    user: User
    nonce: str | None
    expires_at: float
    signed_in_at: float | None = None


def current_session(request: Request) -> BrowserSession | None:
    """The session of this browser (a valid, unexpired `sid`), or None."""
    runtime = runtime_of(request)
    payload = unsign(runtime.ui_secret, request.cookies.get(SESSION_COOKIE))
    if payload is None:
        return None
    exp = payload.get("exp")
    if not isinstance(exp, int | float) or runtime.clock.now() >= exp:
        return None
    token_id = payload.get("t")
    if token_id is not None and runtime.salesforce.live_session(str(token_id)) is None:
        return None
    nonce = payload.get("n")
    if nonce is not None and web.browser_session_ended(runtime.salesforce, str(nonce)):
        return None
    user = runtime.salesforce.user(str(payload.get("u", "")))
    if user is None or not runtime.salesforce.active(user):  # deactivated, or the org locked: no session
        return None
    signed_in_at = payload.get("a")
    if isinstance(signed_in_at, bool) or not isinstance(signed_in_at, int | float):
        signed_in_at = None
    return BrowserSession(user, str(nonce) if nonce is not None else None, float(exp), signed_in_at)


def session_user(request: Request) -> User | None:
    """The user logged in on this browser (a valid, unexpired `sid`), or None."""
    session = current_session(request)
    return session.user if session is not None else None


def note_signin(request: Request, issued: Redirect, session: BrowserSession | None = None) -> None:
    """When `issued` gave a code or tokens to the user of this browser's session (`session`, else the cookie's),
    record the app against that session: its logout notifies the app's Single Logout URL."""
    if issued.user_id is None or issued.app_id is None:
        return
    session = session or current_session(request)
    if session is None or session.nonce is None or session.user.id != issued.user_id:
        return
    web.note_app_signin(runtime_of(request).salesforce, session.nonce, session.expires_at, issued.app_id)


def end_session(request: Request) -> list[str]:
    """End this browser's session for good: a copy of its cookie is refused too (the cookie itself is cleared
    by the caller's response). Returns the Single Logout URLs of the apps the session signed in to (front-channel
    SLO: the caller's page loads each in the same browser)."""
    runtime = runtime_of(request)
    payload = unsign(runtime.ui_secret, request.cookies.get(SESSION_COOKIE))
    if payload is None or not isinstance(payload.get("n"), str) or not isinstance(payload.get("exp"), int | float):
        return []
    return web.end_browser_session(runtime.salesforce, payload["n"], float(payload["exp"]))


def start_session(
    request: Request, response: Response, user: User, *, token_id: str | None = None, now: float | None = None
) -> BrowserSession:
    """Log the browser in as `user` (signed in `now`, default the clock's now); with `token_id`, for as long as
    that access token is live too."""
    runtime = runtime_of(request)
    ttl = runtime.config.salesforce.web_session_ttl
    now = runtime.clock.now() if now is None else now
    session = BrowserSession(user, secrets.token_urlsafe(16), now + ttl, now)
    payload: dict[str, Any] = {"u": user.id, "exp": session.expires_at, "n": session.nonce, "a": now}
    if token_id is not None:
        payload["t"] = token_id
    value = sign(runtime.ui_secret, payload)
    set_cookie(request, response, SESSION_COOKIE, value)
    return session

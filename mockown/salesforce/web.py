"""The bridges between OAuth and the browser: My Domain's `/.well-known/auth-configuration`, the OIDC logout
endpoint's redirect rule, `frontdoor.jsp` and `/services/oauth2/singleaccess` (spec 6.2, 7.1, 10).

Plain rules over the store; `ui/frontdoor.py` is the HTTP side (cookies, pages, redirects).

* A My Domain is a host ending in `.my.salesforce.com` or the `my_domain` of a seeded org
  (`SalesforceService.on_my_domain`, which the jwt-bearer grant uses too); `auth-configuration` needs the org
  that owns the host.
* An opaque access token *is* a session id (spec 10): `frontdoor.jsp?sid=<token>` starts a browser session
  for its user. A JWT access token is not (spec 7.4: "usable only for REST APIs"), so it is refused there
  and by `singleaccess`, like any dead or unknown token.
* `singleaccess` trades a live OAuth session with the `web` (or `full`) scope for a `frontdoor_uri` holding
  a one-time `otp` (single use, `OTP_TTL` seconds, stored hashed).
* Front-channel Single Logout: the apps a browser session signed in to are kept against its nonce
  (`BrowserSessionApps`); ending the session returns their Single Logout URLs for the logout page's iframes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from .. import ids, security
from ..http.forms import Params
from ..redirects import add_params
from ..store.prune import DEAD_KEEP
from .errors import IdentityError
from .models import SOAP_SESSION_APP, BrowserSessionApps, ConnectedApp, EndedBrowserSession, FrontdoorOtp, Org, User
from .service import SalesforceService

OTP_TTL = 60.0  # seconds; Salesforce does not document it, a one-time link is used at once
WEB_SCOPES = frozenset({"web", "full"})  # `full` encompasses every other scope


def note_app_signin(service: SalesforceService, nonce: str, expires_at: float, app_id: str) -> None:
    """Record that the live browser session `nonce` signed in to the app `app_id` (once per app)."""
    if expires_at <= service.clock.now():
        return
    table = service.store.table(BrowserSessionApps)
    key = security.token_hash(nonce)
    with service.store.atomic():
        entry = table.get(key)
        if entry is None:
            table.put(BrowserSessionApps(key, [app_id], expires_at))
        elif app_id not in entry.app_ids:
            entry.app_ids = [*entry.app_ids, app_id]
            table.put(entry)


def end_browser_session(service: SalesforceService, nonce: str, expires_at: float) -> list[str]:
    """Refuse the browser session `nonce` from now on (a copy of its cookie included); expired entries go.
    Returns the Single Logout URLs to notify: those of the apps the session signed in to (each URL once, in
    sign-in order), when the session was live (not expired, not ended before); else []."""
    table = service.store.table(EndedBrowserSession)
    signins = service.store.table(BrowserSessionApps)
    now = service.clock.now()
    key = security.token_hash(nonce)
    with service.store.atomic():
        for old in [e for e in table.all() if e.expires_at <= now]:
            table.delete(old.id)
        for stale in [e for e in signins.all() if e.expires_at <= now]:
            signins.delete(stale.id)
        live = expires_at > now and table.get(key) is None
        entry = signins.get(key)
        if entry is not None:
            signins.delete(key)
        if expires_at > now:
            table.put(EndedBrowserSession(key, expires_at))
    if not live or entry is None:
        return []
    urls: list[str] = []
    for app_id in entry.app_ids:
        app = service.apps.get(app_id)
        if app is not None and app.single_logout_url and app.single_logout_url not in urls:
            urls.append(app.single_logout_url)
    return urls


def browser_session_ended(service: SalesforceService, nonce: str) -> bool:
    return service.store.table(EndedBrowserSession).get(security.token_hash(nonce)) is not None


def my_domain_org(service: SalesforceService, base: str) -> Org | None:
    """The org whose My Domain `base` is, or None (also for a `*.my.salesforce.com` no seeded org owns)."""
    host = service.documents.host(base)
    return service.orgs.first("my_domain", host) if host else None  # "" (no host) is no org's My Domain


def auth_configuration(service: SalesforceService, base: str) -> dict[str, Any] | None:
    """My Domain's `/.well-known/auth-configuration` (spec 7.1, the postman example's members in its order);
    None when `base` is no org's My Domain. `MobileSDK`'s members are the ones the Mobile SDK reads."""
    org = my_domain_org(service, base)
    if org is None:
        return None
    return {
        "OrgId": ids.to15(org.id),
        "Url": base,
        "MobileSDK": {
            "UseiOSNativeBrowserForAuthentication": False,
            "UseAndroidNativeBrowserForAuthentication": False,
            "shareBrowserSessionIOS": False,
            "shareBrowserSessionAndroid": False,
        },
        "LoginPage": None,
        "SamlProviders": [],
        "AuthProviders": [],
        "CertificateLogin": None,
        "LoginPageType": "standard",
        "LoginPageTypeConfigs": {},
    }


# -- sessions ------------------------------------------------------------------------------------------
def session_user(service: SalesforceService, raw: str | None) -> tuple[User, str] | None:
    """The active user of a live opaque access token (a session id) with the `web` or `full` scope, and the
    token's id; else None. Salesforce: for `frontdoor.jsp`, "one of the scopes [of the connected app] must be
    web or full" (help article 000386254, "Use of frontdoor.jsp to Log in to Salesforce")."""
    token = service.live_access(raw)  # touched only when it starts a browser session
    if token is None or token.format == "jwt" or WEB_SCOPES.isdisjoint(token.scopes):
        return None
    user = service.user(token.user_id)
    if user is None or not user.active:
        return None
    if service.touch(token) is None:  # revoked meanwhile
        return None
    return user, token.id


def single_access(service: SalesforceService, raw: str | None, base: str) -> dict[str, str]:
    """`POST /services/oauth2/singleaccess`: 403 `Bad_OAuth_Token` without a live OAuth session, 403
    `Invalid_Scope` without the `web` scope; else `{"frontdoor_uri": <base>/secur/frontdoor.jsp?otp=...}`."""
    # another org's session is none here; a refused request does not touch the session (reset its timeout)
    token = None if service.foreign_session(raw, base) else service.live_access(raw)
    if token is None or token.format == "jwt" or token.app_id == SOAP_SESSION_APP:  # a SOAP login() session too
        raise IdentityError(403, "Bad_OAuth_Token")
    if WEB_SCOPES.isdisjoint(token.scopes):
        raise IdentityError(403, "Invalid_Scope")
    user = service.user(token.user_id)
    if user is None or not user.active:
        raise IdentityError(403, "Bad_OAuth_Token")
    if service.touch(token) is None:  # revoked meanwhile
        raise IdentityError(403, "Bad_OAuth_Token")
    otp = security.random_b62(43)
    table = service.store.table(FrontdoorOtp)
    now = service.clock.now()
    table.put(FrontdoorOtp(security.token_hash(otp), user.id, user.org_id, now + OTP_TTL))
    # a used one, or one expired a day ago, is refused as an unknown one is (`frontdoor_user`): pruned now and then
    service.frontdoor_pruner.added(service.store, table, lambda e: e.used or e.expires_at + DEAD_KEEP < now)
    return {"frontdoor_uri": f"{base}/secur/frontdoor.jsp?{urlencode({'otp': otp})}"}


def redeem_otp(service: SalesforceService, otp: str | None) -> User | None:
    """The user of a one-time password from `singleaccess`, once; None if unknown, used or expired."""
    if not otp:
        return None
    table = service.store.table(FrontdoorOtp)
    with service.store.atomic():
        entry = table.get(security.token_hash(otp))
        if entry is None or entry.used or service.clock.now() >= entry.expires_at:
            return None
        entry.used = True
        table.put(entry)
    user = service.user(entry.user_id)
    return user if user is not None and service.active(user) else None  # the org locked since: no session


def safe_return(value: str | None) -> str | None:
    """`retURL` / `startURL` when it is a path on this host (`/...`, never `//host` or a scheme), else None."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


# -- OIDC logout -------------------------------------------------------------------------------------------
def _hinted_client(service: SalesforceService, id_token_hint: str | None) -> str | None:
    """The client of an ID token the mock signed (an expired one too, as OIDC RP-initiated logout allows): its
    `azp` when it has several audiences, else its `aud`."""
    if not id_token_hint:
        return None
    claims = service.runtime.keys.verify(id_token_hint, "rsa")  # any key /id/keys publishes
    if claims is None:
        return None
    aud = claims.get("aud")
    azp = claims.get("azp")
    if isinstance(aud, list) and isinstance(azp, str) and azp in aud:
        return azp
    if isinstance(aud, list) and len(aud) == 1:
        aud = aud[0]
    return aud if isinstance(aud, str) else None


def logout_redirect(service: SalesforceService, params: Params) -> str | None:
    """Where `/services/auth/idp/oidc/logout` sends the browser: `post_logout_redirect_uri` only when it is
    exactly one of the callback URLs of the client named by `client_id` and/or `id_token_hint` (both must
    agree); `state` is appended. None: show the logged-out page (never an open redirect)."""
    target = params.get("post_logout_redirect_uri")
    if not target:
        return None
    named = params.get("client_id") or None
    hinted = _hinted_client(service, params.get("id_token_hint"))
    if params.get("id_token_hint") and hinted is None:
        return None
    if named and hinted and named != hinted:
        return None
    app: ConnectedApp | None = service.app_by_client_id(named or hinted)
    if app is None or target not in app.callback_urls or security.script_url(target):
        return None  # a script URL registered (seeded) as a callback would run on this origin (the SLO page's link)
    state = params.get("state")
    return target if state is None else add_params(target, {"state": state})

"""SLAS (Shopper Login and API Access Service) rules over the store: authorize, login, token (all grants),
session bridge, trusted system, logout, revoke, introspect, userinfo, discovery and JWKS. No HTTP here.

Access and ID tokens are ES256 JWTs signed with the app's EC key (`KeyRing.ec`), verifiable from `/jwks`.
Refresh rule (documented): a private client's refresh returns the same refresh token; a public client's
returns a new one and voids the old one.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus, urlsplit

from .. import security
from ..fieldwise import Value
from ..http.forms import Params
from ..redirects import add_params
from ..security import b64_pair, basic_pair
from ..store import Table, delete_rows
from ..store.prune import DEAD_KEEP, Pruner
from .errors import SlasError, slas_bad_client, slas_bad_request, slas_basic_failed
from .models import (
    Customer,
    OcapiToken,
    Shopper,
    SlasAccess,
    SlasClient,
    SlasCode,
    SlasRefresh,
    SlasTenant,
    StoreSession,
)
from .ocapi import new_customer_id

if TYPE_CHECKING:
    from ..config import B2CSettings
    from ..runtime import Runtime

log = logging.getLogger("mockown.b2c")
ORG_ID = re.compile(r"^f_ecom_[a-z0-9]{4}_[a-z0-9]{3}$")
TOKEN_GRANTS = (
    "authorization_code",
    "refresh_token",
    "client_credentials",
    "authorization_code_pkce",
    "session_bridge",
)
# the OAS's LoginRequest (response_type "must be code"); other names need the `c_` prefix
LOGIN_FIELDS = {"redirect_uri", "channel_id", "client_id", "code_challenge", "usid", "state", "scope", "response_type"}
# the IDPs of the OAS's TrustedSystemTokenRequest.idp_origin enum, and `slas` (the reference: "ecom|apple|...|slas")
TS_IDP_ORIGINS = frozenset(
    {
        *("apple", "auth0", "azure", "azure_adb2c", "cognito", "default", "ecom", "facebook", "forgerock", "gigya"),
        *("gigya_socialize", "google", "okta", "ping", "salesforce", "slas"),
    }
)
ISB_MAX = 256
CHANNEL_MAX = 100  # channel_id: maxLength 100 in the SLAS OAS
# the SLAS OAS's maxLength of the parameters each endpoint reads (beyond client_id, redirect_uri and channel_id)
AUTHORIZE_MAX = {"state": 512, "usid": 256, "scope": 256}
LOGIN_MAX = {"state": 512, "usid": 128, "scope": 256}  # LoginRequest
TRUSTED_SYSTEM_MAX = {"login_id": 128, "email_id": 128}  # TrustedSystemTokenRequest
_HOST_LABELS = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")


def enc_user_id(customer_id: str) -> str:
    return hashlib.md5(customer_id.encode(), usedforsecurity=False).hexdigest().upper()


def redirect_matches(pattern: str, uri: str) -> bool:
    """A registered redirect URI matches exactly, or with a `*.` host wildcard (`https://*.example.com/cb`)."""
    if pattern == uri:
        return True
    if "*." not in pattern or any(ch in uri for ch in "\t\n\r"):  # urlsplit drops these: match the URI as sent
        return False
    try:
        p, u = urlsplit(pattern), urlsplit(uri)
    except ValueError:  # a bracket that is no IPv6 literal: no URL, so no match
        return False
    if (p.scheme, p.path, p.query, p.fragment) != (u.scheme, u.path, u.query, u.fragment) or "\\" in uri:
        return False  # a backslash is a path separator to browsers: what follows it is no part of the host
    suffix = "." + p.netloc.split("*.", 1)[1]
    # the `*` stands for one or more whole host labels: no userinfo (`evil.com@`), escapes or empty label
    return u.netloc.endswith(suffix) and _HOST_LABELS.fullmatch(u.netloc[: -len(suffix)]) is not None


def app_link(uri: str) -> bool:
    """An app link (`fb://callback`, `airbnb://...`): a scheme other than http(s) before `//`. SLAS supports "a
    variety of URI formats", custom schemes without `//` (`com.example.app:redirect_uri_path`) among them, "but app
    links like `airbnb://` or `fb://` are not" (the OAS's redirect_uri)."""
    scheme, colon, rest = uri.partition(":")
    return bool(colon) and rest.startswith("//") and scheme.lower() not in ("http", "https")


def _max_lengths(params: Params, limits: dict[str, int]) -> None:
    for name, limit in limits.items():
        if len(params.get(name) or "") > limit:
            raise slas_bad_request(f"Bad {name}: at most {limit} characters.")


@dataclass(frozen=True, repr=False, eq=False)
class Located(Value):
    """The redirect SLAS answers /authorize and /login with (303 by default)."""

    url: str


class SlasService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.clock = runtime.clock
        self.store = runtime.store
        # a dead access token (revoked, or expired `DEAD_KEEP` ago) answers as an unknown one everywhere it is read
        # (bearer, introspect, revoke): such rows are pruned now and then as tokens are issued (`Pruner`)
        self.access_pruner = Pruner()
        self.code_pruner = Pruner()

    @property
    def settings(self) -> B2CSettings:
        return self.runtime.config.b2c

    # tables -----------------------------------------------------------------------------------------
    @property
    def tenants(self) -> Table[SlasTenant]:
        return self.store.table(SlasTenant)

    @property
    def clients(self) -> Table[SlasClient]:
        return self.store.table(SlasClient)

    @property
    def shoppers(self) -> Table[Shopper]:
        return self.store.table(Shopper)

    @property
    def codes(self) -> Table[SlasCode]:
        return self.store.table(SlasCode)

    @property
    def refresh_tokens(self) -> Table[SlasRefresh]:
        return self.store.table(SlasRefresh)

    @property
    def access_tokens(self) -> Table[SlasAccess]:
        return self.store.table(SlasAccess)

    # tenant, client, rate limits --------------------------------------------------------------------
    def tenant(self, org: str, short_code: str | None) -> SlasTenant:
        if not ORG_ID.fullmatch(org):  # fullmatch: `$` alone would also pass a final newline
            raise slas_bad_request("Tenant Id Exception - Must be a well-formed tenantId")
        tenant = self.tenants.get(org)
        if tenant is None or (short_code is not None and tenant.short_code != short_code.lower()):
            raise SlasError(404, "not_found", f"The tenant {org} was not found.")
        return tenant

    def rate_headers(self, tenant: str) -> dict[str, str]:
        """`X-RateLimit-1M-*` / `X-RateLimit-5M-*` for this call (counted per tenant and window)."""
        now = self.clock.now()
        out: dict[str, str] = {}
        over = False
        b2c = self.runtime.b2c
        for name, size, limit in (
            ("1M", 60, self.settings.slas_rate_limit_1m),
            ("5M", 300, self.settings.slas_rate_limit_5m),
        ):
            window = int(now // size) * size
            used = b2c.count(f"slas|{tenant}|{name}|{window}", now)
            over |= used > limit
            out[f"X-RateLimit-{name}-Limit"] = str(limit)
            out[f"X-RateLimit-{name}-Remaining"] = str(max(limit - used, 0))
            out[f"X-RateLimit-{name}-Reset"] = str(window + size - int(now))
        if over and self.settings.slas_enforce_rate_limits:
            error = SlasError(429, "too_many_requests", "Rate limit exceeded.")
            error.headers.update(out)
            raise error
        return out

    def client(self, tenant: SlasTenant, client_id: str | None) -> SlasClient:
        found = self.clients.get(f"{tenant.id}|{client_id}") if client_id else None
        if found is None:
            raise slas_bad_client()
        return found

    def basic_client(self, tenant: SlasTenant, authorization: str | None, client_id: str | None) -> SlasClient:
        """A private client authenticated by `Authorization: Basic base64(client_id:secret)`."""
        pair = basic_pair(authorization)
        if pair is None:
            raise slas_basic_failed()
        # RFC 6749 §2.3.1 form-URL-encodes both parts (openid-client's client_secret_basic sends `-` as `%2D`);
        # the spec shows them raw: either is accepted
        user, password = pair
        found = self.clients.get(f"{tenant.id}|{user}") or self.clients.get(f"{tenant.id}|{unquote_plus(user)}")
        if found is None or found.secret is None:
            raise slas_basic_failed()
        if not (security.equal(password, found.secret) | security.equal(unquote_plus(password), found.secret)):
            raise slas_basic_failed()
        if client_id and client_id != found.client_id:
            raise slas_basic_failed()
        return found

    def strict_auth(self, client: SlasClient, header: str | None) -> None:
        """Strict Client Auth: `/authorize` and `/login` carry `x-slas-client-auth: base64(id:secret)`."""
        if client.public or not client.strict_client_auth:
            return
        pair = b64_pair(header) if header else None
        if pair is None or pair[0] != client.client_id or client.secret is None:
            raise slas_basic_failed()
        if not security.equal(pair[1], client.secret):
            raise slas_basic_failed()

    def _channel(self, client: SlasClient, channel_id: str | None, *, required: bool = True) -> str | None:
        if not channel_id:
            if required and self.settings.slas_channel_id == "required":
                raise slas_bad_request("Bad or missing channel_id.")
            if required:  # `warn`: accepted without, logged
                log.warning("SLAS client %s called without channel_id (b2c.slas_channel_id is warn)", client.client_id)
            return None
        if len(channel_id) > CHANNEL_MAX or (client.channels and channel_id not in client.channels):
            raise slas_bad_request("Bad or missing channel_id.")
        return channel_id

    def _redirect(self, client: SlasClient, redirect_uri: str | None) -> str:
        if not redirect_uri or len(redirect_uri) > 256 or app_link(redirect_uri):
            raise slas_bad_request("Bad or missing redirect_uri.")
        if not any(redirect_matches(p, redirect_uri) for p in client.redirect_uris):
            raise slas_bad_request("Redirect URI not registered for this client.")
        return redirect_uri

    def _challenge(self, client: SlasClient, challenge: str | None) -> str | None:
        if challenge is None or challenge == "":
            if client.public:
                raise slas_bad_request("Bad or missing code_challenge.")
            return None
        if not 43 <= len(challenge) <= 128:
            raise slas_bad_request("Bad or missing code_challenge.")
        return challenge

    def _code(
        self,
        tenant: SlasTenant,
        client: SlasClient,
        *,
        redirect_uri: str,
        usid: str,
        customer_id: str,
        registered: bool,
        login: str,
        channel_id: str | None,
        scope: str,
        challenge: str | None,
        hint: str | None,
    ) -> str:
        raw = security.random_b62(43)
        self.codes.put(
            SlasCode(
                id=security.token_hash(raw),
                org=tenant.id,
                client_id=client.client_id,
                redirect_uri=redirect_uri,
                usid=usid,
                customer_id=customer_id,
                registered=registered,
                login=login,
                channel_id=channel_id,
                scope=scope,
                expires_at=self.clock.now() + self.settings.slas_code_ttl,
                code_challenge=challenge,
                hint=hint,
            )
        )
        # a used code is refused as an unknown one is (`_check_code`); an expired one may have its own answer: it stays
        self.code_pruner.added(self.store, self.codes, lambda c: c.used)
        return raw

    # /authorize -------------------------------------------------------------------------------------
    def authorize(self, tenant: SlasTenant, params: Params, client_auth: str | None) -> Located:
        client = self.client(tenant, params.get("client_id"))
        self.strict_auth(client, client_auth)
        redirect_uri = self._redirect(client, params.get("redirect_uri"))
        if params.get("response_type") != "code":
            raise slas_bad_request("Bad or missing response_type.")
        _max_lengths(params, AUTHORIZE_MAX)
        challenge = self._challenge(client, params.get("code_challenge"))
        channel = self._channel(client, params.get("channel_id"), required=False)
        hint = params.get("hint")
        usid = params.get("usid") or str(uuid.uuid4())
        if hint == "guest":
            customer_id, registered, login = new_customer_id(), False, "guest"
        elif hint in ("sb-user", "sb-guest"):
            if "sfcc.session_bridge" not in client.scopes:
                raise SlasError(401, "invalid_client", "Authorization failed.")
            customer_id, registered, login = "", hint == "sb-user", "session-bridge"
        else:
            raise slas_bad_request(f"IDP '{hint or ''}' is not configured for this client.")
        code = self._code(
            tenant,
            client,
            redirect_uri=redirect_uri,
            usid=usid,
            customer_id=customer_id,
            registered=registered,
            login=login,
            channel_id=channel,
            scope=params.get("scope") or "",
            challenge=challenge,
            hint=hint,
        )
        query = {"code": code, "usid": usid}
        if params.get("state") is not None:
            query["state"] = params.get("state") or ""
        return Located(add_params(redirect_uri, query))

    # /login -----------------------------------------------------------------------------------------
    def login(self, tenant: SlasTenant, params: Params, authorization: str | None, client_auth: str | None) -> Located:
        for name in params.keys():  # noqa: SIM118 (Params is not a dict)
            if name not in LOGIN_FIELDS and not name.startswith("c_"):
                raise slas_bad_request(f"Unknown parameter '{name}'.")
        client = self.client(tenant, params.get("client_id"))
        self.strict_auth(client, client_auth)
        redirect_uri = self._redirect(client, params.get("redirect_uri"))
        if params.get("response_type") not in (None, "code"):
            raise slas_bad_request("Bad or missing response_type.")
        _max_lengths(params, LOGIN_MAX)
        channel = self._channel(client, params.get("channel_id"))
        challenge = self._challenge(client, params.get("code_challenge"))
        pair = basic_pair(authorization)
        if pair is None:
            raise slas_basic_failed()
        login = pair[0].strip().lower()
        self._login_conflict(tenant, login)
        shopper = self.shoppers.get(f"{tenant.id}|{login}")
        if shopper is None or not security.equal(security.password_hash(pair[1], shopper.salt), shopper.password_hash):
            raise slas_basic_failed()
        usid = params.get("usid") or str(uuid.uuid4())
        scope = params.get("scope") or ""
        code = self._code(
            tenant,
            client,
            redirect_uri=redirect_uri,
            usid=usid,
            customer_id=shopper.customer_id,
            registered=True,
            login=login,
            channel_id=channel,
            scope=scope,
            challenge=challenge,
            hint=None,
        )
        query = {"usid": usid}
        if params.get("state") is not None:
            query["state"] = params.get("state") or ""
        if scope:
            query["scope"] = scope
        query["code"] = code
        return Located(add_params(redirect_uri, query))

    def _login_conflict(self, tenant: SlasTenant, login: str) -> None:
        """409 when the same login and tenant try to log in twice within the window (1 second)."""
        now = self.clock.now()
        _, previous = self.runtime.b2c.tick(f"login|{tenant.id}|{login}", now)  # two workers' logins see each other
        # within the window after the last login; one "before" it (the clock was moved back) is not a double login
        if previous is not None and 0 <= now - previous < self.settings.slas_login_conflict_window:
            raise SlasError(409, "conflict", "The same loginId and tenantId tried to login twice within 1 second.")

    # /token -----------------------------------------------------------------------------------------
    def token(self, tenant: SlasTenant, params: Params, authorization: str | None, base: str) -> dict[str, Any]:
        """`base` is `.../shopper/auth/v1/organizations/{org}/oauth2` as the client called it (`discovery`)."""
        grant = params.get("grant_type")
        if grant not in TOKEN_GRANTS:
            raise SlasError(400, "unsupported_grant_type", "Bad or missing grant_type.")
        with self.store.atomic():
            if grant == "session_bridge":
                return self.session_bridge(tenant, params, authorization, base)
            client = self._token_client(tenant, params, authorization, grant)
            channel = self._channel(client, params.get("channel_id"))
            dnt = self._dnt(params.get("dnt"))
            if grant == "client_credentials":
                usid = params.get("usid") or str(uuid.uuid4())
                return self._issue(
                    tenant,
                    client,
                    base,
                    usid=usid,
                    customer_id=new_customer_id(),
                    registered=False,
                    login="guest",
                    channel=channel,
                    scope="",
                    dnt=dnt,
                )
            if grant in ("authorization_code", "authorization_code_pkce"):
                code = self._check_code(tenant, client, params, pkce=grant == "authorization_code_pkce")
                if code.hint in ("sb-user", "sb-guest"):
                    raise self._code_error()
                body = self._issue(
                    tenant,
                    client,
                    base,
                    usid=code.usid,
                    customer_id=code.customer_id,
                    registered=code.registered,
                    login=code.login,
                    channel=channel or code.channel_id,
                    scope=code.scope,
                    dnt=dnt,
                )
                self._spend(code)
                return body
            return self._refresh(tenant, client, params, channel, dnt, base)

    def _token_client(self, tenant: SlasTenant, params: Params, authorization: str | None, grant: str) -> SlasClient:
        """Private clients authenticate with Basic; public ones name themselves (PKCE and refresh grants only)."""
        if authorization and authorization[:6].lower() == "basic ":
            return self.basic_client(tenant, authorization, params.get("client_id"))
        client = self.client(tenant, params.get("client_id"))
        if not client.public or grant not in ("authorization_code_pkce", "refresh_token"):
            raise slas_basic_failed()
        return client

    @staticmethod
    def _dnt(value: str | None) -> str:
        if value is None or value == "":
            return "false"
        if value not in ("true", "false"):
            raise slas_bad_request("Bad dnt value: use true or false.")
        return value

    def _code_error(self, *, expired: bool = False) -> SlasError:
        s = self.settings
        if expired:
            return SlasError(
                400,
                s.slas_expired_code_error or s.slas_invalid_code_error,
                s.slas_expired_code_description or s.slas_invalid_code_description,
            )
        return SlasError(400, s.slas_invalid_code_error, s.slas_invalid_code_description)

    def _refresh_error(self, rt: SlasRefresh | None, now: float) -> SlasError | None:
        """The error for a refresh token this tenant and client cannot use, or None when it can."""
        s = self.settings
        error, description = s.slas_invalid_refresh_error, s.slas_invalid_refresh_description
        if rt is None or (rt.revoked and not rt.used):
            return SlasError(400, error, description)
        if rt.used:
            return SlasError(400, s.slas_used_refresh_error or error, s.slas_used_refresh_description or description)
        if now >= rt.expires_at:
            return SlasError(
                400, s.slas_expired_refresh_error or error, s.slas_expired_refresh_description or description
            )
        return None

    def _check_code(self, tenant: SlasTenant, client: SlasClient, params: Params, *, pkce: bool) -> SlasCode:
        """The code this exchange redeems, checked (client, expiry, redirect URI, PKCE, usid) but not spent: the
        caller runs its own checks, issues the tokens, then spends it (`_spend`)."""
        verifier = params.get("code_verifier")
        if verifier and not 43 <= len(verifier) <= 128:  # TokenRequest.code_verifier: minLength 43, maxLength 128
            raise slas_bad_request("Bad or missing code_verifier.")
        raw = params.get("code")
        code = self.codes.get(security.token_hash(raw)) if raw else None
        now = self.clock.now()
        if code is None or code.used or code.org != tenant.id or code.client_id != client.client_id:
            raise self._code_error()
        if now >= code.expires_at:
            raise self._code_error(expired=True)
        # every check of the exchange (these, the grant's own, the tokens' `isb` length) runs before the code is
        # marked used: a refused exchange leaves it redeemable, as Salesforce's and Marketing Cloud's (a mock choice:
        # the reference says only "single use")
        redirect_uri = params.get("redirect_uri")
        if redirect_uri is not None and redirect_uri != code.redirect_uri:
            raise slas_bad_request("Redirect URI does not match the authorization request.")
        if code.code_challenge is not None:  # whatever the grant: no PKCE downgrade (RFC 7636 4.6)
            if not verifier:
                raise slas_bad_request("code_verifier is required")
            if not security.equal(security.b64url_sha256(verifier), code.code_challenge):
                raise slas_bad_request("Invalid code_verifier.")
        elif pkce and code.code_challenge is None:
            raise slas_bad_request("code_verifier is required")
        usid = params.get("usid")
        if usid and usid != code.usid:
            raise slas_bad_request("Bad or missing usid.")
        return code

    def _spend(self, code: SlasCode) -> None:
        """Single use: spent by the exchange that passed its checks, once its tokens are issued."""
        code.used = True
        self.codes.put(code)

    def _refresh(
        self, tenant: SlasTenant, client: SlasClient, params: Params, channel: str | None, dnt: str, base: str
    ) -> dict[str, Any]:
        raw = params.get("refresh_token")
        rt = self.refresh_tokens.get(security.token_hash(raw)) if raw else None
        now = self.clock.now()
        if rt is not None and (rt.org != tenant.id or rt.client_id != client.client_id):
            rt = None  # another tenant's or client's: unknown here
        error = self._refresh_error(rt, now)
        if error is not None:
            raise error
        assert rt is not None
        if client.public:  # "when refreshing with a public client ID, the refresh token is always regenerated"
            body = self._issue(
                tenant,
                client,
                base,
                usid=rt.usid,
                customer_id=rt.customer_id,
                registered=rt.registered,
                login=rt.login,
                channel=channel or rt.channel_id,
                scope=rt.scope,
                dnt=dnt,
                tsob=rt.tsob,
                ocapi_token=rt.ocapi_token,
                family=rt.family or rt.id,
            )
            # the old one is voided once the new tokens are issued: a refresh refused by `_issue` leaves it usable
            rt.revoked = rt.used = True
            self.refresh_tokens.put(rt)
            return body
        return self._issue(
            tenant,
            client,
            base,
            usid=rt.usid,
            customer_id=rt.customer_id,
            registered=rt.registered,
            login=rt.login,
            channel=channel or rt.channel_id,
            scope=rt.scope,
            dnt=dnt,
            tsob=rt.tsob,  # a trusted-system session stays one (isb, logout's session type)
            keep_refresh=(raw or "", rt),
        )

    # issuing ----------------------------------------------------------------------------------------
    def _jwt(self, claims: dict[str, Any], *, slas_header: bool = True) -> str:
        key = self.runtime.keys.ec
        headers: dict[str, Any] = {"kid": key.kid, "typ": "jwt"}
        if slas_header:
            headers.update(ver="1.0", clv="J2.1.0")
        return key.sign(claims, headers)

    def issuer(self, tenant: SlasTenant) -> str:
        return f"slas/prod/{tenant.id}"

    def _issue(
        self,
        tenant: SlasTenant,
        client: SlasClient,
        base: str,
        *,
        usid: str,
        customer_id: str,
        registered: bool,
        login: str,
        channel: str | None,
        scope: str,
        dnt: str,
        tsob: bool = False,
        keep_refresh: tuple[str, SlasRefresh] | None = None,
        ocapi_token: str | None = None,
        family: str | None = None,
    ) -> dict[str, Any]:
        now = self.clock.now()
        ttl = self.settings.slas_expires_in
        shopper = self.shoppers.get(f"{tenant.id}|{login}") if registered else None
        upn = login if registered else "Guest"
        uidn = f"{shopper.first_name} {shopper.last_name}".strip() if shopper else upn
        parts = [
            f"uido:{'ecom' if not tsob else 'slas'}",
            f"upn:{upn}",
            f"uidn:{uidn}",
            f"gcid:{'' if registered else customer_id}",
            f"rcid:{customer_id if registered else ''}",
            f"chid:{channel or ''}",
        ]
        if tsob:
            parts.append("tsob:true")
        isb = "::".join(parts)
        if len(isb) >= ISB_MAX:
            raise slas_bad_request("Issuer Subject length must be less than 256 characters")
        scp = " ".join(dict.fromkeys([*client.scopes, *scope.split()]))
        claims = {
            "aut": "GUID",
            "scp": scp,
            "sub": f"cc-slas::{tenant.id}::scid:{client.client_id}::usid:{usid}",
            "ctx": "slas",
            "iss": self.issuer(tenant),
            "ist": 1,
            "dnt": "1" if dnt == "true" else "0",
            "aud": f"commercecloud/prod/{tenant.id}",
            "nbf": int(now) - 30,
            "sty": "User",
            "isb": isb,
            "exp": int(now) + ttl,
            "iat": int(now),
            "jti": f"C2C{uuid.uuid4().int % 10**19}",
        }
        access = self._jwt(claims)
        if keep_refresh is not None:
            refresh_raw, rt = keep_refresh
        else:
            refresh_raw = security.random_b62(43) + "." + security.random_b62(43)
            rt_ttl = self.settings.slas_registered_refresh_ttl if registered else self.settings.slas_guest_refresh_ttl
            rt = SlasRefresh(
                id=security.token_hash(refresh_raw),
                org=tenant.id,
                client_id=client.client_id,
                usid=usid,
                customer_id=customer_id,
                registered=registered,
                login=login,
                channel_id=channel,
                scope=scope,
                issued_at=now,
                expires_at=now + rt_ttl,
                ocapi_token=ocapi_token,
                tsob=tsob,
                family=family,
            )
            self.refresh_tokens.put(rt)
        self.access_tokens.put(
            SlasAccess(
                id=security.token_hash(access),
                org=tenant.id,
                client_id=client.client_id,
                usid=usid,
                customer_id=customer_id,
                registered=registered,
                login=login,
                scope=scp,
                issued_at=now,
                expires_at=now + ttl,
                refresh_id=rt.id,
            )
        )
        self.access_pruner.added(
            self.store, self.access_tokens, lambda at: at.revoked or at.expires_at + DEAD_KEEP < now
        )
        id_claims: dict[str, Any] = {
            "sub": customer_id,
            # the discovery document's issuer (`base`), which OpenID Connect Core 3.1.3.7 has a client require
            # (openid-client refuses another); the access token's stays `slas/prod/<org>`, as real SLAS JWTs'. A mock
            # choice: the reference does not say what a SLAS ID token's `iss` is
            "iss": base,
            "aud": client.client_id,
            "iat": int(now),
            "exp": int(now) + ttl,
            "usid": usid,
        }
        if shopper is not None:
            id_claims.update(email=shopper.email, given_name=shopper.first_name, family_name=shopper.last_name)
        return {
            "access_token": access,
            "id_token": self._jwt(id_claims, slas_header=False),
            "refresh_token": refresh_raw,
            "expires_in": ttl,
            "refresh_token_expires_in": max(int(rt.expires_at - now), 0),
            "token_type": "Bearer",
            "usid": usid,
            "customer_id": customer_id,
            "enc_user_id": enc_user_id(customer_id),
            "idp_access_token": "",
            "dnt": dnt,
        }

    # session bridge ---------------------------------------------------------------------------------
    def session_bridge(
        self, tenant: SlasTenant, params: Params, authorization: str | None, base: str
    ) -> dict[str, Any]:
        """Tokens for a storefront session (a bridge code or client credentials), as one store transition."""
        with self.store.atomic():
            grant = params.get("grant_type")
            if grant == "client_credentials":
                client = self.basic_client(tenant, authorization, params.get("client_id"))
                code = None
            elif grant == "session_bridge":
                client = self.client(tenant, params.get("client_id"))
                if not client.public:  # a private client's session bridge is client_credentials + Basic [DOC]
                    raise slas_basic_failed()
                code = self._check_code(tenant, client, params, pkce=True)
                if code.hint not in ("sb-user", "sb-guest"):
                    raise self._code_error()
            else:
                raise SlasError(400, "unsupported_grant_type", "Bad or missing grant_type.")
            if "sfcc.session_bridge" not in client.scopes:
                raise SlasError(401, "invalid_client", "Authorization failed.")
            channel = self._channel(client, params.get("channel_id"))
            login_id = params.get("login_id")
            if not login_id:
                raise slas_bad_request("Bad or missing login_id.")
            customer, ocapi_token = self._bridged_customer(tenant, params)
            if customer is None:
                raise slas_bad_request("Bad or missing dwsid.")
            if login_id == "guest":
                if customer.registered:
                    raise slas_bad_request("Bad or missing login_id.")
                registered, login = False, "guest"
            else:
                if not customer.registered or customer.login != login_id.lower():
                    raise slas_bad_request("Bad or missing login_id.")
                registered, login = True, customer.login
            if code is not None and code.registered != registered:
                raise slas_bad_request("Bad or missing login_id.")
            usid = params.get("usid") or (code.usid if code else str(uuid.uuid4()))
            body = self._issue(
                tenant,
                client,
                base,
                usid=usid,
                customer_id=customer.id,
                registered=registered,
                login=login,
                channel=channel,
                scope=code.scope if code else "",
                dnt=self._dnt(params.get("dnt")),
                ocapi_token=ocapi_token,
            )
            if code is not None:
                self._spend(code)
            return body

    def _bridged_customer(self, tenant: SlasTenant, params: Params) -> tuple[Customer | None, str | None]:
        """The storefront customer behind `dwsid` (a session) or `dwsgst` / `dwsrst` (an OCAPI JWT) of a site of
        the tenant's instance (any instance when the tenant names none), and the hash of that JWT (None for a
        session)."""
        customers = self.store.table(Customer)

        def ours(site: str) -> bool:  # Site.id is "<instance host>|<site id>"
            return tenant.instance is None or site.partition("|")[0] == tenant.instance.lower()

        for name in ("dwsgst", "dwsrst"):
            value = params.get(name)
            if value:
                token = self.store.table(OcapiToken).get(security.token_hash(value))
                if token is None or token.revoked or self.clock.now() >= token.expires_at or not ours(token.site):
                    return None, None
                if not self.runtime.keys.still_published(value, "ocapi"):  # a second rotation dropped its key
                    return None, None
                return customers.get(token.customer_id), token.id
        dwsid = params.get("dwsid")
        session = self.store.table(StoreSession).get(security.token_hash(dwsid)) if dwsid else None
        if session is None or not ours(session.site):
            return None, None
        return customers.get(session.customer_id), None

    # trusted system ---------------------------------------------------------------------------------
    def trusted_system(
        self, tenant: SlasTenant, params: Params, authorization: str | None, base: str
    ) -> dict[str, Any]:
        client = self.basic_client(tenant, authorization, params.get("client_id"))
        if "sfcc.ts_ext_on_behalf_of" not in client.scopes:
            raise SlasError(401, "invalid_client", "Authorization failed.")
        if params.get("grant_type") != "client_credentials":
            raise SlasError(400, "unsupported_grant_type", "Bad or missing grant_type.")
        if params.get("hint") != "ts_ext_on_behalf_of":
            raise slas_bad_request("Bad or missing hint.")
        for name in ("login_id", "idp_origin", "client_id"):
            if not params.get(name):
                raise slas_bad_request(f"Bad or missing {name}.")
        if params.get("idp_origin") not in TS_IDP_ORIGINS:
            raise slas_bad_request("Bad or missing idp_origin.")
        _max_lengths(params, TRUSTED_SYSTEM_MAX)
        channel = self._channel(client, params.get("channel_id"))
        login_id = (params.get("login_id") or "").strip().lower()
        with self.store.atomic():
            self._login_conflict(tenant, login_id)
            usid = params.get("usid") or str(uuid.uuid4())
            dnt = self._dnt(params.get("dnt"))
            if login_id == "guest":
                return self._issue(
                    tenant,
                    client,
                    base,
                    usid=usid,
                    customer_id=new_customer_id(),
                    registered=False,
                    login="guest",
                    channel=channel,
                    scope="",
                    dnt=dnt,
                    tsob=True,
                )
            shopper = self.shoppers.get(f"{tenant.id}|{login_id}")
            if shopper is not None:
                customer_id = shopper.customer_id
            elif params.get("idp_origin") == "ecom":
                raise slas_bad_request("Bad or missing login_id.")
            else:  # a shopper of a third-party IDP: a stable customer id per login
                customer_id = "ab" + hashlib.sha256(f"{tenant.id}|{login_id}".encode()).hexdigest()[:24]
            return self._issue(
                tenant,
                client,
                base,
                usid=usid,
                customer_id=customer_id,
                registered=True,
                login=login_id,
                channel=channel,
                scope="",
                dnt=dnt,
                tsob=True,
            )

    # logout, revoke, introspect, userinfo -----------------------------------------------------------
    def bearer(self, tenant: SlasTenant, authorization: str | None) -> SlasAccess:
        raw = authorization[7:].strip() if authorization and authorization[:7].lower() == "bearer " else ""
        at = self.access_tokens.get(security.token_hash(raw)) if raw else None
        if at is None or at.revoked or self.clock.now() >= at.expires_at or at.org != tenant.id:
            raise slas_bad_request("Bad or missing access token.")
        if self.runtime.keys.verify(raw, "ec") is None:  # its key was rotated out of /jwks
            raise slas_bad_request("Bad or missing access token.")
        return at

    def _revoke_refresh(self, rt: SlasRefresh) -> None:
        """Revoke a refresh token with the rest of its session, the refresh tokens a public client's refreshes
        rotated it from and to (its `family`), and every access token issued with any of them: an access token
        from before a rotation is the session's as much as the newest."""
        family = rt.family or rt.id
        session = {r.id: r for r in self.refresh_tokens.find("family", family)}
        first = self.refresh_tokens.get(family) if rt.family else None
        if first is not None:
            session[first.id] = first
        session[rt.id] = rt
        for one in session.values():
            if one is rt or not one.revoked:
                one.revoked = True
                self.refresh_tokens.put(one)
            for access in self.access_tokens.find("refresh_id", one.id):
                if not access.revoked:
                    access.revoked = True
                    self.access_tokens.put(access)

    def _revoke_ocapi_visit(self, jwt_hash: str | None) -> None:
        """Revoke the bridged OCAPI JWT and the JWTs an OCAPI refresh made from it since (the same visit)."""
        ocapi_tokens = self.store.table(OcapiToken)
        bridged = ocapi_tokens.get(jwt_hash) if jwt_hash else None
        if bridged is None:
            return
        for token in ocapi_tokens.find("customer_id", bridged.customer_id):
            if token.site == bridged.site and token.visit_id == bridged.visit_id and not token.revoked:
                token.revoked = True
                ocapi_tokens.put(token)

    def logout(self, tenant: SlasTenant, params: Params, authorization: str | None) -> dict[str, Any]:
        at = self.bearer(tenant, authorization)
        client = self.client(tenant, params.get("client_id"))
        raw = params.get("refresh_token")
        rt = self.refresh_tokens.get(security.token_hash(raw)) if raw else None
        if rt is None or rt.org != tenant.id or rt.client_id != client.client_id or rt.customer_id != at.customer_id:
            raise slas_bad_request("Bad or missing refresh token.")
        hint = params.get("hint")
        if hint not in (None, "all-sessions"):
            raise slas_bad_request("Bad or missing hint.")
        with self.store.atomic():
            doomed = [rt]
            if hint == "all-sessions":
                doomed = [
                    r
                    for r in self.refresh_tokens.find("customer_id", rt.customer_id)
                    # "the same session type": /authorize (login, bridge) vs trusted system on behalf (the OAS)
                    if r.org == tenant.id and r.registered == rt.registered and r.tsob == rt.tsob
                ]
            for one in doomed:
                self._revoke_refresh(one)
                # "and the OCAPI JWT if the shopper came from B2C" (a session bridge from that JWT)
                self._revoke_ocapi_visit(one.ocapi_token)
            at.revoked = True
            self.access_tokens.put(at)
        return {
            "access_token": "",
            "id_token": "null",
            "refresh_token": "",
            "expires_in": 0,
            "refresh_token_expires_in": 0,
            "token_type": "Bearer",
            "usid": "null",
            "customer_id": "null",
            "enc_user_id": "null",
            "idp_access_token": "",
            "idp_refresh_token": "null",
            "dnt": "null",
        }

    def revoke(self, tenant: SlasTenant, params: Params, authorization: str | None) -> dict[str, Any]:
        client = self.basic_client(tenant, authorization, None)
        raw = params.get("token")
        if not raw:
            raise slas_bad_request("Bad or missing refresh token.")
        hashed = security.token_hash(raw)
        with self.store.atomic():
            # token_type_hint only says where to look first: a token is found under either type (RFC 7009 2.1)
            rt = self.refresh_tokens.get(hashed)
            if rt is not None and rt.org == tenant.id and rt.client_id == client.client_id:
                self._revoke_refresh(rt)
            at = self.access_tokens.get(hashed)
            if at is not None and at.org == tenant.id and at.client_id == client.client_id:
                at.revoked = True
                self.access_tokens.put(at)
        return {
            "access_token": "",
            "id_token": "null",
            "refresh_token": raw,
            "expires_in": 0,
            "refresh_token_expires_in": 0,
            "token_type": "Bearer",
            "usid": "null",
            "customer_id": "null",
            "enc_user_id": "null",
            "idp_access_token": "",
        }

    def introspect(self, tenant: SlasTenant, params: Params, authorization: str | None, base: str) -> dict[str, Any]:
        self.basic_client(tenant, authorization, None)
        raw = params.get("token")
        if not raw:
            raise slas_bad_request("Bad or missing access token or refresh token")
        hashed = security.token_hash(raw)
        now = self.clock.now()
        issuer = f"{base}/"
        # token_type_hint only says where to look first: a token is found under either type (RFC 7662 2.1)
        at = self.access_tokens.get(hashed)
        live = at is not None and at.org == tenant.id and not at.revoked and now < at.expires_at
        if at is not None and live and self.runtime.keys.verify(raw, "ec") is not None:  # its key still published
            return {
                "active": True,
                "client_id": at.client_id,
                "exp": int(at.expires_at),
                "iat": int(at.issued_at),
                "iss": issuer,
                "scope": at.scope,
                "sub": self._sub(at.usid, at.login, at.registered),
                "token_type": "access_token",
            }
        rt = self.refresh_tokens.get(hashed)
        if rt is not None and rt.org == tenant.id and not rt.revoked and now < rt.expires_at:
            return {
                "active": True,
                "client_id": rt.client_id,
                "exp": int(rt.expires_at),
                "iat": int(rt.issued_at),
                "iss": issuer,
                "scope": " ".join(["offline_access", *rt.scope.split()]).strip(),
                "sub": self._sub(rt.usid, rt.login, rt.registered),
                "token_type": "refresh_token",
            }
        return {"active": False}

    @staticmethod
    def _sub(usid: str, login: str, registered: bool) -> str:
        return f"usid:{usid}::uido:ecom::upn:{login if registered else 'Guest'}"

    def userinfo(self, tenant: SlasTenant, authorization: str | None) -> dict[str, Any]:
        at = self.bearer(tenant, authorization)
        body: dict[str, Any] = {"customer_id": at.customer_id, "sub": at.usid, "validated": True}
        shopper = self.shoppers.get(f"{tenant.id}|{at.login}") if at.registered else None
        if shopper is not None:
            body.update(
                email=shopper.email,
                family_name=shopper.last_name,
                given_name=shopper.first_name,
                name=f"{shopper.first_name} {shopper.last_name}".strip(),
            )
        return dict(sorted(body.items()))

    # discovery and keys -----------------------------------------------------------------------------
    def discovery(self, base: str) -> dict[str, Any]:
        """`base` is `.../shopper/auth/v1/organizations/{org}/oauth2` as the client called it."""
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "revocation_endpoint": f"{base}/revoke",
            "introspection_endpoint": f"{base}/introspect",
            "end_session_endpoint": f"{base}/logout",
            "grant_types_supported": [
                "authorization_code",
                "authorization_code_pkce",
                "client_credentials",
                "refresh_token",
            ],
            "code_challenge_methods_supported": ["S256"],
            "response_types_supported": ["code", "token", "token id_token"],
            "scopes_supported": ["email", "openid", "profile"],
            "claims_supported": ["email", "name", "given_name", "family_name", "sub"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "id_token_encryption_enc_values_supported": ["A256GCM"],
        }

    def jwks(self, tenant: SlasTenant) -> dict[str, Any]:
        limit = self.settings.slas_jwks_per_minute
        if limit:
            now = self.clock.now()
            used = self.runtime.b2c.count(f"jwks|{tenant.id}|{int(now // 60)}", now)
            if used > limit:
                raise SlasError(429, "too_many_requests", "JWKS rate limit exceeded: cache the keys.")
        return self.runtime.keys.ec_jwks()  # "current, past and future keys"

    # removal (the control plane's reset) ------------------------------------------------------------
    def remove_tenant(self, org: str) -> dict[str, int] | None:
        """Remove a tenant and everything under it: its clients and shoppers, the codes and tokens issued
        there, its rate-limit and login-attempt counters, in one transaction. The rows removed per table, or
        None when there is no such tenant. (An OCAPI token a session bridge took stays: it is the instance's.)"""
        removed: dict[str, int] = {}
        with self.store.atomic():
            tenant = self.tenants.get(org)
            if tenant is None:
                return None
            issued: tuple[Table[Any], ...] = (self.access_tokens, self.refresh_tokens, self.codes)
            for table in issued:  # no org index: scanned
                delete_rows(table, [r for r in table.all() if r.org == org], removed)
            delete_rows(self.clients, self.clients.find("org", org), removed)
            delete_rows(self.shoppers, self.shoppers.find("org", org), removed)
            counters = self.runtime.b2c.counters
            mine = tuple(f"{what}|{org}|" for what in ("slas", "login", "jwks"))
            delete_rows(counters, [c for c in counters.all() if c.id.startswith(mine)], removed)
            delete_rows(self.tenants, [tenant], removed)
        return removed

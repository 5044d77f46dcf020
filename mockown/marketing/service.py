"""Marketing Cloud Engagement OAuth rules as state transitions over the store, on the app's clock (no HTTP).

`token()` serves `POST /v2/token` (client_credentials, authorization_code, refresh_token), `authorize()` the
front channel, `userinfo()` the user/organization document, `request_token_v1()` the legacy endpoint, which
refuses enhanced packages. Admin hooks (`sign_out`, `update_integration`) simulate what only the Marketing
Cloud UI can do: a user signing out (revoking their non-`offline` tokens) and a delayed config change.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .. import security
from ..fieldwise import Value
from ..http.forms import Params
from ..redirects import add_params
from ..store import Table, delete_rows
from ..store.prune import DEAD_KEEP, Pruner
from . import propagation
from .errors import (
    McLegacyError,
    McOAuthError,
    McRestError,
    invalid_client,
    invalid_request,
    unsupported_grant,
)
from .models import TIMEZONES, Integration, McAccessToken, McCode, McRefreshToken, McUser, Tenant, check_change

if TYPE_CHECKING:
    from ..config import MarketingSettings
    from ..runtime import Runtime

GRANTS = ("client_credentials", "authorization_code", "refresh_token")
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# the account error's description for a business unit no `account_id` asked for (the user's, a code's or refresh
# token's): `account_error_description` speaks of "the requested account_id" (mock choice: the real text is unknown)
UNREACHABLE_BU = "The client is not authorized to access this business unit."
LEGACY_GRACE = 300.0  # "The refreshToken has a 5-minute revocation period after use"
CLIENT_TYPES = {"server": "ServerToServer", "web": "WebApp", "public": "PublicApp", "legacy": "Legacy"}


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def timezone_block(zone: str) -> dict[str, Any]:
    long_name, short, offset, dst = TIMEZONES.get(zone, TIMEZONES["UTC"])
    return {"longName": long_name, "shortName": short, "offset": offset, "dst": dst}


@dataclass(frozen=True, repr=False, eq=False)
class AuthorizeRedirect(Value):
    """Where `/v2/authorize` sends the browser next."""

    url: str


class MarketingService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.clock = runtime.clock
        self.store = runtime.store
        self.access_pruner = Pruner()

    def _access_added(self, now: float) -> None:
        """An access token was issued. A dead one (revoked, or expired `DEAD_KEEP` ago) answers as an unknown one
        does (userinfo's 401, the only reader), so such rows are pruned now and then (`Pruner`)."""
        self.access_pruner.added(
            self.store, self.access_tokens, lambda at: at.revoked or at.expires_at + DEAD_KEEP < now
        )

    @property
    def settings(self) -> MarketingSettings:
        return self.runtime.config.marketing

    # tables ------------------------------------------------------------------------------------------
    @property
    def tenants(self) -> Table[Tenant]:
        return self.store.table(Tenant)

    @property
    def users(self) -> Table[McUser]:
        return self.store.table(McUser)

    @property
    def integrations(self) -> Table[Integration]:
        return self.store.table(Integration)

    @property
    def codes(self) -> Table[McCode]:
        return self.store.table(McCode)

    @property
    def access_tokens(self) -> Table[McAccessToken]:
        return self.store.table(McAccessToken)

    @property
    def refresh_tokens(self) -> Table[McRefreshToken]:
        return self.store.table(McRefreshToken)

    # look-ups ----------------------------------------------------------------------------------------
    def tenant_by_subdomain(self, subdomain: str) -> Tenant | None:
        return self.tenants.first("subdomain", subdomain.lower())

    def integration(self, client_id: str | None) -> Integration | None:
        """The integration as clients see it now: each change on its way shows once its own propagation delay
        passed (`propagation.settle`, written back in a transaction of its own, the integration read again in it)."""
        if not client_id:
            return None
        found = self.integrations.get(client_id)
        if found is None or not found.queued or not propagation.due(found.queued, self.clock.now()):
            return found
        with self.store.atomic():
            found = self.integrations.get(client_id)
            if found is None or not found.queued:
                return found
            shown, waiting = propagation.settle(found.queued, self.clock.now())
            applied = replace(found, **shown, queued=waiting)
            self.integrations.put(applied)
        return applied

    def update_integration(self, client_id: str, **changes: Any) -> None:
        """Change an integration (scopes, enabled, installed, redirect_urls, accessible_mids, secret...).

        Each value is checked as the seed checks it (a ValueError naming the field, nothing changed): of its
        field's type (`scopes="email_read"` is no list), scopes and redirect URLs a request can name, MIDs of the
        integration's tenant. The change reaches codes and tokens `propagation_delay` seconds after this call ("up
        to 5 minutes" in reality), whatever other changes are on their way: each keeps its own due time; of two to
        one field the later one's value stays (`propagation.settle`).
        """
        with self.store.atomic():
            found = self.integrations.get(client_id)
            if found is None:
                raise KeyError(client_id)
            tenant = self.tenants.get(found.tenant_id)
            changes = check_change(changes, tenant.business_units if tenant is not None else None)  # or ValueError
            now = self.clock.now()
            change = {"due": now + max(self.settings.propagation_delay, 0), "changes": changes}
            shown, waiting = propagation.settle([*found.queued, change], now)  # without a delay: shown at once
            self.integrations.put(replace(found, **shown, queued=waiting))

    def _client(self, params: Params, subdomain: str, *, v2: bool = True) -> tuple[Integration, Tenant]:
        """The calling integration, authenticated as its type requires; else the exact 401 invalid_client."""
        integration = self.integration(params.get("client_id"))
        tenant = self.tenant_by_subdomain(subdomain)
        if integration is None or tenant is None or integration.tenant_id != tenant.id:
            raise invalid_client()
        if not integration.installed or not integration.enabled or integration.type == "legacy":
            raise invalid_client()
        if integration.type != "public":
            secret = params.get("client_secret")
            if not secret or not integration.client_secret or not security.equal(secret, integration.client_secret):
                raise invalid_client()
        return integration, tenant

    def _scopes(self, integration: Integration, requested: str | None, ceiling: list[str] | None = None) -> list[str]:
        """Omitted: every scope of the integration (or of the code or refresh token that it still has); empty:
        none; else a subset of those. A scope the integration lost is in no token issued after the change."""
        allowed = list(integration.scopes if ceiling is None else [s for s in ceiling if s in integration.scopes])
        if requested is None:
            return allowed
        asked = list(dict.fromkeys(s for s in requested.split(" ") if s))  # spaces only: no tab, NBSP, U+3000
        if any(s not in allowed for s in asked):
            raise McOAuthError(
                "invalid_scope", self.settings.invalid_scope_description, self.settings.invalid_scope_status
            )
        return asked

    def _mid(self, integration: Integration, account_id: str | None, default: int, *, recheck: bool = False) -> int:
        """The business unit a token is for: `account_id`, else `default`. `recheck`: the default (the signed-in
        user's at authorize, a code's or refresh token's) must be reachable too (config changes show up in issued
        tokens); refused, it is "this business unit", the configured text being about a requested `account_id`."""
        s = self.settings
        if not account_id:
            if not recheck:
                return default
            if default not in integration.accessible_mids and default != integration.home_mid:
                raise McOAuthError(s.account_error, UNREACHABLE_BU, s.account_error_status)
            return default
        # an integer in ASCII digits (Python's int() would also read "1_0", full-width or Arabic-Indic digits)
        mid = int(account_id) if account_id.isascii() and account_id.isdigit() else -1
        if mid not in integration.accessible_mids and mid != integration.home_mid:
            raise McOAuthError(s.account_error, s.account_error_description, s.account_error_status)
        return mid

    # v2/token ----------------------------------------------------------------------------------------
    def token(self, params: Params, subdomain: str) -> dict[str, Any]:
        grant = params.get("grant_type")
        if grant not in (*GRANTS, JWT_BEARER):
            raise unsupported_grant()
        integration, tenant = self._client(params, subdomain)
        with self.store.atomic():
            if grant == "client_credentials":
                return self._client_credentials(integration, tenant, params)
            if grant == "authorization_code":
                return self._authorization_code(integration, tenant, params)
            if grant == "refresh_token":
                return self._refresh(integration, tenant, params)
        raise McOAuthError("unauthorized_client", "The grant type is not enabled for this integration.", 400)

    def _require_type(self, integration: Integration, *types: str) -> None:
        if integration.type not in types:
            raise McOAuthError("unauthorized_client", "The grant type is not enabled for this integration.", 400)

    def _client_credentials(self, integration: Integration, tenant: Tenant, params: Params) -> dict[str, Any]:
        self._require_type(integration, "server")
        scopes = self._scopes(integration, params.get("scope"))
        mid = self._mid(integration, params.get("account_id"), integration.home_mid)
        return self._issue(integration, tenant, mid, scopes, user_id=None, refresh=False)

    def _bad_grant(self, description: str = "") -> McOAuthError:
        """invalid_grant with a case's description ("" = the shared invalid_grant_description)."""
        s = self.settings
        return McOAuthError("invalid_grant", description or s.invalid_grant_description, s.invalid_grant_status)

    def _missing(self, name: str) -> McOAuthError:
        """400 invalid_request for a missing parameter, worded by `missing_parameter_description` (spec 1.1.4: UNK)."""
        return invalid_request(self.settings.missing_parameter_description.replace("{name}", name))

    def _authorization_code(self, integration: Integration, tenant: Tenant, params: Params) -> dict[str, Any]:
        self._require_type(integration, "web", "public")
        code_value = params.get("code")
        redirect_uri = params.get("redirect_uri")
        if not code_value:
            raise self._missing("code")
        if not redirect_uri:
            raise self._missing("redirect_uri")
        code = self.codes.get(security.token_hash(code_value))
        now = self.clock.now()
        if code is None or code.client_id != integration.client_id:
            raise self._bad_grant(self.settings.code_invalid_description)
        if code.used:
            raise self._bad_grant(self.settings.code_used_description)
        if now >= code.expires_at:
            raise self._bad_grant(self.settings.code_expired_description)
        # the exchange's own checks run before the code is marked used: a refused exchange leaves it redeemable
        # (as Salesforce's `redeem_code(check=)`; a mock choice, the spec does not say)
        if redirect_uri != code.redirect_uri:
            raise self._bad_grant()
        self._check_pkce(integration, code.code_challenge, params.get("code_verifier"))
        scopes = self._scopes(integration, params.get("scope"), ceiling=code.scopes)
        mid = self._mid(integration, params.get("account_id"), code.mid, recheck=True)
        code.used = True  # single use: spent by the exchange that succeeds
        self.codes.put(code)
        return self._issue(integration, tenant, mid, scopes, user_id=code.user_id, refresh=True)

    def _check_pkce(self, integration: Integration, challenge: str | None, verifier: str | None) -> None:
        mode = self.settings.pkce
        if mode == "off" or integration.type != "public":
            return
        if challenge is None:
            return  # a missing challenge was refused at authorize when PKCE is required
        if not verifier or not security.equal(security.b64url_sha256(verifier), challenge):
            raise self._bad_grant()

    def _refresh(self, integration: Integration, tenant: Tenant, params: Params) -> dict[str, Any]:
        self._require_type(integration, "web", "public")
        raw = params.get("refresh_token")
        if not raw:
            raise self._missing("refresh_token")
        rt = self.refresh_tokens.get(security.token_hash(raw))
        now = self.clock.now()
        if rt is None or rt.revoked or rt.client_id != integration.client_id:
            raise self._bad_grant(self.settings.refresh_invalid_description)
        if not self._refresh_usable(rt, now, self.settings.refresh_grace):
            expired = bool(rt.expires_at) and now >= rt.expires_at
            s = self.settings
            raise self._bad_grant(s.refresh_expired_description if expired else s.refresh_used_description)
        scopes = self._scopes(integration, params.get("scope"), ceiling=rt.scopes)
        mid = self._mid(integration, params.get("account_id"), rt.mid, recheck=True)
        if not self.settings.refresh_rotation:
            body = self._issue(integration, tenant, mid, scopes, user_id=rt.user_id, refresh=False)
            body["refresh_token"] = raw
            return body
        if rt.used_at is None:
            rt.used_at = now
            self.refresh_tokens.put(rt)
        return self._issue(integration, tenant, mid, scopes, user_id=rt.user_id, refresh=True, ceiling=rt.scopes)

    @staticmethod
    def _refresh_usable(rt: McRefreshToken, now: float, grace: float) -> bool:
        if rt.revoked or (rt.expires_at and now >= rt.expires_at):
            return False
        # the grace runs from the use on: a clock moved back to before the use does not make it unused again
        return rt.used_at is None or rt.used_at <= now < rt.used_at + grace

    def _access_token(self, integration: Integration, tenant: Tenant) -> str:
        header = {"alg": "HS256", "kid": "4", "ver": "1", "typ": "JWT"}
        payload = {
            "access_token": security.random_b62(24),
            "client_id": integration.client_id,
            "eid": int(tenant.id),
            "stack_key": tenant.stack_key,
            "platform_version": 2,
            "client_type": CLIENT_TYPES[integration.type],
        }
        parts = [
            _b64u(json.dumps(header, separators=(",", ":")).encode()),
            _b64u(json.dumps(payload, separators=(",", ":")).encode()),
            _b64u(secrets.token_bytes(32)),
            _b64u(secrets.token_bytes(48)),
        ]
        return ".".join(parts)

    def _issue(
        self,
        integration: Integration,
        tenant: Tenant,
        mid: int,
        scopes: list[str],
        *,
        user_id: str | None,
        refresh: bool,
        ceiling: list[str] | None = None,
    ) -> dict[str, Any]:
        now = self.clock.now()
        access = self._access_token(integration, tenant)
        ttl = self.settings.access_token_ttl
        self.access_tokens.put(
            McAccessToken(
                id=security.token_hash(access),
                client_id=integration.client_id,
                tenant_id=tenant.id,
                mid=mid,
                scopes=list(scopes),
                issued_at=now,
                expires_at=now + ttl,
                user_id=user_id,
            )
        )
        self._access_added(now)
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ttl,
            "scope": " ".join(scopes),
            "soap_instance_url": f"https://{tenant.subdomain}.soap.marketingcloudapis.com/",
            "rest_instance_url": f"https://{tenant.subdomain}.rest.marketingcloudapis.com/",
        }
        if refresh and user_id is not None:
            raw = security.random_b62(24)
            rt_ttl = self.settings.refresh_token_ttl
            self.refresh_tokens.put(
                McRefreshToken(
                    id=security.token_hash(raw),
                    client_id=integration.client_id,
                    tenant_id=tenant.id,
                    user_id=user_id,
                    mid=mid,
                    # a narrower refresh keeps the wider grant for later refreshes
                    scopes=list(ceiling if ceiling is not None else scopes),
                    issued_at=now,
                    expires_at=now + rt_ttl if rt_ttl > 0 else 0.0,
                    offline="offline" in scopes,
                )
            )
            body["refresh_token"] = raw
        return body

    # v2/authorize ------------------------------------------------------------------------------------
    def authorize(self, params: Params, subdomain: str, user: McUser | None) -> AuthorizeRedirect:
        """The redirect after sign-in. Errors that cannot be redirected raise; the others redirect."""
        integration = self.integration(params.get("client_id"))
        tenant = self.tenant_by_subdomain(subdomain)
        if integration is None or tenant is None or integration.tenant_id != tenant.id:
            raise McOAuthError("invalid_client", "The client_id is not valid for this tenant.", 400)
        if integration.type not in ("web", "public") or not integration.installed or not integration.enabled:
            raise McOAuthError("unauthorized_client", "The integration cannot use the authorization code flow.", 400)
        redirect_uri = params.get("redirect_uri")
        if not redirect_uri or redirect_uri not in integration.redirect_urls:
            raise McOAuthError("invalid_request", "The redirect_uri doesn't match a redirect URL of the integration.")
        state = params.get("state")

        def back(**query: str) -> AuthorizeRedirect:
            if state is not None:
                query["state"] = state
            return AuthorizeRedirect(add_params(redirect_uri, query))  # in its query, never in a fragment

        if params.get("response_type") != "code":
            return back(error="unsupported_response_type", error_description="The response_type must be code.")
        try:
            scopes = self._scopes(integration, params.get("scope"))
        except McOAuthError as exc:
            return back(error=exc.error, error_description=exc.description)
        challenge = params.get("code_challenge") or None  # empty: no challenge (no verifier could match it)
        if integration.type == "public" and self.settings.pkce == "required" and not challenge:
            return back(error="invalid_request", error_description=self._missing("code_challenge").description)
        method = params.get("code_challenge_method") or "S256"
        if integration.type == "public" and self.settings.pkce != "off" and challenge and method != "S256":
            # RFC 7636 4.4.1: an unsupported transformation is refused here, not at the token endpoint
            return back(error="invalid_request", error_description="The code_challenge_method must be S256.")
        if user is None:
            return back(error="access_denied", error_description=self.settings.access_denied_description)
        try:
            # without account_id the code is for the user's business unit: one the exchange would refuse is no code
            mid = self._mid(integration, params.get("account_id"), user.default_mid, recheck=True)
        except McOAuthError as exc:
            return back(error=exc.error, error_description=exc.description)
        raw = security.random_b62(32)
        self.codes.put(
            McCode(
                id=security.token_hash(raw),
                client_id=integration.client_id,
                user_id=user.id,
                mid=mid,
                redirect_uri=redirect_uri,
                scopes=scopes,
                expires_at=self.clock.now() + self.settings.code_ttl,
                code_challenge=challenge if self.settings.pkce != "off" else None,
            )
        )
        return back(code=raw, tssd=tenant.subdomain)

    def sign_in(self, subdomain: str, username: str | None, password: str | None) -> McUser | None:
        tenant = self.tenant_by_subdomain(subdomain)
        if tenant is None or not username:
            return None
        user = next((u for u in self.users.find("username", username.lower()) if u.tenant_id == tenant.id), None)
        if user is None or not user.active:
            return None
        if password is None:
            return user if self.settings.auto_consent else None
        if not security.equal(security.password_hash(password, user.salt), user.password_hash):
            return None
        return user

    def default_user(self, subdomain: str) -> McUser | None:
        tenant = self.tenant_by_subdomain(subdomain)
        if tenant is None:
            return None
        return next((u for u in self.users.find("tenant_id", tenant.id) if u.active), None)

    # v2/userinfo -------------------------------------------------------------------------------------
    def _bearer_failure(self) -> Exception:
        if self.settings.userinfo_error == "oauth":
            return McOAuthError("invalid_token", "The access token is invalid or expired.", 401)
        return McRestError()

    def userinfo(self, token: str | None, subdomain: str, view: str | None) -> dict[str, Any]:
        if not token:
            raise self._bearer_failure()
        at = self.access_tokens.get(security.token_hash(token))
        tenant = self.tenant_by_subdomain(subdomain)
        if at is None or not at.live(self.clock.now()) or tenant is None or at.tenant_id != tenant.id:
            raise self._bearer_failure()
        integration = self.integration(at.client_id)  # as clients see it now: the changes that are due shown
        user = self.users.get(at.user_id) if at.user_id else None
        if user is not None:
            sub = user.id
            user_block: dict[str, Any] = {
                "sub": sub,
                "name": user.name,
                "preferred_username": user.username,
                "email": user.email,
                "locale": user.locale,
                "zoneinfo": user.zoneinfo,
                "timezone": timezone_block(user.zoneinfo),
            }
        else:  # a server-to-server token acts as the integration's API user
            name = integration.name if integration else at.client_id
            sub = at.client_id
            user_block = {
                "sub": sub,
                "name": name,
                "preferred_username": name,
                "email": "",
                "locale": tenant.locale,
                "zoneinfo": tenant.zoneinfo,
                "timezone": timezone_block(tenant.zoneinfo),
            }
        if (view or "").lower() == "oidc":
            user_block["sub"] = f"https://mc.auth.marketingcloudapis.com/uid/{sub}"
        info: dict[str, Any] = {
            "exp": int(at.expires_at),
            "iss": "https://mc.exacttarget.com",
            "user": user_block,
            "organization": {
                "member_id": at.mid,
                "enterprise_id": int(tenant.id),
                "enterprise_name": tenant.name,
                "account_type": "enterprise",
                "stack_key": tenant.stack_key,
                "region": tenant.region,
                "locale": tenant.locale,
                "zoneinfo": tenant.zoneinfo,
                "timezone": timezone_block(tenant.zoneinfo),
            },
        }
        # the recalled blocks (the docs name them; their shape is not captured): each can be left out
        if self.settings.userinfo_rest:
            info["rest"] = {
                "rest_instance_url": f"https://{tenant.subdomain}.rest.marketingcloudapis.com/",
                "soap_instance_url": f"https://{tenant.subdomain}.soap.marketingcloudapis.com/",
            }
        if self.settings.userinfo_application:
            info["application"] = {
                "id": at.client_id,
                "name": integration.name if integration else "",
                "redirectUrls": list(integration.redirect_urls) if integration else [],
                "features": {},
                "permissions": list(at.scopes),
            }
        if self.settings.userinfo_permissions:
            info["permissions"] = [_permission(i, s) for i, s in enumerate(at.scopes, start=1)]
        return info

    # v1/requestToken (legacy packages) ---------------------------------------------------------------
    def request_token_v1(self, params: Params, subdomain: str | None, legacy: bool) -> dict[str, Any]:
        integration = self.integration(params.get("clientId"))
        secret = params.get("clientSecret")
        if integration is None or not integration.installed or not integration.enabled:
            raise McLegacyError()
        if subdomain is not None:
            tenant = self.tenant_by_subdomain(subdomain)
            if tenant is None or tenant.id != integration.tenant_id:
                raise McLegacyError()
        if integration.type != "legacy":
            s = self.settings
            raise McLegacyError(s.legacy_enhanced_status, s.legacy_enhanced_message, s.legacy_enhanced_errorcode)
        if not secret or not integration.client_secret or not security.equal(secret, integration.client_secret):
            raise McLegacyError()
        now = self.clock.now()
        tenant_rec = self.tenants.get(integration.tenant_id)
        if tenant_rec is None:  # a restored integration of no tenant: unknown here, as on /v2/token
            raise McLegacyError()
        refresh_in = params.get("refreshToken")
        offline = (params.get("accessType") or "").lower() == "offline"
        with self.store.atomic():
            if refresh_in:
                rt = self.refresh_tokens.get(security.token_hash(refresh_in))
                if (
                    rt is None
                    or rt.client_id != integration.client_id
                    or not self._refresh_usable(rt, now, LEGACY_GRACE)
                ):
                    raise McLegacyError()
                if rt.used_at is None:
                    rt.used_at = now
                    self.refresh_tokens.put(rt)
                offline = rt.offline
            access = security.random_b62(24)
            ttl = self.settings.legacy_expires_in
            self.access_tokens.put(
                McAccessToken(
                    id=security.token_hash(access),
                    client_id=integration.client_id,
                    tenant_id=tenant_rec.id,
                    mid=integration.home_mid,
                    scopes=list(integration.scopes),
                    issued_at=now,
                    expires_at=now + ttl,
                )
            )
            self._access_added(now)
            body: dict[str, Any] = {"accessToken": access, "expiresIn": ttl}
            if offline or refresh_in:
                raw = security.random_b62(24)
                self.refresh_tokens.put(
                    McRefreshToken(
                        id=security.token_hash(raw),
                        client_id=integration.client_id,
                        tenant_id=tenant_rec.id,
                        user_id="",
                        mid=integration.home_mid,
                        scopes=list(integration.scopes),
                        issued_at=now,
                        expires_at=now + 700 * 86400,
                        offline=offline,
                    )
                )
                body["refreshToken"] = raw
            if legacy:
                body["legacyToken"] = security.random_b62(48)
        return body

    # admin hooks -------------------------------------------------------------------------------------
    def sign_out(self, user_id: str) -> int:
        """The user signs out of Marketing Cloud: their tokens without the `offline` scope are revoked."""
        count = 0
        with self.store.atomic():
            for rt in self.refresh_tokens.find("user_id", user_id):
                if not rt.offline and not rt.revoked:
                    rt.revoked = True
                    self.refresh_tokens.put(rt)
                    count += 1
            for at in self.access_tokens.find("user_id", user_id):
                if "offline" not in at.scopes and not at.revoked:
                    at.revoked = True
                    self.access_tokens.put(at)
                    count += 1
        return count

    def remove_tenant(self, key: str) -> dict[str, int] | None:
        """Remove a seeded tenant (by its EID or its subdomain) and everything under it: its users and
        integrations, and the codes and tokens issued to them, in one transaction. The rows removed per table,
        or None when there is no such tenant."""
        removed: dict[str, int] = {}
        with self.store.atomic():
            tenant = self.tenants.get(key) or self.tenant_by_subdomain(key)
            if tenant is None:
                return None
            integrations = self.integrations.find("tenant_id", tenant.id)
            clients = {i.client_id for i in integrations}
            for client_id in sorted(clients):
                delete_rows(self.access_tokens, self.access_tokens.find("client_id", client_id), removed)
                delete_rows(self.refresh_tokens, self.refresh_tokens.find("client_id", client_id), removed)
            delete_rows(self.codes, [c for c in self.codes.all() if c.client_id in clients], removed)  # no index
            delete_rows(self.integrations, integrations, removed)
            delete_rows(self.users, self.users.find("tenant_id", tenant.id), removed)
            delete_rows(self.tenants, [tenant], removed)
        return removed


def _permission(index: int, scope: str) -> dict[str, Any]:
    name, _, operation = scope.rpartition("_")
    if not name:
        name, operation = scope, "access"
    return {"id": index, "name": name, "type": scope, "operation": operation}

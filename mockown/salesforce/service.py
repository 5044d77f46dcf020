"""Salesforce protocol rules as state transitions over the store, on the app's clock.

Everything here is plain Python: no HTTP. Issuing, refreshing, rotating, evicting, expiring and revoking
are transitions of `AccessToken` / `RefreshToken` / `AuthCode` records, so the token endpoint,
introspection, revocation, the identity service and the REST API all read one truth.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import ids, security, signer
from ..fieldwise import Fieldwise
from ..keys import RsaKey
from ..store import Table
from ..store.prune import Pruner
from . import claims as app_claims
from . import jwt_access
from .discovery import LOGIN_HOST_SANDBOX, MY_DOMAIN_SUFFIX, SITE_SUFFIX, DocumentCache, is_scope, scope_tokens
from .errors import OAuthError, expired_token, invalid_client, invalid_client_id, invalid_grant
from .models import AccessToken, AuthCode, ConnectedApp, Org, RefreshToken, User, new_session_id
from .oauth_tokens import HINT_CHARS, approval_of_delete_token

if TYPE_CHECKING:
    from ..runtime import Runtime

CODE_TTL = 15 * 60
LOCKOUT_ATTEMPTS = 10
LOCKOUT_SECONDS = 15 * 60
REFRESH_PREFIX = "5Aep861"
PROVISIONAL = "pending:"  # a JWT access token's id until its signature is made (never a SHA-256 hex digest)


@dataclass(slots=True, repr=False, eq=False)  # built on every token request; never changed after it is made
class Issued(Fieldwise):
    """What a grant decided to issue; `SalesforceService.issue` turns it into tokens and a response."""

    org: Org
    user: User
    app: ConnectedApp
    scopes: list[str]
    refresh: bool = False
    signature: bool = True
    nonce: str | None = None
    api_instance_url: bool = False
    refresh_family: str | None = None  # rotation: the new token joins this family
    parent_refresh: str | None = None  # the refresh token a refreshed session descends from (no rotation)
    scope_in_response: bool = True  # the username-password flow's response has no `scope`
    id_token: bool = True  # an `id_token` when `openid` is granted
    token_format: str | None = None  # "opaque" | "jwt"; None: the app's choice (`jwt_access_tokens`)
    auth_time: int | None = None  # the ID token's `auth_time`: when authorize had `max_age` (OIDC Core 2)


REFRESH_SCOPES = frozenset({"refresh_token", "offline_access"})


def wants_refresh(scopes: list[str]) -> bool:
    """Salesforce issues a refresh token only when `refresh_token` (or its alias `offline_access`) is granted."""
    return not REFRESH_SCOPES.isdisjoint(scopes)


def identity_url(base: str, org_id: str, user_id: str) -> str:
    return f"{base}/id/{ids.to18(org_id)}/{ids.to18(user_id)}"


class SalesforceService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.clock = runtime.clock
        self.store = runtime.store
        self.documents = DocumentCache()
        self.frontdoor_pruner = Pruner()  # used or long-expired singleaccess one-time passwords (web.py)
        self.cursor_pruner = Pruner()  # query cursors idle 15 minutes, other users' (cursors.py)

    # tables ------------------------------------------------------------------------------------------
    @property
    def orgs(self) -> Table[Org]:
        return self.store.table(Org)

    @property
    def users(self) -> Table[User]:
        return self.store.table(User)

    @property
    def apps(self) -> Table[ConnectedApp]:
        return self.store.table(ConnectedApp)

    @property
    def codes(self) -> Table[AuthCode]:
        return self.store.table(AuthCode)

    @property
    def access_tokens(self) -> Table[AccessToken]:
        return self.store.table(AccessToken)

    @property
    def refresh_tokens(self) -> Table[RefreshToken]:
        return self.store.table(RefreshToken)

    # look-ups ----------------------------------------------------------------------------------------
    def app_by_client_id(self, client_id: str | None) -> ConnectedApp | None:
        if not client_id:
            return None
        return self.apps.first("client_id", client_id)

    def require_app(self, client_id: str | None) -> ConnectedApp:
        app = self.app_by_client_id(client_id)
        if app is None:
            raise invalid_client_id()
        return app

    def org(self, org_id: str) -> Org:
        org = self.orgs.get(org_id)
        if org is None:  # records always point at a live org; a reset removes both together
            raise invalid_grant()
        return org

    def user_by_username(self, username: str | None) -> User | None:
        if not username:
            return None
        return self.users.first("username", username.strip().lower())

    def user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def check_secret(self, app: ConnectedApp, secret: str | None) -> None:
        """`invalid_client` unless `secret` is the app's consumer secret (constant time)."""
        if not app.client_secret or secret is None or not security.equal(secret, app.client_secret):
            raise invalid_client(self.runtime.config.salesforce.invalid_client_status)

    def login(self, username: str | None, password: str | None) -> User:
        """A user by username and password (+ security token), with Salesforce's lockout."""
        user = self.user_by_username(username)
        now = self.clock.now()
        if user is None or password is None:
            raise invalid_grant("authentication failure")
        if user.locked(now):
            raise invalid_grant("authentication failure")
        candidates = [password]
        n = user.security_token_len
        # the password may end with the security token (stored hashed, compared in constant time like any secret)
        suffix = password[-n:] if user.security_token_hash and 0 < n < len(password) else None
        if suffix is not None and security.equal(security.token_hash(suffix), user.security_token_hash):
            candidates.append(password[:-n])
        ok = False
        for candidate in candidates:
            ok |= security.equal(security.password_hash(candidate, user.salt), user.password_hash)
        if not ok:
            self._count_failure(user.id, now)
            raise invalid_grant("authentication failure")
        if user.failed_logins:
            self._clear_failures(user.id)
        self.require_active(user)
        return user

    def _count_failure(self, user_id: str, now: float) -> None:
        """Count a failed login toward the lockout, on the user as it is now: in a transaction of its own (committed
        before the refusal is answered, whoever calls), the user read again in it, so that failures another worker
        counted meanwhile are not lost."""
        with self.store.atomic():
            user = self.users.get(user_id)
            if user is None or user.locked(now):  # another worker's failure locked the user meanwhile
                return
            user.failed_logins += 1
            if user.failed_logins >= LOCKOUT_ATTEMPTS:
                user.lock(now + LOCKOUT_SECONDS)
                user.failed_logins = 0
            self.users.put(user)

    def _clear_failures(self, user_id: str) -> None:
        """A good login clears the count of failed ones (on the user as it is now, as `_count_failure`)."""
        with self.store.atomic():
            user = self.users.get(user_id)
            if user is not None and user.failed_logins:
                user.failed_logins = 0
                self.users.put(user)

    def sign_in(self, username: str | None, password: str | None, base: str) -> User:
        """`login` at `base` (the URL the user signs in at). A My Domain signs in its own org's users only: on
        another org's My Domain the user is unknown there, an authentication failure as a wrong password, decided
        before the password is read (so it counts toward no lockout). Other hosts sign in every org's users."""
        user = self.user_by_username(username)
        if user is not None and self.foreign_org(user.org_id, base):
            raise invalid_grant("authentication failure")
        return self.login(username, password)

    def active(self, user: User) -> bool:
        """Whether `user` may use the org now: active, in an org that is not locked, closed or suspended (what
        `require_active` refuses at the token endpoint; a session of anyone else is no session)."""
        if not user.active:
            return False
        org = self.orgs.get(user.org_id)
        return org is not None and not org.locked

    def require_active(self, user: User) -> None:
        if not user.active:
            raise OAuthError("inactive_user", "user is inactive")
        org = self.orgs.get(user.org_id)
        if org is None or org.locked:
            raise OAuthError("inactive_org", "organization is locked, closed, or suspended")

    def grant_scopes(self, app: ConnectedApp, requested: str | None, *, exclude: tuple[str, ...] = ()) -> list[str]:
        """The scopes a token gets: the requested ones the app allows, or all the app's when none asked; `exclude`
        (scopes the flow never grants) taken out, and `invalid_scope` when that leaves none."""
        allowed = list(app.scopes)
        if "full" in allowed:
            allowed_set = None  # full covers every scope
        else:
            allowed_set = set(allowed)
            if "refresh_token" in allowed_set:
                allowed_set.add("offline_access")
        if requested is None or not requested.strip(" "):
            scopes = allowed
        else:
            # space-separated (spec 1.2; RFC 6749 §3.3: SP only): a tab, line feed or NBSP is part of a scope-token,
            # which is then no scope name (`+` is the space of a twice-encoded form)
            asked = scope_tokens(requested.replace("+", " "))
            if not all(is_scope(s) for s in asked):
                raise OAuthError("invalid_scope", "requested scope is invalid, unknown, or malformed")
            scopes = [s for s in dict.fromkeys(asked) if allowed_set is None or s in allowed_set]
            if not scopes:
                raise OAuthError("invalid_scope", "requested scope is invalid, unknown, or malformed")
        kept = [s for s in scopes if s not in exclude]
        if scopes and not kept:  # e.g. client_credentials asked for `web full`: nothing it may grant is left
            raise OAuthError("invalid_scope", "requested scope is invalid, unknown, or malformed")
        return kept

    # issuing -----------------------------------------------------------------------------------------
    def issue(self, issued: Issued, base: str, *, code: AuthCode | None = None) -> dict[str, Any]:
        """Create the tokens `issued` describes and return Salesforce's token response.

        Inside `signer.deferring()` (the token endpoint), the signatures of a JWT access token and of an ID
        token are made off the event loop (`_deferred_signatures`): the body carries empty placeholders until
        then, and a JWT access token is stored at once under a provisional id that no bearer can match, so that
        a revocation in the meantime reaches it."""
        now = self.clock.now()
        org, user, app = issued.org, issued.user, issued.app
        token_format = issued.token_format or ("jwt" if app.jwt_access_tokens else "opaque")
        want_id_token = issued.id_token and "openid" in issued.scopes
        signs = token_format == "jwt" or want_id_token
        pending = signer.pending() if signs else None
        key = self.runtime.keys.rsa if signs else None  # made here if it is lazy, never on the signer thread
        jws: tuple[dict[str, Any], dict[str, Any]] | None = None
        with self.store.atomic():
            refresh_raw: str | None = None
            refresh_id: str | None = None
            if issued.refresh:
                refresh_raw = REFRESH_PREFIX + security.random_sf_opaque(80)
                refresh_id = security.token_hash(refresh_raw)
                family = issued.refresh_family or refresh_id
                self.refresh_tokens.put(
                    RefreshToken(
                        id=refresh_id,
                        org_id=org.id,
                        user_id=user.id,
                        app_id=app.id,
                        scopes=list(issued.scopes),
                        issued_at=now,
                        last_used=now,
                        family_id=family,
                        approval=f"{user.id}|{app.id}",
                        hint=refresh_raw[:HINT_CHARS],
                    )
                )
                if issued.refresh_family is None:
                    self._enforce_approval_limit(user.id, app.id, family)
            if token_format == "jwt":
                assert key is not None
                jws = jwt_access.claims_of(key, issuer=self.instance_url(org, base), org=org, user=user, app=app,
                                           scopes=issued.scopes, now=now, ttl=app.session_timeout)  # fmt: skip
                access_raw = "" if pending is not None else key.sign(*jws)
            else:
                access_raw = new_session_id(org.id)
            if jws is not None and pending is not None:
                access_id = PROVISIONAL + security.random_b62(40)
            else:
                access_id = security.token_hash(access_raw)
            self.access_tokens.put(
                AccessToken(
                    id=access_id,
                    org_id=org.id,
                    user_id=user.id,
                    app_id=app.id,
                    scopes=list(issued.scopes),
                    issued_at=now,
                    last_active=now,
                    timeout=app.session_timeout,
                    refresh_id=refresh_id or issued.parent_refresh,
                    format=token_format,
                )
            )
            if code is not None:
                code.issued_access.append(access_id)
                if refresh_id:
                    code.issued_refresh.append(refresh_id)
                self.codes.put(code)
        ident = identity_url(base, org.id, user.id)
        issued_at = str(int(now * 1000))
        body: dict[str, Any] = {"access_token": access_raw}
        if refresh_raw:
            body["refresh_token"] = refresh_raw
        if issued.signature:
            body["signature"] = security.hmac_sha256_b64(app.client_secret or "", ident + issued_at)
        if issued.scope_in_response:
            body["scope"] = " ".join(issued.scopes)
        extras = app_claims.id_token_extras(app, user, org) if want_id_token else None  # not on the signer thread
        if want_id_token:
            assert key is not None
            if pending is None:
                claims = self.id_token_claims(
                    base, org, user, app, access_raw, issued.nonce, now, extras, auth_time=issued.auth_time
                )
                body["id_token"] = key.sign(claims)
            else:
                body["id_token"] = ""
        body["instance_url"] = self.instance_url(org, base)
        body["id"] = ident
        body["token_type"] = "Bearer"
        body["issued_at"] = issued_at
        if issued.api_instance_url:
            body["api_instance_url"] = "https://api.salesforce.com"
        if token_format == "jwt":
            body["token_format"] = "jwt"
        if pending is not None:
            assert key is not None
            id_claims = None
            if want_id_token:
                id_claims = functools.partial(
                    self.id_token_claims,
                    base,
                    org,
                    user,
                    app,
                    nonce=issued.nonce,
                    now=now,
                    extras=extras,
                    auth_time=issued.auth_time,
                )
            pending.add(self._deferred_signatures(body, key, jws, id_claims, access_id, code))
        return body

    def _deferred_signatures(
        self,
        body: dict[str, Any],
        key: RsaKey,
        jws: tuple[dict[str, Any], dict[str, Any]] | None,
        id_claims: Callable[[str], dict[str, Any]] | None,
        provisional: str,
        code: AuthCode | None,
    ) -> signer.Deferred:
        """`issue()`'s signatures for the signer thread: the JWT access token (`jws`) and/or the ID token, whose
        `at_hash` needs the access token. The commit files a JWT access token under its hash (when it is still
        there: a revocation meanwhile has marked it, a reset has removed it) and fills the body in."""
        opaque = body["access_token"]

        def job() -> dict[str, str]:
            access = key.sign(*jws) if jws is not None else opaque
            out = {"access_token": access}
            if id_claims is not None:
                out["id_token"] = key.sign(id_claims(access))
            return out

        def commit(out: dict[str, str]) -> None:
            body.update(out)
            if jws is not None:
                self._file_access(provisional, security.token_hash(out["access_token"]), code)

        def abandon() -> None:
            if jws is not None:
                self.access_tokens.delete(provisional)

        return signer.Deferred(job, commit, abandon)

    def _file_access(self, provisional: str, digest: str, code: AuthCode | None) -> None:
        token = self.access_tokens.get(provisional)
        if token is None:
            return
        self.access_tokens.delete(provisional)
        self.access_tokens.put(dataclasses.replace(token, id=digest))
        stored = self.codes.get(code.id) if code is not None else None
        if stored is not None and provisional in stored.issued_access:
            stored.issued_access = [digest if i == provisional else i for i in stored.issued_access]
            self.codes.put(stored)

    def on_my_domain(self, base: str) -> bool:
        """Whether the mock is called on a My Domain: a host ending in `.my.salesforce.com` (sandboxes too) or
        the `my_domain` of a seeded org (the host memoized: the discovery route asks on every request)."""
        host = self.documents.host(base)
        if host.endswith(MY_DOMAIN_SUFFIX):
            return True
        return bool(host) and self.orgs.first("my_domain", host) is not None  # "": no host, no org's My Domain

    def on_my_domain_or_site(self, base: str) -> bool:
        """Whether discovery answers its My Domain / site variant (spec 7.1, with the OIDC logout endpoint): on a My
        Domain or an Experience Cloud site (a host ending in `.my.site.com`). A site is no My Domain to the other
        rules: a JWT bearer `aud` of the site URL stays accepted ("use the site URL" for a site)."""
        return self.on_my_domain(base) or self.documents.host(base).endswith(SITE_SUFFIX)

    def instance_url(self, org: Org, base: str) -> str:
        return f"https://{org.my_domain}" if org.my_domain else base

    def id_token_claims(
        self,
        base: str,
        org: Org,
        user: User,
        app: ConnectedApp,
        access: str,
        nonce: str | None,
        now: float,
        extras: dict[str, Any] | None = None,
        auth_time: int | None = None,
    ) -> dict[str, Any]:
        """The claims of the ID token that comes with `access` (pure: safe on the signer thread). The app's
        claim set (salesforce/claims.py): `aud` with its extra audiences, the user's standard claims unless
        `id_token_include_standard_claims` is off, and `extras` (custom attributes and permissions, resolved
        before); `auth_time` only when given (authorize had `max_age`)."""
        digest = hashlib.sha256(access.encode()).digest()
        claims: dict[str, Any] = {
            "at_hash": base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode(),
            "sub": identity_url(base, org.id, user.id),
            "aud": app_claims.audience(app),
            "iss": base,
            "exp": int(now + app.id_token_validity),
            "iat": int(now),
        }
        if isinstance(claims["aud"], list):  # several audiences: OIDC Core 2 / 3.1.3.7 names the client in `azp`
            claims["azp"] = app.client_id
        if app.id_token_include_standard_claims:
            claims.update(
                name=user.display_name,
                preferred_username=user.username,
                given_name=user.first_name,
                family_name=user.last_name,
                email=user.email,
                email_verified=True,
                user_id=ids.to18(user.id),
                organization_id=ids.to18(org.id),
            )
        if nonce:
            claims["nonce"] = nonce
        if auth_time is not None:
            claims["auth_time"] = auth_time
        if extras:
            claims.update(extras)
        return claims

    def _enforce_approval_limit(self, user_id: str, app_id: str, new_family: str) -> None:
        """Five live approvals (refresh-token families; setting `max_approvals`) per user per app; one more revokes
        the oldest live one, by when it was first issued (spec 10: "after a fifth approval is made, the oldest
        approval is revoked"). An approval counts while `refresh_live` accepts its current token, as the
        `OauthToken` rows list it (`oauth_tokens.live_approvals`): an expired or revoked one neither counts nor
        is chosen. The approval just made (`new_family`) is never the one revoked."""
        app = self.apps.get(app_id)
        if app is None:
            return
        now = self.clock.now()
        members: dict[str, list[RefreshToken]] = {}
        for rt in self.refresh_tokens.find("approval", f"{user_id}|{app_id}"):
            members.setdefault(rt.family_id, []).append(rt)
        live = {
            family: min(rt.issued_at for rt in tokens)
            for family, tokens in members.items()
            if any(self.refresh_live(rt, app, now) for rt in tokens)
        }
        excess = len(live) - self.runtime.config.salesforce.max_approvals
        if excess > 0:
            older = sorted((f for f in live if f != new_family), key=lambda f: live[f])  # stable: ties keep order
            for family in older[:excess]:
                self.revoke_family(family)

    # codes -------------------------------------------------------------------------------------------
    def new_code(
        self,
        *,
        org: Org,
        app: ConnectedApp,
        user: User,
        redirect_uri: str,
        scopes: list[str],
        code_challenge: str | None,
        nonce: str | None,
        auth_time: int | None = None,
    ) -> str:
        raw = "aPrx" + security.random_sf_opaque(60) + "=="
        now = self.clock.now()
        self.codes.put(
            AuthCode(
                id=security.token_hash(raw),
                org_id=org.id,
                app_id=app.id,
                user_id=user.id,
                redirect_uri=redirect_uri,
                scopes=scopes,
                issued_at=now,
                expires_at=now + CODE_TTL,
                code_challenge=code_challenge or None,
                nonce=nonce,
                auth_time=auth_time,
            )
        )
        return raw

    def redeem_code(
        self, raw: str | None, app: ConnectedApp, check: Callable[[AuthCode], None] | None = None
    ) -> AuthCode:
        """The code, marked used. A replayed code also revokes everything issued from it. `check` (the grant's
        own conditions: redirect_uri, PKCE, the user) runs on a live code before it is marked used, so a
        refused exchange leaves the code as it was."""
        wording = self.runtime.config.salesforce.wording
        if not raw:
            raise invalid_grant(wording.code_invalid)
        with self.store.atomic():
            code = self.codes.get(security.token_hash(raw))
            if code is None or code.app_id != app.id:
                raise invalid_grant(wording.code_invalid)
            if code.used:
                for access_id in code.issued_access:
                    self._revoke_access(access_id)
                for refresh_id in code.issued_refresh:
                    rt = self.refresh_tokens.get(refresh_id)
                    if rt is not None:
                        self.revoke_family(rt.family_id)
                raise invalid_grant(wording.code_reused)
            if self.clock.now() >= code.expires_at:
                raise invalid_grant(wording.code_expired)
            if check is not None:
                check(code)
            code.used = True
            self.codes.put(code)
            return code

    # refresh tokens ----------------------------------------------------------------------------------
    def refresh_live(self, rt: RefreshToken, app: ConnectedApp, now: float) -> bool:
        if rt.revoked or rt.rotated:
            return False
        policy = app.refresh_token_policy
        if policy == "immediately":
            return False
        if policy == "idle":
            return now < rt.last_used + app.refresh_token_ttl
        if policy == "absolute":
            return now < rt.issued_at + app.refresh_token_ttl
        return True

    def use_refresh(self, raw: str | None, app: ConnectedApp, base: str) -> tuple[RefreshToken, str | None]:
        """The live refresh token `raw` of `app`, touched; and the family a rotated successor joins. At `base`,
        another org's My Domain, the token is unknown (nothing is touched or revoked).

        Reuse of a token that rotation superseded revokes the whole family (the current token and
        every access token issued from it), as Salesforce documents.
        """
        if not raw:
            raise expired_token()
        now = self.clock.now()
        with self.store.atomic():
            rt = self.refresh_tokens.get(security.token_hash(raw))
            if rt is None or rt.app_id != app.id or self.foreign_org(rt.org_id, base):
                raise expired_token()
            if rt.rotated and not rt.revoked:
                self.revoke_family(rt.family_id)
                raise expired_token()
            if not self.refresh_live(rt, app, now):
                raise expired_token()
            user = self.users.get(rt.user_id)
            if user is None:
                raise expired_token()
            self.require_active(user)
            rt.last_used = now
            rt.use_count += 1
            family: str | None = None
            if app.rotation:
                rt.rotated = True
                family = rt.family_id
            self.refresh_tokens.put(rt)
            return rt, family

    def has_approved(self, app: ConnectedApp, user: User) -> bool:
        """Whether `user` holds a live approval of `app`: a refresh token of theirs `refresh_live` accepts
        (Salesforce counts each one as an approval, and remembers it: no consent page again)."""
        now = self.clock.now()
        return any(
            self.refresh_live(rt, app, now) for rt in self.refresh_tokens.find("approval", f"{user.id}|{app.id}")
        )

    # access tokens -----------------------------------------------------------------------------------
    def foreign_session(self, raw: str | None, base: str) -> bool:
        """Whether `raw` is an access token of another org than the one whose My Domain `base` is: there it is
        no session (REST 401 INVALID_SESSION_ID, identity 403 Bad_OAuth_Token). On a host that is no org's
        My Domain (login.salesforce.com, the mock's own address) no token is foreign."""
        if not raw:
            return False
        token = self.access_tokens.get(security.token_hash(raw))
        return token is not None and self.foreign_org(token.org_id, base)

    def foreign_org(self, org_id: str, base: str) -> bool:
        """Whether `base` is the My Domain of another org than `org_id`, or the login host of the other kind of org
        (the one host-to-org rule: sessions, `foreign_session`, and sign-ins, `login`): login.salesforce.com is
        production's, test.salesforce.com sandboxes' (spec 1.1; `allow_any_org_on_login_hosts` lets both serve
        every org). Another host that is no org's My Domain is foreign to no org."""
        host = self.documents.host(base)
        sandbox = LOGIN_HOST_SANDBOX.get(host)
        if sandbox is not None:
            if self.runtime.config.salesforce.allow_any_org_on_login_hosts:
                return False
            on = self.orgs.get(org_id)
            return on is None or on.is_sandbox != sandbox
        owner = self.orgs.first("my_domain", host) if host else None
        if owner is None or owner.id == org_id:
            return False
        org = self.orgs.get(org_id)  # two orgs may name one My Domain: the org's own is never foreign
        return org is None or org.my_domain != host

    def live_access(self, raw: str | None, *, any_user: bool = False) -> AccessToken | None:
        """The live session for `raw`, looked at without using it: a request that may still refuse the session
        (its scope, the resource) calls `touch` once it is served, since only a successful request resets the
        timeout (spec 10, [OBS]); introspection never touches. With `any_user`, also the session of a deactivated
        user or a locked org (dead to every use, still there to revoke)."""
        token = self.live_session(security.token_hash(raw), any_user=any_user) if raw else None
        if token is not None and token.format == "jwt" and not self.runtime.keys.still_published(raw or "", "rsa"):
            return None  # a JWT access token whose key was rotated out of /id/keys
        return token

    def live_session(self, token_id: str, *, any_user: bool = False) -> AccessToken | None:
        """`live_access` by the token's id (its hash), e.g. for a browser session started from it."""
        token = self.access_tokens.get(token_id)
        if token is None:
            return None
        if not token.live(self.clock.now()):
            return None
        if token.refresh_id is not None:
            rt = self.refresh_tokens.get(token.refresh_id)
            if rt is None or rt.revoked:
                return None
        if not any_user:
            user = self.users.get(token.user_id)
            if user is None or not self.active(user):  # deactivated, or the org locked: its sessions are dead
                return None
        return token

    def touch(self, token: AccessToken) -> AccessToken | None:
        """A use of the live session `token` (as `live_access` handed it back, touched once the
        request is served): its idle timer slides forward once half the timeout has passed (`_slide`). The session
        as it is then; None when it ended meanwhile (another worker revoked it: answer as for a dead session)."""
        now = self.clock.now()
        if token.format != "jwt" and now - token.last_active >= token.timeout / 2:  # a JWT's exp is fixed
            return self._slide(token.id, now)
        return token

    def _slide(self, token_id: str, now: float) -> AccessToken | None:
        """Slide a live session's idle timer to `now`, on the record as it is now: written back whole, a copy read
        before another worker's revoke (or a change of the session) committed would undo it. None when the
        session is no longer live."""
        with self.store.atomic():
            token = self.access_tokens.get(token_id)
            if token is None or not token.live(now):
                return None
            token.last_active = now
            self.access_tokens.put(token)
            return token

    # revocation --------------------------------------------------------------------------------------
    def _revoke_access(self, access_id: str) -> bool:
        token = self.access_tokens.get(access_id)
        if token is None or token.revoked:
            return False
        token.revoked = True
        self.access_tokens.put(token)
        return True

    def revoke_family(self, family_id: str) -> None:
        for rt in self.refresh_tokens.find("family_id", family_id):
            if not rt.revoked:
                rt.revoked = True
                self.refresh_tokens.put(rt)
            for at in self.access_tokens.find("refresh_id", rt.id):
                self._revoke_access(at.id)

    def revoke(self, raw: str | None, base: str) -> bool:
        """Revoke an access token (that session), a refresh token (it and its access tokens) or an approval by
        its `OauthToken.DeleteToken` (its refresh-token family and their access tokens). A refresh token its app's
        policy expired (`immediately`, `idle` or `absolute` past their TTL) is still known: revoking it ends the
        sessions it issued, which outlive it (spec 5: "revokes it and any associated access tokens"). On another
        org's My Domain (`base`, `foreign_org`) the token is unknown, as it is to REST and introspection there."""
        if not raw:
            return False
        digest = security.token_hash(raw)
        with self.store.atomic():
            token = self.access_tokens.get(digest)
            if token is not None:
                if self.foreign_org(token.org_id, base):
                    return False
                # dead as REST and introspection see it; a deactivated user's or locked org's session is dead to
                # every use but revoked all the same (else it would come back with the user or the org)
                if self.live_access(raw, any_user=True) is None:
                    return False
                return self._revoke_access(digest)
            rt = self.refresh_tokens.get(digest)
            if rt is None:
                return self._revoke_approval(raw, base)
            if rt.revoked or rt.rotated or self.foreign_org(rt.org_id, base):
                return False
            self.revoke_family(rt.family_id)
            return True

    def _revoke_approval(self, raw: str, base: str) -> bool:
        """`raw` as an `OauthToken.DeleteToken`: revoke that approval unless it was revoked (in `revoke`'s atomic);
        one its policy expired since the token was shown still ends its sessions, as its refresh token does."""
        root = approval_of_delete_token(self, raw)
        if root is None or self.foreign_org(root.org_id, base):
            return False
        members = self.refresh_tokens.find("family_id", root.family_id)
        if not any(not rt.revoked and not rt.rotated for rt in members):
            return False
        self.revoke_family(root.family_id)
        return True

    def expire_sessions(self, org_id: str | None = None, user_id: str | None = None) -> int:
        """End live sessions now (a control-plane transition): their access tokens answer 401."""
        count = 0
        with self.store.atomic():
            for token in self.access_tokens.all():
                if (org_id and token.org_id != org_id) or (user_id and token.user_id != user_id):
                    continue
                if self._revoke_access(token.id):
                    count += 1
        return count

"""Account Manager OAuth (`account.demandware.com/dwsso/oauth2/*`) and the Business Manager user grant on an
instance (`/dw/oauth2/access_token?client_id=`), as state transitions over the store. No HTTP here."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from .. import security
from ..fieldwise import Value
from ..http.forms import Params
from ..redirects import add_params
from ..security import b64_pair, basic_pair
from ..store import Table, delete_rows
from ..store.prune import DEAD_KEEP, Pruner
from .errors import AmError, am_invalid_client
from .models import AmClient, AmCode, AmToken, AmUser, BmUser, Instance

if TYPE_CHECKING:
    from ..config import B2CSettings
    from ..runtime import Runtime

AM_HOST = "account.demandware.com"
AM_TOKEN_URL = f"https://{AM_HOST}/dwsso/oauth2/access_token"
AM_ISSUER = f"https://{AM_HOST}:443/dwsso/oauth2"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
BM_GRANT = "urn:demandware:params:oauth:grant-type:client-id:dwsid:dwsecuretoken"
GRANTS = ("client_credentials", "password", "authorization_code", "refresh_token")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def form_decode(part: str) -> str:
    """Form-URL-decode one half of a Basic credential, as Account Manager does (`+` is a space). Escapes of bytes
    that are not UTF-8 decode to U+FFFD (as Java's URLDecoder), so they name no client and match no secret."""
    if _BAD_ESCAPE.search(part):
        raise AmError("unauthorized_client", "Unexpected error when authenticating client")
    return unquote_plus(part, errors="replace")


@dataclass(frozen=True, repr=False, eq=False)
class Authenticated(Value):
    """A client that proved who it is at Account Manager's token endpoint, and how (`method`)."""

    client: AmClient
    method: str


@dataclass(frozen=True, repr=False, eq=False)
class Redirect(Value):
    """Where Account Manager's authorize endpoint sends the browser next."""

    url: str


class AccountManager:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.clock = runtime.clock
        self.store = runtime.store
        # only a refresh grant reads a filed token, and a dead one (revoked, or expired `DEAD_KEEP` ago) answers
        # "Invalid refresh token" as an unknown one does: such rows are pruned now and then as tokens are filed
        self.token_pruner = Pruner()
        self.code_pruner = Pruner()

    @property
    def settings(self) -> B2CSettings:
        return self.runtime.config.b2c

    @property
    def clients(self) -> Table[AmClient]:
        return self.store.table(AmClient)

    @property
    def users(self) -> Table[AmUser]:
        return self.store.table(AmUser)

    @property
    def codes(self) -> Table[AmCode]:
        return self.store.table(AmCode)

    @property
    def tokens(self) -> Table[AmToken]:
        return self.store.table(AmToken)

    @property
    def instances(self) -> Table[Instance]:
        return self.store.table(Instance)

    @property
    def bm_users(self) -> Table[BmUser]:
        return self.store.table(BmUser)

    # client authentication --------------------------------------------------------------------------
    def authenticate(self, params: Params, authorization: str | None, token_urls: tuple[str, ...]) -> Authenticated:
        if authorization and authorization[:6].lower() == "basic ":
            pair = b64_pair(authorization[6:])
            if pair is None:
                raise am_invalid_client()
            client_id, secret = form_decode(pair[0]), form_decode(pair[1])
            return Authenticated(self._check_secret(client_id, secret), "client_secret_basic")
        if params.get("client_assertion") or params.get("client_assertion_type"):
            return Authenticated(self._check_assertion(params, token_urls), "private_key_jwt")
        if "client_secret" in params:
            return Authenticated(
                self._check_secret(params.get("client_id"), params.get("client_secret")), "client_secret_post"
            )
        client = self.clients.get(params.get("client_id") or "")
        if client is None or not client.active:
            raise am_invalid_client()
        if client.auth_method != "none":
            raise AmError("invalid_client", "Parameter client_assertion_type is missing", 400, error_first=True)
        return Authenticated(client, "none")

    def _check_secret(self, client_id: str | None, secret: str | None) -> AmClient:
        client = self.clients.get(client_id or "")
        if client is None or not client.active or not client.secret or secret is None:
            raise am_invalid_client()
        if not security.equal(secret, client.secret):
            raise am_invalid_client()
        return client

    def _check_assertion(self, params: Params, token_urls: tuple[str, ...]) -> AmClient:
        if params.get("client_assertion_type") != ASSERTION_TYPE:
            raise AmError("invalid_client", "Parameter client_assertion_type is missing", 400, error_first=True)
        assertion = params.get("client_assertion") or ""
        import jwt  # here, not at import: PyJWT and cryptography stay off the start-up path

        try:
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise am_invalid_client() from None
        client = self.clients.get(str(claims.get("iss") or ""))
        if client is None or not client.active or not client.jwt_public_key:
            raise am_invalid_client()
        try:
            verified = jwt.decode(
                assertion,
                client.jwt_public_key,
                algorithms=["RS256", "RS384", "RS512", "ES256"],
                audience=list(token_urls),
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "require": ["exp"]},
            )
        except (jwt.PyJWTError, ValueError):  # ValueError: PyJWT's ES256 path on a seeded key that is no PEM
            raise am_invalid_client() from None
        if verified.get("sub") != client.id or params.get("client_id") not in (None, client.id):
            raise am_invalid_client()
        exp = verified["exp"]
        if isinstance(exp, bool) or not isinstance(exp, int | float) or exp <= self.clock.now():
            raise am_invalid_client()  # RFC 7519 4.1.4: exp is a NumericDate
        return client

    # token endpoint ---------------------------------------------------------------------------------
    def token(self, params: Params, authorization: str | None, token_urls: tuple[str, ...]) -> dict[str, Any]:
        grant = params.get("grant_type")
        if grant not in GRANTS:
            raise AmError("unsupported_grant_type", f"Unsupported grant type: {grant or ''}".strip())
        auth = self.authenticate(params, authorization, token_urls)
        client = auth.client
        with self.store.atomic():
            if grant == "client_credentials":
                if auth.method == "none":
                    raise AmError("unauthorized_client", "Public clients cannot use the client_credentials grant")
                return self._issue(client, client.id, self._scopes(client, params.get("scope")), user=False)
            if grant == "password":
                if auth.method == "none":
                    raise AmError("unauthorized_client", "Public clients cannot use the password grant")
                user = self._login(params.get("username"), params.get("password"))
                return self._issue(client, user.id, self._scopes(client, params.get("scope")), user=True)
            if grant == "authorization_code":
                return self._code(client, params)
            return self._refresh(client, params)

    def _scopes(self, client: AmClient, requested: str | None, ceiling: list[str] | None = None) -> list[str]:
        allowed = ceiling if ceiling is not None else list(dict.fromkeys([*client.scopes, *client.default_scopes]))
        if requested is None or not requested.strip(" "):
            return list(ceiling if ceiling is not None else client.default_scopes)
        asked = list(dict.fromkeys(s for s in requested.split(" ") if s))  # spaces only: no tab, NBSP, U+3000
        if any(s not in allowed for s in asked):
            raise AmError("invalid_scope", "The requested scope is invalid, unknown, or malformed")
        return asked

    def _login(self, username: str | None, password: str | None) -> AmUser:
        user = self.users.get((username or "").strip().lower())
        if user is None or not user.active or password is None:
            raise AmError("invalid_grant", "Resource owner authentication failed")
        if not security.equal(security.password_hash(password, user.salt), user.password_hash):
            raise AmError("invalid_grant", "Resource owner authentication failed")
        return user

    def _code(self, client: AmClient, params: Params) -> dict[str, Any]:
        raw = params.get("code")
        code = self.codes.get(security.token_hash(raw)) if raw else None
        now = self.clock.now()
        if code is None or code.used or now >= code.expires_at or code.client_id != client.id:
            raise AmError("invalid_grant", "Invalid authorization code")
        # the exchange's own checks run before the code is marked used: a refused exchange leaves it redeemable, as
        # on the other servers (a mock choice: the reference says only "single use")
        if params.get("redirect_uri") != code.redirect_uri:
            raise AmError("invalid_grant", "Redirect URI mismatch")
        if code.code_challenge is not None:
            verifier = params.get("code_verifier")
            if not verifier or not security.equal(security.b64url_sha256(verifier), code.code_challenge):
                raise AmError("invalid_grant", "PKCE verification failed")
        code.used = True
        self.codes.put(code)
        return self._issue(client, code.user, code.scopes, user=True, id_token=self.settings.am_code_id_token)

    def _refresh(self, client: AmClient, params: Params) -> dict[str, Any]:
        raw = params.get("refresh_token")
        rt = self.tokens.get(security.token_hash(raw)) if raw else None
        now = self.clock.now()
        if rt is None or rt.kind != "refresh" or rt.revoked or rt.client_id != client.id:
            raise AmError("invalid_grant", "Invalid refresh token")
        if rt.expires_at and now >= rt.expires_at:
            raise AmError("invalid_grant", "Invalid refresh token")
        scopes = self._scopes(client, params.get("scope"), ceiling=rt.scopes)
        if not self.settings.am_refresh_rotation:
            body = self._issue(client, rt.subject, scopes, user=True, refresh=False)
            body["refresh_token"] = raw
            return body
        rt.revoked = True
        self.tokens.put(rt)
        # a narrower refresh keeps the wider grant for the next refresh (RFC 6749 6: "originally granted")
        return self._issue(client, rt.subject, scopes, user=True, refresh_scopes=rt.scopes)

    def _keep(
        self,
        raw: str,
        kind: str,
        client: AmClient,
        subject: str,
        scopes: list[str],
        now: float,
        expires_at: float,
        instance: str | None = None,
    ) -> None:
        """File an issued token (`kind` access, refresh or bm) under its hash: the mock's record of it."""
        self.tokens.put(
            AmToken(
                id=security.token_hash(raw),
                kind=kind,
                client_id=client.id,
                subject=subject,
                scopes=list(scopes),
                issued_at=now,
                expires_at=expires_at,
                instance=instance,
            )
        )
        self.token_pruner.added(
            self.store, self.tokens, lambda t: t.revoked or (t.expires_at and t.expires_at + DEAD_KEEP < now)
        )

    def _jwt(self, claims: dict[str, Any]) -> str:
        key = self.runtime.keys.rsa_of("am")
        return key.sign(claims)

    def _issue(
        self,
        client: AmClient,
        subject: str,
        scopes: list[str],
        *,
        user: bool,
        refresh: bool = True,
        id_token: bool = True,
        refresh_scopes: list[str] | None = None,
    ) -> dict[str, Any]:
        now = self.clock.now()
        ttl = self.settings.am_expires_in
        claims = {
            "sub": subject,
            "cid": client.id,
            "iss": AM_ISSUER,
            "aud": AM_ISSUER,
            "scope": scopes,
            "iat": int(now),
            "nbf": int(now),
            "exp": int(now) + ttl,
            "jti": str(uuid.uuid4()),
            "tokenName": "access_token",
            "grant_type": "password" if user else "client_credentials",
        }
        access = self._jwt(claims)
        self._keep(access, "access", client, subject, scopes, now, now + ttl)
        body: dict[str, Any] = {
            "access_token": access,
            "scope": " ".join(scopes),
            "token_type": "Bearer",
            "expires_in": ttl,
        }
        if user and id_token:
            body["id_token"] = self._jwt(
                {
                    "sub": subject,
                    "iss": AM_ISSUER,
                    "aud": client.id,
                    "iat": int(now),
                    "exp": int(now) + ttl,
                    "tokenName": "id_token",
                }
            )
        if user and refresh:
            raw = security.random_b62(43)
            rt_ttl = self.settings.am_refresh_ttl
            grant = scopes if refresh_scopes is None else refresh_scopes
            self._keep(raw, "refresh", client, subject, grant, now, now + rt_ttl if rt_ttl else 0.0)
            body["refresh_token"] = raw
        return body

    # authorize --------------------------------------------------------------------------------------
    def authorize(self, params: Params) -> Redirect:
        client = self.clients.get(params.get("client_id") or "")
        if client is None or not client.active:
            raise AmError("invalid_client", "Client authentication failed", 400)
        redirect_uri = params.get("redirect_uri")
        if not redirect_uri or redirect_uri not in client.redirect_urls:
            raise AmError("invalid_request", "Invalid redirect_uri", 400)
        state = params.get("state")
        response_type = params.get("response_type")

        def back(query: dict[str, str], fragment: bool = False) -> Redirect:
            if state is not None:
                query["state"] = state
            return Redirect(add_params(redirect_uri, query, fragment=fragment))

        if response_type not in ("code", "token"):
            return back({"error": "unsupported_response_type"})
        try:
            scopes = self._scopes(client, params.get("scope"))
        except AmError:
            return back({"error": "invalid_scope"}, fragment=response_type == "token")
        hint = (params.get("login_hint") or "").lower()
        user = self.users.get(hint) if hint else next((u for u in self.users.all() if u.active), None)
        if user is None or not user.active:
            return back({"error": "access_denied"}, fragment=response_type == "token")
        now = self.clock.now()
        if response_type == "token":  # implicit, deprecated: the token rides in the fragment
            ttl = self.settings.am_implicit_expires_in
            access = self._jwt(
                {
                    "sub": user.id,
                    "cid": client.id,
                    "iss": AM_ISSUER,
                    "aud": AM_ISSUER,
                    "scope": scopes,
                    "iat": int(now),
                    "exp": int(now) + ttl,
                    "jti": str(uuid.uuid4()),
                }
            )
            self._keep(access, "access", client, user.id, scopes, now, now + ttl)
            return back(
                {"access_token": access, "token_type": "Bearer", "expires_in": str(ttl), "scope": " ".join(scopes)},
                fragment=True,
            )
        challenge = params.get("code_challenge")
        if client.auth_method == "none" and not challenge:
            return back({"error": "invalid_request", "error_description": "code_challenge is required"})
        if challenge and (params.get("code_challenge_method") or "S256") != "S256":
            return back({"error": "invalid_request", "error_description": "code_challenge_method must be S256"})
        raw = security.random_b62(40)
        self.codes.put(
            AmCode(
                id=security.token_hash(raw),
                client_id=client.id,
                user=user.id,
                redirect_uri=redirect_uri,
                scopes=scopes,
                expires_at=now + self.settings.am_code_ttl,
                code_challenge=challenge,
            )
        )
        # a used code, or one expired a day ago, is 'Invalid authorization code' as an unknown one is: pruned
        self.code_pruner.added(self.store, self.codes, lambda c: c.used or c.expires_at + DEAD_KEEP < now)
        return back({"code": raw})

    # removal (the control plane's reset) ------------------------------------------------------------
    def remove_client(self, client_id: str) -> dict[str, int] | None:
        """Remove an API client and the codes and tokens issued to it (Business Manager grants included), in
        one transaction: the rows removed per table, or None when there is no such client."""
        removed: dict[str, int] = {}
        with self.store.atomic():
            client = self.clients.get(client_id)
            if client is None:
                return None
            delete_rows(self.tokens, self.tokens.find("client_id", client_id), removed)
            delete_rows(self.codes, [c for c in self.codes.all() if c.client_id == client_id], removed)  # no index
            delete_rows(self.clients, [client], removed)
        return removed

    def remove_user(self, login: str) -> dict[str, int] | None:
        """Remove an Account Manager user and the codes and tokens issued for them (the user's own, not a
        Business Manager user's of the same login), in one transaction; None when there is no such user."""
        removed: dict[str, int] = {}
        login = login.lower()
        with self.store.atomic():
            user = self.users.get(login)
            if user is None:
                return None
            tokens = [t for t in self.tokens.all() if t.kind != "bm" and t.subject.lower() == login]
            delete_rows(self.tokens, tokens, removed)
            delete_rows(self.codes, [c for c in self.codes.all() if c.user.lower() == login], removed)
            delete_rows(self.users, [user], removed)
        return removed

    # Business Manager user grant on an instance -----------------------------------------------------
    def instance(self, host: str | None, *, fallback: bool = True) -> Instance | None:
        """The seeded instance `host` names; else, with `fallback` (a request's `Host`), the default instance. An
        explicit `/b2c/instances/<host>/` names one instance: no fallback (a typo is no other instance)."""
        if host:
            found = self.instances.get(host.lower())
            if found is not None:
                return found
        if not fallback:
            return None
        return next((i for i in self.instances.all() if i.default), None)

    def bm_grant(self, params: Params, authorization: str | None, instance: Instance | None) -> dict[str, Any]:
        client_id = params.get("client_id") or ""
        grant = params.get("grant_type") or ""
        failure = AmError(
            "unauthorized_client",
            f"Client id '{client_id}' has invalid credentials to use grant type '{grant}'.",
            self.settings.bm_error_status,
            error_first=True,
        )
        pair = basic_pair(authorization)
        if instance is None or pair is None or grant != BM_GRANT:  # only this grant (body or query), spec 2a
            raise failure
        login, rest = pair
        password, sep, secret = rest.rpartition(":")
        client = self.clients.get(client_id)
        if not sep or client is None or not client.active or not client.secret:
            raise failure
        user = self.bm_users.get(f"{instance.id}|{login.lower()}")
        if user is None or not security.equal(secret, client.secret):
            raise failure
        ok = security.equal(security.password_hash(password, user.salt), user.password_hash)
        if user.access_key_hash is not None:
            ok |= security.equal(security.password_hash(password, user.salt), user.access_key_hash)
        if not ok:
            raise failure
        now = self.clock.now()
        ttl = self.settings.bm_expires_in
        access = security.random_b62(32)
        self._keep(access, "bm", client, user.login, [], now, now + ttl, instance=instance.id)
        return {"access_token": access, "token_type": "Bearer", "expires_in": ttl}

    def rate_headers(self) -> dict[str, str]:
        """`x-ratelimit-*` as Account Manager sends them; remaining counts this minute's calls."""
        now = self.clock.now()
        window = int(now // 60) * 60
        used = self.runtime.b2c.count(f"am|{window}", now)
        limit = self.settings.am_rate_limit_per_minute
        return {
            "x-ratelimit-limit": self.settings.am_rate_limit,
            "x-ratelimit-remaining": str(max(limit - used, 0)),
            "x-ratelimit-reset": str(window + 60 - int(now)),
        }

"""API tokens: the lifecycle (generate, revoke, 180-day expiry) and the exchange at the auth host.

An API token is an Okta refresh token. It is shown once (the return value of `generate`), stored as a hash,
expires `api_token_ttl` (180 days) after creation whether used or not and is then deleted. Each user holds at
most one; generating while one is live is refused (`token_conflict: refuse`, "revoke first") or replaces it
(`replace`). Revoking is irreversible and global: every region reads the same record. Generating, revoking
and using (exchanging) a token are audit events; creation and revocation e-mail the user.
"""

from __future__ import annotations

import math
import secrets
from typing import TYPE_CHECKING, Any

from .. import outbox, security
from ..clock import iso
from ..http.forms import Params
from .errors import OktaError, OwnError, TokenError, unauthorized
from .models import ApiToken, LegacySession, OwnAccessToken, OwnUser
from .service import Principal

if TYPE_CHECKING:
    from .service import OwnService

AUTH_SERVER = "aus4c3z3l8FqrbqDU4h7"
CLIENT_ID = "0oa4c413eq8wwcEzP4h7"
SCOPE = "api:access"
ISSUER = f"https://auth.owndata.com/oauth2/{AUTH_SERVER}"
TOKEN_PATH = f"/oauth2/{AUTH_SERVER}/v1/token"
REVOKE_PATH = f"/oauth2/{AUTH_SERVER}/v1/revoke"

INVALID_GRANT = "The refresh token is invalid or expired."


# -- lifecycle ------------------------------------------------------------------------------------------
def live_token(own: OwnService, user_id: str) -> ApiToken | None:
    """The user's API token if it has not expired; an expired one is deleted on sight."""
    now = own.clock.now()
    live: ApiToken | None = None
    for token in own.api_tokens.find("user_id", user_id):
        if now >= token.expires_at:
            _delete(own, token)
        else:
            live = token
    return live


def _delete(own: OwnService, token: ApiToken) -> None:
    own.api_tokens.delete(token.id)
    if own.settings.revoke_cascade:
        for access in own.access_tokens.find("api_token_id", token.id):
            own.access_tokens.delete(access.id)


def generate(
    own: OwnService,
    user_id: str | int,
    password: str | None = None,
    *,
    ip: str | None = None,
    source: str = "web app",
    raw: str | None = None,
) -> str:
    """A new API token for the user (the raw value, shown this once). See the module notes for the rules."""
    with own.store.atomic():
        user = _user(own, user_id)
        account = own.account(user.account_id)
        if not account.api_tokens_enabled:
            raise TokenError(403, "API tokens are disabled for this account", code="api_tokens_disabled")
        if user.sso and password is None:
            raise TokenError(
                401, "SSO users must confirm their password to generate an API token", code="password_required"
            )
        if password is not None and not own.check_password(user, password):
            raise TokenError(401, "the password is not correct", code="bad_password")
        existing = live_token(own, user.id)
        if existing is not None:
            if own.settings.token_conflict == "refuse":
                raise TokenError(
                    409,
                    "an API token exists already for this user: revoke it before generating a new one",
                    code="token_exists",
                )
            _revoke(own, user, existing, ip=ip, source=source)
        raw = raw or secrets.token_urlsafe(32)  # a fixed value only from seed documents
        if own.api_tokens.get(security.token_hash(raw)) is not None:
            raise TokenError(409, "this API token value is in use already", code="token_exists")
        now = own.clock.now()
        token = ApiToken(
            id=security.token_hash(raw),
            user_id=user.id,
            account_id=user.account_id,
            created_at=now,
            expires_at=now + own.api_token_ttl,
            hint=raw[-4:],
        )
        own.api_tokens.put(token)
        own.record_event(user.account_id, "api_token_generated", user=user, ip=ip, source=source)
        outbox.send(
            own.runtime,
            to=user.email,
            subject="Your Own API token was created",
            body=(
                f"Hello {user.name or user.email},\n\nAn API token was generated for your Own account on "
                f"{iso(now)}. It expires on {iso(token.expires_at)} ({_span(own.api_token_ttl)}), "
                "whether used or not.\n"
                "If you did not do this, revoke it on your Edit Profile page and contact your administrator.\n"
            ),
            account_id=user.account_id,
            kind="own.api_token.created",
        )
    return raw


def _span(seconds: float) -> str:
    """A lifetime in the largest whole unit: ``180 days``, ``1 day``, ``90 minutes``, ``45 seconds``."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds:g} seconds"


def revoke(own: OwnService, user_id: str | int, *, ip: str | None = None, source: str = "web app") -> None:
    """Revoke the user's API token, in every region at once. Irreversible. 404 when the user has none."""
    with own.store.atomic():
        user = _user(own, user_id)
        token = live_token(own, user.id)
        if token is None:
            raise TokenError(404, "this user has no API token", code="no_token")
        _revoke(own, user, token, ip=ip, source=source)


def _revoke(own: OwnService, user: OwnUser, token: ApiToken, *, ip: str | None, source: str) -> None:
    """Revoke `token`, the user's API token: every token the user holds goes (one, unless a store was edited by
    hand: none may stay alive behind the one the profile page shows)."""
    for held in own.api_tokens.find("user_id", user.id):
        if held.id != token.id:
            _delete(own, held)
    _delete(own, token)
    own.record_event(user.account_id, "api_token_revoked", user=user, ip=ip, source=source)
    outbox.send(
        own.runtime,
        to=user.email,
        subject="Your Own API token was revoked",
        body=(
            f"Hello {user.name or user.email},\n\nThe API token of your Own account was revoked on "
            f"{iso(own.clock.now())}. Scripts that use it can no longer sign in, in any region.\n"
        ),
        account_id=user.account_id,
        kind="own.api_token.revoked",
    )


def info(own: OwnService, user_id: str | int) -> dict[str, Any] | None:
    """What the profile page shows about the user's API token (never the token itself), or None."""
    token = live_token(own, _user(own, user_id).id)
    if token is None:
        return None
    return {
        "created_at": iso(token.created_at),
        "expires_at": iso(token.expires_at),
        "last_used_at": iso(token.last_used_at) if token.last_used_at is not None else None,
        "hint": token.hint,
    }


def _user(own: OwnService, user_id: str | int) -> OwnUser:
    user = own.user(user_id)
    if user is None:
        raise TokenError(404, f"user {user_id} not found", code="unknown_user")
    if not user.active:
        raise TokenError(403, f"user {user_id} is inactive", code="inactive_user")
    return user


# -- the auth host --------------------------------------------------------------------------------------
def exchange(own: OwnService, params: Params, *, ip: str | None = None) -> dict[str, Any]:
    """``grant_type=refresh_token`` at the Okta token endpoint: an access token for a live API token."""
    client_id = params.get("client_id")
    if not client_id or client_id != CLIENT_ID:
        raise OktaError("invalid_client", "Invalid value for 'client_id' parameter.", 401)
    grant_type = params.get("grant_type")
    if not grant_type:
        raise OktaError("invalid_request", "The token request must specify a 'grant_type'.")
    if grant_type != "refresh_token":
        raise OktaError(
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server. "
            "Configured grant types: [refresh_token].",
        )
    scope = params.get("scope") or None  # RFC 6749 3.1: a parameter without a value is an omitted one
    if scope is not None and scope.split() != [SCOPE]:
        raise OktaError("invalid_scope", "One or more scopes are not configured for the authorization server resource.")
    raw = params.get("refresh_token")
    if not raw:
        raise OktaError("invalid_request", "The token request must specify a 'refresh_token'.")
    now = own.clock.now()
    with own.store.atomic():
        stored = own.api_tokens.get(security.token_hash(raw))
        if stored is None:
            raise OktaError("invalid_grant", INVALID_GRANT)
        if now >= stored.expires_at:
            _delete(own, stored)  # "once expired it is deleted and API access stops"
            raise OktaError("invalid_grant", INVALID_GRANT)
        user = own.user(stored.user_id)
        account = own.accounts.get(stored.account_id)
        if user is None or not user.active or account is None or not account.api_tokens_enabled:
            raise OktaError("invalid_grant", INVALID_GRANT)
        ttl = int(own.settings.access_token_ttl)
        if own.settings.revoke_cascade:  # the access token dies with its API token: never promise more than that
            left = int(stored.expires_at - now)
            ttl = min(ttl, left)
            # the API token has under a second left (expires_in, whole seconds, at least 1, cannot say it), or
            # under a second once the propagation delay is over: the access token would never be usable. Only
            # the API token's life counts: a short access_token_ttl setting is not the client's API token's fault
            if ttl < 1 or left - float(own.settings.propagation_delay) < 1:
                raise OktaError("invalid_grant", INVALID_GRANT)
        access_raw = _access_jwt(own, user, now, ttl)
        own.access_tokens.put(
            OwnAccessToken(
                id=security.token_hash(access_raw),
                api_token_id=stored.id,
                user_id=user.id,
                account_id=user.account_id,
                issued_at=now,
                expires_at=now + ttl,
                usable_from=now + float(own.settings.propagation_delay),
            )
        )
        stored.last_used_at = now
        own.api_tokens.put(stored)
        own.record_event(user.account_id, "api_token_used", user=user, ip=ip, source="api")
    return {
        "token_type": "Bearer",
        "expires_in": ttl,
        "access_token": access_raw,
        "scope": SCOPE,
        "refresh_token": raw,  # no rotation: the API token stays the same for its 180 days
    }


def _access_jwt(own: OwnService, user: OwnUser, now: float, ttl: int) -> str:
    """An Okta-shaped access token (RS256 JWT). The mock checks it by its stored hash and by its key, which must
    still be published (`KeyRing.still_published`: a second rotation ends it)."""
    key = own.runtime.keys.rsa_of("own")
    claims = {
        "ver": 1,
        "jti": "AT." + secrets.token_urlsafe(32),
        "iss": ISSUER,
        "aud": "api://own",
        "iat": int(now),
        "exp": int(now) + ttl,
        "cid": CLIENT_ID,
        "uid": f"00u{user.num:017d}",
        "scp": [SCOPE],
        "sub": user.email,
    }
    return key.sign(claims)


def revoke_access(own: OwnService, params: Params, *, ip: str | None = None) -> None:
    """Okta's ``/v1/revoke``: 200 even for an unknown token. It "takes an access or refresh token and revokes it"
    (S16), and an API token is a refresh token (S5): that is revoked as on the Edit Profile page (every region,
    its access tokens with it, an audit event, the e-mail). `token_type_hint` only orders the search (RFC 7009)."""
    if params.get("client_id") != CLIENT_ID:
        raise OktaError("invalid_client", "Invalid value for 'client_id' parameter.", 401)
    raw = params.get("token")
    if not raw:
        raise OktaError("invalid_request", "The revocation request must specify a 'token'.")
    hashed = security.token_hash(raw)
    with own.store.atomic():
        access = own.access_tokens.get(hashed)
        if access is not None:
            access.revoked = True
            own.access_tokens.put(access)
            return
        token = own.api_tokens.get(hashed)
        if token is None:
            return
        user = own.user(token.user_id)
        if own.clock.now() >= token.expires_at or user is None:
            _delete(own, token)  # expired: deleted already as far as anyone can tell, nothing to announce
            return
        _revoke(own, user, token, ip=ip, source="api")


def legacy_login(own: OwnService, email: str | None, password: str | None, *, ip: str | None = None) -> str:
    """The legacy ``/api/auth/v1/login``: a session id for an e-mail and password (no SSO users)."""
    if not own.settings.legacy_sessions:
        raise OwnError(404, "the legacy session API is switched off (own.legacy_sessions)")
    user = own.user_by_email(email)
    if user is None or not user.active or user.sso or not own.check_password(user, password):
        raise unauthorized("Invalid email or password")
    raw = secrets.token_urlsafe(24)
    with own.store.atomic():
        own.legacy_sessions.put(
            LegacySession(
                id=security.token_hash(raw),
                user_id=user.id,
                account_id=user.account_id,
                expires_at=own.clock.now() + int(own.settings.access_token_ttl),
            )
        )
        own.record_event(user.account_id, "user_login", user=user, ip=ip, source="api")
    return raw


def legacy_logout(own: OwnService, session_id: str | None, *, ip: str | None = None) -> None:
    """`POST /api/auth/v1/logout`: ends a live session (an expired one, or one whose user is gone or inactive, is
    the resource API's 401, with no `user_logout` event: the audit log records real actions only)."""
    if not own.settings.legacy_sessions:
        raise OwnError(404, "the legacy session API is switched off (own.legacy_sessions)")
    session, principal = _legacy_session(own, (session_id or "").strip(), ip)
    with own.store.atomic():
        own.legacy_sessions.delete(session.id)
        own.record_event(session.account_id, "user_logout", user=principal.user, ip=ip, source="api")


def _legacy_session(own: OwnService, session_id: str, ip: str | None) -> tuple[LegacySession, Principal]:
    """The live legacy session behind `session_id` and its principal; else the 401 both of its uses answer."""
    session = own.legacy_sessions.get(security.token_hash(session_id)) if own.settings.legacy_sessions else None
    if session is None or own.clock.now() >= session.expires_at:
        raise unauthorized("Invalid or expired session")
    user = own.user(session.user_id)
    account = own.accounts.get(session.account_id)
    if user is None or not user.active or account is None:
        raise unauthorized("Invalid or expired session")
    return session, Principal(user=user, account=account, ip=ip)


def authenticate(
    own: OwnService, authorization: str | None, *, ip: str | None = None, session_id: str | None = None
) -> Principal:
    """The principal behind ``Authorization: Bearer <access token>`` (or a legacy ``X-SESSION-ID``); else 401."""
    if session_id and not authorization:
        return _legacy_session(own, session_id.strip(), ip)[1]
    if not authorization or not authorization[:7].lower() == "bearer ":
        raise unauthorized("Missing or malformed Authorization header (expected: Bearer <access token>)")
    raw = authorization[7:].strip()
    access = own.access_tokens.get(security.token_hash(raw)) if raw else None
    now = own.clock.now()
    if access is None or access.revoked or now >= access.expires_at:
        raise unauthorized()
    if not own.runtime.keys.still_published(raw, "own"):  # a second rotation dropped its key
        raise unauthorized()
    if now < access.usable_from:
        raise unauthorized("Access token is not yet active (still propagating); retry in a few seconds")
    if own.settings.revoke_cascade and live_api_token_of(own, access) is None:
        raise unauthorized()
    user = own.user(access.user_id)
    account = own.accounts.get(access.account_id)
    if user is None or not user.active or account is None or not account.api_tokens_enabled:
        raise unauthorized()
    _count_call(own, access, now)
    return Principal(user=user, account=account, ip=ip)


def _count_call(own: OwnService, access: OwnAccessToken, now: float) -> None:
    """Spec U19 (a proposal, off by default): with `rate_limit_per_minute` set, an access token makes that many
    calls per clock minute; the next ones are 429 with `Retry-After`, the seconds left in the minute."""
    limit = own.settings.rate_limit_per_minute
    if limit <= 0:
        return
    window = now // 60 * 60
    with own.store.atomic():
        # the token as it is now: one revoked, or deleted with its API token, since the caller checked it is not
        # counted, nor written back (a deleted one would come back)
        current = own.access_tokens.get(access.id)
        if current is None or current.revoked:
            raise unauthorized()
        if current.window_start != window:  # a new minute (or the clock was moved back): count afresh
            current.window_start, current.window_calls = window, 0
        current.window_calls += 1
        own.access_tokens.put(current)
    if current.window_calls > limit:
        retry = str(max(1, math.ceil(window + 60 - now)))
        raise OwnError(429, f"Rate limit exceeded: {limit} requests per minute", headers={"Retry-After": retry})


def live_api_token_of(own: OwnService, access: OwnAccessToken) -> ApiToken | None:
    token = own.api_tokens.get(access.api_token_id)
    if token is None:
        return None
    if own.clock.now() >= token.expires_at:
        with own.store.atomic():
            _delete(own, token)
        return None
    return token

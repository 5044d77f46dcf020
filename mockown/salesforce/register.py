"""Dynamic client registration (`POST /services/oauth2/register`, RFC 7591 as Salesforce serves it).

The caller presents a registering app's initial access token (`initial_access_token` on a seeded app,
stored hashed) as a Bearer token. The new app belongs to the registering app's org, inherits its policies
(auto-approval, pre-approved users, session timeout, refresh-token policy, JWT access tokens, username-password
permission, token-exchange handler, and its client-credentials run-as user when `grant_types` asks for
`client_credentials`) and works at once for every flow; the JWT bearer flow needs a `jwks` with the signing key.

Answers 201 with Salesforce's fields (`client_id`, `client_secret`, `registration_access_token`,
`registration_client_uri`, `client_id_issued_at`, `client_secret_expires_at: 0`, ... and the non-standard
`scopes` list, `hybrid_auth_code` added to `grant_types`). Errors (undocumented): RFC 7591's
`invalid_redirect_uri` / `invalid_client_metadata` (400) and RFC 6750's `invalid_token` (401).
`GET` / `DELETE /services/oauth2/register/<client_id>` with the registration access token read or delete
the registration (RFC 7592).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.responses import Response

from .. import ids, security
from .discovery import is_scope, scope_tokens
from .errors import OAuthError
from .models import ConnectedApp, Registration
from .service import SalesforceService

DEFAULT_SCOPES = ["openid", "refresh_token", "id", "api"]
AUTH_METHODS = ("client_secret_post", "client_secret_basic", "none")


class InvalidToken(OAuthError):
    """401 ``invalid_token`` with RFC 6750's challenge: ``WWW-Authenticate: Bearer`` when no token was sent
    (no error code, RFC 6750 3.1), ``Bearer error="invalid_token"`` when the one sent is not accepted."""

    def __init__(self, presented: bool) -> None:
        super().__init__("invalid_token", "the access token is missing, invalid or expired", 401)
        self.presented = presented

    def response(self) -> Response:
        answer = super().response()
        answer.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if self.presented else "Bearer"
        return answer


def invalid_token(presented: bool = True) -> OAuthError:
    return InvalidToken(presented)


def metadata_error(description: str) -> OAuthError:
    return OAuthError("invalid_client_metadata", description)


def registering_app(service: SalesforceService, bearer: str | None) -> ConnectedApp:
    if not bearer:
        raise invalid_token(presented=False)
    digest = security.token_hash(bearer)
    for app in service.apps.all():
        if app.initial_access_token_hash and security.equal(app.initial_access_token_hash, digest):
            return app
    raise invalid_token()


def _strings(body: dict[str, Any], name: str, default: list[str] | None = None) -> list[str]:
    value = body.get(name, default)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise metadata_error(f"{name} must be a list of strings")
    return list(value)


def _redirect_uris(body: dict[str, Any]) -> list[str]:
    uris = body.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        raise OAuthError("invalid_redirect_uri", "redirect_uris must be a non-empty list of URIs")
    for uri in uris:
        try:
            parts = urlsplit(uri)
        except ValueError:
            raise OAuthError("invalid_redirect_uri", f"invalid redirect URI: {uri}") from None
        web_without_host = parts.scheme in ("http", "https") and not parts.netloc
        if not parts.scheme or parts.fragment or web_without_host or security.script_url(uri):
            raise OAuthError("invalid_redirect_uri", f"invalid redirect URI: {uri}")
    return list(uris)


def _jwks_pem(jwks: Any) -> str | None:
    """The PEM public key of the single RSA key of an inline JWKS (for the JWT bearer flow)."""
    if jwks is None:
        return None
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or len(keys) != 1 or not isinstance(keys[0], dict) or keys[0].get("kty") != "RSA":
        raise metadata_error("jwks must hold one RSA key")
    import jwt  # here, not at import: PyJWT and cryptography stay off the start-up path
    from cryptography.hazmat.primitives import serialization

    try:
        key = jwt.PyJWK(keys[0]).key
        pem: bytes = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    except (jwt.PyJWTError, AttributeError, ValueError):
        raise metadata_error("jwks must hold one RSA key") from None
    return pem.decode("ascii")


def register(service: SalesforceService, bearer: str | None, body: Any, base: str) -> dict[str, Any]:
    registering_app(service, bearer)  # a 401 before the body is looked at (read again where the app is written)
    if not isinstance(body, dict):
        raise metadata_error("the body must be a JSON object")
    redirect_uris = _redirect_uris(body)
    response_types = _strings(body, "response_types", ["code"])
    grant_types = _strings(body, "grant_types", ["authorization_code"])
    if "authorization_code" in grant_types and "hybrid_auth_code" not in grant_types:
        grant_types.insert(grant_types.index("authorization_code") + 1, "hybrid_auth_code")
    contacts = _strings(body, "contacts")
    method = body.get("token_endpoint_auth_method", "client_secret_post")
    if method not in AUTH_METHODS:
        raise metadata_error(f"token_endpoint_auth_method must be one of {', '.join(AUTH_METHODS)}")
    scope = body.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise metadata_error("scope must be a string")
    # the token endpoint's rule (spec 1.2): spaces delimit; other whitespace stays in a scope-token (no scope)
    scopes = list(dict.fromkeys(scope_tokens(scope))) if scope else []
    scopes = scopes or list(DEFAULT_SCOPES)  # none named (absent, empty, only spaces): the defaults
    unknown = [s for s in scopes if not is_scope(s)]
    if unknown:  # the app could never be granted it (the token endpoint refuses unknown scopes)
        raise metadata_error(f"scope names no Salesforce scope: {' '.join(unknown)[:200]}")
    name = body.get("client_name") or "Dynamic Client"
    if not isinstance(name, str):
        raise metadata_error("client_name must be a string")
    certificate = _jwks_pem(body.get("jwks"))
    now = service.clock.now()
    public = method == "none"
    client_id = "3MVG9" + security.random_sf_opaque(80).replace(".", "A")
    secret = None if public else security.random_b62(64).upper()
    registration_token = security.random_b62(64)
    metadata: dict[str, Any] = {
        "client_id": client_id,
        "registration_client_uri": f"{base}/services/oauth2/register/{client_id}",
        "client_id_issued_at": int(now),
        "client_secret_expires_at": 0,
        "token_endpoint_auth_method": method,
        "redirect_uris": redirect_uris,
        "response_types": response_types,
        "grant_types": grant_types,
        "contacts": contacts,
        "client_name": name,
        "scopes": scopes,
    }
    if not contacts:
        del metadata["contacts"]
    with service.store.atomic():
        # the registering app read again where the new one is written: another worker may have deleted it (and
        # its org) since, and the new app copies its settings
        parent = registering_app(service, bearer)
        app = ConnectedApp(
            id=ids.new_id(ids.CONNECTED_APP),
            org_id=parent.org_id,
            name=name,
            client_id=client_id,
            client_secret=secret,
            callback_urls=redirect_uris,
            scopes=scopes,
            require_secret_for_web_server=not public,
            pkce_required=public,
            username_password_allowed=parent.username_password_allowed,
            client_credentials_user=parent.client_credentials_user if "client_credentials" in grant_types else None,
            refresh_token_policy=parent.refresh_token_policy,
            refresh_token_ttl=parent.refresh_token_ttl,
            rotation=parent.rotation,
            session_timeout=parent.session_timeout,
            auto_approve=parent.auto_approve,
            pre_approved_users=list(parent.pre_approved_users),
            jwt_certificate=certificate,
            jwt_access_tokens=parent.jwt_access_tokens,
            registered_by=parent.id,
            token_exchange=parent.token_exchange,
        )
        service.apps.put(app)
        service.store.table(Registration).put(
            Registration(
                id=client_id,
                app_id=app.id,
                registering_app_id=parent.id,
                access_token_hash=security.token_hash(registration_token),
                issued_at=now,
                metadata=metadata,
            )
        )
    return _response(metadata, secret, registration_token)


def _response(metadata: dict[str, Any], secret: str | None, registration_token: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"client_id": metadata["client_id"]}
    if secret:
        out["client_secret"] = secret
    if registration_token:
        out["registration_access_token"] = registration_token
    out.update({k: v for k, v in metadata.items() if k != "client_id"})
    return out


def _registration(service: SalesforceService, client_id: str, bearer: str | None) -> Registration:
    if not bearer:
        raise invalid_token(presented=False)
    found = service.store.table(Registration).get(client_id)
    if found is None or not bearer or not security.equal(found.access_token_hash, security.token_hash(bearer)):
        raise invalid_token()
    return found


def read(service: SalesforceService, client_id: str, bearer: str | None) -> dict[str, Any]:
    found = _registration(service, client_id, bearer)
    app = service.apps.get(found.app_id)
    if app is None:
        raise invalid_token()
    return _response(found.metadata, app.client_secret, None)


def delete(service: SalesforceService, client_id: str, bearer: str | None) -> None:
    """The app is gone: its tokens stop working (REST 401, introspection inactive)."""
    found = _registration(service, client_id, bearer)
    with service.store.atomic():
        for token in list(service.access_tokens.all()):
            if token.app_id == found.app_id and not token.revoked:
                token.revoked = True
                service.access_tokens.put(token)
        for rt in list(service.refresh_tokens.all()):
            if rt.app_id == found.app_id and not rt.revoked:
                service.revoke_family(rt.family_id)
        service.apps.delete(found.app_id)
        service.store.table(Registration).delete(client_id)

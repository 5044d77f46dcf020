"""JWT-based access tokens (opt-in per connected app, `jwt_access_tokens: true`).

The token is an RS256 JWS signed with the app's key from `/id/keys`, with Salesforce's header members
(`tty: sfdc-core-token`, `tnk`, `ver`) and claims (`scp`, `aud` as an array, `sub: uid:<user id>`, `iss`,
`client_id`, `nbf/iat/exp`, `mty`, `sfi`, `roles`, `hsc`). It is still live state: `issue()` stores its
hash like an opaque session id, so revocation, introspection and the REST API treat both kinds alike.
"""

from __future__ import annotations

from typing import Any

from .. import ids, security
from ..keys import RsaKey
from .models import ConnectedApp, Org, User

TOKEN_TYPE = "sfdc-core-token"
VERSION = "1.0"


def tenant_key(org: Org) -> str:
    return f"core/{org.instance_name.lower()}/{ids.to18(org.id)}"


def claims_of(
    key: RsaKey, *, issuer: str, org: Org, user: User, app: ConnectedApp, scopes: list[str], now: float, ttl: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The claims and the header of a new JWT access token (`key.sign(claims, header)` makes the token)."""
    claims: dict[str, Any] = {
        "scp": " ".join(scopes),
        "aud": [issuer],
        "sub": f"uid:{ids.to18(user.id)}",
        "nbf": int(now),
        "mty": "oauth",
        "sfi": security.random_b62(40),  # the session's fingerprint: makes every token unique
        "roles": [],
        "iss": issuer,
        "hsc": False,
        "exp": int(now + ttl),
        "iat": int(now),
        "client_id": app.client_id,
    }
    headers = {"kid": key.kid, "typ": "JWT", "tty": TOKEN_TYPE, "tnk": tenant_key(org), "ver": VERSION}
    return claims, headers

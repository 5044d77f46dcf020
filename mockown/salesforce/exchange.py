"""The token-exchange handler of a connected app: which external tokens it trusts and whom they map to.

Salesforce runs an Apex `Oauth2TokenExchangeHandler` per app; the mock runs this declarative stand-in,
seeded on the app as `token_exchange:`

```yaml
token_exchange:
  issuers:                          # JWTs (subject_token_type jwt, id_token, or a JWT access_token)
    - issuer: https://idp.mockown.test
      public_key: keys/idp.pub      # RSA or EC, PEM text or a file (or `jwks:` a JWKS mapping/JSON, or `jwks_file:`)
      audience: null                # when set, the token's `aud` must contain it
      user_claim: sub               # the claim that names the user
      users: {ext-123: admin@mockown.test}   # claim value -> username (absent: the value is the username)
  tokens:                           # opaque tokens of any type (mapping table) -> username
    opaque-demo-token: admin@mockown.test
  token_hashes: {}                  # the same by SHA-256 hex of the token (how the app stores `tokens`)
  asset_tokens: true                # the asset-token variant (a Salesforce token + an actor JWT)
```

The opaque tokens are stored only as hashes (`token_hashes`) and looked up by the hash of the token presented.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import security
from ..fieldwise import Value
from ..seed import SeedError, flag, items, opt_text, text, text_list, unknown_fields
from . import jwtutil

_HANDLER_KEYS = {"issuers", "tokens", "token_hashes", "asset_tokens"}
_ISSUER_KEYS = {"issuer", "public_key", "jwks", "jwks_file", "audience", "user_claim", "users", "algorithms"}


def normalize(data: Any) -> dict[str, Any]:
    """Validate a seeded handler and resolve key files into PEM / JWKS text (so requests read no files)."""
    if not isinstance(data, dict):
        raise ValueError("token_exchange must be a mapping")
    unknown = unknown_fields(data, _HANDLER_KEYS, "token_exchange")
    if unknown:
        raise ValueError(f"unknown token_exchange field {unknown[0]!r} (known: {', '.join(sorted(_HANDLER_KEYS))})")
    issuers = []
    for entry in items(data.get("issuers"), "token_exchange issuers"):
        if not isinstance(entry, dict) or not entry.get("issuer"):
            raise ValueError("each token_exchange issuer is a mapping with an `issuer`")
        bad = unknown_fields(entry, _ISSUER_KEYS, "token_exchange issuer")
        if bad:
            raise ValueError(f"unknown token_exchange issuer field {bad[0]!r}")
        out = dict(entry)
        out["issuer"] = text(entry["issuer"], "token_exchange issuer")
        where = f"token_exchange issuer {out['issuer']}:"
        out["audience"] = opt_text(entry.get("audience"), f"{where} audience")
        if entry.get("algorithms") is not None:
            out["algorithms"] = text_list(entry["algorithms"], f"{where} algorithms")
        public_key = opt_text(entry.get("public_key"), f"{where} public_key")
        jwks_file = opt_text(out.pop("jwks_file", None), f"{where} jwks_file")
        if public_key:
            out["public_key"] = jwtutil.seed_pem(public_key, jwtutil.issuer_key)  # a bad key: an error now
        elif jwks_file:
            path = Path(jwks_file)
            if not path.is_file():
                path = jwtutil.fixtures_dir() / path
            out["jwks"] = path.read_text(encoding="utf-8")  # parsed once checked, below
        elif not out.get("jwks"):
            raise ValueError(f"issuer {out['issuer']}: give public_key, jwks or jwks_file")
        if not public_key:  # a JWKS that is none: an error now, not a 500 at each exchange (stored as given)
            try:
                jwtutil.jwks_keys(out["jwks"])
            except jwtutil.BadJwt as exc:
                raise SeedError(f"{where} {'jwks_file' if jwks_file else 'jwks'}: {exc}") from None
            if jwks_file:
                out["jwks"] = json.loads(out["jwks"])
        out["user_claim"] = text(entry.get("user_claim"), f"{where} user_claim", "sub")
        out["users"] = _usernames(entry.get("users"), f"{where} users")
        issuers.append(out)
    hashes = _usernames(data.get("token_hashes"), "token_exchange token_hashes")
    bad_hash = next((k for k in hashes if not _is_hash(k)), None)
    if bad_hash is not None:
        raise SeedError(f"token_exchange token_hashes: {bad_hash!r} is no SHA-256 hex digest (64 of 0-9a-f)")
    tokens = _usernames(data.get("tokens"), "token_exchange tokens")
    hashes.update((security.token_hash(token), username) for token, username in tokens.items())
    asset_tokens = flag(data.get("asset_tokens"), "asset_tokens", True)
    return {"issuers": issuers, "token_hashes": hashes, "asset_tokens": asset_tokens}


def _is_hash(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def token_hashes(handler: dict[str, Any]) -> dict[str, str]:
    """The handler's opaque tokens by hash: `token_hashes`, and the raw `tokens` of a handler stored before they
    were hashed (a state file or snapshot of an older mockown), hashed here."""
    hashes: dict[str, str] = dict(handler.get("token_hashes") or {})
    legacy = handler.get("tokens")
    if isinstance(legacy, dict):
        hashes.update((security.token_hash(str(token)), username) for token, username in legacy.items())
    return hashes


def _usernames(value: Any, where: str) -> dict[str, str]:
    """A mapping of token / claim values to usernames (strings; the keys may be YAML numbers)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SeedError(f"{where} must be a mapping of values to usernames")
    return {str(k): text(v, f"each {where} value").lower() for k, v in value.items()}


class ExchangeRejected(ValueError):
    """The handler does not accept the subject token; the message is the `error_description`."""


@dataclass(frozen=True, repr=False, eq=False)
class Mapped(Value):
    """The username an external subject token maps to, and the token's claims."""

    username: str
    claims: dict[str, Any]


def _time(claims: dict[str, Any], name: str, now: float) -> float | None:
    """A subject token's optional time claim in epoch seconds (None when absent; in milliseconds as
    `jwtutil.seconds` tells them at `now`); one present that is no NumericDate (RFC 7519 2, 4.1.4, 4.1.5: text, a
    boolean, an object) makes the token invalid, never timeless."""
    value = claims.get(name)
    when = jwtutil.seconds(value, now)
    if value is not None and (when is None or not math.isfinite(when)):  # "never" is no date either
        raise ExchangeRejected("invalid subject token")
    return when


def map_subject(handler: dict[str, Any], token: str, token_type: str, now: float, skew: float) -> Mapped:
    """The username an external subject token maps to, or `ExchangeRejected`."""
    mapped = token_hashes(handler).get(security.token_hash(token))  # by hash: no raw token is stored
    if mapped is not None:
        return Mapped(mapped, {})
    if token_type in ("refresh_token", "saml2") or token.count(".") != 2:
        raise ExchangeRejected("invalid subject token")
    try:
        header, claims = jwtutil.unverified(token)
    except jwtutil.BadJwt:
        raise ExchangeRejected("invalid subject token") from None
    issuer = next((i for i in handler.get("issuers") or [] if i["issuer"] == claims.get("iss")), None)
    if issuer is None:
        raise ExchangeRejected("untrusted issuer")
    try:
        if issuer.get("public_key"):
            key = jwtutil.issuer_key(issuer["public_key"])
        else:
            key = jwtutil.jwks_key(issuer["jwks"], header.get("kid"))
        algorithms = tuple(issuer.get("algorithms") or ("RS256", "RS384", "RS512", "ES256"))
        jwtutil.verify(token, key, algorithms)
    except jwtutil.BadJwt:
        raise ExchangeRejected("invalid subject token signature") from None
    exp, nbf = _time(claims, "exp", now), _time(claims, "nbf", now)
    if exp is not None and now >= exp + skew:  # exp itself is past (RFC 7519 4.1.4)
        raise ExchangeRejected("expired subject token")
    if nbf is not None and now + skew < nbf:
        raise ExchangeRejected("subject token not yet valid")
    audience = issuer.get("audience")
    if audience:
        aud = claims.get("aud")
        if audience not in (aud if isinstance(aud, list) else [aud]):
            raise ExchangeRejected("invalid subject token audience")
    value = claims.get(issuer["user_claim"])
    if not isinstance(value, str) or not value:
        raise ExchangeRejected("no user for the subject token")
    users: dict[str, str] = issuer["users"]
    return Mapped(users.get(value, value.lower()), claims)

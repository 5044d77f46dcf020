"""Small helpers for the JWTs clients send (JWT bearer assertions, token-exchange subject tokens)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..clock import LONGEST

if TYPE_CHECKING:  # PyJWT and cryptography load when a JWT first arrives: not on the start-up path
    from collections.abc import Callable

    from cryptography.hazmat.primitives.asymmetric import ec, rsa

# a JWT time above this (year 5138 in seconds, 1973 in milliseconds) is in milliseconds, unless the clock is so late
# that a time in seconds may be there: see `seconds`
MS_THRESHOLD = 100_000_000_000


class BadJwt(ValueError):
    """A token that is not a well-formed JWS, or whose key or signature is wrong."""


def fixtures_dir() -> Path:
    from ..seed import default_fixtures

    return default_fixtures().parent


def read_pem(value: str) -> tuple[str, bool]:
    """PEM text as given, or read from a path: absolute, relative to the working directory, or to the
    shipped `fixtures/` directory (so `keys/jwt-bearer.crt` works from a checkout and from the wheel); and
    whether it is a key file shipped in `fixtures/` rather than the user's."""
    if value.lstrip().startswith("-----BEGIN"):
        return value, False
    for shipped, candidate in ((False, Path(value)), (True, fixtures_dir() / value)):
        if candidate.is_file():
            return candidate.read_text(encoding="ascii"), shipped
    raise ValueError(f"not PEM text and not a file: {value!r}")


def seed_pem(value: str, load: Callable[[str], object] | None = None) -> str:
    """`read_pem`, for a seed: the key is parsed now (by `load`, `public_key` unless given), so that a bad one is a
    seed error rather than a failure at the first request; except a key file shipped in `fixtures/` (the default
    seed's), which the test suite parses: the default seed then loads no cryptography (~25 ms of every start-up)."""
    pem, shipped = read_pem(value)
    if not shipped:
        (load or public_key)(pem)
    return pem


def _pem_key(pem: str) -> Any:
    """The public key in a PEM certificate or public key, of any type."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    data = pem.encode("ascii")
    try:
        return (
            x509.load_pem_x509_certificate(data).public_key()
            if b"CERTIFICATE" in data
            else serialization.load_pem_public_key(data)
        )
    except ValueError as exc:
        raise BadJwt(f"unreadable key: {exc}") from None


@lru_cache(maxsize=64)
def public_key(pem: str) -> rsa.RSAPublicKey:
    """The RSA public key in a PEM certificate or public key (a connected app's `jwt_certificate`: RS256 only)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = _pem_key(pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadJwt("not an RSA key")
    return key


@lru_cache(maxsize=64)
def issuer_key(pem: str) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey:
    """The RSA or EC public key in a PEM certificate or public key: a token-exchange issuer's `public_key` (its
    default algorithms are RS256, RS384, RS512 and ES256)."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = _pem_key(pem)
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise BadJwt("not an RSA or EC key")
    return key


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a JWS, without checking the signature (to find out who signed it)."""
    import jwt

    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise BadJwt(str(exc)) from None
    if not isinstance(claims, dict):
        raise BadJwt("claims are not an object")
    return header, claims


def verify(token: str, key: Any, algorithms: tuple[str, ...] = ("RS256",)) -> dict[str, Any]:
    """The claims, once the signature checks out; time and audience claims are the caller's business."""
    import jwt

    from ..keys import signed_claims

    try:
        claims: dict[str, Any] = signed_claims(token, key, algorithms)
    except jwt.PyJWTError as exc:
        raise BadJwt(str(exc)) from None
    return claims


def signed_with_certificate(token: str, header: dict[str, Any], certificate: str | None) -> bool:
    """Whether `token` (its `header` read by `unverified`) is RS256, signed with the key of a connected app's
    `jwt_certificate`: the JWT bearer flow's assertion and a `private_key_jwt` client assertion alike."""
    if header.get("alg") != "RS256" or not certificate:
        return False
    try:
        verify(token, public_key(certificate))
    except BadJwt:
        return False
    return True


def jwks_keys(jwks: Any) -> list[dict[str, Any]]:
    """The JWKs of a JWKS (a mapping or JSON text), or `BadJwt` when it is none: no JSON, or no object whose
    `keys` is a list of objects (RFC 7517 5). The seed checks a token-exchange issuer's JWKS with it."""
    try:
        data = json.loads(jwks) if isinstance(jwks, str) else jwks
    except (ValueError, RecursionError):
        raise BadJwt("the JWKS is no JSON") from None
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
        raise BadJwt("a JWKS is an object whose `keys` is a list of JWK objects")
    return keys


def jwks_key(jwks: dict[str, Any] | str, kid: str | None) -> Any:
    """The key of a JWKS (a mapping or JSON text) with `kid` (or its only key); `BadJwt` for a JWKS or JWK that is
    none (a 500 at each exchange when a handler stored one: see `jwks_keys`)."""
    keys = jwks_keys(jwks)
    matches = [k for k in keys if kid is None or k.get("kid") == kid]
    if len(matches) != 1 and not (kid is None and matches):
        raise BadJwt("no matching key in the JWKS")
    import jwt

    try:
        return jwt.PyJWK(matches[0]).key
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise BadJwt(str(exc)) from None


def ms_threshold(now: float) -> float:
    """The JWT time above which a value is in milliseconds at clock `now`: `MS_THRESHOLD`, or `now` plus the
    longest TTL (1,000 years) when that is more (a clock after the year 4138). So a time in seconds up to 1,000
    years ahead is read as seconds at every instant the clock may be at (up to 8999-12-22; at 5200-01-01 the fixed
    threshold read `now + 180` as an instant of 1973 in milliseconds, expired). A time in milliseconds is read as
    it always was, except, at such a late clock, one of the years 1973 to 1977 (there the same number is a time
    within 1,000 years of the clock in seconds); one near `now` (now * 1000) is far above either threshold."""
    return max(MS_THRESHOLD, now + LONGEST)


def seconds(value: Any, now: float) -> float | None:
    """A JWT time as epoch seconds: a number or a numeric string, in seconds or in milliseconds (above
    `ms_threshold(now)`, `now` the clock's reading)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float) or value != value:  # NaN
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float: the far future
        number = float("inf")
    return number / 1000 if number > ms_threshold(now) else number

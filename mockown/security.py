"""Secrets: generation, one-way hashing, constant-time comparison and redaction."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import secrets
import string
from collections.abc import Mapping
from urllib.parse import urlsplit

_B62 = string.ascii_letters + string.digits
_SF_TOKEN_CHARS = _B62 + "._"


# byte -> character tables: 64 characters, so `byte % 64` is uniform; for 62, bytes >= 248 are dropped first
_SF_TABLE = bytes(ord(_SF_TOKEN_CHARS[b % len(_SF_TOKEN_CHARS)]) for b in range(256))
_B62_TABLE = bytes(ord(_B62[b % len(_B62)]) for b in range(256))
_B62_DROP = bytes(range(248, 256))


def random_b62(length: int) -> str:
    """`length` uniformly random characters of ``[A-Za-z0-9]``."""
    out = b""
    while len(out) < length:
        out += secrets.token_bytes(length + length // 16 + 4).translate(None, _B62_DROP)
    return out[:length].translate(_B62_TABLE).decode("ascii")


def random_sf_opaque(length: int) -> str:
    """Characters Salesforce uses after the ``!`` of a session id: ``[A-Za-z0-9._]``."""
    assert len(_SF_TOKEN_CHARS) == 64
    return secrets.token_bytes(length).translate(_SF_TABLE).decode("ascii")


def token_hash(token: str) -> str:
    """The stored form of a bearer secret (access, refresh, API token, code): SHA-256 hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def password_hash(password: str, salt: str) -> str:
    return hashlib.sha256((salt + "\x00" + password).encode("utf-8", "surrogatepass")).hexdigest()


def equal(a: str | bytes, b: str | bytes) -> bool:
    """Constant-time comparison for every secret."""
    ab = a.encode("utf-8", "surrogatepass") if isinstance(a, str) else a
    bb = b.encode("utf-8", "surrogatepass") if isinstance(b, str) else b
    return hmac.compare_digest(ab, bb)


@functools.lru_cache(maxsize=256)
def _hmac_sha256_of(key: bytes) -> hmac.HMAC:
    """An HMAC-SHA256 of `key` over nothing yet, made once per key: a signature copies it (the key schedule is
    not redone on every call, as `hmac.digest` would)."""
    return hmac.new(key, digestmod=hashlib.sha256)


def hmac_sha256_b64(key: str, message: str) -> str:
    """Base64 of HMAC-SHA256(key, message) (the `signature` of Salesforce's token response)."""
    mac = _hmac_sha256_of(key.encode()).copy()
    mac.update(message.encode())
    return base64.b64encode(mac.digest()).decode("ascii")


def b64url_sha256(text: str) -> str:
    """BASE64URL(SHA256(text)), PKCE's S256 (RFC 7636 4.2). Any text: a verifier outside RFC 7636's ASCII
    alphabet is hashed as UTF-8 (lone surrogates passed through, as `equal` does), so that it simply fails to
    match its challenge and each server answers its own wrong-verifier error, never a crash."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def mask(secret: str, keep: int = 4) -> str:
    """A secret as the dashboard shows it: ``MOCK…``, its first `keep` characters, only when that is at most a
    quarter of it (16 characters and more with the default 4), so that a long secret can be told from another;
    a shorter one is ``********`` (nothing of it, not even its length). Never its end: a head and a tail together
    (``JwtS…cret``) gave away 8 characters of any secret of 9. Empty stays empty."""
    if not secret:
        return ""
    if len(secret) < keep * 4:
        return "********"
    return f"{secret[:keep]}…"


@functools.lru_cache(maxsize=1024)
def b64_pair(value: str) -> tuple[str, str] | None:
    """HTTP Basic's `base64(left:right)` (also SLAS's `x-slas-client-auth`) split at the first `:`; None when
    it is not strict base64 of UTF-8 text with a colon. Callers decide what the halves mean (URL-decoding...).
    A pure function of its argument, cached: clients send the same credentials on every request, and each
    request decodes them twice (the journal, then client authentication)."""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):  # ValueError: a non-ASCII value is not base64
        return None
    left, sep, right = decoded.partition(":")
    return (left, right) if sep else None


def basic_pair(authorization: str | None) -> tuple[str, str] | None:
    """The pair of an `Authorization: Basic ...` header (scheme case-insensitive); None for anything else."""
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    return b64_pair(authorization[6:])


_SCRIPT_SCHEMES = ("javascript:", "data:", "vbscript:")
_URL_IGNORED = str.maketrans("", "", "\t\n\r")


def script_url(url: str) -> bool:
    """Whether a browser sent to `url` (a link, a refresh, a frame) would run it as script on the page's origin:
    a `javascript:`, `data:` or `vbscript:` URL, read as the WHATWG URL parser does (leading C0 controls and
    spaces stripped, tabs and newlines removed anywhere, the scheme in any case)."""
    cleaned = url.lstrip("".join(map(chr, range(0x21)))).translate(_URL_IGNORED).lower()
    return cleaned.startswith(_SCRIPT_SCHEMES)


def same_origin(headers: Mapping[str, str], *hosts: str) -> bool:
    """Whether a state-changing request comes from a page of this server, or from no browser page at all: its
    `Origin`'s host[:port] is the `Host` header (or one of `hosts`, e.g. the configured base URL's); without an
    `Origin`, `Sec-Fetch-Site` is `same-origin` or `none`, or absent (not a browser). `Origin: null` (a sandboxed
    frame of any site, a redirect across origins) names no origin: only `Sec-Fetch-Site` `same-origin` or `none`
    vouches for it (a browser without Fetch Metadata posting from a sandboxed frame sends that `null` alone). A
    cross-site form post from a browser always carries one of the two. `headers` keys are lower case."""
    origin = headers.get("origin")
    if origin == "null":
        return headers.get("sec-fetch-site") in ("same-origin", "none")
    if not origin:
        return headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    try:
        netloc = urlsplit(origin).netloc.lower()
    except ValueError:  # e.g. "http://[" : no origin of this server
        return False
    return bool(netloc) and netloc in {h.lower() for h in (headers.get("host", ""), *hosts) if h}

"""Signing keys: per app an RSA and a P-256 key ring, made on first use (never at import or start-up), their
JWKS and rotation (`KeyRing.rotate`, `POST /_mockown/keys/rotate`)."""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import threading
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar, cast

if TYPE_CHECKING:  # PyJWT and cryptography load on the first key (~40 ms): not on the start-up path
    from cryptography.hazmat.primitives.asymmetric import ec, rsa


def key_algorithms(key: Any, algorithms: tuple[str, ...]) -> list[str]:
    """Those of `algorithms` of the family of `key` (a key object: RSA, EC, Ed25519/Ed448, or bytes for HMAC):
    PyJWT raises TypeError, not `jwt.PyJWTError`, when the header names an allowed algorithm of another family
    (an ES256 token for an RSA key, RS256 for an EC key, HS256 for either)."""
    for kinds, prefixes in _key_families():
        if isinstance(key, kinds):
            return [name for name in algorithms if name.startswith(prefixes)]
    return []


@functools.cache
def _key_families() -> tuple[tuple[tuple[type, ...], tuple[str, ...]], ...]:
    """Key classes and the prefixes of their algorithms' names: imported once (every verification of a JWT asks)."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    return (
        ((rsa.RSAPublicKey, rsa.RSAPrivateKey), ("RS", "PS")),
        ((ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey), ("ES",)),
        (
            (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey, ed448.Ed448PublicKey, ed448.Ed448PrivateKey),
            ("EdDSA",),
        ),
        ((bytes,), ("HS",)),
    )


def signed_claims(token: str, public_key: Any, algorithms: tuple[str, ...]) -> Any:
    """The claims of `token` once its signature checks out with `public_key` (raises `jwt.PyJWTError`
    otherwise: also when its header names an algorithm of another key family). Only the signature: times,
    audience and the types of `sub` and `jti` (PyJWT checks those two by default) are the caller's business, so
    a JWT bearer assertion's `sub: 5` is no user (`authentication failure`) and a `jti` it does not read is no
    fault. Shared by the ring's own tokens (`KeyRing.verify`) and the JWTs clients send
    (`salesforce.jwtutil.verify`)."""
    import jwt

    allowed = key_algorithms(public_key, algorithms)
    if not allowed:  # PyJWT would take an empty list as "pass in a value for algorithms"
        raise jwt.InvalidAlgorithmError("no algorithm of the key's family is allowed")
    return jwt.decode(
        token,
        public_key,
        algorithms=allowed,
        options={
            "verify_exp": False,
            "verify_nbf": False,
            "verify_iat": False,
            "verify_aud": False,
            "verify_sub": False,
            "verify_jti": False,
        },
    )


def _b64u_int(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class _SigningKey:
    """What both kinds of key share: the private key, its `kid`, PEM export and JWT signing with `algorithm`."""

    algorithm: ClassVar[str]
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    kid: str
    jwk: dict[str, str]  # the public key as a JWK, with `kid`

    def pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        """A JWT of `claims` with `headers` (default: this key's `kid`). Pure: safe on the signer thread."""
        import jwt

        return jwt.encode(
            claims, self.private, algorithm=self.algorithm, headers={"kid": self.kid} if headers is None else headers
        )


class RsaKey(_SigningKey):
    algorithm = "RS256"

    def __init__(self, private: rsa.RSAPrivateKey) -> None:
        self.private = private
        numbers = private.public_key().public_numbers()
        self.jwk: dict[str, str] = {
            "kty": "RSA",
            "n": _b64u_int(numbers.n),
            "e": _b64u_int(numbers.e),
            "alg": "RS256",
            "use": "sig",
        }
        digest = hashlib.sha256(self.jwk["n"].encode()).digest()
        self.kid = str(200 + digest[0])  # Salesforce kids are short numeric-looking strings
        self.jwk["kid"] = self.kid

    @classmethod
    def from_pem(cls, pem: bytes) -> RsaKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("not an RSA private key")
        return cls(key)


class EcKey(_SigningKey):
    """A P-256 key for ES256 (SLAS signs its JWTs with one). `kid` is UUID-shaped, as SLAS publishes."""

    algorithm = "ES256"

    def __init__(self, private: ec.EllipticCurvePrivateKey) -> None:
        self.private = private
        numbers = private.public_key().public_numbers()
        x = numbers.x.to_bytes(32, "big")
        y = numbers.y.to_bytes(32, "big")
        digest = hashlib.sha256(x + y).hexdigest()
        self.kid = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        self.jwk: dict[str, str] = {
            "crv": "P-256",
            "kid": self.kid,
            "kty": "EC",
            "use": "sig",
            "x": base64.urlsafe_b64encode(x).rstrip(b"=").decode("ascii"),
            "y": base64.urlsafe_b64encode(y).rstrip(b"=").decode("ascii"),
        }


# one ring per issuer, as each real service has its own keys: `rsa` Salesforce (`/id/keys`), `ec` SLAS
# (`/jwks`), `own` Own's Okta auth server, `am` B2C Account Manager, `ocapi` OCAPI's customer JWTs
KINDS = ("rsa", "ec", "own", "am", "ocapi")
RSA_KINDS = frozenset({"rsa", "own", "am", "ocapi"})
# the ring's slots: per kind a current key and the key it replaced (`_past`); SLAS also publishes the next one
_PUBLISHED = {kind: (f"{kind}_past", kind) for kind in KINDS} | {"ec": ("ec_past", "ec", "ec_future")}
SLOTS = tuple(slot for kind in KINDS for slot in _PUBLISHED[kind])
RETIRED_KIDS = 32  # how many dropped kids a new key avoids


def _generate(kind: str) -> _SigningKey:
    if kind in RSA_KINDS:
        from cryptography.hazmat.primitives.asymmetric import rsa

        return RsaKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    from cryptography.hazmat.primitives.asymmetric import ec

    return EcKey(ec.generate_private_key(ec.SECP256R1()))


def load_pem(slot: str, pem: bytes) -> _SigningKey:
    """The key of `slot` (RSA for the RSA kinds' slots, P-256 for `ec*`) from its PKCS#8 PEM."""
    if slot.partition("_")[0] in RSA_KINDS:
        return RsaKey.from_pem(pem)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("not an EC private key")
    return EcKey(key)


class KeyRing:
    """The app's signing keys, one ring per issuer: RSA for Salesforce (ID tokens, JWT access tokens), Own's
    Okta server, Account Manager and OCAPI; P-256 for SLAS. Each current key is generated once, lazily (never
    at start-up); `rotate()` moves it to the past slot, where it stays published (and accepted where the mock
    checks its own signatures) until the next rotation. SLAS publishes "current, past and future keys": the EC
    ring also holds the next key, made on first need outside the token path (the JWKS), so that a rotation
    makes it current.
    """

    def __init__(self, pem: bytes | None = None) -> None:
        self._lock = threading.RLock()
        self._keys: dict[str, _SigningKey] = {}
        if pem:
            self._keys["rsa"] = RsaKey.from_pem(pem)
        self.generation = 0  # rotations so far
        # kids of the keys rotations dropped, newest last: a new key takes none of them, so that a client whose
        # cached JWKS still holds a dropped key never mistakes a new key for it (RSA kids have ~256 values)
        self.retired: list[str] = []
        self._verified: dict[bytes, tuple[_SigningKey, dict[str, Any]]] = {}  # token digest -> signer, claims

    # what a ring kept elsewhere (the state file) overrides ------------------------------------------------
    def _sync(self) -> None:
        """Bring the slots up to date (a stored ring: another process rotated). Cheap when nothing changed."""

    def _transaction(self) -> AbstractContextManager[Any]:
        """Where a change of the slots is made atomically (the state file's write lock)."""
        return contextlib.nullcontext()

    def _reload(self) -> None:
        """Inside `_transaction()`: read the slots afresh (a stored ring)."""

    def _save(self, slots: tuple[str, ...]) -> None:
        """Inside `_transaction()`: keep `slots` (a stored ring writes them to the file)."""

    # slots ---------------------------------------------------------------------------------------------------
    def _new(self, slot: str) -> _SigningKey:
        """A new key for `slot`, whose kid differs from the other published keys of its kind and from the
        recently dropped ones (RSA kids are short, so two keys can share one: then another key is made)."""
        kind = slot.split("_")[0]
        taken = {self._keys[s].kid for s in _PUBLISHED[kind] if s != slot and s in self._keys}
        taken.update(self.retired)
        while True:
            key = _generate(kind)
            if key.kid not in taken:
                return key

    def _get(self, slot: str, *, make: bool) -> _SigningKey | None:
        self._sync()
        return self._slot(slot, make=make)

    def _slot(self, slot: str, *, make: bool) -> _SigningKey | None:
        key = self._keys.get(slot)
        if key is None and make:
            with self._transaction(), self._lock:
                self._reload()
                key = self._keys.get(slot)
                if key is None:
                    key = self._keys[slot] = self._new(slot)
                    self._save((slot,))
        return key

    @property
    def rsa(self) -> RsaKey:
        """The current RSA key (RS256), generated on first use."""
        return cast(RsaKey, self._get("rsa", make=True))

    def rsa_of(self, kind: str) -> RsaKey:
        """The current key of the RSA ring `kind` (`own`, `am`, `ocapi`; `rsa` is Salesforce's), made on first use."""
        if kind not in RSA_KINDS:
            raise ValueError(f"not an RSA ring: {kind!r}")
        return cast(RsaKey, self._get(kind, make=True))

    @property
    def ec(self) -> EcKey:
        """The current P-256 signing key (ES256), generated on first use like `rsa`."""
        return cast(EcKey, self._get("ec", make=True))

    def published(self, kind: str, *, make: bool = True) -> list[_SigningKey]:
        """The keys of `kind` a JWKS lists, oldest first: the past key (after a rotation), the current one
        and, for `ec`, the future one. `make=False`: only the keys that exist (no key is generated)."""
        self._sync()
        out = []
        for slot in _PUBLISHED[kind]:
            key = self._slot(slot, make=make and slot != kind + "_past")
            if key is not None:
                out.append(key)
        return out

    def jwks(self) -> dict[str, Any]:
        """Salesforce's `/id/keys`: the current RSA key, and the one it replaced after a rotation."""
        return {"keys": [dict(k.jwk) for k in self.published("rsa")]}

    def ec_jwks(self) -> dict[str, Any]:
        """SLAS's `/jwks`: the past (after a rotation), current and future P-256 keys."""
        return {"keys": [dict(k.jwk) for k in self.published("ec")]}

    def verify(self, token: str, kind: str) -> dict[str, Any] | None:
        """The claims of `token` when a published key of `kind` with its header's `kid` signed it; None when
        no published key did (a dropped key, a forged or garbled token). Only the signature is checked: times
        and audience are the caller's business."""
        import jwt

        if not token.isascii():  # a JWS compact serialization is base64url and dots (PyJWT raises on a surrogate)
            return None
        published = self.published(kind, make=False)
        digest = hashlib.sha256(token.encode("ascii")).digest()
        seen = self._verified.get(digest)  # a signature checks once (~90 us RS256, ~140 us ES256) per key
        if seen is not None and any(seen[0] is key for key in published):
            return dict(seen[1])
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            return None
        for key in published:
            if key.kid != kid:
                continue
            try:
                claims = signed_claims(token, key.private.public_key(), (key.algorithm,))
            except jwt.PyJWTError:
                continue
            if not isinstance(claims, dict):
                return None
            if len(self._verified) >= 4096:
                self._verified.clear()
            self._verified[digest] = (key, claims)
            return dict(claims)
        return None

    def still_published(self, token: str, kind: str) -> bool:
        """Whether a key of `kind` the ring still publishes signed `token`: the check, beside the stored hash (the
        revocation state), that ends the ring's own JWTs once a second rotation of their ring drops their key, as
        the real services refuse a token their keys do not verify (Salesforce JWT access tokens, Own, OCAPI and
        SLAS tokens). It is `verify`: a header `kid` no published key has is refused without cryptography, and a
        signature checks once per token (~90-150 us), then it is a look-up (~3 us, less than PyJWT takes to
        read the header). The `kid` alone would not do: RSA kids are short, so a key made more than
        `RETIRED_KIDS` rotations after one was dropped may carry that kid again."""
        return self.verify(token, kind) is not None

    def describe(self) -> dict[str, dict[str, str | None]]:
        """The kids in each slot (None: no key there yet). Generates nothing."""
        self._sync()
        with self._lock:
            out: dict[str, dict[str, str | None]] = {}
            for kind in KINDS:
                out[kind] = {}
                for slot in _PUBLISHED[kind]:
                    key = self._keys.get(slot)
                    out[kind][slot.partition("_")[2] or "current"] = key.kid if key is not None else None
            return out

    def rotate(self, kinds: tuple[str, ...] = KINDS) -> dict[str, dict[str, str | None]]:
        """Past := current, current := future (or a new key), and for `ec` a new future key. The key that was
        past is dropped: tokens it signed no longer verify. An RSA rotation generates a key (~50-100 ms)."""
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r}: give one of {', '.join(KINDS)}")
        with self._transaction(), self._lock:
            self._reload()
            for kind in kinds:
                keys = self._keys
                current = keys.pop(kind, None)
                dropped = keys.pop(kind + "_past", None)
                if dropped is not None:
                    self.retired = [*self.retired, dropped.kid][-RETIRED_KIDS:]
                future = keys.pop(kind + "_future", None)
                if current is not None:
                    keys[kind + "_past"] = current
                keys[kind] = future or self._new(kind)
                if kind == "ec":
                    keys["ec_future"] = self._new("ec_future")
            self.generation += 1
            self._save(SLOTS)
        return self.describe()

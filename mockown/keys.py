"""Signing keys: one RSA key per app, made on first use (never at import or start-up), and its JWKS."""

from __future__ import annotations

import base64
import hashlib
import threading
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # PyJWT and cryptography load on the first key (~40 ms): not on the start-up path
    from cryptography.hazmat.primitives.asymmetric import ec, rsa


def _b64u_int(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class _SigningKey:
    """What both kinds of key share: the private key, its `kid`, PEM export and JWT signing with `algorithm`."""

    algorithm: ClassVar[str]
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    kid: str

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


class KeyRing:
    """The app's signing keys. `rsa` is generated once, lazily, and can be restored from PEM."""

    def __init__(self, pem: bytes | None = None) -> None:
        self._lock = threading.Lock()
        self._rsa: RsaKey | None = RsaKey.from_pem(pem) if pem else None
        self._ec: EcKey | None = None

    @property
    def rsa(self) -> RsaKey:
        key = self._rsa
        if key is None:
            with self._lock:
                if self._rsa is None:
                    from cryptography.hazmat.primitives.asymmetric import rsa

                    self._rsa = RsaKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))
                key = self._rsa
        return key

    @property
    def ec(self) -> EcKey:
        """The P-256 signing key (ES256), generated on first use like `rsa`."""
        key = self._ec
        if key is None:
            with self._lock:
                if self._ec is None:
                    from cryptography.hazmat.primitives.asymmetric import ec

                    self._ec = EcKey(ec.generate_private_key(ec.SECP256R1()))
                key = self._ec
        return key

    def jwks(self) -> dict[str, Any]:
        return {"keys": [dict(self.rsa.jwk)]}

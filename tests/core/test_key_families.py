"""`keys.signed_claims` (under `salesforce.jwtutil.verify`, `KeyRing.verify`): an allowed algorithm of another
family than the key is a failed check (`jwt.PyJWTError`), never PyJWT's TypeError from preparing the key."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from mockown.salesforce import jwtutil

RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC = ec.generate_private_key(ec.SECP256R1())
ED = ed25519.Ed25519PrivateKey.generate()
HMAC = b"k" * 32
SIGNERS: dict[str, Any] = {"RS256": RSA, "PS256": RSA, "ES256": EC, "EdDSA": ED, "HS256": HMAC}
VERIFIERS: dict[str, Any] = {"rsa": RSA.public_key(), "ec": EC.public_key(), "ed": ED.public_key(), "oct": HMAC}
FAMILY = {"rsa": {"RS256", "PS256"}, "ec": {"ES256"}, "ed": {"EdDSA"}, "oct": {"HS256"}}


@pytest.mark.parametrize("alg", sorted(SIGNERS))
@pytest.mark.parametrize("kind", sorted(VERIFIERS))
def test_only_the_keys_family_verifies(kind: str, alg: str) -> None:
    token = jwt.encode({"sub": "x"}, SIGNERS[alg], algorithm=alg)
    if alg in FAMILY[kind]:
        assert jwtutil.verify(token, VERIFIERS[kind], tuple(SIGNERS)) == {"sub": "x"}
    else:
        with pytest.raises(jwtutil.BadJwt):
            jwtutil.verify(token, VERIFIERS[kind], tuple(SIGNERS))


def test_key_algorithms_keeps_the_order_given() -> None:
    from mockown.keys import key_algorithms

    assert key_algorithms(RSA.public_key(), ("ES256", "PS512", "RS256", "HS256")) == ["PS512", "RS256"]
    assert key_algorithms(EC.public_key(), ("RS256",)) == []
    assert key_algorithms("a PEM text", ("RS256",)) == []  # callers pass key objects

"""Checking a JWT the way a client does: against the keys a JWKS publishes, picked by the token's `kid`."""

from __future__ import annotations

from typing import Any

import jwt


def verifies(keys: list[dict[str, Any]], token: str, algorithm: str) -> bool:
    """Whether a key of `keys` with the token's `kid` verifies its `algorithm` signature (times and audience are
    not checked)."""
    kid = jwt.get_unverified_header(token)["kid"]
    for key in (k for k in keys if k["kid"] == kid):
        try:
            jwt.decode(token, jwt.PyJWK(key).key, algorithms=[algorithm], options={"verify_aud": False,
                                                                                    "verify_exp": False})  # fmt: skip
        except jwt.InvalidSignatureError:
            continue
        return True
    return False

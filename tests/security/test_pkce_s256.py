"""`security.b64url_sha256`, PKCE's S256, which four servers call on the `code_verifier` a client sent (Salesforce,
B2C Account Manager, SLAS, Marketing Cloud): RFC 7636's value for an ASCII verifier, and for any other text a value
too (hashed as UTF-8), never an exception: a non-ASCII verifier is a wrong verifier, not a 500."""

from __future__ import annotations

import base64
import hashlib

from hypothesis import given
from hypothesis import strategies as st

from mockown import security


def test_rfc_7636_appendix_b() -> None:
    assert security.b64url_sha256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


@given(st.text(max_size=200))
def test_any_text_hashes_as_utf_8(verifier: str) -> None:
    digest = hashlib.sha256(verifier.encode("utf-8", "surrogatepass")).digest()
    assert security.b64url_sha256(verifier) == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@given(st.text(min_size=43, max_size=128).filter(lambda v: not v.isascii()))
def test_a_non_ascii_verifier_matches_no_ascii_one(verifier: str) -> None:
    assert security.b64url_sha256(verifier) != security.b64url_sha256("v" * 43)

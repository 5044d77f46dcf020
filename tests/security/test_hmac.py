"""`security.hmac_sha256_b64` (the `signature` of Salesforce's token response) keeps an HMAC object per key and
copies it; whatever the key and message, it must be the standard library's HMAC-SHA256."""

from __future__ import annotations

import base64
import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from mockown import security

# keys around the 64-byte block size (longer keys are hashed first), any text (non-ASCII included)
KEYS = st.one_of(st.text(max_size=80), st.text(min_size=60, max_size=70), st.text(min_size=200, max_size=300))


@given(key=KEYS, message=st.text(max_size=300))
def test_it_is_hmac_sha256(key: str, message: str) -> None:
    expected = hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    assert security.hmac_sha256_b64(key, message) == base64.b64encode(expected).decode()


@given(key=KEYS, messages=st.lists(st.text(max_size=50), min_size=2, max_size=4))
def test_a_reused_key_keeps_no_state_between_messages(key: str, messages: list[str]) -> None:
    for message in messages:  # the cached HMAC is copied, never updated in place
        expected = hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
        assert security.hmac_sha256_b64(key, message) == base64.b64encode(expected).decode()

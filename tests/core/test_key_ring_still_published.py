"""`KeyRing.still_published`: the check, beside the stored hash, that ends the ring's own JWTs (Salesforce JWT access
tokens, Own, OCAPI, SLAS) once a second rotation drops their key. It must not trust the header's `kid` alone: RSA kids
are short, and a key made long after another was dropped may carry the dropped key's kid."""

from __future__ import annotations

import pytest

from mockown.keys import KeyRing, RsaKey


@pytest.fixture(scope="module")
def two_rsa_keys() -> tuple[RsaKey, RsaKey]:
    ring = KeyRing()
    first = ring.rsa
    ring.rotate(("rsa",))
    return first, ring.rsa


def test_a_token_counts_while_its_key_is_published(two_rsa_keys: tuple[RsaKey, RsaKey]) -> None:
    first, second = two_rsa_keys
    ring = KeyRing(first.pem())
    token = ring.rsa.sign({"sub": "x"})
    assert ring.still_published(token, "rsa") and ring.still_published(token, "rsa")  # the second: the cache
    ring._keys["rsa_past"], ring._keys["rsa"] = ring._keys["rsa"], second  # a rotation, without making a key
    assert ring.still_published(token, "rsa")
    del ring._keys["rsa_past"]  # the next rotation drops it
    assert not ring.still_published(token, "rsa")
    assert not ring.still_published(token, "ec")  # an RS256 token is no key of the EC ring
    assert not ring.still_published("not.a.jwt", "rsa") and not ring.still_published("\udc80", "rsa")


def test_a_new_key_with_the_kid_of_a_dropped_one_does_not_revive_its_tokens(
    monkeypatch: pytest.MonkeyPatch, two_rsa_keys: tuple[RsaKey, RsaKey]
) -> None:
    dropped, later = two_rsa_keys
    token = dropped.sign({"sub": "x"})  # header kid: dropped.kid
    monkeypatch.setattr(later, "kid", dropped.kid)  # a key made > RETIRED_KIDS rotations later, same short kid
    ring = KeyRing(later.pem())
    ring._keys["rsa"] = later
    assert [k.kid for k in ring.published("rsa", make=False)] == [dropped.kid]
    assert not ring.still_published(token, "rsa")
    assert ring.still_published(later.sign({"sub": "x"}), "rsa")

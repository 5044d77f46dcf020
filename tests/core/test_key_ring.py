"""`KeyRing` without HTTP: slot moves, unique kids within a JWKS, and `verify()` by the published keys only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import keys
from mockown.keys import KeyRing, RsaKey
from mockown.store.sqlite import SqliteStore, StoredKeyRing


@pytest.fixture(scope="module")
def rsa_pool() -> list[RsaKey]:
    """RSA keys made once for the module (each costs ~50-100 ms)."""
    ring = KeyRing()
    out = []
    for _ in range(4):
        ring.rotate(("rsa",))
        out.append(ring.rsa)
    return out


def feed(monkeypatch: pytest.MonkeyPatch, made: list[keys._SigningKey]) -> None:
    supply: Iterator[keys._SigningKey] = iter(made)
    monkeypatch.setattr(keys, "_generate", lambda kind: next(supply))


def test_a_new_key_never_shares_its_kid_with_a_published_one(
    monkeypatch: pytest.MonkeyPatch, rsa_pool: list[RsaKey]
) -> None:
    first, other = rsa_pool[0], rsa_pool[1]
    twin = RsaKey.from_pem(first.pem())  # the same kid as `first` (the short kids of two keys may collide)
    feed(monkeypatch, [first, twin, other])
    ring = KeyRing()
    assert ring.rsa is first
    ring.rotate(("rsa",))
    assert ring.describe()["rsa"] == {"past": first.kid, "current": other.kid}
    assert len({k["kid"] for k in ring.jwks()["keys"]}) == 2


def test_slots_move_one_step_per_rotation(rsa_pool: list[RsaKey]) -> None:
    ring = KeyRing()
    ec_current, ec_future = ring.ec, ring.published("ec")[-1]
    ring.rotate(("ec",))
    assert ring.describe()["ec"] == {"past": ec_current.kid, "current": ec_future.kid,
                                     "future": ring.published("ec")[-1].kid}  # fmt: skip
    assert ring.ec is ec_future and ring.generation == 1
    assert ring.describe()["rsa"] == {"past": None, "current": None}  # no RSA key was made


def test_verify_accepts_only_what_a_published_key_signed() -> None:
    ring = KeyRing()
    token = ring.ec.sign({"sub": "x"})
    assert ring.verify(token, "ec") == {"sub": "x"}
    assert ring.verify(token, "rsa") is None  # the other ring
    head, body, _ = token.split(".")
    assert ring.verify(f"{head}.{body}.AAAA", "ec") is None
    forged = ring.published("ec")[-1].sign({"sub": "x"}, {"kid": ring.ec.kid})  # the future key, the current kid
    assert ring.verify(forged, "ec") is None
    ring.rotate(("ec",))
    assert ring.verify(token, "ec") == {"sub": "x"}  # past key
    ring.rotate(("ec",))
    assert ring.verify(token, "ec") is None  # dropped: the cached answer does not outlive the key


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60) | st.from_regex(r"\Aey[A-Za-z0-9_-]{0,20}\.[A-Za-z0-9_-]{0,20}\.[A-Za-z0-9_-]{0,8}\Z"))
def test_verify_never_raises_on_garbage(value: str) -> None:
    ring = KeyRing()
    assert ring.verify(value, "ec") is None


@pytest.mark.parametrize("value", ["\udcff.e30.x", "eyJ\udcff.e30.x", "é.é.é", "ey\u2028.e30.x"])
def test_verify_never_raises_on_text_no_jws_holds(value: str) -> None:
    # a JWS compact serialization is ASCII; a lone surrogate (JSON can carry one) made PyJWT raise UnicodeEncodeError
    ring = KeyRing()
    assert ring.verify(value, "ec") is None
    assert ring.verify(value, "rsa") is None


def test_rotate_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown key 'dsa'"):
        KeyRing().rotate(("dsa",))


def test_the_jwks_verifies_a_token_of_its_past_key(rsa_pool: list[RsaKey], monkeypatch: pytest.MonkeyPatch) -> None:
    feed(monkeypatch, [rsa_pool[2], rsa_pool[3]])
    ring = KeyRing()
    token = ring.rsa.sign({"n": 1})
    ring.rotate(("rsa",))
    published = {k["kid"]: k for k in ring.jwks()["keys"]}
    key = jwt.PyJWK(published[jwt.get_unverified_header(token)["kid"]]).key
    assert jwt.decode(token, key, algorithms=["RS256"]) == {"n": 1}


@pytest.mark.parametrize("stored", [False, True])
def test_a_new_key_never_takes_the_kid_of_a_key_a_rotation_dropped(
    monkeypatch: pytest.MonkeyPatch, rsa_pool: list[RsaKey], tmp_path: Path, stored: bool
) -> None:
    """A client whose cached JWKS still holds the dropped key must see an unknown kid (and fetch the JWKS
    again), not a known kid whose cached key fails the signature. On a state file, the ring that makes the
    new key (another worker) knows what the first one dropped."""
    first, other, third, fourth = rsa_pool
    twin = RsaKey.from_pem(first.pem())  # the kid of `first`
    feed(monkeypatch, [first, other, third, twin, fourth])
    one: KeyRing = StoredKeyRing(SqliteStore(tmp_path / "a.db")) if stored else KeyRing()
    two: KeyRing = StoredKeyRing(SqliteStore(tmp_path / "a.db")) if stored else one
    assert one.rsa is first
    one.rotate(("rsa",))
    one.rotate(("rsa",))  # drops `first`
    two.rotate(("rsa",))
    assert two.describe()["rsa"] == {"past": third.kid, "current": fourth.kid}
    assert first.kid not in {k["kid"] for k in one.jwks()["keys"]}

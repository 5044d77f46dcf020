from __future__ import annotations

import string
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockown import ids

ALNUM = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=15, max_size=15)


@pytest.mark.parametrize(
    ("id15", "id18"),
    [("00D50000000IZ3Z", "00D50000000IZ3ZEAW"), ("00550000001fg5O", "00550000001fg5OAAQ"),
     ("001000000000000", "001000000000000AAA")],
)  # fmt: skip
def test_known_checksums(id15: str, id18: str) -> None:
    assert ids.to18(id15) == id18
    assert ids.to15(id18) == id15


@given(ALNUM)
def test_round_trip(id15: str) -> None:
    id18 = ids.to18(id15)
    assert len(id18) == 18 and ids.to15(id18) == id15 and ids.same(id15, id18)


@given(ALNUM)
def test_checksum_distinguishes_case(id15: str) -> None:
    flipped = id15.swapcase()
    if flipped != id15:
        assert ids.to18(flipped)[15:] != ids.to18(id15)[15:] or flipped.upper() != id15.upper()


def test_rejects_bad_ids() -> None:
    for bad in ["", "short", "00D50000000IZ3ZEAX", "00D50000000IZ3Z!", "x" * 16]:
        assert not ids.is_valid(bad)
    with pytest.raises(ValueError):
        ids.new_id("00")


def test_new_ids_are_valid_and_fresh() -> None:
    made = {ids.new_id(ids.ORG) for _ in range(200)}
    assert len(made) == 200
    assert all(ids.is_valid(i) and i.startswith("00D") for i in made)


def _reference_checksum(id15: str) -> str:
    """Salesforce's documented algorithm, literally: per 5-character chunk, bit i set when character i is A-Z."""
    suffix = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    return "".join(
        suffix[sum(1 << i for i, ch in enumerate(id15[c * 5 : c * 5 + 5]) if "A" <= ch <= "Z")] for c in range(3)
    )


@given(ALNUM)
def test_checksum_matches_the_reference_algorithm(id15: str) -> None:
    assert ids.checksum(id15) == _reference_checksum(id15)


@given(st.text(min_size=0, max_size=16))
def test_checksum_of_any_text_matches_the_reference_too(text: str) -> None:
    assert ids.checksum(text) == _reference_checksum(text[:15])


def test_new_ids_draw_their_ten_random_characters_from_all_62() -> None:
    """Pod ``5g`` then 10 characters of [0-9A-Za-z], each of the 62 about equally often (12,000 draws: every
    character expected ~194 times; a character missing, or one alphabet's share off, fails)."""
    made = [ids.new_id(ids.USER) for _ in range(1200)]
    assert all(m.startswith("0055g") and ids.to18(m) == m for m in made)
    counts = Counter(c for m in made for c in m[5:15])
    assert set(counts) == set(string.ascii_letters + string.digits)
    assert min(counts.values()) > 100 and max(counts.values()) < 300


@pytest.mark.parametrize("tail", ["\n", "\r\n", " ", "\t"])
def test_an_id_with_a_trailing_newline_or_space_is_no_id(tail: str) -> None:
    """`^…$` took `'00D5g000004Mock\\n'` (`$` matches before a final newline): `to18` made a 19-character
    "id" of it and `same` matched it with the org's, so a restored or seeded id could carry the newline."""
    for raw in ("00D5g000004Mock", ids.to18("00D5g000004Mock")):
        assert ids.is_valid(raw)
        assert not ids.is_valid(raw + tail)
        assert not ids.same(raw + tail, raw)
        with pytest.raises(ValueError):
            ids.to18(raw + tail)

"""SOSL wildcards (`*` any characters, `?` one) match a field word in time linear in the pattern times the word:
a term of many `*` against a long word must not backtrack exponentially (a regex `a.*a.*...b` does)."""

from __future__ import annotations

import time

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockown.runtime import Runtime
from mockown.salesforce import search as sosl
from mockown.salesforce.models import User
from tests.conftest import ORG
from tests.salesforce.helpers import code_tokens, rest

V = "/services/data/v62.0"


def test_many_stars_against_a_long_word_answer_at_once(client: httpx.Client, runtime: Runtime) -> None:
    runtime.salesforce.users.put(
        User(
            id="005g00000000001AAA",
            org_id=ORG,
            username="long@mockown.test",
            password_hash="",
            salt="",
            last_name="a" * 60,
        )
    )
    token = code_tokens(client)["access_token"]
    started = time.monotonic()
    r = rest(client, token, f"{V}/search?q=FIND {{{'*a' * 14}*b}} IN NAME FIELDS")
    assert r.status_code == 200, r.text
    assert r.json() == {"searchRecords": []}
    assert time.monotonic() - started < 2.0
    hit = rest(client, token, f"{V}/search?q=FIND {{{'*a' * 14}*}} IN NAME FIELDS RETURNING User(LastName)")
    assert hit.json()["searchRecords"][0]["LastName"] == "a" * 60


# letters whose case mapping is not one character to one (\u0130 lowers to i + a combining dot; final sigma; the
# Kelvin sign; sharp s) besides plain ones: the regex reading matched them letter by letter, ignoring case
_LETTERS = "abAB1\u0130i\u03c3\u03c2\u03a3\u212ak\u00dfs"
_ALNUM = st.text(alphabet=_LETTERS, min_size=1, max_size=8)


@st.composite
def _pattern_and_word(draw: st.DrawFn) -> tuple[str, str]:
    """A word and a pattern made from it (each letter kept, in upper or lower case, or a `?`, or a `*` for a run,
    sometimes a letter changed): independent draws would almost never match, and the property would hold of a
    glob that ignores case wrongly (found so)."""
    word = draw(_ALNUM)
    out = []
    for letter in word:
        how = draw(st.sampled_from(["keep", "upper", "lower", "?", "*", "*keep", "other"]))
        out.append({"keep": letter, "upper": letter.upper(), "lower": letter.lower(), "?": "?", "*": "*",
                    "*keep": "*" + letter}.get(how) or draw(st.sampled_from(_LETTERS)))  # fmt: skip
    return "".join(out), word


@given(_pattern_and_word())
def test_glob_agrees_with_the_regex_reading(case: tuple[str, str]) -> None:
    import re

    pattern, word = case

    regex = re.escape(pattern).replace(r"\*", r"[^\W_]*").replace(r"\?", r"[^\W_]")
    assert sosl.glob_match(pattern, word) == (re.fullmatch(regex, word, re.IGNORECASE) is not None)


def test_a_name_with_a_dotted_capital_i_is_found_by_its_lower_case(client: httpx.Client, runtime: Runtime) -> None:
    runtime.salesforce.users.put(
        User(id="005g00000000002AAA", org_id=ORG, username="ilker@mockown.test", password_hash="", salt="",
             last_name="\u0130lker")
    )  # fmt: skip
    token = code_tokens(client)["access_token"]
    for term in ("ilker", "il*", "\u0130LKER"):
        r = rest(client, token, f"{V}/search?q=FIND {{{term}}} IN NAME FIELDS RETURNING User(LastName)")
        assert r.json()["searchRecords"] == [
            {"attributes": r.json()["searchRecords"][0]["attributes"], "LastName": "\u0130lker"}
        ], (term, r.text)


@pytest.mark.parametrize(("pattern", "word", "hit"), [("ada", "Ada", True), ("a*", "ada", True), ("a?a", "ada", True),
                                                      ("a?", "ada", False), ("*", "x", True), ("**d*", "ada", True),
                                                      ("**x*", "ada", False)])  # fmt: skip
def test_glob_examples(pattern: str, word: str, hit: bool) -> None:
    assert sosl.glob_match(pattern, word) is hit

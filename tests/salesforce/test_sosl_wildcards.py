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


_ALNUM = st.text(alphabet="abAB1", min_size=1, max_size=8)


@given(st.text(alphabet="abAB1*?", min_size=1, max_size=8), _ALNUM)
def test_glob_agrees_with_the_regex_reading(pattern: str, word: str) -> None:
    import re

    regex = re.escape(pattern).replace(r"\*", r"[^\W_]*").replace(r"\?", r"[^\W_]")
    assert sosl.glob_match(pattern.lower(), word.lower()) == (re.fullmatch(regex, word, re.IGNORECASE) is not None)


@pytest.mark.parametrize(("pattern", "word", "hit"), [("ada", "Ada", True), ("a*", "ada", True), ("a?a", "ada", True),
                                                      ("a?", "ada", False), ("*", "x", True), ("**d*", "ada", True),
                                                      ("**x*", "ada", False)])  # fmt: skip
def test_glob_examples(pattern: str, word: str, hit: bool) -> None:
    assert sosl.glob_match(pattern.lower(), word.lower()) is hit

"""SOQL parsing: linear in the query's length whatever it holds, and the subset's rules (literals, escapes)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.salesforce.helpers import code_tokens

V = "/services/data/v62.0"


class _Unfinished(BaseException):
    """Raised by the alarm: a BaseException, so no `except Exception` in the app turns it into an answer."""


@contextmanager
def _bounded(seconds: int) -> Iterator[None]:
    """Stop the block after `seconds` (the regex engine checks for signals while it backtracks). A bound on work,
    not a timing assertion: the inputs below take milliseconds when parsed linearly and hours (or more) when a
    pattern's quantifiers compete for the same characters."""

    def stop(signum: int, frame: object) -> None:
        raise _Unfinished(f"the query was still being parsed after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


_SPACES = " " * 20_000
ADVERSARIAL = [
    "select" + _SPACES + "x",  # `select\s+(.+?)\s+from`: three quantifiers over one run of spaces
    "SELECT" + _SPACES + "Id" + _SPACES + "FROM",
    "SELECT Id" + " from" * 8_000,
    "SELECT Id FROM User" + _SPACES + "x",
    "SELECT Id FROM User WHERE" + _SPACES + "Name" + _SPACES + "=" + _SPACES + "x",
    "SELECT Id FROM User WHERE Name = '" + "\\'" * 8_000,
    "SELECT Id FROM User WHERE Name = 'a'" + _SPACES + "LIMIT" + _SPACES + "x",
    "SELECT " + "Id, " * 8_000 + "x",
    "select\t" + "\n" * 20_000 + "x",
]


@pytest.mark.parametrize("soql", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_queries_are_refused_in_linear_time(client: httpx.Client, soql: str) -> None:
    token = code_tokens(client)["access_token"]
    with _bounded(30):
        r = client.get(f"{V}/query", params={"q": soql}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400, r.text[:200]
    assert r.json()[0]["errorCode"] == "MALFORMED_QUERY"


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT Id, Username FROM User WHERE Id = '005g000000Adm1NAAR'",
        "  select   Id ,Username\nfrom\tUser  LIMIT  1 ",
        "SELECT Id FROM User WHERE Username = 'admin@mockown.test'",
        "SELECT Id FROM User WHERE Username='admin@mockown.test' LIMIT 1",
        "SELECT Id FROM User LIMIT 1",
    ],
)
def test_the_subset_still_parses(client: httpx.Client, soql: str) -> None:
    token = code_tokens(client)["access_token"]
    r = client.get(f"{V}/query", params={"q": soql}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    assert r.json()["totalSize"] == 1


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("query?q=SELECT , FROM User", "MALFORMED_QUERY"),
        ("query?q=SELECT Id, FROM User", "MALFORMED_QUERY"),
        ("query?q=SELECT ,Id FROM User", "MALFORMED_QUERY"),
        ("query?q=SELECT Id,,Name FROM User", "MALFORMED_QUERY"),
        ("query?q=SELECT    FROM User", "MALFORMED_QUERY"),
        ("search?q=FIND {admin} RETURNING User(Id,)", "MALFORMED_SEARCH"),
        ("search?q=FIND {admin} RETURNING User()", "MALFORMED_SEARCH"),
        ("search?q=FIND {admin} RETURNING User( , )", "MALFORMED_SEARCH"),
    ],
)
def test_an_empty_item_in_a_list_is_malformed(client: httpx.Client, path: str, code: str) -> None:
    token = code_tokens(client)["access_token"]
    r = client.get(f"{V}/{path}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400, r.text
    assert r.json()[0]["errorCode"] == code

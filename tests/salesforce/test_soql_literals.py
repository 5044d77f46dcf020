"""SOQL WHERE literals: quoted strings with their escape sequences decoded (SOQL reference, "Quoted String Escape
Sequences")."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockown.runtime import Runtime
from mockown.salesforce.models import User
from tests.conftest import ORG
from tests.salesforce.helpers import code_tokens

V = "/services/data/v62.0"
ODD = "005g00000000OddAAA"


def _query(client: httpx.Client, soql: str) -> httpx.Response:
    token = code_tokens(client)["access_token"]
    return client.get(f"{V}/query", params={"q": soql}, headers={"Authorization": f"Bearer {token}"})


def _ids(client: httpx.Client, soql: str) -> list[Any]:
    r = _query(client, soql)
    assert r.status_code == 200, r.text
    return [row["Id"] for row in r.json()["records"]]


@pytest.fixture
def odd(runtime: Runtime) -> str:
    """A user whose last name holds every character an escape sequence stands for."""
    name = 'O\'Brien "x" \\ \n\r\t\b\f é'
    runtime.salesforce.users.put(
        User(id=ODD, org_id=ORG, username="odd@mockown.test", password_hash="", salt="", last_name=name)
    )
    return name


@pytest.mark.parametrize(
    "literal",
    [
        r"O\'Brien \"x\" \\ \n\r\t\b\f é",
        r"O\'Brien \"x\" \\ \N\R\T\B\F \u00e9",
        r"O\u0027Brien \u0022x\u0022 \u005c \u000a\u000d\u0009\u0008\u000c \u00E9",
    ],
)
def test_escapes_are_decoded(client: httpx.Client, odd: str, literal: str) -> None:
    assert _ids(client, f"SELECT Id FROM User WHERE LastName = '{literal}'") == [ODD]


@pytest.mark.parametrize("escape", [r"\a", r"\_", r"\%", r"\u00", r"\u00g1", r"\U00e9", r"\ ", "\\\n", r"\0"])
def test_an_unknown_escape_is_malformed(client: httpx.Client, odd: str, escape: str) -> None:
    r = _query(client, f"SELECT Id FROM User WHERE LastName = 'O{escape}Brien'")
    assert r.status_code == 400, r.text
    assert r.json()[0]["errorCode"] == "MALFORMED_QUERY"


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT Id FROM User WHERE Email = 'ADMIN@mockown.test'",
        "SELECT Id FROM User WHERE Name = 'ada admin'",
        "SELECT Id FROM User WHERE FirstName = 'ADA'",
        "SELECT Id FROM User WHERE LastName = 'aDMIN'",
        "SELECT Id FROM User WHERE Username = 'Admin@Mockown.Test'",
        "SELECT Id FROM Organization WHERE Name = 'MOCKOWN DEMO'",
    ],
)
def test_text_comparisons_ignore_case(client: httpx.Client, soql: str) -> None:
    # SOQL reference, "Comparison Operators": comparisons on strings are case-insensitive, except for unique
    # case-sensitive fields (a 15-character Id, compared as Salesforce does)
    assert len(_ids(client, soql)) == 1
    assert len(_ids(client, "SELECT Id FROM User WHERE UserType = 'STANDARD'")) > 1  # a picklist value too

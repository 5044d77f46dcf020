"""SOQL WHERE literals: quoted strings with their escape sequences decoded (SOQL reference, "Quoted String Escape
Sequences"), and the unquoted TRUE, FALSE and NULL ("WHERE", "Field Expression Syntax", "Use null in WHERE")."""

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


ADMIN_ID = "005g000000Adm1NAAR"
INTEGRATION_ID = "005g000000Int3GAAR"
INACTIVE_ID = "005g000000InactAAB"
NAMELESS = "005g00000000NoFnAAA"


@pytest.fixture
def nameless(runtime: Runtime) -> str:
    """A user with no first name (a null FirstName)."""
    runtime.salesforce.users.put(
        User(id=NAMELESS, org_id=ORG, username="nameless@mockown.test", password_hash="", salt="", last_name="Solo")
    )
    return NAMELESS


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("IsActive = true", {ADMIN_ID, INTEGRATION_ID, NAMELESS}),
        ("IsActive = TRUE", {ADMIN_ID, INTEGRATION_ID, NAMELESS}),
        ("IsActive=True", {ADMIN_ID, INTEGRATION_ID, NAMELESS}),
        ("IsActive = False", {INACTIVE_ID}),
        ("isactive = false", {INACTIVE_ID}),
        # "Use null in WHERE": on a boolean field null matches FALSE, != null matches TRUE
        ("IsActive = null", {INACTIVE_ID}),
        ("IsActive != NULL", {ADMIN_ID, INTEGRATION_ID, NAMELESS}),
        ("IsActive != true", {INACTIVE_ID}),
        ("FirstName = null", {NAMELESS}),
        ("FirstName = NULL", {NAMELESS}),
        ("FirstName != null", {ADMIN_ID, INTEGRATION_ID, INACTIVE_ID}),
        ("Email = null", set()),
        ("FirstName != 'Ada'", {INTEGRATION_ID, INACTIVE_ID, NAMELESS}),  # a null is not equal to 'Ada'
        ("Id != '005g000000Adm1N'", {INTEGRATION_ID, INACTIVE_ID, NAMELESS}),
    ],
)
def test_unquoted_true_false_and_null(client: httpx.Client, nameless: str, where: str, expected: set[str]) -> None:
    assert set(_ids(client, f"SELECT Id FROM User WHERE {where}")) == expected
    assert (
        _ids(client, f"SELECT Id FROM User WHERE {where} LIMIT 1")
        == _ids(client, f"SELECT Id FROM User WHERE {where}")[:1]
    )


@pytest.mark.parametrize(
    ("soql", "count"),
    [
        ("SELECT Id FROM Organization WHERE IsSandbox = false", 1),
        ("SELECT Id FROM Organization WHERE IsSandbox = TRUE", 0),
        ("SELECT Id FROM Organization WHERE TrialExpirationDate = null", 1),
        ("SELECT Id FROM Organization WHERE TrialExpirationDate != null", 0),
    ],
)
def test_unquoted_literals_on_the_organization(client: httpx.Client, soql: str, count: int) -> None:
    assert len(_ids(client, soql)) == count


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("IsActive = 'true'", "value of filter criterion for field 'IsActive' must be of type boolean and should not "
         "be enclosed in quotes"),
        ("IsActive = 'FALSE'", "value of filter criterion for field 'IsActive' must be of type boolean and should not "
         "be enclosed in quotes"),
        ("IsActive != 'x'", "value of filter criterion for field 'IsActive' must be of type boolean and should not "
         "be enclosed in quotes"),
        ("Email = true", "value of filter criterion for field 'Email' must be of type string and should be enclosed "
         "in quotes"),
        ("username = FALSE", "value of filter criterion for field 'Username' must be of type string and should be "
         "enclosed in quotes"),
        ("Id = true", "value of filter criterion for field 'Id' must be of type id and should be enclosed in quotes"),
        ("SELECT Id FROM Organization WHERE IsSandbox = 'false'", "value of filter criterion for field 'IsSandbox' "
         "must be of type boolean and should not be enclosed in quotes"),
        ("SELECT Id FROM Organization WHERE TrialExpirationDate = true", "value of filter criterion for field "
         "'TrialExpirationDate' must be of type dateTime and should not be enclosed in quotes"),
        ("SELECT Id FROM OauthToken WHERE UseCount = false", "value of filter criterion for field 'UseCount' must be "
         "of type int and should not be enclosed in quotes"),
    ],
)  # fmt: skip
def test_a_literal_of_the_wrong_type_is_an_invalid_field(client: httpx.Client, where: str, message: str) -> None:
    soql = where if where.startswith("SELECT") else f"SELECT Id FROM User WHERE {where}"
    r = _query(client, soql)
    assert r.status_code == 400, r.text
    assert r.json() == [{"errorCode": "INVALID_FIELD", "message": message}]


@pytest.mark.parametrize(
    "where",
    ["IsActive = truex", "IsActive = 'true", "IsActive = yes", "IsActive == true", "IsActive = true true",
     "IsActive != ", "IsActive ! = true", "IsActive < > true", "IsActive >< true", "FirstName = nul"],
)  # fmt: skip
def test_other_unquoted_words_are_malformed(client: httpx.Client, where: str) -> None:
    r = _query(client, f"SELECT Id FROM User WHERE {where}")
    assert r.status_code == 400, r.text
    assert r.json()[0]["errorCode"] == "MALFORMED_QUERY"


@pytest.mark.parametrize(
    "where", ["IsActive != true", "FirstName != 'Ada'", "FirstName != null", "Id != '005g000000Adm1N'"]
)
def test_angle_brackets_are_another_spelling_of_not_equals(client: httpx.Client, where: str) -> None:
    """`<>` is SOQL's other spelling of `!=` (Apex code and the CLI use it: `!` is awkward in a shell)."""
    spelled = _query(client, f"SELECT Id FROM User WHERE {where.replace('!=', '<>')}")
    assert spelled.status_code == 200, spelled.text
    assert spelled.json() == _query(client, f"SELECT Id FROM User WHERE {where}").json()
    assert spelled.json()["totalSize"] > 0


def test_ids_compare_by_the_fields_type_not_its_name() -> None:
    """A reference field (AppMenuItemId, OwnerId) matches an id in its 15- or 18-character form, as Id and UserId
    did: the comparison read the field's name."""
    from mockown.salesforce.describe import Field
    from mockown.salesforce.rest import _matches

    id18 = ORG
    for field in (Field("AppMenuItemId", "x", "reference", 18), Field("OwnerId", "x", "reference", 18)):
        assert _matches({field.name: id18}, field, id18[:15])
        assert _matches({field.name: id18}, field, id18.lower()) is False  # an id's case matters
    text = Field("Name", "x", "string", 80)
    assert _matches({"Name": id18}, text, id18[:15]) is False


SMILE = "005g0000000SmileAA"
SMILED = "Smile\U0001f600"


@pytest.fixture
def smile(runtime: Runtime) -> str:
    """A user whose last name holds a character outside the BMP (two UTF-16 code units)."""
    runtime.salesforce.users.put(
        User(id=SMILE, org_id=ORG, username="smile@mockown.test", password_hash="", salt="", last_name=SMILED)
    )
    return SMILE


@pytest.mark.parametrize("pair", [r"\uD83D\uDE00", r"\ud83d\ude00", r"\uD83d\uDe00"])
def test_an_escaped_surrogate_pair_is_the_one_character_it_encodes(client: httpx.Client, smile: str, pair: str) -> None:
    # SOQL strings are Java (UTF-16) strings: \uD83D\uDE00 is U+1F600, as the literal character is
    assert _ids(client, f"SELECT Id FROM User WHERE LastName = '{SMILED}'") == [SMILE]
    assert _ids(client, f"SELECT Id FROM User WHERE LastName = 'Smile{pair}'") == [SMILE]
    assert _ids(client, f"SELECT Id FROM User WHERE LastName != 'Smile{pair}'").count(SMILE) == 0


@pytest.mark.parametrize(
    "soql",
    [
        r"SELECT Id FROM User WHERE Id = '\uD800'",
        r"SELECT Id FROM User WHERE LastName = 'x\udfffy'",
        r"SELECT Id FROM User WHERE LastName = '\uDE00\uD83D'",  # the pair reversed: two lone ones
        r"SELECT Id FROM User WHERE LastName = '\uD83D\u0041'",  # a high one not followed by a low one
        r"SELECT Id FROM User WHERE LastName = '\uD83D\uD83D\uDE00'",  # one pair, one lone
        r"SELECT Id FROM User WHERE LastName = '\uD83D'",
        r"SELECT Id FROM OauthToken WHERE UserId = '\ud83d\ude00\ud800'",
    ],
)
def test_a_lone_surrogate_escape_is_a_malformed_query(client: httpx.Client, soql: str) -> None:
    """A `\\u` escape of a lone surrogate stands for no character: a REST 400 (it was a plain-text 500, the decoded
    surrogate failing the UTF-8 encode of the error message), for /query and /queryAll alike."""
    token = code_tokens(client)["access_token"]
    for resource in ("query", "queryAll"):
        r = client.get(f"{V}/{resource}", params={"q": soql}, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 400, r.text
        assert r.headers["content-type"].startswith("application/json")
        assert "Sforce-Limit-Info" in r.headers
        [error] = r.json()
        assert error["errorCode"] == "MALFORMED_QUERY"
        assert "surrogate" in error["message"]


def test_an_escaped_backslash_before_u_is_no_surrogate_escape(client: httpx.Client, runtime: Runtime) -> None:
    runtime.salesforce.users.put(
        User(id=SMILE, org_id=ORG, username="s@mockown.test", password_hash="", salt="", last_name="\\uD800")
    )
    assert _ids(client, r"SELECT Id FROM User WHERE LastName = '\\uD800'") == [SMILE]

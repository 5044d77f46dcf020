"""SOQL checks Salesforce makes before it reads a row: an id or reference field compared with a literal that is
not an id (`400 INVALID_QUERY_FILTER_OPERATOR "invalid ID field: garbage"`), a field selected twice
(`400 MALFORMED_QUERY "duplicate field selected: Id"`), and a LIMIT whose leading zeros are not digits of its
value (`LIMIT 00000000001` is 1, in a query and in a search)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import ADMIN_ID, ORG
from tests.salesforce.helpers import code_tokens

V = "/services/data/v62.0"


@pytest.fixture
def token(client: httpx.Client) -> str:
    return str(code_tokens(client)["access_token"])


def _get(client: httpx.Client, token: str, resource: str, q: str) -> httpx.Response:
    return client.get(f"{V}/{resource}", params={"q": q}, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(
    ("soql", "value"),
    [
        ("SELECT Id FROM User WHERE Id = 'garbage'", "garbage"),
        ("SELECT Id FROM User WHERE Id != 'garbage'", "garbage"),
        ("SELECT Id FROM User WHERE id <> ''", ""),
        ("SELECT Id FROM User WHERE Id = '005g000000Adm1'", "005g000000Adm1"),  # 14 characters
        ("SELECT Id FROM User WHERE Id = '005g000000Adm1NAA'", "005g000000Adm1NAA"),  # 17
        ("SELECT Id FROM User WHERE Id = '005g000000Adm1NAARX'", "005g000000Adm1NAARX"),  # 19
        ("SELECT Id FROM User WHERE Id = '005g000000Adm1-'", "005g000000Adm1-"),
        ("SELECT Id FROM User WHERE Id = '005g000000Adm1N\\n'", "005g000000Adm1N\n"),
        ("SELECT Id FROM Organization WHERE Id = 'None'", "None"),
        ("SELECT Id FROM OauthToken WHERE Id = 'None'", "None"),
        ("SELECT AppName FROM OauthToken WHERE UserId = 'admin'", "admin"),  # a reference field
    ],
)
@pytest.mark.parametrize("resource", ["query", "queryAll"])
def test_an_id_field_against_a_literal_that_is_no_id_is_refused(
    client: httpx.Client, token: str, resource: str, soql: str, value: str
) -> None:
    r = _get(client, token, resource, soql)
    assert r.status_code == 400, r.text
    assert r.json() == [{"message": f"invalid ID field: {value}", "errorCode": "INVALID_QUERY_FILTER_OPERATOR"}]


@pytest.mark.parametrize(
    ("where", "count"),
    [
        (f"Id = '{ADMIN_ID}'", 1),
        (f"Id = '{ADMIN_ID[:15]}'", 1),
        (f"Id = '{ADMIN_ID.lower()}'", 0),  # an id's shape with the wrong case suffix: nothing, as Salesforce
        ("Id = '000000000000000'", 0),
        (f"Id = '{ORG}'", 0),  # another object's id
        ("Id = null", 0),
    ],
)
def test_an_id_shaped_literal_is_compared(client: httpx.Client, token: str, where: str, count: int) -> None:
    r = _get(client, token, "query", f"SELECT Id FROM User WHERE {where}")
    assert r.status_code == 200, r.text
    assert r.json()["totalSize"] == count


@pytest.mark.parametrize(
    ("select", "twice"),
    [("Id, Id", "Id"), ("Id, Username, id", "id"), ("Username,USERNAME", "USERNAME"), ("Name , Name", "Name")],
)
def test_a_field_selected_twice_is_malformed(client: httpx.Client, token: str, select: str, twice: str) -> None:
    r = _get(client, token, "query", f"SELECT {select} FROM User")
    assert r.status_code == 400, r.text
    assert r.json() == [{"message": f"duplicate field selected: {twice}", "errorCode": "MALFORMED_QUERY"}]


@pytest.mark.parametrize(
    ("limit", "count"), [("00000000001", 1), ("0000000000002", 2), ("0" * 5000 + "1", 1), ("0" * 30, 0)]
)
def test_leading_zeros_are_not_digits_of_the_limit(client: httpx.Client, token: str, limit: str, count: int) -> None:
    r = _get(client, token, "query", f"SELECT Id FROM User LIMIT {limit}")
    assert r.status_code == 200, r.text
    assert r.json()["totalSize"] == count
    found = _get(client, token, "search", f"FIND {{mockown}} IN EMAIL FIELDS LIMIT {limit}")
    assert found.status_code == 200, found.text
    assert len(found.json()["searchRecords"]) == count


@pytest.mark.parametrize(
    ("resource", "q"),
    [
        ("query", "SELECT Id FROM User LIMIT 0002147483648"),
        ("query", "SELECT Id FROM User LIMIT 99999999999"),
        ("search", "FIND {mockown} LIMIT 0002001"),
    ],
)
def test_a_limit_over_the_bound_is_still_refused(client: httpx.Client, token: str, resource: str, q: str) -> None:
    r = _get(client, token, resource, q)
    assert r.status_code == 400, r.text
    assert r.json()[0]["errorCode"] == ("MALFORMED_QUERY" if resource == "query" else "MALFORMED_SEARCH")

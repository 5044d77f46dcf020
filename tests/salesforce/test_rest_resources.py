"""The REST resources a client reaches right after login besides `query`: `queryAll` (same SOQL subset; the mock
holds no deleted or archived rows, so the same records), and every resource `/services/data/vXX.X` advertises is
served (no advertised URL is a 404), errors in the REST dialect, counted in `Sforce-Limit-Info`."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.conftest import ADMIN_ID
from tests.salesforce.helpers import code_tokens, rest

V = "/services/data/v62.0"
INVALID = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT Id, Username FROM User",
        f"SELECT Id, Name FROM User WHERE Id = '{ADMIN_ID}'",
        "SELECT Name, InstanceName, IsSandbox FROM Organization",
        "SELECT Id FROM User LIMIT 1",
        "SELECT Id FROM ScratchOrgInfo",
    ],
)
def test_query_all_answers_what_query_answers(client: httpx.Client, soql: str) -> None:
    token = code_tokens(client)["access_token"]
    plain = rest(client, token, f"{V}/query?q={soql}")
    for path in ("queryAll", "queryAll/"):
        every = rest(client, token, f"{V}/{path}?q={soql}")
        assert every.status_code == 200, every.text
        assert every.json() == plain.json()


@pytest.mark.parametrize(("soql", "code"), [("", "MALFORMED_QUERY"), ("nonsense", "MALFORMED_QUERY"),
                                            ("SELECT Nope FROM User", "INVALID_FIELD"),
                                            ("SELECT Id FROM Nope", "INVALID_TYPE")])  # fmt: skip
def test_query_all_errors_are_the_rest_dialect_and_counted(client: httpx.Client, soql: str, code: str) -> None:
    token = code_tokens(client)["access_token"]
    before = rest(client, token).headers["Sforce-Limit-Info"]
    r = rest(client, token, f"{V}/queryAll?q={soql}")
    assert r.status_code == 400 and r.json()[0]["errorCode"] == code
    used = int(before.split("=")[1].split("/")[0])
    assert r.headers["Sforce-Limit-Info"] == f"api-usage={used + 1}/15000"


def test_query_all_with_a_dead_token_is_invalid_session(client: httpx.Client) -> None:
    r = rest(client, "00D000000000001!nope", f"{V}/queryAll?q=SELECT Id FROM User")
    assert (r.status_code, r.json()) == (401, INVALID)


# -- the resources list: every advertised URL is served ----------------------------------------------------
def test_every_advertised_resource_is_served(client: httpx.Client) -> None:
    token = code_tokens(client)["access_token"]
    listed = rest(client, token, f"{V}/").json()
    assert {"sobjects", "query", "queryAll", "search", "recent", "limits", "identity"} <= set(listed)
    for name, url in listed.items():
        if name == "identity":
            continue
        r = rest(client, token, url)
        # query, queryAll and search without q are the client's error (400); the others answer a bare GET
        assert r.status_code == (400 if name in ("query", "queryAll", "search") else 200), (name, r.text)
        assert "Sforce-Limit-Info" in r.headers


@pytest.mark.parametrize("path", ["recent", "recent/", "recent?limit=5", "recent?limit=nonsense"])
def test_recent_is_empty_list(client: httpx.Client, path: str) -> None:
    """Recently viewed records (spec 9.3 resource list): nothing is ever viewed in a Salesforce UI of the mock."""
    r = rest(client, code_tokens(client)["access_token"], f"{V}/{path}")
    assert (r.status_code, r.json()) == (200, [])


def test_recent_with_a_dead_token_is_invalid_session(client: httpx.Client) -> None:
    r = rest(client, "00D000000000001!nope", f"{V}/recent")
    assert (r.status_code, r.json()) == (401, INVALID)


def _search(client: httpx.Client, token: str, sosl: str | None) -> httpx.Response:
    params = {} if sosl is None else {"q": sosl}
    return client.get(f"{V}/search", params=params, headers={"Authorization": f"Bearer {token}"})


def test_search_finds_users_by_word(client: httpx.Client) -> None:
    token = code_tokens(client)["access_token"]
    r = _search(client, token, "FIND {Ada} IN NAME FIELDS RETURNING User(Id, Username)")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "searchRecords": [
            {
                "attributes": {"type": "User", "url": f"{V}/sobjects/User/{ADMIN_ID}"},
                "Id": ADMIN_ID,
                "Username": "admin@mockown.test",
            }
        ]
    }
    # no RETURNING: every searchable object, Id only; a prefix wildcard; an e-mail's words
    for sosl in ("FIND {ada}", "FIND {Adm*}", "FIND {admin@mockown.test} IN EMAIL FIELDS", "find {ADA ADMIN}"):
        found = _search(client, token, sosl).json()["searchRecords"]
        assert [rec["Id"] for rec in found] == [ADMIN_ID], sosl
        assert set(found[0]) == {"attributes", "Id"}


@pytest.mark.parametrize(
    "sosl",
    ["FIND {nobody}", "FIND {Ada Nobody}", "FIND {Ada} IN EMAIL FIELDS", "FIND {Ada} IN PHONE FIELDS",
     "FIND {mockown} RETURNING User LIMIT 0", "FIND {Ada*} IN ALL FIELDS RETURNING User(Id) LIMIT 0"],
)  # fmt: skip
def test_search_without_matches_is_empty(client: httpx.Client, sosl: str) -> None:
    r = _search(client, code_tokens(client)["access_token"], sosl)
    assert (r.status_code, r.json()) == (200, {"searchRecords": []})


def test_search_limit_caps_the_records(client: httpx.Client) -> None:
    token = code_tokens(client)["access_token"]
    every = _search(client, token, "FIND {mockown} RETURNING User(Id)").json()["searchRecords"]
    assert len(every) >= 2
    assert len(_search(client, token, "FIND {mockown} RETURNING User(Id) LIMIT 1").json()["searchRecords"]) == 1


@pytest.mark.parametrize(
    ("sosl", "code"),
    [(None, "MALFORMED_SEARCH"), ("", "MALFORMED_SEARCH"), ("SELECT Id FROM User", "MALFORMED_SEARCH"),
     ("FIND {a}", "MALFORMED_SEARCH"), ("FIND {Ada} RETURNING Nope", "INVALID_TYPE"),
     ("FIND {Ada} RETURNING Organization", "INVALID_TYPE"), ("FIND {Ada} RETURNING ScratchOrgInfo", "INVALID_TYPE"),
     ("FIND {Ada} RETURNING User(Nope)", "INVALID_FIELD"),
     ("FIND {Ada} RETURNING User(Id, Profile.Name)", "INVALID_FIELD"),
     ("FIND {Ada} RETURNING User(Id Name)", "MALFORMED_SEARCH"),
     ("FIND {Ada} RETURNING User(Id, -)", "MALFORMED_SEARCH"),
     ("FIND {Ada OR Bob}", "MALFORMED_SEARCH"), ("FIND {Ada} LIMIT 99999999999", "MALFORMED_SEARCH"),
     ("FIND {Ada} IN SIDEBAR FIELDS", "MALFORMED_SEARCH"),
     # SOSL reference (RETURNING): "each object must be distinct; you can't repeat an ObjectTypeName"
     ("FIND {Ada} RETURNING User, User", "MALFORMED_SEARCH"),
     ("FIND {Ada} RETURNING User(Id), user(Username)", "MALFORMED_SEARCH")],
)  # fmt: skip
def test_search_errors_are_the_rest_dialect(client: httpx.Client, sosl: str | None, code: str) -> None:
    r = _search(client, code_tokens(client)["access_token"], sosl)
    assert r.status_code == 400, r.text
    assert r.json()[0]["errorCode"] == code and "Sforce-Limit-Info" in r.headers


def test_search_with_a_dead_token_is_invalid_session(client: httpx.Client) -> None:
    assert (_search(client, "00D000000000001!nope", "FIND {Ada}").json()) == INVALID


def test_resources_not_served_are_not_advertised(client: httpx.Client) -> None:
    listed = rest(client, code_tokens(client)["access_token"], f"{V}/").json()
    for name in ("tooling", "metadata", "tabs", "theme", "appMenu", "chatter", "composite", "analytics"):
        assert name not in listed
        r = rest(client, code_tokens(client)["access_token"], f"{V}/{name}")
        assert r.status_code == 404 and r.json()[0]["errorCode"] == "NOT_FOUND"


_APP = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))  # no function-scoped fixtures in @given


@settings(max_examples=150, deadline=None)
@given(
    sosl=st.one_of(
        st.text(max_size=120),
        st.builds(
            "FIND {{{}}}{}".format,
            st.text(max_size=30),
            st.sampled_from(["", " IN ALL FIELDS", " RETURNING User(Id)", " LIMIT 5", " RETURNING User(", " IN"]),
        ),
    )
)
def test_any_search_string_is_an_answer_or_a_rest_error(sosl: str) -> None:
    with in_process_client(_APP) as client:
        token = code_tokens(client)["access_token"]
        r = _search(client, token, sosl)
    assert r.status_code in (200, 400), r.text
    body = r.json()
    assert isinstance(body["searchRecords"], list) if r.status_code == 200 else body[0]["errorCode"]

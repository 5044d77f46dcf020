"""The REST resources a client reaches right after login besides `query`: `queryAll` (same SOQL subset; the mock
holds no deleted or archived rows, so the same records), and every resource `/services/data/vXX.X` advertises is
served (no advertised URL is a 404), errors in the REST dialect, counted in `Sforce-Limit-Info`."""

from __future__ import annotations

import httpx
import pytest

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

"""Bad input never gets a 500: random parameters on every Salesforce endpoint get an answer in its dialect."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.conftest import CID, SECRET
from tests.reliability.support import examples  # make soak: MOCKOWN_SOAK=1
from tests.salesforce.helpers import password_token

APP = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
CLIENT = in_process_client(APP)  # shared by every example (hypothesis does not mix with function fixtures)

KEYS = st.sampled_from(["grant_type", "client_id", "client_secret", "username", "password", "code", "redirect_uri",
                        "refresh_token", "code_verifier", "scope", "format", "token", "token_type_hint",
                        "response_type", "state", "login_hint", "prompt", "immediate", "x"])  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["password", "authorization_code", "refresh_token", "client_credentials", CID, SECRET, "code",
                     "json", "xml", "urlencoded", "admin@mockown.test", "Passw0rd!", "http://localhost:8080/callback"]),
)  # fmt: skip
PARAMS = st.lists(st.tuples(KEYS, VALUES), max_size=8)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
FUZZ = settings(max_examples=examples(150, 1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _oauth_error_or_success(r: httpx.Response) -> None:
    assert r.status_code < 500, r.text
    if r.status_code >= 400 and r.headers["content-type"].startswith("application/json"):
        assert set(r.json()) == {"error", "error_description"}


@FUZZ
@given(PARAMS, st.booleans())
def test_token_endpoint(params: list[tuple[str, str]], basic: bool) -> None:
    auth = (CID, SECRET) if basic else None
    r = CLIENT.post("/services/oauth2/token", content=urlencode(params), headers=FORM, auth=auth)
    _oauth_error_or_success(r)


@FUZZ
@given(PARAMS)
def test_introspect_and_revoke(params: list[tuple[str, str]]) -> None:
    _oauth_error_or_success(CLIENT.post("/services/oauth2/introspect", content=urlencode(params), headers=FORM))
    r = CLIENT.post("/services/oauth2/revoke", content=urlencode(params), headers=FORM)
    assert r.status_code in (200, 400)


@FUZZ
@given(PARAMS)
def test_authorize(params: list[tuple[str, str]]) -> None:
    r = CLIENT.get("/services/oauth2/authorize", params=params)
    assert r.status_code in (200, 302, 400), r.text


@FUZZ
@given(st.text(max_size=60), st.text(max_size=60), st.text(max_size=40))
def test_rest_and_identity_paths(segment: str, query: str, token: str) -> None:
    safe_token = token.encode("ascii", "ignore").decode().replace("\n", "").replace("\r", "")
    headers = {"Authorization": f"Bearer {safe_token}"}
    segment = quote(segment, safe="")
    for path in (f"/services/data/{segment}", "/services/data/v62.0/query", f"/id/{segment}/{segment}"):
        r = CLIENT.get(path, params={"q": query, "format": segment}, headers=headers)
        assert r.status_code < 500, r.text


# pieces of SOQL and SOSL glued at random, and well-formed queries whose quoted literal is glued from text and
# escapes (a lone `\\uD800` in one was a plain-text 500): a query string with a live session gets past the session
# check to the parsers
PIECES = st.sampled_from(
    ["SELECT", " ", "\t", ",", "Id", "Username", "LastName", "IsActive", "UserId", "DeleteToken", "COUNT()",
     "FIELDS(ALL)", "FROM", "User", "Organization", "OauthToken", "WHERE", "=", "!=", "<>", "'", "\\", "\\u",
     "TRUE", "null", "LIMIT", "0", "2147483648", "FIND", "{", "}", "IN", "ALL", "FIELDS", "RETURNING", "(", ")",
     "*", "?", "\u00e9", "\U0001f600", "\x00"]
)  # fmt: skip
ESCAPES = st.sampled_from(["\\n", "\\'", "\\\\", "\\u00e9", "\\q", "\\u12"]) | st.builds(
    "\\u{:04X}".format, st.integers(0xD700, 0xE000) | st.integers(0, 0xFFFF)
)
LITERAL = st.lists(ESCAPES | st.text(alphabet=st.characters(exclude_characters="'\\"), max_size=3), max_size=6)
WELL_FORMED = st.builds(
    lambda select, where, literal, limit: f"SELECT {select} WHERE {where} '{''.join(literal)}'{limit}",
    st.sampled_from(["Id FROM User", "Id, LastName FROM User", "Id FROM OauthToken", "Name FROM Organization"]),
    st.sampled_from(["Id =", "LastName =", "Username !=", "UserId <>", "Name ="]),
    LITERAL,
    st.sampled_from(["", " LIMIT 1"]),
)
GLUED = st.builds(lambda pieces: "".join(pieces), st.lists(PIECES, max_size=12))
SEARCH = st.builds(lambda literal: "FIND {" + "".join(literal) + "}", LITERAL)
QUERY = WELL_FORMED | GLUED | SEARCH | st.text(max_size=60)
SESSION = {"Authorization": f"Bearer {password_token(CLIENT).json()['access_token']}"}


@FUZZ
@given(QUERY)
def test_no_query_or_search_string_is_a_500(q: str) -> None:
    """Any `q` to /query, /queryAll and /search with a live session: an answer in the REST dialect (a JSON list
    of errors when it is refused), never a 500."""
    for resource in ("query", "queryAll", "search"):
        r = CLIENT.get(f"/services/data/v62.0/{resource}", params={"q": q}, headers=SESSION)
        assert r.status_code in (200, 400), (resource, q, r.text)
        assert r.headers["content-type"].startswith("application/json"), (resource, q, r.text)
        if r.status_code == 400:
            assert {"errorCode", "message"} <= set(r.json()[0]), r.text


@FUZZ
@given(
    st.binary(max_size=300),
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=xyz",
            "application/json",
            "text/plain",
        ]
    ),
)
def test_raw_bodies(body: bytes, content_type: str) -> None:
    r = CLIENT.post("/services/oauth2/token", content=body, headers={"Content-Type": content_type})
    _oauth_error_or_success(r)

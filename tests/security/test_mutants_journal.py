"""Journal redaction rules (mockown/http/journal.py) that the third hand-driven mutation audit showed no test would
miss if broken: each test names the mutant it kills and passes on the real code."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import ADMIN, CID, ORG, PASSWORD
from tests.conftest import SECRET as CLIENT_SECRET

SECRET = "zQ9xSecretValue0123"


def _journal(client: httpx.Client) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = client.get("/_mockown/journal").json()["entries"]
    return entries


@pytest.mark.parametrize("name", ["lightning_sid", "visualforce_sid", "content_sid", "parent_sid"])
def test_a_session_id_named_like_the_hybrid_flows_is_redacted(client: httpx.Client, name: str) -> None:
    """The hybrid flow's session ids (`lightning_sid`, `visualforce_sid`, `content_sid`, `parent_sid`) are secrets
    wherever a client sends them back (kills `(^|_)sid$` narrowed to `^sid$`: only a bare `sid` was tested)."""
    client.delete("/_mockown/journal")
    client.post("/services/oauth2/token", data={"grant_type": "password", name: SECRET})
    client.get("/services/oauth2/userinfo", params={name: SECRET})
    form, query = _journal(client)
    assert form["params"] == {"grant_type": "password", name: "[redacted]"}
    assert query["query"] == f"{name}=[redacted]"
    assert SECRET not in json.dumps(_journal(client))


@pytest.mark.parametrize("header", ["X-SFDC-Session", "Set-Cookie", "X-Session-Id", "X-Api-Key"])
def test_a_secret_header_is_redacted_whole(client: httpx.Client, header: str) -> None:
    """Headers that are secrets whole (a Salesforce session id, a cookie sent back as Set-Cookie, Own's legacy
    session, an API key) are journaled as `[redacted]` (kills `x-sfdc-session` or `set-cookie` dropped from
    `_SECRET_HEADERS`: only Authorization and Cookie were tested)."""
    client.delete("/_mockown/journal")
    client.get("/services/data/v62.0/limits", headers={header: SECRET})
    (entry,) = _journal(client)
    headers = entry["headers"]
    assert isinstance(headers, dict) and headers[header.lower()] == "[redacted]"
    assert SECRET not in json.dumps(entry)


def test_a_secret_in_a_list_inside_a_json_object_is_redacted(client: httpx.Client) -> None:
    """A JSON body's object that holds a list of objects: the secrets in the list go too (kills the list branch of
    `_redact_json` returning the list as it is; the existing property nests a list only at the top, which the
    body's reading flattens)."""
    client.delete("/_mockown/journal")
    body = {"grant_type": "password", "extra": {"deep": [{"password": SECRET, "note": "kept"}]}}
    client.post("/services/oauth2/token", json=body)
    (entry,) = _journal(client)
    params = entry["params"]
    assert isinstance(params, dict)
    assert json.loads(str(params["extra"])) == {"deep": [{"password": "[redacted]", "note": "kept"}]}


def test_an_empty_secret_is_shown_empty(client: httpx.Client) -> None:
    """A secret parameter sent empty has nothing to hide: the journal shows it as sent, so a reader sees that the
    client sent a blank password (kills the `and value` dropped from `_redact_value`)."""
    client.delete("/_mockown/journal")
    client.post("/services/oauth2/token", data={"grant_type": "password", "password": "", "client_secret": SECRET})
    (entry,) = _journal(client)
    assert entry["params"] == {"grant_type": "password", "password": "", "client_secret": "[redacted]"}


def test_a_query_too_long_to_read_is_redacted_whole(client: httpx.Client) -> None:
    """A query of more parameters than the journal reads (over 1000) is shown as `[redacted]`, not as sent: it cannot
    be told which of them are secrets (kills `return query` for the unreadable query in `redact_query`)."""
    client.delete("/_mockown/journal")
    query = "&".join([f"p{i}=v" for i in range(1001)] + [f"password={SECRET}"])
    client.get(f"/services/oauth2/userinfo?{query}")
    (entry,) = _journal(client)
    assert entry["query"] == "[redacted]"
    assert SECRET not in json.dumps(entry)


def test_a_request_with_the_oauth_scheme_is_journaled_under_its_org_and_user(client: httpx.Client) -> None:
    """`Authorization: OAuth <token>` (the older Salesforce scheme the REST API accepts) names the session as Bearer
    does: the journal entry (and so the journal's org filter and the fault rules) gets its org and user (kills "oauth"
    dropped from `bearer_of`)."""
    token = client.post(
        "/services/oauth2/token",
        data={"grant_type": "password", "client_id": CID, "client_secret": CLIENT_SECRET, "username": ADMIN,
              "password": PASSWORD},
    ).json()["access_token"]  # fmt: skip
    client.delete("/_mockown/journal")
    assert client.get("/services/data/v62.0/limits", headers={"Authorization": f"OAuth {token}"}).status_code == 200
    (entry,) = _journal(client)
    assert (entry["org"], entry["user"]) == (ORG, ADMIN)
    headers = entry["headers"]
    assert isinstance(headers, dict) and headers["authorization"] == "OAuth [redacted]"


@pytest.mark.parametrize("name", ["apikey", "api-key", "Password", "CLIENT_SECRET", "Refresh_Token", "X_API_KEY"])
def test_secret_names_are_read_in_any_case_and_spelling(client: httpx.Client, name: str) -> None:
    """A secret parameter is one whatever its case (`Password`, `CLIENT_SECRET`) and however an API key is spelled
    (`apikey`, `api-key`, `api_key`) (kills `re.IGNORECASE` dropped from `_SECRET_NAME`, and `api[_-]?key` narrowed
    to `api_key`: the tests used lower-case names and `api_key` only)."""
    client.delete("/_mockown/journal")
    client.post("/services/oauth2/token", data={"grant_type": "password", name: SECRET})
    (entry,) = _journal(client)
    assert entry["params"] == {"grant_type": "password", name: "[redacted]"}


@pytest.mark.parametrize("value", [SECRET, "Bearer", "00D5g000004Mock!" + SECRET])
def test_an_authorization_header_without_a_scheme_is_redacted_whole(client: httpx.Client, value: str) -> None:
    """An `Authorization` value with no space is all secret (a bare token, a lone word): it is journaled as
    `[redacted]`, never as `<value> [redacted]` (kills the scheme kept when nothing follows it in `redact_header`)."""
    client.delete("/_mockown/journal")
    client.get("/services/data/v62.0/limits", headers={"Authorization": value})
    (entry,) = _journal(client)
    headers = entry["headers"]
    assert isinstance(headers, dict) and headers["authorization"] == "[redacted]"


def test_secrets_in_json_text_of_a_form_parameter_are_redacted(client: httpx.Client) -> None:
    """A form parameter whose value is JSON text, an array or an object, has its secrets redacted inside it; an empty
    secret there stays empty as at the top (kills the `[` dropped from the JSON sniffing in `_redact_value`, and
    the empty-value exception dropped from `_redact_json`)."""
    client.delete("/_mockown/journal")
    listed = json.dumps([{"password": SECRET, "note": "kept"}])
    nested = json.dumps({"client_secret": "", "token": SECRET})
    client.post("/services/oauth2/token", data={"grant_type": "password", "listed": listed, "nested": nested})
    (entry,) = _journal(client)
    params = entry["params"]
    assert isinstance(params, dict)
    assert json.loads(str(params["listed"])) == [{"password": "[redacted]", "note": "kept"}]
    assert json.loads(str(params["nested"])) == {"client_secret": "", "token": "[redacted]"}


def test_a_parameter_name_too_long_to_be_one_hides_the_body(client: httpx.Client) -> None:
    """A "name" over 256 characters is no parameter name (text of a body that is no form): none of the body's
    parameters is shown (kills the length rule dropped from `redact_params`)."""
    client.delete("/_mockown/journal")
    client.post("/services/oauth2/token", data={"grant_type": "password", "n" * 300: SECRET})
    (entry,) = _journal(client)
    assert entry["params"] == {"[redacted]": "[redacted]"}


def test_repeated_parameters_and_headers_are_all_shown(client: httpx.Client) -> None:
    """A parameter sent twice is journaled as the list of its values, a header sent twice as its values joined with
    ', ' (kills `redact_params` keeping one value and `redact_headers` keeping the last header)."""
    client.delete("/_mockown/journal")
    client.get("/services/oauth2/userinfo?scope=a&scope=b", headers=[("X-Trace", "one"), ("X-Trace", "two")])
    client.post("/services/oauth2/token", content="grant_type=password&scope=a&scope=b",
                headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    query, form = _journal(client)
    headers = query["headers"]
    assert isinstance(headers, dict) and headers["x-trace"] == "one, two"
    assert form["params"] == {"grant_type": "password", "scope": ["a", "b"]}


def test_a_username_is_journaled_as_salesforce_reads_it(client: httpx.Client) -> None:
    """Usernames are case-insensitive (the token endpoint signs `Admin@Mockown.Test` in as `admin@mockown.test`):
    the journal entry's user is the lower-case name, so filtering by the user finds every request of theirs (kills
    the username journaled as typed in `_resolve_salesforce`)."""
    client.delete("/_mockown/journal")
    client.post("/services/oauth2/token", data={"grant_type": "password", "username": " Admin@Mockown.Test "})
    (entry,) = _journal(client)
    assert (entry["user"], entry["org"]) == (ADMIN, ORG)


def test_a_path_pattern_filter_is_case_sensitive(client: httpx.Client) -> None:
    """`?path=` with a wildcard matches paths as the router does, case and all: `/Services/*` is not `/services/...`
    (kills `fnmatchcase` replaced by a case-folding match in `JournalFilter`)."""
    client.delete("/_mockown/journal")
    client.get("/services/data")
    assert client.get("/_mockown/journal", params={"path": "/services/*"}).json()["count"] == 1
    assert client.get("/_mockown/journal", params={"path": "/Services/*"}).json()["count"] == 0

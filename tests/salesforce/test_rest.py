"""The REST subset: versions, resources, limits, sobjects, query, and INVALID_SESSION_ID."""

from __future__ import annotations

import httpx
import pytest

from mockown.runtime import Runtime
from tests.conftest import ADMIN, ADMIN_ID, ORG
from tests.salesforce.helpers import code_tokens, new_org, org_tokens, rest

INVALID = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


@pytest.mark.parametrize("path", ["/services/data", "/services/data/"])
def test_versions_without_auth(client: httpx.Client, path: str) -> None:
    versions = client.get(path).json()
    assert isinstance(versions, list)
    numbers = [v["version"] for v in versions]
    assert all(len(n) == 4 and n.endswith(".0") for n in numbers)  # all two-digit
    assert numbers == sorted(numbers)
    assert numbers[0] == "31.0" and max(numbers) == "67.0"  # spec 9.2: current orgs 31.0 ... Summer '26
    by_version = {v["version"]: v for v in versions}
    assert by_version["62.0"] == {"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"}
    # the spec's release table (9.2), every row
    table = {"67.0": "Summer '26", "66.0": "Spring '26", "65.0": "Winter '26", "64.0": "Summer '25",
             "63.0": "Spring '25", "62.0": "Winter '25", "60.0": "Spring '24"}  # fmt: skip
    assert {n: by_version[n]["label"] for n in table} == table


@pytest.mark.parametrize(("version", "status"), [("v67.0", 200), ("v31.0", 200), ("v68.0", 404), ("v30.0", 404)])
def test_every_listed_version_is_served(client: httpx.Client, version: str, status: int) -> None:
    r = rest(client, code_tokens(client)["access_token"], f"/services/data/{version}/limits")
    assert r.status_code == status, r.text
    if status == 404:
        assert r.json()[0]["errorCode"] == "NOT_FOUND"


def test_resources_include_identity(client: httpx.Client) -> None:
    tokens = code_tokens(client)
    r = rest(client, tokens["access_token"], "/services/data/v51.0/")
    assert r.status_code == 200
    assert r.json()["identity"] == tokens["id"]
    assert r.json()["sobjects"] == "/services/data/v51.0/sobjects"


def test_limits_count_calls_per_org(client: httpx.Client, runtime: Runtime) -> None:
    token = code_tokens(client)["access_token"]
    for n in range(1, 4):
        r = rest(client, token)
        assert r.headers["Sforce-Limit-Info"] == f"api-usage={n}/15000"
    assert r.json()["DailyApiRequests"] == {"Max": 15000, "Remaining": 15000 - 3}
    org = new_org(runtime)
    other = org_tokens(client, org)["access_token"]
    assert rest(client, other).headers["Sforce-Limit-Info"] == "api-usage=1/15000"


def test_sobject_user_and_organization(client: httpx.Client) -> None:
    token = code_tokens(client)["access_token"]
    user = rest(client, token, f"/services/data/v51.0/sobjects/User/{ADMIN_ID}").json()
    assert user["Username"] == ADMIN and user["attributes"]["type"] == "User"
    org = rest(client, token, f"/services/data/v62.0/sobjects/Organization/{ORG[:15]}").json()
    assert {"OrganizationType", "IsSandbox", "InstanceName", "NamespacePrefix"} <= set(org)
    missing = rest(client, token, "/services/data/v62.0/sobjects/User/005g000000Nope1AAA")
    assert missing.status_code == 404 and missing.json()[0]["errorCode"] == "NOT_FOUND"


def test_queries_clients_send_after_login(client: httpx.Client, runtime: Runtime) -> None:
    token = code_tokens(client)["access_token"]
    q = "SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization"
    body = rest(client, token, f"/services/data/v51.0/query?q={q}").json()
    assert body["totalSize"] == 1 and body["done"] is True
    assert set(body["records"][0]) == {"attributes", "Name", "InstanceName", "IsSandbox", "TrialExpirationDate",
                                       "NamespacePrefix", "OrganizationType"}  # fmt: skip
    body = rest(client, token, f"/services/data/v51.0/query/?q=SELECT Id, Username FROM User WHERE Id = '{ADMIN_ID}'")
    assert [r["Username"] for r in body.json()["records"]] == [ADMIN]
    # the default org is a Dev Hub: ScratchOrgInfo is queryable
    assert rest(client, token, "/services/data/v51.0/query?q=SELECT Id FROM ScratchOrgInfo limit 1").status_code == 200
    # an org that is not a Dev Hub answers INVALID_TYPE
    org = new_org(runtime)
    other = org_tokens(client, org)["access_token"]
    r = rest(client, other, "/services/data/v51.0/query?q=SELECT Id FROM ScratchOrgInfo limit 1")
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "INVALID_TYPE"


@pytest.mark.parametrize(
    ("soql", "code"),
    [("", "MALFORMED_QUERY"), ("SELEKT x", "MALFORMED_QUERY"), ("SELECT Nope FROM User", "INVALID_FIELD"),
     ("SELECT Id FROM Account", "INVALID_TYPE"), ("SELECT Id FROM User LIMIT 2147483648", "MALFORMED_QUERY"),
     ("SELECT Id FROM User LIMIT " + "9" * 5000, "MALFORMED_QUERY"),
     # a select item that is no name is SOQL outside the subset (README): MALFORMED_QUERY, not INVALID_FIELD; a
     # name (or a dotted path) that is no field of the object stays INVALID_FIELD, as Salesforce answers it
     ("SELECT COUNT() FROM User", "MALFORMED_QUERY"), ("SELECT FIELDS(ALL) FROM User LIMIT 200", "MALFORMED_QUERY"),
     ("SELECT Id Username FROM User", "MALFORMED_QUERY"), ("SELECT Id, Name n FROM User", "MALFORMED_QUERY"),
     ("SELECT Id, count(Id) FROM User", "MALFORMED_QUERY"), ("SELECT Id, Email.  FROM User", "MALFORMED_QUERY"),
     ("SELECT Id, Nope FROM User", "INVALID_FIELD"), ("SELECT Profile.Name FROM User", "INVALID_FIELD"),
     ("SELECT Id, nope_2 FROM User", "INVALID_FIELD")],
)  # fmt: skip
def test_query_errors(client: httpx.Client, soql: str, code: str) -> None:
    token = code_tokens(client)["access_token"]
    r = rest(client, token, f"/services/data/v62.0/query?q={soql}")
    assert r.status_code == 400 and r.json()[0]["errorCode"] == code


@pytest.mark.parametrize(("limit", "size"), [("0", 0), ("1", 1), ("2147483647", 3), ("0002", 2)])
def test_query_limit(client: httpx.Client, limit: str, size: int) -> None:
    token = code_tokens(client)["access_token"]
    r = rest(client, token, f"/services/data/v62.0/query?q=SELECT Id FROM User LIMIT {limit}")
    assert r.status_code == 200 and r.json()["totalSize"] == size, r.text


@pytest.mark.parametrize("token", ["", "garbage", "00D5g000004Mock!AQfake"])
def test_bad_tokens_get_invalid_session(client: httpx.Client, token: str) -> None:
    r = client.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json() == INVALID
    assert r.headers["content-type"] == "application/json;charset=UTF-8"  # as Salesforce's REST errors carry


@pytest.mark.parametrize(
    "path",
    ["/services/data/v62.0/limits", "/services/data/v62.0/query?q=SELECT Id FROM User", "/services/data/v62.0/",
     "/services/data/v62.0/sobjects/User/describe"],
)  # fmt: skip
def test_a_token_in_the_query_string_is_no_rest_session(client: httpx.Client, path: str) -> None:
    """Spec 9.1: the REST API takes the session from `Authorization` only; `?oauth_token=` is the identity URL's
    and userinfo's (spec 6), and Salesforce answers a REST call with its token in the URL 401. Nothing counted."""
    tokens = code_tokens(client)
    token = tokens["access_token"]
    before = rest(client, token).json()["DailyApiRequests"]["Remaining"]
    joiner = "&" if "?" in path else "?"
    r = client.get(f"{path}{joiner}oauth_token={token}")
    assert r.status_code == 401 and r.json() == INVALID, r.text
    assert rest(client, token).json()["DailyApiRequests"]["Remaining"] == before - 1  # only the header call counted
    assert rest(client, token, path).status_code == 200  # the same call with the header is served
    assert client.get(tokens["id"], params={"oauth_token": token}).status_code == 200  # the identity URL takes it


def test_every_rest_error_is_json_utf8(client: httpx.Client) -> None:
    token = code_tokens(client)["access_token"]
    for r in (
        rest(client, token, "/services/data/v99.0/"),
        rest(client, token, "/services/data/v62.0/query?q=nonsense"),
        client.get("/services/data/v62.0/nothing/here/at/all/x"),
        client.post("/services/data/v62.0/limits"),
    ):
        assert r.status_code >= 400 and r.headers["content-type"] == "application/json;charset=UTF-8"


def test_expired_session_gets_invalid_session(client: httpx.Client, runtime: Runtime) -> None:
    token = code_tokens(client)["access_token"]
    runtime.clock.advance("2h")
    assert rest(client, token).json() == INVALID


def test_token_without_api_scope(client: httpx.Client) -> None:
    token = code_tokens(client, scope="id")["access_token"]
    r = rest(client, token)
    assert r.status_code == 401
    assert r.json() == [
        {"message": "This session is not valid for use with the REST API", "errorCode": "INVALID_SESSION_ID"}
    ]


@pytest.mark.parametrize("path", ["/services/data/v20.0/limits", "/services/data/v99.0/", "/services/data/latest/"])
def test_unknown_versions_are_not_found(client: httpx.Client, path: str) -> None:
    token = code_tokens(client)["access_token"]
    r = rest(client, token, path)
    assert r.status_code == 404 and r.json()[0]["errorCode"] == "NOT_FOUND"


def test_unknown_rest_path_in_rest_dialect(client: httpx.Client) -> None:
    r = client.get("/services/data/v62.0/nothing/here/at/all/x")
    assert r.status_code == 404 and r.json()[0]["errorCode"] == "NOT_FOUND"


def test_limit_info_on_errors_of_a_known_org(client: httpx.Client) -> None:
    token = code_tokens(client)["access_token"]
    assert rest(client, token).headers["Sforce-Limit-Info"] == "api-usage=1/15000"
    missing = rest(client, token, "/services/data/v62.0/sobjects/User/005g000000Nope1AAA")
    assert missing.status_code == 404 and missing.headers["Sforce-Limit-Info"] == "api-usage=2/15000"
    client.post("/services/oauth2/revoke", data={"token": token})
    dead = rest(client, token)
    assert dead.status_code == 401 and dead.headers["Sforce-Limit-Info"] == "api-usage=2/15000"
    forged = rest(client, "00D5g000004Mock!AQforged")
    assert forged.headers["Sforce-Limit-Info"] == "api-usage=2/15000"
    assert "Sforce-Limit-Info" not in rest(client, "garbage").headers


def test_locked_org(client: httpx.Client, runtime: Runtime) -> None:
    from tests.salesforce.helpers import password_token

    org = runtime.salesforce.orgs.get(ORG)
    assert org is not None
    org.locked = True
    runtime.salesforce.orgs.put(org)
    r = password_token(client)
    assert r.json() == {"error": "inactive_org", "error_description": "organization is locked, closed, or suspended"}


@pytest.mark.parametrize("path", ["/services/data/v62.0/sobjects", "/services/data/v51.0/sobjects/"])
def test_describe_global(client: httpx.Client, path: str) -> None:
    token = code_tokens(client)["access_token"]
    r = rest(client, token, path)
    assert r.status_code == 200 and r.headers["Sforce-Limit-Info"] == "api-usage=1/15000"
    body = r.json()
    assert body["encoding"] == "UTF-8" and body["maxBatchSize"] == 200
    version = path.split("/")[3]
    by_name = {s["name"]: s for s in body["sobjects"]}
    assert {"User", "Organization"} <= set(by_name)
    user = by_name["User"]
    assert user["label"] == "User" and user["custom"] is False and user["queryable"] is True
    assert user["keyPrefix"] == "005" and user["urls"]["sobject"] == f"/services/data/{version}/sobjects/User"
    assert rest(client, "garbage", path).status_code == 401

"""sObject basic information (`GET /sobjects/<Object>`) and describe (`GET /sobjects/<Object>/describe`), read
from the one table describeGlobal and the query also read (`mockown.salesforce.describe`)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown.runtime import Runtime
from mockown.salesforce import describe
from tests.conftest import ADMIN_ID
from tests.salesforce.helpers import code_tokens, new_org, org_tokens

V = "/services/data/v62.0"
NOT_FOUND = [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]
INVALID = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
SERVED = ["User", "Organization", "OauthToken", "ScratchOrgInfo"]  # the default org is a Dev Hub


@pytest.fixture
def token(client: httpx.Client) -> str:
    value: str = code_tokens(client)["access_token"]
    return value


def _get(client: httpx.Client, token: str, path: str, **headers: str) -> httpx.Response:
    return client.get(path, headers={"Authorization": f"Bearer {token}", **headers})


@pytest.mark.parametrize("name", SERVED)
@pytest.mark.parametrize("slash", ["", "/"])  # simple-salesforce `sf.User.metadata()` sends the trailing slash
def test_basic_info_is_the_describe_global_entry(client: httpx.Client, token: str, name: str, slash: str) -> None:
    r = _get(client, token, f"{V}/sobjects/{name}{slash}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["Sforce-Limit-Info"].startswith("api-usage=")
    body = r.json()
    assert set(body) == {"objectDescribe", "recentItems"} and body["recentItems"] == []
    (entry,) = [s for s in _get(client, token, f"{V}/sobjects").json()["sobjects"] if s["name"] == name]
    assert body["objectDescribe"] == entry


@pytest.mark.parametrize("name", SERVED)
@pytest.mark.parametrize("slash", ["", "/"])  # `sf.User.describe()` sends `.../describe/`; jsforce no slash
def test_describe_shape(client: httpx.Client, token: str, name: str, slash: str) -> None:
    r = _get(client, token, f"{V}/sobjects/{name}/describe{slash}")
    assert r.status_code == 200, r.text
    body = r.json()
    required = {"name", "label", "labelPlural", "keyPrefix", "custom", "createable", "updateable", "deletable",
                "queryable", "searchable", "retrieveable", "fields", "childRelationships", "recordTypeInfos",
                "urls"}  # fmt: skip
    assert required <= set(body)
    assert body["name"] == name and body["queryable"] is True and body["custom"] is False
    assert body["urls"]["describe"] == f"{V}/sobjects/{name}/describe"
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["Id"]["type"] == "id" and fields["Id"]["nillable"] is False
    for f in body["fields"]:
        assert {"name", "label", "type", "length", "nillable", "createable", "updateable", "referenceTo",
                "picklistValues", "soapType"} <= set(f)  # fmt: skip
        assert f["type"] in {"id", "string", "boolean", "datetime", "date", "reference", "email", "picklist", "int",
                             "textarea", "url"}  # fmt: skip
        assert (f["type"] == "reference") == bool(f["referenceTo"])


def test_user_describe_fields_are_the_query_columns(client: httpx.Client, token: str) -> None:
    fields = {f["name"]: f for f in _get(client, token, f"{V}/sobjects/User/describe").json()["fields"]}
    assert fields["Email"]["type"] == "email" and fields["IsActive"]["type"] == "boolean"
    assert fields["UserType"]["type"] == "picklist" and fields["Username"]["length"] == 80
    record = _get(client, token, f"{V}/sobjects/User/{ADMIN_ID}").json()
    assert set(record) - {"attributes"} == set(fields)  # the record has exactly the described fields
    soql = f"SELECT {', '.join(fields)} FROM User WHERE Id = '{ADMIN_ID}'"
    rows = _get(client, token, f"{V}/query?q={soql}").json()["records"]
    assert set(rows[0]) - {"attributes"} == set(fields)


# what Salesforce's describe says of these fields: a field the creator must fill is not defaultedOnCreate (the
# platform assigns no value); an id, a checkbox, the profile-derived UserType and the audit and owner fields are
DEFAULTED_ON_CREATE = {
    "User": {"Id": True, "Username": False, "Name": False, "FirstName": False, "LastName": False, "Email": False,
             "IsActive": True, "UserType": True, "LanguageLocaleKey": False, "LocaleSidKey": False,
             "TimeZoneSidKey": False},
    "ScratchOrgInfo": {"Id": True, "OwnerId": True, "CreatedDate": True, "CreatedById": True,
                       "LastModifiedDate": True, "Edition": False, "Name": False},
    "OauthToken": {"Id": True, "CreatedDate": True, "UseCount": False},
    "Organization": {"Id": True, "Name": False, "IsSandbox": True},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(DEFAULTED_ON_CREATE))
def test_required_fields_are_not_defaulted_on_create(client: httpx.Client, token: str, name: str) -> None:
    """A client finds the fields it must fill as `!nillable && !defaultedOnCreate`: Username, LastName, Email and
    the locale keys of a User (every non-nillable field said defaultedOnCreate true, so it found none)."""
    fields = {f["name"]: f for f in _get(client, token, f"{V}/sobjects/{name}/describe").json()["fields"]}
    assert {n: fields[n]["defaultedOnCreate"] for n in DEFAULTED_ON_CREATE[name]} == DEFAULTED_ON_CREATE[name]
    for field in fields.values():  # a checkbox is never null and false unless set: always defaulted
        if field["type"] == "boolean":
            assert field["nillable"] is False and field["defaultedOnCreate"] is True
    if name == "User":
        required = {n for n, f in fields.items() if not f["nillable"] and not f["defaultedOnCreate"]}
        assert required == {"Username", "Name", "LastName", "Email", "LanguageLocaleKey", "LocaleSidKey",
                            "TimeZoneSidKey"}  # fmt: skip


@pytest.mark.parametrize("name", SERVED)
def test_every_described_field_is_queryable_and_no_other(client: httpx.Client, token: str, name: str) -> None:
    fields = [f["name"] for f in _get(client, token, f"{V}/sobjects/{name}/describe").json()["fields"]]
    ok = _get(client, token, f"{V}/query?q=SELECT {', '.join(fields)} FROM {name}")
    assert ok.status_code == 200, ok.text
    bad = _get(client, token, f"{V}/query?q=SELECT Id, NotAField FROM {name}")
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "INVALID_FIELD"
    where = _get(client, token, f"{V}/query?q=SELECT Id FROM {name} WHERE NotAField = 'x'")
    assert where.status_code == 400 and where.json()[0]["errorCode"] == "INVALID_FIELD"


def test_the_table_covers_every_object_describe_global_lists(runtime: Runtime) -> None:
    org = runtime.salesforce.orgs.get("00D5g000004MockEAC")
    assert org is not None
    listed = [s["name"] for s in describe.describe_global("62.0", org)["sobjects"]]
    assert listed == sorted(listed) and set(listed) == set(SERVED)
    for kind in describe.SOBJECTS:
        assert kind.fields[0].name == "Id" and len({f.name.lower() for f in kind.fields}) == len(kind.fields)


@pytest.mark.parametrize("path", ["sobjects/user/describe", "sobjects/USER/describe/", "sobjects/oauthtoken",
                                  "sobjects/organization/"])  # fmt: skip
def test_object_names_are_case_insensitive(client: httpx.Client, token: str, path: str) -> None:
    r = _get(client, token, f"{V}/{path}")
    assert r.status_code == 200, r.text
    body = r.json()
    name = body.get("name") or body["objectDescribe"]["name"]
    assert name in SERVED and name.lower() == path.split("/")[1].lower()  # the canonical name answers


def test_record_retrieve_is_case_insensitive_too(client: httpx.Client, token: str) -> None:
    r = _get(client, token, f"{V}/sobjects/user/{ADMIN_ID}")
    assert r.status_code == 200 and r.json()["attributes"]["type"] == "User"


@pytest.mark.parametrize("path", ["sobjects/Account", "sobjects/Account/describe", "sobjects/Account/describe/",
                                  "sobjects/User__c/describe"])  # fmt: skip
def test_unknown_object_is_404(client: httpx.Client, token: str, path: str) -> None:
    r = _get(client, token, f"{V}/{path}")
    assert r.status_code == 404 and r.json() == NOT_FOUND
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["Sforce-Limit-Info"].startswith("api-usage=")


def test_scratch_org_info_only_on_a_dev_hub(client: httpx.Client, runtime: Runtime) -> None:
    other = org_tokens(client, new_org(runtime))["access_token"]
    for path in ("sobjects/ScratchOrgInfo", "sobjects/ScratchOrgInfo/describe"):
        assert _get(client, other, f"{V}/{path}").json() == NOT_FOUND
    assert _get(client, other, f"{V}/sobjects/User/describe").status_code == 200


@pytest.mark.parametrize("path", ["sobjects/User", "sobjects/User/describe", "sobjects/Nope/describe"])
def test_dead_session_is_401(client: httpx.Client, token: str, path: str) -> None:
    assert client.post("/services/oauth2/revoke", data={"token": token}).status_code == 200
    for bearer in (token, "00D5g000004Mock!AQnotatoken", ""):
        r = _get(client, bearer, f"{V}/{path}")
        assert r.status_code == 401 and r.json() == INVALID


@pytest.mark.parametrize("method", ["POST", "DELETE", "PATCH", "PUT"])
def test_wrong_method_is_405_in_the_rest_dialect(client: httpx.Client, token: str, method: str) -> None:
    for path in ("sobjects/User/describe", "sobjects/User"):
        r = client.request(method, f"{V}/{path}", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 405
        assert r.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"


def test_bad_version_is_404(client: httpx.Client, token: str) -> None:
    assert _get(client, token, "/services/data/v9.0/sobjects/User/describe").json() == NOT_FOUND


def _http_date(dt: datetime) -> str:
    return format_datetime(dt, usegmt=True)


def test_if_modified_since(client: httpx.Client, token: str, runtime: Runtime) -> None:
    first = _get(client, token, f"{V}/sobjects/User/describe")
    modified = first.headers["Last-Modified"]
    org = runtime.salesforce.orgs.get("00D5g000004MockEAC")
    assert org is not None and modified == _http_date(datetime.fromtimestamp(int(org.created_at), UTC))
    unchanged = _get(client, token, f"{V}/sobjects/User/describe", **{"If-Modified-Since": modified})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["Sforce-Limit-Info"].startswith("api-usage=")
    before = _http_date(datetime.fromtimestamp(int(org.created_at) - 86400, UTC))
    assert _get(client, token, f"{V}/sobjects/User/describe", **{"If-Modified-Since": before}).status_code == 200
    for junk in ("yesterday", "Mon, 99 Foo 2026 99:99:99 GMT", "\x7f"):
        assert _get(client, token, f"{V}/sobjects/User/describe", **{"If-Modified-Since": junk}).status_code == 200


_SEGMENT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40).filter(lambda s: s.strip(".") != "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_SEGMENT, tail=st.sampled_from(["", "/", "/describe", "/describe/"]))
def test_arbitrary_object_names_never_500(client: httpx.Client, token: str, name: str, tail: str) -> None:
    r = client.get(f"{V}/sobjects/{quote(name, safe='')}{tail}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code in (200, 404), (name, r.status_code, r.text)
    body: Any = r.json()
    if r.status_code == 404:
        assert body[0]["errorCode"] == "NOT_FOUND"
    else:
        assert name.lower() in {s.lower() for s in SERVED}


@pytest.mark.parametrize("slash", ["", "/"])
def test_describe_global_honours_if_modified_since(client: httpx.Client, token: str, slash: str) -> None:
    """Salesforce documents `If-Modified-Since` (304 Not Modified) for describe global as for an object's describe."""
    path = f"{V}/sobjects{slash}"
    first = _get(client, token, path)
    assert first.status_code == 200 and sorted(e["name"] for e in first.json()["sobjects"]) == sorted(SERVED)
    modified = first.headers["Last-Modified"]
    assert modified == _get(client, token, f"{V}/sobjects/User/describe").headers["Last-Modified"]
    for since in (modified, "Fri, 01 Jan 2100 00:00:00 GMT"):
        unchanged = _get(client, token, path, **{"If-Modified-Since": since})
        assert unchanged.status_code == 304 and unchanged.content == b"", unchanged.text
        assert unchanged.headers["Last-Modified"] == modified
        assert unchanged.headers["Sforce-Limit-Info"].startswith("api-usage=")
    for since in ("Thu, 01 Jan 2015 00:00:00 GMT", "yesterday"):
        changed = _get(client, token, path, **{"If-Modified-Since": since})
        assert changed.status_code == 200 and changed.json() == first.json()

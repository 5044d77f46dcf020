"""`GET /sobjects/<Object>/<id>?fields=a,b` (REST "Get Field Values from a Standard Object Record"): the answer
holds those fields and `attributes` only; a field the object does not have is 400 INVALID_FIELD."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import ADMIN, ADMIN_ID, ORG
from tests.salesforce.helpers import code_tokens, rest

V = "/services/data/v62.0"


@pytest.fixture
def token(client: httpx.Client) -> str:
    return str(code_tokens(client)["access_token"])


def test_fields_limit_the_record_to_them(client: httpx.Client, token: str) -> None:
    r = rest(client, token, f"{V}/sobjects/User/{ADMIN_ID}?fields=Username")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "attributes": {"type": "User", "url": f"{V}/sobjects/User/{ADMIN_ID}"},
        "Username": ADMIN,
    }
    both = rest(client, token, f"{V}/sobjects/user/{ADMIN_ID[:15]}?fields=email, USERNAME").json()
    assert list(both) == ["attributes", "Email", "Username"]  # named as the describe names them, in the asked order
    org = rest(client, token, f"{V}/sobjects/Organization/{ORG}?fields=Name,IsSandbox").json()
    assert set(org) == {"attributes", "Name", "IsSandbox"}


def test_without_fields_the_record_has_all_of_them(client: httpx.Client, token: str) -> None:
    whole = rest(client, token, f"{V}/sobjects/User/{ADMIN_ID}").json()
    assert {"Id", "Username", "Email", "IsActive"} <= set(whole)
    assert rest(client, token, f"{V}/sobjects/User/{ADMIN_ID}?fields=").json() == whole


@pytest.mark.parametrize(
    ("kind", "record", "fields", "bad"),
    [
        ("User", ADMIN_ID, "NoSuchField", "NoSuchField"),
        ("User", ADMIN_ID, "Username,NoSuchField", "NoSuchField"),
        ("User", "005g000000Nope1AAB", "Nope", "Nope"),  # the fields are checked before the record is looked up
        ("Organization", ORG, "Username", "Username"),
        ("User", ADMIN_ID, "X" * 5000, "X" * 80),  # echoed cut at 80 characters, as the other new messages
    ],
)
def test_a_field_that_does_not_exist_is_invalid(
    client: httpx.Client, token: str, kind: str, record: str, fields: str, bad: str
) -> None:
    r = rest(client, token, f"{V}/sobjects/{kind}/{record}?fields={fields}")
    assert r.status_code == 400, r.text
    assert r.json() == [{"message": f"No such column '{bad}' on sobject of type {kind}", "errorCode": "INVALID_FIELD"}]
    assert r.headers["Sforce-Limit-Info"].startswith("api-usage=")

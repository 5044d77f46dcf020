"""A user's type in each API, from one table (`models.USER_TYPES`): the identity service's `user_type` says
`POWER_PARTNER`, SOAP `userInfo/userType` and REST `User.UserType` say `PowerPartner` (the User picklist's value). A
seed may write either name, in any case; any other value is refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest

from mockown.salesforce.describe import USER
from mockown.salesforce.models import USER_TYPES
from tests.salesforce.test_soap_login import NS, login_envelope, soap

SPELLINGS = [(key, key) for key in USER_TYPES] + [(api, key) for key, api in USER_TYPES.items()]
SPELLINGS += [(key.lower(), key) for key in USER_TYPES] + [(api.upper(), key) for key, api in USER_TYPES.items()]


def seed(client: httpx.Client, *users: dict[str, str]) -> dict[str, object]:
    r = client.post("/_mockown/seed", json={"salesforce": {"orgs": [{"users": list(users)}]}})
    assert r.status_code in (200, 201), r.text
    org: dict[str, object] = r.json()["salesforce"]["orgs"][0]
    return org


def soap_login(client: httpx.Client, username: str) -> ET.Element:
    r = soap(client, login_envelope(username, "Pw1"))
    assert r.status_code == 200, r.text
    result = ET.fromstring(r.content).find("s:Body/p:loginResponse/p:result", NS)
    assert result is not None
    return result


@pytest.mark.parametrize(("written", "key"), SPELLINGS, ids=[w for w, _ in SPELLINGS])
def test_each_api_names_the_type_its_way(client: httpx.Client, written: str, key: str) -> None:
    username = f"{written.lower()}@types.test"
    org = seed(client, {"username": username, "password": "Pw1", "user_type": written})
    result = soap_login(client, username)
    assert result.findtext("p:userInfo/p:userType", namespaces=NS) == USER_TYPES[key]
    session = result.findtext("p:sessionId", namespaces=NS) or ""
    user_id = result.findtext("p:userId", namespaces=NS) or ""
    bearer = {"Authorization": f"Bearer {session}"}
    q = f"SELECT UserType FROM User WHERE Username = '{username}'"
    rows = client.get("/services/data/v59.0/query", params={"q": q}, headers=bearer)
    assert rows.status_code == 200, rows.text
    assert [r["UserType"] for r in rows.json()["records"]] == [USER_TYPES[key]]
    identity = client.get(f"/id/{org['id']}/{user_id}", headers=bearer)
    assert identity.status_code == 200, identity.text
    assert identity.json()["user_type"] == key


def test_the_api_names_are_the_user_picklist(client: httpx.Client) -> None:
    (field,) = [f for f in USER.fields if f.name == "UserType"]
    assert set(field.picklist) == set(USER_TYPES.values())


def test_a_lowercase_standard_user_is_internal(client: httpx.Client) -> None:
    """The identity service lets an internal (STANDARD) user with `full` read another user of the org."""
    org = seed(
        client,
        {"username": "lower@types.test", "password": "Pw1", "user_type": "standard"},
        {"username": "other@types.test", "password": "Pw1"},
    )
    session = soap_login(client, "lower@types.test").findtext("p:sessionId", namespaces=NS)
    users = org["users"]
    assert isinstance(users, list)
    other = client.get(f"/id/{org['id']}/{users[1]['id']}", headers={"Authorization": f"Bearer {session}"})
    assert other.status_code == 200, other.text


@pytest.mark.parametrize("written", ["Partner", "", "POWER PARTNER", "Standard_User", 5])
def test_other_user_types_are_refused(client: httpx.Client, written: object) -> None:
    r = client.post(
        "/_mockown/seed",
        json={"salesforce": {"orgs": [{"users": [{"username": "x@types.test", "user_type": written}]}]}},
    )
    assert r.status_code == 400, r.text
    assert "user_type" in r.text

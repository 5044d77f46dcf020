"""A restore takes a name the services look up lower-cased only in lower case, as the seed stores it: a Salesforce
username, an Own e-mail, a B2C login, host or short code. One with a capital was never found, and two rows that
differ only in case passed the uniqueness check while one of them answered for both. A My Domain (stored as
written before the seed lowered it) is restored lower-cased. On both stores."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import CID, PASSWORD, SECRET
from tests.own.conftest import OWNER, PASSWORDS

from . import test_restore_types
from .test_restore_rules import _refused
from .test_restore_types import Used

used = test_restore_types.used

LOWER = "expected text in lower case, as the seed stores it"
# (table, field): each a name a service looks up lower-cased
LOOKED_UP_LOWER = [
    ("sf_users", "username"),
    ("sf_apps", "pre_approved_users"),  # compared with the (lower-case) username
    ("own_users", "email"),
    ("mc_users", "username"),
    ("b2c_am_users", "id"),
    ("b2c_instances", "id"),
    ("b2c_customers", "login"),
    ("b2c_shoppers", "login"),
    ("b2c_slas_tenants", "short_code"),
]


def _password_grant(used: Used, username: str) -> Any:
    form = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": username}
    return used.client.post("/services/oauth2/token", data={**form, "password": PASSWORD})


@pytest.mark.parametrize(("table", "field"), LOOKED_UP_LOWER, ids=[f"{t}.{f}" for t, f in LOOKED_UP_LOWER])
def test_a_name_with_a_capital_refuses_the_snapshot(used: Used, table: str, field: str) -> None:
    bad = copy.deepcopy(used.snapshot())
    row = bad["store"][table][0]
    if field == "pre_approved_users":
        row[field] = ["Admin@Mockown.test"]
        where, shown = f"{field}[0]", "'Admin@Mockown.test'"
    else:
        assert row[field] != row[field].capitalize(), row[field]  # a name the test can give a capital
        row[field] = row[field].capitalize()
        where, shown = field, repr(row[field])
    _refused(used, bad, f"{table}[0].{where}: {LOWER}, got {shown}")


def test_two_salesforce_users_of_one_username_in_two_cases_refuse_the_snapshot(used: Used) -> None:
    """Both cases signed in as the second user, and the first could no longer sign in."""
    bad = copy.deepcopy(used.snapshot())
    users = bad["store"]["sf_users"]
    admin = users[0]["username"]
    users[0]["username"] = admin.capitalize()
    users.append({**copy.deepcopy(users[0]), "id": "005g000000Zzz9NAAR", "username": admin})
    _refused(used, bad, f"sf_users[0].username: {LOWER}, got {admin.capitalize()!r}")
    for name in (admin, admin.upper()):
        signed_in = _password_grant(used, name)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["id"].endswith("/" + users[0]["id"])


def test_an_own_email_with_capitals_refuses_the_snapshot_and_the_user_still_signs_in(used: Used) -> None:
    bad = copy.deepcopy(used.snapshot())
    row = next(u for u in bad["store"]["own_users"] if u["id"] == str(OWNER))
    email = row["email"]
    row["email"] = email.upper()
    _refused(used, bad, f"own_users[{bad['store']['own_users'].index(row)}].email: {LOWER}, got {email.upper()!r}")
    for given in (email, email.upper()):
        login = used.client.post("/api/auth/v1/login", json={"email": given, "password": PASSWORDS[OWNER]})
        assert login.status_code == 200, login.text


def test_a_my_domain_in_capitals_is_restored_lower_case_and_is_that_host(used: Used) -> None:
    snap = copy.deepcopy(used.snapshot())
    org = snap["store"]["sf_orgs"][0]
    org["my_domain"] = "Caps-Co.My.Salesforce.com"
    assert used.restore(snap).status_code == 200
    assert used.snapshot()["store"]["sf_orgs"][0]["my_domain"] == "caps-co.my.salesforce.com"
    response = used.client.get("/.well-known/auth-configuration", headers={"host": "caps-co.my.salesforce.com"})
    assert response.status_code == 200, response.text
    assert response.json()["OrgId"] == org["id"][:15]

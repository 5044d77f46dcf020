"""A preset's parameters are checked like a rule's fields: a value of the wrong type, an id that is no Salesforce
id, an org or a user the server does not have is a 400 `invalid_fault` naming the parameter, and nothing changes
(no rule added, no session ended). Before, some were a 500 (`ids.to18` of `"nobody"`, an unhashable list as an
org) and `expire_session` with `org: "garbage"` answered 200 `{"expired": 0}`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ..conftest import ADMIN, ORG
from .helpers import access_token, introspect

UNKNOWN_ORG = "00D000000000001EAA"  # well-formed, not seeded


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"preset": "salesforce.expire_session", "user": "nobody"}, "user"),
        ({"preset": "salesforce.expire_session", "user": "005000000000001AAA"}, "user"),
        ({"preset": "salesforce.expire_session", "user": "nobody@nowhere.test"}, "user"),
        ({"preset": "salesforce.expire_session", "user": 5}, "user"),
        ({"preset": "salesforce.expire_session", "user": ["x"]}, "user"),
        ({"preset": "salesforce.expire_session", "org": "garbage"}, "org"),
        ({"preset": "salesforce.expire_session", "org": UNKNOWN_ORG}, "org"),
        ({"preset": "salesforce.expire_session", "org": ["x"]}, "org"),
        ({"preset": "salesforce.expire_session", "org": ORG, "user": "nobody"}, "user"),
        ({"preset": "salesforce.expire_session", "token": ["x"]}, "token"),
        ({"preset": "salesforce.expire_session", "token": 5}, "token"),
        ({"preset": "salesforce.request_limit_exceeded", "org": ["x"]}, "org"),
        ({"preset": "salesforce.request_limit_exceeded", "org": {"a": 1}}, "org"),
        ({"preset": "salesforce.request_limit_exceeded", "org": "garbage"}, "org"),
        ({"preset": "salesforce.request_limit_exceeded", "org": UNKNOWN_ORG}, "org"),
        ({"preset": "salesforce.invalid_session", "org": UNKNOWN_ORG}, "org"),
        ({"preset": "salesforce.invalid_session", "org": ["x"]}, "org"),
        ({"preset": "salesforce.rate_limit_exceeded", "org": UNKNOWN_ORG}, "org"),
        ({"preset": "salesforce.invalid_session", "times": 0}, "times"),
        ({"preset": "own.rate_limited", "retry_after": True}, "retry_after"),
        ({"preset": "own.propagation_delay", "seconds": [1]}, "seconds"),
        ({"preset": "own.unavailable", "path": 5}, "path"),
        ({"preset": "own.rate_limited", "account": "99999"}, "account"),
        ({"preset": "own.unavailable", "account": 99999}, "account"),
        ({"preset": "own.propagation_delay", "account": "nobody"}, "account"),
        ({"preset": "own.rate_limited", "account": True}, "account"),
        ({"preset": "own.rate_limited", "account": ["1001"]}, "account"),
        ({"preset": ["x"]}, "preset"),
    ],
)
def test_a_bad_preset_parameter_is_a_400_that_changes_nothing(
    client: httpx.Client, body: dict[str, Any], named: str
) -> None:
    token = access_token(client)
    response = client.post("/_mockown/faults", json=body)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["error"] == "invalid_fault", answer
    assert named in answer["message"], answer
    assert client.get("/_mockown/faults").json()["count"] == 0
    assert introspect(client, token)["active"] is True


def test_good_parameters_still_act(client: httpx.Client) -> None:
    token = access_token(client)
    org15 = ORG[:15]
    added = client.post("/_mockown/faults", json={"preset": "salesforce.request_limit_exceeded", "org": org15})
    assert added.status_code == 201, added.text
    assert added.json()["match"]["org"] == ORG
    assert client.delete("/_mockown/faults").status_code == 200
    by_org = client.post("/_mockown/faults", json={"preset": "salesforce.expire_session", "org": org15})
    assert by_org.status_code == 200 and by_org.json()["expired"] == 1
    assert introspect(client, token)["active"] is False
    token = access_token(client)
    by_user = client.post("/_mockown/faults", json={"preset": "salesforce.expire_session", "user": ADMIN})
    assert by_user.status_code == 200 and by_user.json()["expired"] == 1
    unknown = client.post("/_mockown/faults", json={"preset": "salesforce.expire_session", "token": "no-such-token"})
    assert unknown.status_code == 200 and unknown.json()["expired"] == 0  # a token never issued: nothing to end


@pytest.mark.parametrize("account", [1001, "1001"])
def test_an_own_preset_names_a_seeded_account_by_number_or_text(client: httpx.Client, account: object) -> None:
    added = client.post("/_mockown/faults", json={"preset": "own.rate_limited", "account": account})
    assert added.status_code == 201, added.text
    assert added.json()["match"]["account"] == "1001"

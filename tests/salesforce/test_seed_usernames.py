"""A Salesforce username has e-mail form (`name@domain`), and the sign-in looks a name up stripped and lower-cased.
The seed stored `" sp@x.test "` as given, and that user could never sign in, with or without the spaces; it took
`"not-an-email"`, which no Salesforce org has. The seed strips a username and refuses one not in e-mail form, naming
it (nothing stored); a restore takes the same rule (`models.username`)."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.salesforce import models

PASSWORD = "Uname-Passw0rd"


def _org(name: str) -> dict[str, Any]:
    users = [{"username": name, "password": PASSWORD}]
    return {"salesforce": {"orgs": [{"users": users, "apps": [{"client_id": "UnameApp", "client_secret": "S1"}]}]}}


def _sign_in(client: httpx.Client, name: str) -> httpx.Response:
    form = {"grant_type": "password", "client_id": "UnameApp", "client_secret": "S1", "username": name}
    return client.post("/services/oauth2/token", data={**form, "password": PASSWORD})


@pytest.mark.parametrize("name", ["not-an-email", "a@", "@x.test", "a b@x.test", "a@b@x.test", "a@x\u00a0.test"])
def test_a_username_not_in_e_mail_form_is_refused_and_nothing_is_stored(client: httpx.Client, name: str) -> None:
    before = client.get("/_mockown/snapshot").json()["store"]
    answer = client.post("/_mockown/seed", json=_org(name))
    assert answer.status_code == 400, answer.text
    assert answer.json() == {
        "error": "invalid_seed",
        "message": f"salesforce user username {name.strip().lower()!r} must have e-mail form (name@domain, "
        "no white space), as Salesforce usernames have",
    }
    assert client.get("/_mockown/snapshot").json()["store"] == before


@pytest.mark.parametrize("name", [" sp@x.test ", "\tSp@X.test\n", "sp@x.test"])
def test_a_username_is_stored_stripped_and_signs_in(client: httpx.Client, name: str) -> None:
    answer = client.post("/_mockown/seed", json=_org(name))
    assert answer.status_code == 201, answer.text
    assert answer.json()["salesforce"]["orgs"][0]["users"][0]["username"] == "sp@x.test"
    for given_name in ("sp@x.test", " SP@x.test "):
        assert _sign_in(client, given_name).status_code == 200


@settings(max_examples=50, deadline=None)
@given(local=st.text(st.characters(codec="utf-8", exclude_characters="@"), min_size=1, max_size=8),
       domain=st.text(st.characters(codec="utf-8", exclude_characters="@"), min_size=1, max_size=8))  # fmt: skip
def test_the_rule_is_e_mail_form_without_white_space(local: str, domain: str) -> None:
    name = f"{local}@{domain}".lower()
    spaced = any(c.isspace() for c in name)
    try:
        models.username(name)
    except ValueError:
        assert spaced or name != name.lower()
    else:
        assert not spaced


@pytest.mark.parametrize("bad", ["not-an-email", " admin@mockown.test"])
def test_a_restore_refuses_a_username_the_seed_refuses(bad: str) -> None:
    with in_process_client(create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))) as client:
        snapshot = client.get("/_mockown/snapshot").json()
        wrong = copy.deepcopy(snapshot)
        wrong["store"]["sf_users"][0]["username"] = bad
        answer = client.post("/_mockown/restore", json=wrong)
        assert answer.status_code == 400, answer.text
        assert "sf_users[0].username: expected a username in e-mail form" in answer.json()["message"]
        assert client.get("/_mockown/snapshot").json()["store"] == snapshot["store"]

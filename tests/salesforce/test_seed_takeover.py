"""A seeded Salesforce user or connected app whose `id` exists already overwrote that record: a user seeded with the
demo admin's id replaced the admin (who could no longer log in, whose tokens then named the newcomer, and whom the
new org's reset deleted), and an app with the demo app's id took its client id away. The seed refuses such an id
(`exists already`), as it refuses an org's, and an id whose key prefix is another kind's (a 0H4 app id as a user)."""

from __future__ import annotations

from typing import Any

import pytest

from mockown import Config, FrozenClock, create_app, ids
from mockown.http.inprocess import in_process_client

ADMIN_ID, DEMO_APP_ID, DEMO_ORG_ID = "005g000000Adm1NAAR", "0H45g000000DemoCAC", "00D5g000004MockEAC"
DEMO_CLIENT = "3MVG9MockownDemoConsumerKey0000000000000000000000000000000000000000000000000000000"
DEMO_SECRET = "MOCKOWNDEMOSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"


@pytest.fixture
def client() -> Any:
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        yield client


def _seed(client: Any, org: dict[str, Any]) -> Any:
    return client.post("/_mockown/seed", json={"salesforce": {"orgs": [{"users": [], "apps": [], **org}]}})


def _admin_login(client: Any) -> Any:
    return client.post(
        "/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": DEMO_CLIENT,
            "client_secret": DEMO_SECRET,
            "username": "admin@mockown.test",
            "password": "Passw0rd!SecTok3nAdmin",
        },
    )


def test_a_user_with_an_existing_id_is_refused_and_the_admin_keeps_its_tokens(client: Any) -> None:
    token = _admin_login(client).json()["access_token"]
    before = client.get("/_mockown/snapshot").json()["store"]
    user = {"id": ADMIN_ID, "username": "evil@x.test", "password": "Passw0rd-1"}
    for given in (ADMIN_ID, ADMIN_ID[:15]):  # either form names the record
        answer = _seed(client, {"users": [{**user, "id": given}]})
        assert answer.status_code == 400, answer.text
        assert answer.json()["message"] == f"user {ADMIN_ID} exists already"
    assert client.get("/_mockown/snapshot").json()["store"] == before
    assert _admin_login(client).status_code == 200
    userinfo = client.get("/services/oauth2/userinfo", headers={"Authorization": f"Bearer {token}"}).json()
    assert userinfo["preferred_username"] == "admin@mockown.test"


def test_an_app_with_an_existing_id_is_refused_and_the_demo_client_still_works(client: Any) -> None:
    answer = _seed(client, {"apps": [{"id": DEMO_APP_ID, "client_id": "Other", "client_secret": "S"}]})
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == f"app {DEMO_APP_ID} exists already"
    assert _admin_login(client).status_code == 200


def test_one_id_twice_in_a_document_is_refused(client: Any) -> None:
    user_id, app_id = ids.to18("005g0000000Twce"), ids.to18("0H45g000000Twce")
    users = [{"id": user_id, "username": f"{n}@x.test"} for n in ("one", "two")]
    answer = _seed(client, {"users": users})
    assert answer.status_code == 400 and answer.json()["message"] == f"user {user_id} exists already"
    apps = [{"id": app_id, "client_id": n} for n in ("One", "Two")]
    answer = _seed(client, {"apps": apps})
    assert answer.status_code == 400 and answer.json()["message"] == f"app {app_id} exists already"


@pytest.mark.parametrize(
    ("kind", "given", "prefix"),
    [
        ("user", ids.to18("0H45g000000Abcd"), "005"),
        ("user", ids.to18("00D5g000000Abcd"), "005"),
        ("app", ids.to18("005g00000Abcdef"), "0H4"),
        ("org", ids.to18("005g00000Abcdef"), "00D"),
    ],
)
def test_an_id_of_another_kind_is_refused(client: Any, kind: str, given: str, prefix: str) -> None:
    org = {"id": given} if kind == "org" else {f"{kind}s": [{"id": given}]}
    answer = _seed(client, org)
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == f"{kind} id {given!r} must start with {prefix}, the key prefix of a {kind}"


def test_new_ids_of_the_right_kind_are_taken_as_given(client: Any) -> None:
    org_id, user_id, app_id = (ids.to18(p + "5g00000NewId") for p in ("00D", "005", "0H4"))
    answer = _seed(client, {"id": org_id, "users": [{"id": user_id[:15]}], "apps": [{"id": app_id}]})
    assert answer.status_code == 201, answer.text
    org = answer.json()["salesforce"]["orgs"][0]
    assert (org["id"], org["users"][0]["id"], org["apps"][0]["id"]) == (org_id, user_id, app_id)
    assert _seed(client, {"id": DEMO_ORG_ID}).json()["message"] == f"org {DEMO_ORG_ID} exists already"

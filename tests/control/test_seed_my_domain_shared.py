"""A seeded org whose `my_domain` is a host every org signs in on (login.salesforce.com, test.salesforce.com, or the
mock's own address: `testserver` in-process, localhost, an IP literal, the host of `base_url`) became that host's
owner: every other org's sign-in there was then `invalid_grant authentication failure`. The seed refuses such a
value, and so does a restore (it shuts the other orgs out whatever server took it in); other text an older seed let
in is restored as it was."""

from __future__ import annotations

from typing import Any

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

DEMO_CLIENT = "3MVG9MockownDemoConsumerKey0000000000000000000000000000000000000000000000000000000"
DEMO_SECRET = "MOCKOWNDEMOSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
SHARED = ["login.salesforce.com", "Test.Salesforce.com.", "testserver", "localhost", "app.localhost", "127.0.0.1",
          "10.1.2.3", "mockown"]  # fmt: skip


def _app(**config: Any) -> Any:
    return create_app(Config(**config), clock=FrozenClock("2026-01-01T00:00:00Z"))


def _seed(client: Any, my_domain: str) -> Any:
    org = {"my_domain": my_domain, "users": [{"username": "c1@x.test", "password": "Passw0rd-1"}], "apps": []}
    return client.post("/_mockown/seed", json={"salesforce": {"orgs": [org]}})


def _admin_login(client: Any, host: str | None = None) -> Any:
    data = {"grant_type": "password", "client_id": DEMO_CLIENT, "client_secret": DEMO_SECRET,
            "username": "admin@mockown.test", "password": "Passw0rd!SecTok3nAdmin"}  # fmt: skip
    return client.post("/services/oauth2/token", data=data, headers={"Host": host} if host else {})


@pytest.mark.parametrize("host", SHARED)
def test_a_host_of_every_org_is_refused_and_the_other_orgs_still_sign_in_there(host: str) -> None:
    with in_process_client(_app()) as client:
        answer = _seed(client, host)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"] == "invalid_seed"
        assert "is a host every org signs in on" in answer.json()["message"]
        assert _admin_login(client).status_code == 200
        assert _admin_login(client, "login.salesforce.com").status_code == 200


def test_the_host_of_base_url_is_refused() -> None:
    with in_process_client(_app(base_url="https://mock.example.test:8443")) as client:
        answer = _seed(client, "mock.example.test")
        assert answer.status_code == 400 and "is a host every org signs in on" in answer.json()["message"]
        assert _seed(client, "acme.my.salesforce.com").status_code == 201


@pytest.mark.parametrize("host", ["acme.my.salesforce.com", "login.acme-corp.test", "acme.my.site.com"])
def test_one_orgs_host_is_kept(host: str) -> None:
    with in_process_client(_app()) as client:
        assert _seed(client, host).status_code == 201
        assert _admin_login(client).status_code == 200


@pytest.mark.parametrize(("stored", "status"), [("testserver", 400), ("login.salesforce.com", 400), ("x y", 200)])
def test_a_restore_refuses_a_host_of_every_org_and_takes_older_text(stored: str, status: int) -> None:
    with in_process_client(_app()) as client:
        org = _seed(client, "acme.my.salesforce.com").json()["salesforce"]["orgs"][0]["id"]
        snapshot = client.get("/_mockown/snapshot").json()
        for row in snapshot["store"]["sf_orgs"]:
            if row["id"] == org:
                row["my_domain"] = stored  # what an older server's seed let in
        answer = client.post("/_mockown/restore", json=snapshot)
        assert answer.status_code == status, answer.text
        if status == 400:
            assert "my_domain" in answer.text and "not a login host or the mock's own address" in answer.text
        assert _admin_login(client).status_code == 200

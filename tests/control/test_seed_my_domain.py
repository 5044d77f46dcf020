"""A seeded org's `my_domain` is a host name a request can name: anything else (a URL, a port, spaces) is refused
with `400 invalid_seed` naming the field, rather than stored as a My Domain no request could ever match. A
snapshot of older state is restored as it is (the check is the seed's)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

REFUSED = [
    "not a domain!!",
    "https://acme.my.salesforce.com",
    "acme.my.salesforce.com:8443",
    "acme.my.salesforce.com/path",
    "a..b",
    ".",
    "-acme.my.salesforce.com",
    "x" * 64 + ".example.test",
]


def _app() -> Any:
    return create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))


def _seed(client: Any, my_domain: object) -> Any:
    return client.post("/_mockown/seed", json={"salesforce": {"orgs": [{"my_domain": my_domain}]}})


@pytest.mark.parametrize("value", REFUSED)
def test_what_no_request_could_name_is_refused(value: str) -> None:
    with in_process_client(_app()) as client:
        answer = _seed(client, value)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_seed"
    assert "salesforce org my_domain must be a host name" in answer.json()["message"]


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("acme.my.salesforce.com", "acme.my.salesforce.com"),
        ("Caps-Co.My.Salesforce.com.", "caps-co.my.salesforce.com"),  # as a request's host is read
        ("login.acme-corp.test", "login.acme-corp.test"),
        ("", ""),  # none, as before
    ],
)
def test_host_names_are_kept_as_requests_are_matched(value: str, stored: str) -> None:
    app = _app()
    with in_process_client(app) as client:
        answer = _seed(client, value)
    assert answer.status_code == 201, answer.text
    org = app.state.runtime.salesforce.orgs.get(answer.json()["salesforce"]["orgs"][0]["id"])
    assert org.my_domain == stored


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(alphabet="aZ09-_.:/ !é", min_size=1, max_size=24))
def test_an_accepted_my_domain_is_one_requests_reach(value: str) -> None:
    """Never a 500; a 201 stores a domain on which the mock is that org's My Domain; a 400 names the field."""
    app = _app()
    with in_process_client(app) as client:
        answer = _seed(client, value)
    assert answer.status_code in (201, 400), answer.text
    if answer.status_code == 400:
        assert answer.json()["error"] == "invalid_seed" and "my_domain" in answer.json()["message"]
        return
    service = app.state.runtime.salesforce
    org = service.orgs.get(answer.json()["salesforce"]["orgs"][0]["id"])
    assert service.on_my_domain(f"https://{org.my_domain}")
    assert service.orgs.first("my_domain", org.my_domain) == org


def test_a_snapshot_with_an_older_my_domain_is_restored_as_it_is() -> None:
    with in_process_client(_app()) as client:
        org = _seed(client, "acme.my.salesforce.com").json()["salesforce"]["orgs"][0]["id"]
        snapshot = client.get("/_mockown/snapshot").json()
        for row in snapshot["store"]["sf_orgs"]:
            if row["id"] == org:
                row["my_domain"] = "not a domain!!"  # what an older server's seed let in
        assert client.post("/_mockown/restore", json=snapshot).status_code == 200
        restored = client.get("/_mockown/snapshot").json()["store"]["sf_orgs"]
    assert [r["my_domain"] for r in restored if r["id"] == org] == ["not a domain!!"]

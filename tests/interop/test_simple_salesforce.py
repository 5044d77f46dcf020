"""The released simple-salesforce's other two OAuth logins, unmodified, through intercept mode: the JWT bearer
flow (``consumer_key`` + ``privatekey_file``: an RS256 assertion with ``aud: https://login.salesforce.com`` and
``exp`` as a string of seconds, posted to login.salesforce.com) and the client credentials flow (``domain=`` a My
Domain: Basic client authentication, posted to ``https://<domain>.salesforce.com``). Its username-password login
is in tests/plugin/test_intercept.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from simple_salesforce import Salesforce, SalesforceAuthenticationFailed

from mockown.testing import Mockown

KEY = Path(__file__).resolve().parents[2] / "fixtures" / "keys" / "jwt-bearer.key"


@pytest.mark.mockown(jwt_certificate="keys/jwt-bearer.crt")
def test_jwt_bearer_login_then_rest(mockown_intercept: Mockown) -> None:
    mock = mockown_intercept
    sf = Salesforce(username=mock.user["username"], consumer_key=mock.app["client_id"], privatekey_file=str(KEY))
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000
    entries = [(e["method"], e["path"], e["status"], e.get("grant_type")) for e in mock.journal.entries()]
    assert entries[0] == ("POST", "/services/oauth2/token", 200, "urn:ietf:params:oauth:grant-type:jwt-bearer")
    # revoked, the session gets the REST API's 401 INVALID_SESSION_ID; simple-salesforce signs a new assertion
    first = sf.session_id
    assert mock.client.post("/services/oauth2/revoke", data={"token": first}).status_code == 200
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000
    assert sf.session_id != first
    calls = [(e["method"], e["path"], e["status"]) for e in mock.journal.entries()]
    assert calls[-3:] == [("GET", "/services/data/v59.0/limits/", 401), ("POST", "/services/oauth2/token", 200),
                          ("GET", "/services/data/v59.0/limits/", 200)]  # fmt: skip


def test_jwt_bearer_login_refused_without_the_apps_certificate(mockown_intercept: Mockown) -> None:
    """The per-test app trusts no certificate: Salesforce's `invalid_grant`, which simple-salesforce raises."""
    mock = mockown_intercept
    with pytest.raises(SalesforceAuthenticationFailed, match="invalid_grant"):
        Salesforce(username=mock.user["username"], consumer_key=mock.app["client_id"], privatekey_file=str(KEY))


def test_client_credentials_login_on_a_my_domain(mockown_intercept: Mockown) -> None:
    mock = mockown_intercept
    domain = f"cc{mock.unique}".lower()
    created = mock.seed({"salesforce": {"orgs": [{
        "my_domain": f"{domain}.my.salesforce.com",
        "users": [{"username": f"int.{mock.unique}@cc.mockown.test"}],
        "apps": [{"client_credentials_user": f"int.{mock.unique}@cc.mockown.test"}],
    }]}})  # fmt: skip
    app = created["salesforce"]["orgs"][0]["apps"][0]
    sf = Salesforce(consumer_key=app["client_id"], consumer_secret=app["client_secret"], domain=f"{domain}.my")
    assert sf.sf_instance == f"{domain}.my.salesforce.com"  # instance_url is the org's My Domain
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000
    # the seeded org is not the test's own (mockown.journal leaves it out): ask the control plane
    journal = mock.control.get("journal", path="/services/oauth2/token", since=mock.journal.since)["entries"]
    token = journal[-1]
    assert (token["status"], token["grant_type"], token["client_id"]) == (200, "client_credentials", app["client_id"])
    with pytest.raises(SalesforceAuthenticationFailed, match="invalid_client"):
        Salesforce(consumer_key=app["client_id"], consumer_secret="wrong", domain=f"{domain}.my")

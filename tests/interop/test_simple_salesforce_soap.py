"""The released simple-salesforce's default login, unmodified, through intercept mode: ``Salesforce(username,
password, security_token)`` posts a SOAP ``login()`` to https://login.salesforce.com/services/Soap/u/59.0 (no
OAuth, no consumer key), reads ``sessionId`` / ``serverUrl`` and calls REST with ``Authorization: Bearer``."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce import Salesforce, SalesforceAuthenticationFailed, SalesforceExpiredSession

from mockown.testing import Mockown


def test_soap_login_then_rest(mockown_intercept: Mockown) -> None:
    mock = mockown_intercept
    user = mock.user
    sf = Salesforce(username=user["username"], password=user["password"], security_token=user["security_token"])
    assert sf.sf_instance == "login.salesforce.com"  # serverUrl's host: the org has no My Domain
    assert sf.session_id.startswith(mock.org["id"][:15] + "!AQ")
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000
    rows = sf.query(f"SELECT Id, Username FROM User WHERE Username = '{user['username']}'")
    assert rows["totalSize"] == 1 and rows["records"][0]["Username"] == user["username"]
    calls = [(e["method"], e["path"], e["status"]) for e in mock.journal.entries()]
    assert calls[0] == ("POST", "/services/Soap/u/59.0", 200)
    login = mock.journal.entries()[0]
    assert login["org"] == mock.org["id"] and login["user"] == user["username"]  # the journal names who
    assert user["password"] not in str(login) and user["security_token"] not in str(login)
    assert sf.session_id not in str(mock.journal.entries())


def test_wrong_password_is_invalid_login(mockown_intercept: Mockown) -> None:
    user = mockown_intercept.user
    with pytest.raises(SalesforceAuthenticationFailed) as failed:
        Salesforce(username=user["username"], password="wrong", security_token=user["security_token"])
    assert failed.value.code == "INVALID_LOGIN"
    assert "Invalid username, password, security token; or user locked out." in str(failed.value)


@pytest.mark.mockown(org={"session_timeout": "15m"})
def test_session_times_out_on_the_virtual_clock(mockown_intercept: Mockown) -> None:
    mock = mockown_intercept
    user = mock.user
    sf = Salesforce(username=user["username"], password=user["password"], security_token=user["security_token"])
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000
    first = sf.session_id
    mock.clock.advance("16m")
    # the session is dead: 401 INVALID_SESSION_ID, and simple-salesforce logs in again through SOAP by itself
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000
    assert sf.session_id != first
    calls = [(e["method"], e["path"], e["status"]) for e in mock.journal.entries()]
    assert calls[-3:] == [("GET", "/services/data/v59.0/limits/", 401), ("POST", "/services/Soap/u/59.0", 200),
                          ("GET", "/services/data/v59.0/limits/", 200)]  # fmt: skip
    # logged out (SOAP logout() with the SessionHeader), the session is refused as an expired one
    envelope = (
        '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:u="urn:partner.soap.sforce.com">'
        f"<e:Header><u:SessionHeader><u:sessionId>{sf.session_id}</u:sessionId></u:SessionHeader></e:Header>"
        "<e:Body><u:logout/></e:Body></e:Envelope>"
    )
    out = requests.post("https://login.salesforce.com/services/Soap/u/59.0", data=envelope,
                        headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": "logout"})  # fmt: skip
    assert out.status_code == 200, out.text
    plain = Salesforce(instance=sf.sf_instance, session_id=sf.session_id)  # no credentials to log in again with
    with pytest.raises(SalesforceExpiredSession):
        plain.limits()


@pytest.mark.mockown(org={"is_sandbox": True})
def test_sandbox_login_on_test_salesforce_com(mockown_intercept: Mockown) -> None:
    mock = mockown_intercept
    user = mock.user
    sf = Salesforce(
        username=user["username"], password=user["password"], security_token=user["security_token"], domain="test"
    )
    assert sf.sf_instance == "test.salesforce.com"
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000
    assert mock.journal.entries()[0]["headers"]["host"] == "test.salesforce.com"


def test_api_version_65_has_no_soap_login(mockown_intercept: Mockown) -> None:
    user = mockown_intercept.user
    with pytest.raises(SalesforceAuthenticationFailed) as failed:
        Salesforce(username=user["username"], password=user["password"], security_token=user["security_token"],
                   version="65.0")  # fmt: skip
    assert failed.value.code == "INVALID_OPERATION"

"""The parts of a SOAP operation or header left unqualified (`<urn:login><username>...` with no default namespace):
Salesforce reads them as the WSDL's, so the mock does; a part in another namespace is still no part."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest

from mockown.runtime import Runtime
from mockown.salesforce.models import User
from tests.conftest import ADMIN, ADMIN_ID, ORG, PASSWORD
from tests.salesforce.test_soap_login import ENTERPRISE, NS, PARTNER, SOAPENV, TOKEN, fault, logout_envelope, rest, soap


def login(ns: str, username: str, password: str, header: str = "", part_prefix: str = "") -> str:
    p = part_prefix
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAPENV}" xmlns:urn="{ns}" xmlns:other="urn:other">'
        f"<soapenv:Header>{header}</soapenv:Header><soapenv:Body><urn:login><{p}username>{username}</{p}username>"
        f"<{p}password>{password}</{p}password></urn:login></soapenv:Body></soapenv:Envelope>"
    )


@pytest.mark.parametrize(("path", "ns"), [("/services/Soap/u/59.0", PARTNER), ("/services/Soap/c/59.0", ENTERPRISE)])
def test_unqualified_username_and_password_log_in(client: httpx.Client, runtime: Runtime, path: str, ns: str) -> None:
    r = soap(client, login(ns, ADMIN, PASSWORD + TOKEN), path)
    assert r.status_code == 200, r.text
    user = runtime.store.table(User).get(ADMIN_ID)
    assert user is not None and user.failed_logins == 0


def test_unqualified_wrong_password_is_still_invalid_login(client: httpx.Client, runtime: Runtime) -> None:
    assert fault(soap(client, login(PARTNER, ADMIN, "wrong")))[0] == "sf:INVALID_LOGIN"
    user = runtime.store.table(User).get(ADMIN_ID)
    assert user is not None and user.failed_logins == 1


def test_parts_in_another_namespace_are_no_parts(client: httpx.Client) -> None:
    assert fault(soap(client, login(PARTNER, ADMIN, PASSWORD + TOKEN, part_prefix="other:")))[0] == "sf:INVALID_LOGIN"


def test_unqualified_header_parts_are_read(client: httpx.Client) -> None:
    scope = "<urn:LoginScopeHeader><organizationId>00D5g000009OthrEAC</organizationId></urn:LoginScopeHeader>"
    assert fault(soap(client, login(PARTNER, ADMIN, PASSWORD + TOKEN, header=scope)))[0] == "sf:INVALID_LOGIN"
    scope = f"<urn:LoginScopeHeader><organizationId>{ORG[:15]}</organizationId></urn:LoginScopeHeader>"
    r = soap(client, login(PARTNER, ADMIN, PASSWORD + TOKEN, header=scope))
    assert r.status_code == 200, r.text
    session = ET.fromstring(r.content).findtext("s:Body/p:loginResponse/p:result/p:sessionId", namespaces=NS) or ""
    unqualified = (
        logout_envelope(session).replace("<urn:sessionId>", "<sessionId>").replace("</urn:sessionId>", "</sessionId>")
    )
    assert soap(client, unqualified).status_code == 200
    assert rest(client, session).status_code == 401

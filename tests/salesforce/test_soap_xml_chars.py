"""Every SOAP answer is well-formed XML, even when what it carries holds a character XML 1.0 cannot (a control
character or U+FFFE/U+FFFF in a seeded name, in the path a 404 fault names): such a character is shown as U+FFFD,
as the identity service's XML does, rather than making the whole answer unreadable to the client's parser. And the
endpoints answer under an ASGI root path."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest
from starlette.applications import Starlette

from mockown.http.inprocess import InProcessTransport
from tests.conftest import ADMIN, PASSWORD
from tests.salesforce.test_soap_login import ENTERPRISE, NS, PARTNER, TOKEN, fault, login_envelope, soap


def test_a_login_response_of_odd_seeded_names_is_well_formed(client: httpx.Client) -> None:
    user = {"username": "ctl@x.test", "password": "Passw0rd!x", "first_name": "A\u0002", "last_name": "B\uffff"}
    doc = {"salesforce": {"orgs": [{"name": "Org\u0001\ufffe", "users": [user]}]}}
    assert client.post("/_mockown/seed", json=doc).status_code == 201
    r = soap(client, login_envelope("ctl@x.test", "Passw0rd!x"))
    assert r.status_code == 200
    info = ET.fromstring(r.content).find("s:Body/p:loginResponse/p:result/p:userInfo", NS)
    assert info is not None
    assert info.findtext("p:organizationName", namespaces=NS) == "Org\ufffd\ufffd"
    assert info.findtext("p:userFullName", namespaces=NS) == "A\ufffd B\ufffd"


@pytest.mark.parametrize("path", ["/services/Soap/x%EF%BF%BE", "/services/Soap/u/59.0/a/%EF%BF%BF"])
def test_a_fault_naming_an_odd_path_is_well_formed(client: httpx.Client, path: str) -> None:
    r = client.post(path, content=b"<x/>", headers={"Content-Type": "text/xml"})
    assert r.status_code == 404
    r.status_code = 500  # `fault` reads any fault; this one keeps its HTTP status
    code, text, _, _ = fault(r)
    assert code == "soapenv:Client" and text.endswith("\ufffd")


@pytest.mark.parametrize("letter", ["u", "c"])
def test_the_endpoints_answer_under_a_root_path(app: Starlette, letter: str) -> None:
    """Mounted under a root path (ASGI `root_path`, as InProcessTransport(root_path=...) or a proxy sets it), the
    endpoint finds its WSDL (partner or enterprise) in the path all the same: it took the 4th path segment, a
    KeyError (HTTP 500) once a root path came before it."""
    transport = InProcessTransport(app, root_path="/mock", raise_app_exceptions=False)
    with httpx.Client(transport=transport, base_url="http://testserver") as client:
        ns = PARTNER if letter == "u" else ENTERPRISE
        r = soap(client, login_envelope(ADMIN, PASSWORD + TOKEN, ns), f"/mock/services/Soap/{letter}/59.0")
        assert r.status_code == 200, r.text
        assert ET.fromstring(r.content).find(f"s:Body/{{{ns}}}loginResponse", NS) is not None

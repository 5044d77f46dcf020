"""A body the XML parser refuses gets Salesforce's answer: `faultcode` `UNKNOWN_EXCEPTION` (unprefixed), the
faultstring `UNKNOWN_EXCEPTION: <the parser's message>`, an `sf:UnexpectedErrorFault` detail whose `exceptionCode`
clients read (simple-salesforce: `sf:exceptionCode`), as forcedotcom/postman-salesforce-apis#26 shows. Every fault
under `/services/Soap/c/` declares the enterprise fault namespace."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest

from tests.salesforce.test_soap_login import HEADERS, SOAPENV, fault, login_envelope, soap

PARTNER_FAULTS = "urn:fault.partner.soap.sforce.com"
ENTERPRISE_FAULTS = "urn:fault.enterprise.soap.sforce.com"


def detail(r: httpx.Response) -> tuple[str, str | None, str | None]:
    """(the detail element's name, sf:exceptionCode, sf:exceptionMessage), read as simple-salesforce reads them:
    by the `sf` prefix the envelope declares."""
    found = ET.fromstring(r.content).find(f"{{{SOAPENV}}}Body/{{{SOAPENV}}}Fault/detail")
    assert found is not None, r.text
    (element,) = list(found)
    ns = element.tag[1:].split("}")[0]
    return (
        element.tag.split("}")[1],
        element.findtext(f"{{{ns}}}exceptionCode"),
        element.findtext(f"{{{ns}}}exceptionMessage"),
    )


def sf_namespace(r: httpx.Response) -> str:
    text = r.text
    start = text.index('xmlns:sf="') + len('xmlns:sf="')
    return text[start : text.index('"', start)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            login_envelope("a@b.test", "x").replace("x</n1:password>", "&Cl</n1:password>").encode(),
            "not well-formed (invalid token)",
        ),
        (b"<a><b></a>", "mismatched tag"),
        (b"", "no element found"),
        (b"username=a&password=b", "not well-formed (invalid token)"),
    ],
)
def test_xml_the_parser_refuses_is_unknown_exception(client: httpx.Client, body: bytes, message: str) -> None:
    r = soap(client, body)
    assert fault(r) == (
        "UNKNOWN_EXCEPTION",
        f"UNKNOWN_EXCEPTION: Malformed request: {message}",
        "UNKNOWN_EXCEPTION",
        f"Malformed request: {message}",
    )
    assert detail(r)[:2] == ("UnexpectedErrorFault", "UNKNOWN_EXCEPTION")


@pytest.mark.parametrize(("letter", "namespace"), [("u", PARTNER_FAULTS), ("c", ENTERPRISE_FAULTS)])
def test_every_fault_declares_its_apis_fault_namespace(client: httpx.Client, letter: str, namespace: str) -> None:
    path = f"/services/Soap/{letter}/59.0"
    answers = [
        soap(client, b"<a>&Cl</a>", path),  # the parser's refusal
        soap(client, b'<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body/></Envelope>', path),
        client.get(path),  # 405
        client.post(f"/services/Soap/{letter}/59.0/a/b/c", content=b"<x/>", headers=HEADERS),  # 404
        client.post(path, content=b"<a/>" + b" " * 2_000_000, headers=HEADERS),  # 413
    ]
    assert [r.status_code for r in answers] == [500, 500, 405, 404, 413]
    assert [sf_namespace(r) for r in answers] == [namespace] * len(answers)

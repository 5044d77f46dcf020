"""The encoding of a SOAP request: the Content-Type's `charset` decides it over the XML declaration, a byte order
mark over both (RFC 7303 3.2, 3.3); without either, the declaration or UTF-8 (XML 1.0 4.3.3)."""

from __future__ import annotations

import codecs

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockown.salesforce.soap import SoapFault, parse
from tests.salesforce.test_soap_login import SOAPENV, fault, login_envelope

PASSWORD = "Pässwörd"  # not ASCII: its bytes differ in each encoding
UNKNOWN_ENCODING = "Malformed request: unknown encoding"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


@pytest.fixture
def user(client: httpx.Client) -> str:
    seeded = client.post(
        "/_mockown/seed",
        json={"salesforce": {"orgs": [{"users": [{"username": "zoë@charset.test", "password": PASSWORD}]}]}},
    )
    assert seeded.status_code in (200, 201), seeded.text
    return "zoë@charset.test"


def envelope(username: str, declaration: str = "") -> str:
    return declaration + login_envelope(username, PASSWORD).removeprefix(DECLARATION)


def post(client: httpx.Client, body: bytes, content_type: str) -> httpx.Response:
    headers = {"Content-Type": content_type.encode("latin-1")}  # as bytes: a header of any octets, as on the wire
    return client.post("/services/Soap/u/59.0", content=body, headers=headers)


@pytest.mark.parametrize(
    ("codec", "content_type"),
    [
        ("latin-1", "text/xml; charset=ISO-8859-1"),
        ("cp1252", 'text/xml; charset="windows-1252"'),
        ("latin-1", "text/xml;CHARSET=latin1"),
        ("utf-16-le", "text/xml; charset=UTF-16LE"),
        ("utf-8", "application/soap+xml; charset=utf-8"),
    ],
)
def test_the_charset_parameter_reads_a_body_without_a_declaration(
    client: httpx.Client, user: str, codec: str, content_type: str
) -> None:
    assert post(client, envelope(user).encode(codec), content_type).status_code == 200


def test_the_charset_parameter_wins_over_the_declaration(client: httpx.Client, user: str) -> None:
    body = envelope(user, '<?xml version="1.0" encoding="UTF-8"?>').encode("latin-1")
    assert post(client, body, "text/xml; charset=ISO-8859-1").status_code == 200
    assert fault(post(client, body, "text/xml"))[0] != "sf:INVALID_LOGIN"  # read as UTF-8: not well-formed


def test_a_byte_order_mark_wins_over_the_charset_parameter(client: httpx.Client, user: str) -> None:
    for codec, bom in (
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
    ):
        body = bom + envelope(user).encode(codec)
        assert post(client, body, "text/xml; charset=ISO-8859-1").status_code == 200, codec


def test_without_a_charset_the_declaration_or_utf8_decides(client: httpx.Client, user: str) -> None:
    assert post(client, envelope(user).encode(), "text/xml").status_code == 200
    latin = envelope(user, '<?xml version="1.0" encoding="ISO-8859-1"?>').encode("latin-1")
    assert post(client, latin, "text/xml").status_code == 200


@pytest.mark.parametrize("charset", ["klingon", "utf-32", "shift_jis", '"x\\u0000"', "é"])
def test_an_unknown_charset_is_a_client_fault(client: httpx.Client, charset: str) -> None:
    r = post(client, envelope("a@b.test").encode(), f"text/xml; charset={charset}")
    assert fault(r)[:3] == ("UNKNOWN_EXCEPTION", "UNKNOWN_EXCEPTION: " + UNKNOWN_ENCODING, "UNKNOWN_EXCEPTION")


def test_an_unknown_declared_encoding_without_a_charset_is_a_client_fault(client: httpx.Client) -> None:
    r = post(client, b'<?xml version="1.0" encoding="klingon"?><a/>', "text/xml")
    assert fault(r)[:3] == ("UNKNOWN_EXCEPTION", "UNKNOWN_EXCEPTION: " + UNKNOWN_ENCODING, "UNKNOWN_EXCEPTION")


def test_a_nul_in_the_charset_is_a_client_fault() -> None:
    with pytest.raises(SoapFault) as raised:
        parse(b"<a/>", "utf\x008")
    assert raised.value.code == "UNKNOWN_EXCEPTION" and raised.value.message == UNKNOWN_ENCODING


@given(
    st.text(st.characters(max_codepoint=255, exclude_categories=("Cc", "Cs")), max_size=40),
    st.sampled_from(["ISO-8859-1", "windows-1252", "UTF-8", "UTF-16LE", "UTF-16BE"]),  # IANA names
)
def test_text_reads_back_in_the_charset_it_was_sent_in(text: str, codec: str) -> None:
    try:
        body = f'<e:Envelope xmlns:e="{SOAPENV}"><t>{text.replace("&", "&amp;").replace("<", "&lt;")}</t></e:Envelope>'
        encoded = body.encode(codec)
    except UnicodeEncodeError:  # cp1252 leaves five bytes undefined
        return
    assert parse(encoded, codec).children[0].value() == text.replace("\r\n", "\n").replace("\r", "\n")

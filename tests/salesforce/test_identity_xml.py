"""The identity service's XML (spec 6.2 `format=xml` / `Accept: application/xml`): Salesforce's documented XML
response is a `<user>` document whose objects (`status`, `photos`, `urls`) are nested elements and whose nulls are
`xsi:nil="true"`, so an XML client reads `urls/rest` as it reads `urls.rest` in JSON (not a JSON string)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from mockown.runtime import Runtime
from tests.salesforce.helpers import code_tokens, new_org, org_tokens

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


def _as_json(element: ElementTree.Element) -> Any:
    """What a JSON reading of the element would be: children as an object, `xsi:nil` as None, text otherwise."""
    if element.get(XSI_NIL) == "true":
        return None
    if len(element):
        return {child.tag: _as_json(child) for child in element}
    return element.text or ""


def _scalar(value: Any) -> Any:
    if isinstance(value, dict):  # an empty object is an empty element
        return {k: _scalar(v) for k, v in value.items()} if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if value is None else str(value)


@pytest.mark.parametrize("pretty", [False, True])
@pytest.mark.parametrize("where", ["identity", "userinfo"])
def test_xml_nests_objects_and_marks_nulls(client: httpx.Client, where: str, pretty: bool) -> None:
    tokens = code_tokens(client)
    url = tokens["id"] if where == "identity" else "/services/oauth2/userinfo"
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    as_json = client.get(url, headers=auth).json()
    headers = {**auth, "Accept": "application/xml", **({"X-PrettyPrint": "1"} if pretty else {})}
    r = client.get(url, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(r.content)
    assert root.tag == "user"
    assert _as_json(root) == _scalar(as_json)
    assert root.find("urls/rest") is not None and root.find("photos/picture") is not None


def test_identity_xml_nulls_are_nil(client: httpx.Client) -> None:
    tokens = code_tokens(client)
    r = client.get(tokens["id"], params={"format": "xml", "oauth_token": tokens["access_token"]})
    root = ElementTree.fromstring(r.content)
    for path in ("addr_street", "mobile_phone", "status/created_date", "status/body"):
        element = root.find(path)
        assert element is not None and element.get(XSI_NIL) == "true" and not element.text, path


def test_custom_attribute_names_that_are_no_xml_names_still_make_well_formed_xml(
    client: httpx.Client, runtime: Runtime
) -> None:
    odd = {"my dept": "Eng", "1st": "<b>&", "xml_key": "x", "ok.name-1": "y"}
    org = new_org(runtime, custom_attributes=odd)
    tokens = org_tokens(client, org, scope="api id")
    r = client.get(tokens["id"], params={"format": "xml", "oauth_token": tokens["access_token"]})
    assert r.status_code == 200
    attributes = ElementTree.fromstring(r.content).find("custom_attributes")
    assert attributes is not None
    assert sorted(e.text or "" for e in attributes) == sorted(odd.values())
    assert attributes.find("ok.name-1") is not None  # a valid name is kept as it is


def test_characters_xml_cannot_carry_still_make_well_formed_xml(client: httpx.Client, runtime: Runtime) -> None:
    """A seeded value with a control character (XML 1.0 has no escape for U+0001) is shown as U+FFFD, not written
    raw into a document no XML parser reads."""
    org = new_org(runtime, custom_attributes={"dept": "a\x01b\x1f", "tab": "a\tb"})
    tokens = org_tokens(client, org, scope="api id")
    r = client.get(tokens["id"], params={"format": "xml", "oauth_token": tokens["access_token"]})
    attributes = ElementTree.fromstring(r.content).find("custom_attributes")
    assert attributes is not None
    assert {e.tag: e.text for e in attributes} == {"dept": "a\ufffdb\ufffd", "tab": "a\tb"}


@pytest.mark.parametrize("where", ["identity", "userinfo"])
@pytest.mark.parametrize(
    "callback", ["1abc", "a-b", "alert(1);x", "f\u00e9", "a b", "x" * 200, "a.", ".a", "a..b", "a.1b", "x" * 65]
)
def test_a_callback_that_is_no_javascript_function_name_is_406_invalid_callback(
    client: httpx.Client, where: str, callback: str
) -> None:
    """Spec 6.2 (identity URL errors): 406 `Invalid_Callback`; `callback` must be "a valid JavaScript function
    name" (the Mobile SDK guide), as the revocation endpoint's JSONP already requires."""
    tokens = code_tokens(client)
    url = tokens["id"] if where == "identity" else "/services/oauth2/userinfo"
    r = client.get(url, params={"oauth_token": tokens["access_token"], "callback": callback})
    assert (r.status_code, r.text) == (406, "Invalid_Callback")


@pytest.mark.parametrize("callback", ["cb", "_done", "$", "window.app.done", "a1", "$.fn._x1", "x" * 64])
def test_jsonp_only_for_json(client: httpx.Client, callback: str) -> None:
    """`callback` applies "when the specified format is JSON": with `format=xml` the answer is the XML document."""
    tokens = code_tokens(client)
    params = {"oauth_token": tokens["access_token"], "callback": callback}
    jsonp = client.get(tokens["id"], params=params)
    assert jsonp.headers["content-type"].startswith("application/javascript") and jsonp.text.startswith(callback + "(")
    xml = client.get(tokens["id"], params={**params, "format": "xml"})
    assert xml.headers["content-type"].startswith("application/xml") and "<user " in xml.text


@pytest.mark.parametrize(
    ("version", "shown"),
    [("62.0", "62.0"), ("62", "62.0"), ("latest", "67.0"), ("31.0", "31.0"), ("67.0", "67.0")],
)
def test_identity_version_names_a_release(client: httpx.Client, version: str, shown: str) -> None:
    tokens = code_tokens(client)
    r = client.get(tokens["id"], params={"oauth_token": tokens["access_token"], "version": version})
    assert r.status_code == 200 and r.json()["urls"]["rest"].endswith(f"/services/data/v{shown}/")


@pytest.mark.parametrize(
    "version", ["62.5", "62.05", "1e1", "nan", "inf", "-62", " 62", "30.0", "68.0", "v62.0", "", "6" * 400]
)
def test_identity_version_that_is_no_api_release_is_406_invalid_version(client: httpx.Client, version: str) -> None:
    """Spec 6.2: `version` is "a SOAP API version number or the literal string latest" (releases are N.0, the
    ones `/services/data` lists); anything else is 406 `Invalid_Version`."""
    tokens = code_tokens(client)
    r = client.get(tokens["id"], params={"oauth_token": tokens["access_token"], "version": version})
    assert (r.status_code, r.text) == (406, "Invalid_Version")


@pytest.mark.parametrize("where", ["identity", "userinfo"])
def test_the_token_in_a_post_body(client: httpx.Client, where: str) -> None:
    """Spec 6: the token goes in the Authorization header or the `oauth_token` parameter, and Salesforce advises
    sensitive values in "the body of a POST request or in a request header": a POST body's `oauth_token` is read by
    both the identity URL and userinfo (the identity URL answered 403 Missing_OAuth_Token)."""
    tokens = code_tokens(client)
    url = tokens["id"] if where == "identity" else "/services/oauth2/userinfo"
    r = client.post(url, data={"oauth_token": tokens["access_token"]})
    assert r.status_code == 200 and r.json()["user_id"] == tokens["id"].rsplit("/", 1)[1]
    r = client.post(url, data={"oauth_token": "nope"})
    assert (r.status_code, r.text) == (403, "Bad_OAuth_Token")
    r = client.post(url, data={"oauth_token": "nope"}, headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.status_code == 200  # the header is read first, as on a GET


def test_xml_text_keeps_exactly_the_xml_1_0_chars() -> None:
    """`xml_text` replaces every code point outside XML 1.0's Char production by U+FFFD and keeps every other one
    (escaped): checked over all 1,114,112 code points against the production's ranges."""
    from mockown.salesforce.identity import xml_text

    def is_char(c: int) -> bool:
        return c in (0x9, 0xA, 0xD) or 0x20 <= c <= 0xD7FF or 0xE000 <= c <= 0xFFFD or 0x10000 <= c <= 0x10FFFF

    every = "".join(map(chr, range(0x110000)))
    expected = "".join(chr(c) if is_char(c) else "\ufffd" for c in range(0x110000))
    escaped = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
    assert xml_text(every) == "".join(escaped.get(ch, ch) for ch in expected)

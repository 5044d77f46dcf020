"""A fault rule's `error` replaces the error code of the dialect's body, whatever the dialect: the authorize
endpoint's urlencoded page keeps its `error_description` (the rule's `message`), Marketing Cloud's v1 body takes it
as its `errorcode` (a number when it is digits). Both lost the rule's code or message once their endpoints got
dialects of their own."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

V1 = "/mc/mcmockowndemo000000000000000/v1/requestToken"


def _rule(client: httpx.Client, **rule: object) -> None:
    assert client.post("/_mockown/faults", json=rule).status_code == 201


def test_the_authorize_page_takes_the_code_and_keeps_the_message(client: httpx.Client) -> None:
    _rule(client, path="/services/oauth2/authorize", status=503, error="temporarily_unavailable", message="down a&b")
    r = client.get("/services/oauth2/authorize", params={"client_id": "x"})
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/plain")
    assert parse_qs(r.text, strict_parsing=True) == {
        "error": ["temporarily_unavailable"],
        "error_description": ["down a&b"],
    }


@pytest.mark.parametrize(("code", "errorcode"), [("custom_code", "custom_code"), ("42", 42)])
def test_the_mc_v1_body_takes_the_code(client: httpx.Client, code: str, errorcode: object) -> None:
    _rule(client, path="/mc/*/v1/requestToken", status=400, error=code, message="bad")
    r = client.post(V1, json={})
    assert r.status_code == 400
    assert r.json() == {"message": "bad", "errorcode": errorcode, "documentation": ""}


def test_the_oauth_json_still_takes_the_code(client: httpx.Client) -> None:
    _rule(client, path="/services/oauth2/token", status=400, error="custom", message="m")
    r = client.post("/services/oauth2/token", data={"grant_type": "password"})
    assert r.json() == {"error": "custom", "error_description": "m"}


def _paths() -> list[str]:
    from mockown import Config, create_app

    table = create_app(Config(), seed=False).state.dialects
    paths = {prefix.replace("*", "x").rstrip("/") + "/faulted" for prefix, _ in table}
    return sorted(p for p in paths if not p.startswith("/_mockown"))  # faults never apply to the control plane


@pytest.mark.parametrize("path", _paths())
def test_every_dialect_keeps_its_shape_and_takes_the_code(client: httpx.Client, path: str) -> None:
    """Under every dialect's prefix a rule's `error` lands in that dialect's body, of its own content type, its
    `message` too (but in the identity service's one word): a SOAP fault once became a bare text/plain word, SLAS's
    problem+json and Account Manager's / OCAPI's charset were dropped, and OCAPI's fault type ignored the code."""
    _rule(client, path=path, status=503, times=1)
    plain = client.get(path)
    _rule(client, path=path, status=503, error="CUSTOM_CODE", message="custom-words", times=1)
    coded = client.get(path)
    assert plain.status_code == coded.status_code == 503
    assert coded.headers["content-type"] == plain.headers["content-type"]
    assert "CUSTOM_CODE" in coded.text
    if not path.startswith(("/id/", "/services/oauth2/userinfo")):
        assert "custom-words" in coded.text


@pytest.mark.parametrize("path", ["/services/Soap/u/62.0", "/services/Soap/c/62.0"])
def test_a_soap_fault_takes_the_code_as_its_faultcode(client: httpx.Client, path: str) -> None:
    from xml.etree import ElementTree

    _rule(client, path=path, status=503, error="sf:REQUEST_LIMIT_EXCEEDED", message="try <later>")
    r = client.post(path, content=b"<x/>", headers={"Content-Type": "text/xml", "SOAPAction": "login"})
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/xml")
    fault = ElementTree.fromstring(r.content).find("{http://schemas.xmlsoap.org/soap/envelope/}Body/")
    assert fault is not None
    assert fault.findtext("faultcode") == "sf:REQUEST_LIMIT_EXCEEDED"
    assert fault.findtext("faultstring") == "REQUEST_LIMIT_EXCEEDED: try <later>"


def test_the_ocapi_fault_takes_the_code_as_its_type(client: httpx.Client) -> None:
    path = "/s/Sites-x/dw/shop/v23_2/customers/auth"
    _rule(client, path=path, status=503, error="QuotaExceededException", message="m")
    r = client.post(path, json={})
    assert r.headers["content-type"] == "application/json;charset=UTF-8"
    assert r.json()["fault"] == {"type": "QuotaExceededException", "message": "m"}

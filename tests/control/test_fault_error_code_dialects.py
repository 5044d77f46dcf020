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

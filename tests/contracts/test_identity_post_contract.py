"""contracts/salesforce.yaml still describes what the identity service's POSTs answer (487aff0, 6c2a627): the form
body's `access_token` is read (OIDC Core 5.3.1), and an unreadable or oversized body answers `Bad_Request`."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from mockown import contracts
from tests.contracts.test_specs import _conforms

FORM = "application/x-www-form-urlencoded"


def _tokens(client: httpx.Client) -> dict[str, Any]:
    from tests.conftest import ADMIN, CID, PASSWORD, SECRET

    login = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    tokens: dict[str, Any] = client.post("/services/oauth2/token", data={**login, "password": PASSWORD}).json()
    return tokens


def test_the_form_body_access_token_is_documented_and_conforms(app: Starlette, client: httpx.Client) -> None:
    schemas = contracts.load_spec("salesforce")["components"]["schemas"]
    assert "access_token" in schemas["IdentityTokenForm"]["properties"]  # the mock reads it: the contract says so
    tokens = _tokens(client)
    org_id, user_id = tokens["id"].rsplit("/", 2)[-2:]
    form: dict[str, Any] = {"body": {"access_token": tokens["access_token"]}, "media_type": FORM}
    assert _conforms(app, "salesforce", "/services/oauth2/userinfo", "POST", 200, **form).json()["user_id"] == user_id
    answer = _conforms(app, "salesforce", "/id/{orgId}/{userId}", "POST", 200,
                       path_parameters={"orgId": org_id, "userId": user_id}, **form)  # fmt: skip
    assert answer.json()["user_id"] == user_id


def test_an_unreadable_identity_body_answers_the_documented_word(app: Starlette, client: httpx.Client) -> None:
    spec = contracts.load_spec("salesforce")
    words = spec["components"]["responses"]["IdentityBadBody"]["content"]["text/plain"]["schema"]["enum"]
    tokens = _tokens(client)
    org_id, user_id = tokens["id"].rsplit("/", 2)[-2:]
    answer = _conforms(app, "salesforce", "/id/{orgId}/{userId}", "POST", 400,
                       path_parameters={"orgId": org_id, "userId": user_id},
                       body={"oauth_token": tokens["access_token"]}, media_type="application/json")  # fmt: skip
    assert answer.text in words, (answer.text, words)
    answer = _conforms(app, "salesforce", "/services/oauth2/userinfo", "POST", 400,
                       body={"oauth_token": tokens["access_token"]}, media_type="application/json")  # fmt: skip
    assert answer.text in words, (answer.text, words)  # userinfo is the same service: the same word

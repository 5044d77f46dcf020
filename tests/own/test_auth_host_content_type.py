"""The auth host's /v1/token and /v1/revoke take only `application/x-www-form-urlencoded` (spec §2.1, S1 [DOC]:
"Request Body schema: application/x-www-form-urlencoded required"; README §API tokens: `invalid_request` for "a
body that is not application/x-www-form-urlencoded"). A body of any other type holding a urlencoded form was read as
the form: a text/plain exchange got a token and a text/plain revoke revoked. A body without a Content-Type is still
read as a form (a deliberate choice, commented in `http/forms.read_params`)."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import CLIENT_ID, OWNER, TOKEN_URL, exchange_form

REVOKE_URL = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke"
OTHER_TYPES = ["text/plain", "image/png", "application/octet-stream", "text/html; charset=utf-8", "application/xml"]


def _refused(r: httpx.Response, kind: str) -> None:
    assert r.status_code == 400, r.text
    assert r.json() == {
        "error": "invalid_request",
        "error_description": f"{kind} bodies are not accepted here; send application/x-www-form-urlencoded",
    }
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("content_type", OTHER_TYPES)
def test_a_token_request_of_another_type_is_refused_and_nothing_issued(
    client: httpx.Client, own: OwnService, content_type: str
) -> None:
    raw = own.generate_api_token(OWNER)
    body = urlencode(exchange_form(raw))
    _refused(client.post(TOKEN_URL, content=body, headers={"Content-Type": content_type}), content_type.split(";")[0])
    assert own.access_tokens.all() == [] and [e.key for e in own.events.all()].count("api_token_used") == 0


@pytest.mark.parametrize("content_type", OTHER_TYPES)
def test_a_revoke_request_of_another_type_is_refused_and_nothing_revoked(
    client: httpx.Client, own: OwnService, content_type: str
) -> None:
    raw = own.generate_api_token(OWNER)
    access = client.post(TOKEN_URL, data=exchange_form(raw)).json()["access_token"]
    auth = {"Authorization": f"Bearer {access}"}
    for token in (raw, access):
        body = urlencode({"token": token, "client_id": CLIENT_ID})
        r = client.post(REVOKE_URL, content=body, headers={"Content-Type": content_type})
        _refused(r, content_type.split(";")[0])
    assert len(own.api_tokens.all()) == 1
    assert client.get("/api/v1/services", headers=auth).status_code == 200  # neither token was revoked


@pytest.mark.parametrize("headers", [{}, {"Content-Type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8"}])
def test_a_form_and_a_body_without_a_content_type_are_still_read(
    client: httpx.Client, own: OwnService, headers: dict[str, str]
) -> None:
    raw = own.generate_api_token(OWNER)
    r = client.post(TOKEN_URL, content=urlencode(exchange_form(raw)), headers=headers)
    assert r.status_code == 200, r.text
    body = urlencode({"token": raw, "client_id": CLIENT_ID})
    assert client.post(REVOKE_URL, content=body, headers=headers).status_code == 200
    assert own.api_tokens.all() == []

"""The auth host's 401 `invalid_client` carries `WWW-Authenticate: Basic ...` when the client tried HTTP Basic (RFC
6749 5.2: "If the client attempted to authenticate via the Authorization request header field, the authorization
server MUST respond with an HTTP 401 ... and include the WWW-Authenticate response header field matching the
authentication scheme used by the client"), and only then. Which client authentication is accepted is unchanged:
the form's `client_id` (S1), Basic neither needed nor enough."""

from __future__ import annotations

import base64

import httpx
import pytest

from mockown.own import tokens
from mockown.own.service import OwnService
from tests.own.conftest import CLIENT_ID, OWNER, PASSWORDS, TOKEN_URL, exchange_form

REVOKE_URL = tokens.REVOKE_PATH
CHALLENGE = f'Basic realm="{tokens.ISSUER}"'


def _basic(user: str, password: str = "") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _api_token(own: OwnService) -> str:
    return own.generate_api_token(OWNER, PASSWORDS[OWNER])


def _without_client(form: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in form.items() if k != "client_id"}


@pytest.mark.parametrize(
    "authorization",
    [
        _basic(CLIENT_ID)["Authorization"],  # the hunter's case: the public client's id, no secret
        _basic("someone-else", "secret")["Authorization"],
        "basic " + base64.b64encode(f"{CLIENT_ID}:".encode()).decode(),  # the scheme in any case
        "Basic not-base64!",  # an attempt all the same
    ],
)
def test_a_client_that_tried_basic_gets_the_challenge_with_its_401(
    client: httpx.Client, own: OwnService, authorization: str
) -> None:
    form = _without_client(exchange_form(_api_token(own)))
    r = client.post(TOKEN_URL, data=form, headers={"Authorization": authorization})
    assert r.status_code == 401, r.text
    assert r.json() == {"error": "invalid_client", "error_description": "Invalid value for 'client_id' parameter."}
    assert r.headers["www-authenticate"] == CHALLENGE
    assert r.headers["cache-control"] == "no-store"


def test_a_wrong_form_client_id_with_basic_gets_the_challenge(client: httpx.Client, own: OwnService) -> None:
    form = exchange_form(_api_token(own), client_id="0oaSomeoneElse")
    r = client.post(TOKEN_URL, data=form, headers=_basic("0oaSomeoneElse"))
    assert r.status_code == 401 and r.headers["www-authenticate"] == CHALLENGE, r.text


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer abc"}])
def test_no_challenge_without_basic(client: httpx.Client, own: OwnService, headers: dict[str, str]) -> None:
    """No Authorization header, or one that is no client authentication: the 401 as before, without it."""
    form = _without_client(exchange_form(_api_token(own)))
    r = client.post(TOKEN_URL, data=form, headers=headers)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client", r.text
    assert "www-authenticate" not in r.headers


def test_basic_alongside_the_form_client_id_is_still_accepted(client: httpx.Client, own: OwnService) -> None:
    r = client.post(TOKEN_URL, data=exchange_form(_api_token(own)), headers=_basic(CLIENT_ID))
    assert r.status_code == 200, r.text
    assert "www-authenticate" not in r.headers


def test_other_errors_with_basic_carry_no_challenge(client: httpx.Client) -> None:
    """Only the 401 names a scheme: an unknown API token is 400 `invalid_grant`, the client being known."""
    r = client.post(TOKEN_URL, data=exchange_form("not-a-token"), headers=_basic(CLIENT_ID))
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text
    assert "www-authenticate" not in r.headers


def test_revoke_answers_the_same(client: httpx.Client, own: OwnService) -> None:
    raw = _api_token(own)
    r = client.post(REVOKE_URL, data={"token": raw}, headers=_basic(CLIENT_ID))
    assert r.status_code == 401 and r.json()["error"] == "invalid_client", r.text
    assert r.headers["www-authenticate"] == CHALLENGE
    bare = client.post(REVOKE_URL, data={"token": raw})
    assert bare.status_code == 401 and "www-authenticate" not in bare.headers
    # refused both times: the API token still exchanges
    assert client.post(TOKEN_URL, data=exchange_form(raw)).status_code == 200

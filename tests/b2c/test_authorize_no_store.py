"""Every B2C authorize redirect carries `Cache-Control: no-store`, as Salesforce's authorize redirect does: the
`Location` of Account Manager's `/dwsso/oauth2/authorize` and of SLAS's `/authorize` and `/login` holds a code, an
access token (Account Manager's implicit flow, in the fragment) or an error for the client, and no browser or proxy
cache may keep it. They were bare 302 / 303 redirects with no `Cache-Control`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.b2c.test_account_manager import AM, PKCE_CID
from tests.b2c.test_slas import BASE, CALLBACK, CHALLENGE, HOST, PUBLIC, login

AM_QUERY = {"client_id": PKCE_CID, "redirect_uri": "http://localhost:8080", "state": "s"}
SLAS_QUERY = {"client_id": PUBLIC, "response_type": "code", "redirect_uri": CALLBACK, "hint": "guest",
              "code_challenge": CHALLENGE, "channel_id": "RefArch"}  # fmt: skip


def _not_stored(response: httpx.Response, status: int, *in_location: str) -> None:
    assert response.status_code == status, response.text
    assert all(part in response.headers["location"] for part in in_location), response.headers["location"]
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("extra", "in_location"),
    [({"response_type": "code", "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "?code="),
     ({"response_type": "token"}, "#access_token="),
     ({"response_type": "code"}, "?error=invalid_request")],  # a public client without a challenge
    ids=["code", "implicit", "error"],
)  # fmt: skip
def test_an_account_manager_authorize_redirect_is_not_stored(
    client: httpx.Client, extra: dict[str, str], in_location: str
) -> None:
    _not_stored(client.get(AM + "/dwsso/oauth2/authorize", params={**AM_QUERY, **extra}), 302, in_location)


def _slas_calls(c: httpx.Client, status: int) -> None:
    _not_stored(c.get(HOST + BASE + "/authorize", params=SLAS_QUERY), status, "code=", "usid=")
    _not_stored(login(c), status, "code=")


@pytest.mark.parametrize("status", [302, 303, 307])
def test_a_slas_authorize_or_login_redirect_is_not_stored(clock: FrozenClock, status: int) -> None:
    settings: dict[str, Any] = {"slas_redirect_status": status}
    with in_process_client(create_app(Config().replace(b2c=settings), clock=clock)) as c:
        _slas_calls(c, status)

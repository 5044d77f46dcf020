"""The authorize redirect that needs no page carries `Cache-Control: no-store`, as the one after the login or consent
page does: its `Location` holds a code, or (user-agent and hybrid flows) access and refresh tokens. It was a bare
302 with no `Cache-Control`."""

from __future__ import annotations

import httpx
import pytest

from mockown.runtime import Runtime
from tests.conftest import ADMIN, CALLBACK, CID

from .helpers import new_org

AUTHORIZE = "/services/oauth2/authorize"


@pytest.mark.parametrize("response_type", ["code", "token", "hybrid_token", "code id_token"])
def test_a_direct_authorize_redirect_is_not_stored(client: httpx.Client, response_type: str) -> None:
    query = {"response_type": response_type, "client_id": CID, "redirect_uri": CALLBACK, "login_hint": ADMIN,
             "scope": "api openid", "nonce": "n"}  # fmt: skip
    response = client.get(AUTHORIZE, params=query)
    assert response.status_code == 302, response.text
    assert response.headers["cache-control"] == "no-store"


def test_a_refusal_redirect_and_a_branded_path_are_not_stored(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, callback_urls=["myapp://done"])
    query = {"response_type": "token", "client_id": org["client_id"], "redirect_uri": "myapp://done"}
    refused = client.get(AUTHORIZE, params={**query, "scope": "nosuch"})
    assert refused.status_code == 302 and refused.headers["cache-control"] == "no-store"
    branded = client.get(f"{AUTHORIZE}/acme", params={**query, "login_hint": org["username"]})
    assert branded.status_code == 302 and branded.headers["cache-control"] == "no-store"

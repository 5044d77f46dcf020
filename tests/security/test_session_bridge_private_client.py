"""SLAS's `session_bridge` grant is the public client's: "Public client: grant_type=session_bridge. Private client:
grant_type=client_credentials + Basic" (SessionBridgeTokenRequest), and Basic is "not required" only for a public
client's grants. The mock let a private client redeem an `sb-user` code through `session_bridge` with no client
authentication at all (a private client's tokens for anyone who had its id and a code), at `/session-bridge/token` and
at `/token`. A private client's `session_bridge` is now 401 `invalid_client` "Basic Authorization failed.", with or
without its Basic (its session bridge is `client_credentials` + Basic, which still works), and the code is not spent."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

SLAS = "/b2c/kv7kzm78/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2"
PRIVATE = ("mockown-slas-private", "MockownSlasSecret0001")
PUBLIC = "mockown-slas-public"
CALLBACK = "http://localhost:3000/callback"
VERIFIER = "v" * 64
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
DWSID = "MockownDemoDwsid0000000000000000000000001"


def _bridge_code(client: httpx.Client, client_id: str) -> str:
    query = {"client_id": client_id, "response_type": "code", "redirect_uri": CALLBACK, "hint": "sb-user",
             "code_challenge": CHALLENGE, "channel_id": "RefArch"}  # fmt: skip
    r = client.get(SLAS + "/authorize", params=query)
    assert r.status_code == 303, r.text
    return parse_qs(urlsplit(r.headers["location"]).query)["code"][0]


def _form(client_id: str, code: str) -> dict[str, str]:
    return {"grant_type": "session_bridge", "client_id": client_id, "code": code, "code_verifier": VERIFIER,
            "dwsid": DWSID, "login_id": "shopper@mockown.test", "channel_id": "RefArch"}  # fmt: skip


@pytest.mark.parametrize("path", ["/session-bridge/token", "/token"])
@pytest.mark.parametrize("with_basic", [False, True])
def test_a_private_client_may_not_use_the_session_bridge_grant(
    client: httpx.Client, path: str, with_basic: bool
) -> None:
    code = _bridge_code(client, PRIVATE[0])
    r = client.post(SLAS + path, data=_form(PRIVATE[0], code), auth=PRIVATE if with_basic else None)
    assert r.status_code == 401, r.text
    assert r.json() == {"error": "invalid_client", "error_description": "Basic Authorization failed."}
    assert "access_token" not in r.text


def test_a_refused_private_session_bridge_leaves_the_code_and_the_private_form_works(client: httpx.Client) -> None:
    code = _bridge_code(client, PUBLIC)
    # the public client's code, named by the private client: refused before the code is looked at
    assert client.post(SLAS + "/session-bridge/token", data=_form(PRIVATE[0], code)).status_code == 401
    public = client.post(SLAS + "/session-bridge/token", data=_form(PUBLIC, code))
    assert public.status_code == 200, public.text
    form = {"grant_type": "client_credentials", "channel_id": "RefArch", "login_id": "shopper@mockown.test",
            "dwsid": DWSID}  # fmt: skip
    private = client.post(SLAS + "/session-bridge/token", data=form, auth=PRIVATE)
    assert private.status_code == 200, private.text
    assert private.json()["customer_id"] == public.json()["customer_id"]

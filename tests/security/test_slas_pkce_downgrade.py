"""A SLAS code issued against a `code_challenge` is redeemed only with its `code_verifier`, whatever the grant type
(RFC 7636 4.6: the server MUST verify the verifier of a code that has a challenge; RFC 9700 2.1.1: PKCE downgrade).
A private client that sent a challenge to `/authorize` could redeem the code with `grant_type=authorization_code` and
no verifier at all (only `authorization_code_pkce` checked it), so whoever held the code and the client's
credentials skipped PKCE. The documented private-client flow sends the verifier (spec: `authorization_code_pkce` +
`code_verifier`, plus Basic); a code without a challenge still needs none."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

SLAS = "/b2c/kv7kzm78/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2"
PRIVATE = ("mockown-slas-private", "MockownSlasSecret0001")
CALLBACK = "http://localhost:3000/callback"
VERIFIER = "v" * 64


def _code(client: httpx.Client, challenge: str | None) -> str:
    query = {"client_id": PRIVATE[0], "response_type": "code", "redirect_uri": CALLBACK, "hint": "guest"}
    if challenge:
        query["code_challenge"] = challenge
    r = client.get(SLAS + "/authorize", params={**query, "channel_id": "RefArch"})
    assert r.status_code == 303, r.text
    return parse_qs(urlsplit(r.headers["location"]).query)["code"][0]


def _exchange(client: httpx.Client, code: str, grant: str, verifier: str | None) -> httpx.Response:
    form = {"grant_type": grant, "code": code, "redirect_uri": CALLBACK, "channel_id": "RefArch"}
    if verifier is not None:
        form["code_verifier"] = verifier
    return client.post(SLAS + "/token", auth=PRIVATE, data=form)


CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


@pytest.mark.parametrize("grant", ["authorization_code", "authorization_code_pkce"])
def test_a_code_with_a_challenge_needs_its_verifier_whatever_the_grant(client: httpx.Client, grant: str) -> None:
    code = _code(client, CHALLENGE)
    refused = _exchange(client, code, grant, None)
    assert refused.status_code == 400
    assert refused.json()["error_description"] == "code_verifier is required"
    assert _exchange(client, code, grant, "w" * 64).status_code == 400  # a wrong one
    assert _exchange(client, code, grant, VERIFIER).status_code == 200  # the refusals left it redeemable


def test_a_code_without_a_challenge_needs_no_verifier(client: httpx.Client) -> None:
    code = _code(client, None)
    assert _exchange(client, code, "authorization_code", None).status_code == 200

"""Behavioural checks of the Marketing Cloud Engagement contract (`v2/token`, `v2/userinfo`).

The token rules come from the reference's captured responses: the client_credentials fields, instance URLs with a
trailing slash, `expires_in` of at most 20 minutes (1079 in every capture), and the exact `invalid_client` and
`unsupported_grant_type` bodies. With `--profile mock` the clock checks that a token dies after `expires_in`.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .support import MC_INVALID_CLIENT, MC_UNSUPPORTED_GRANT, ControlPlane, McCreds

pytestmark = [pytest.mark.marketing, pytest.mark.rules]

TOKEN_FIELDS = {"access_token", "token_type", "expires_in", "scope", "soap_instance_url", "rest_instance_url"}


def token(http: httpx.Client, mc: McCreds, *, form: bool = False, **body: Any) -> httpx.Response:
    if form:
        return http.post(f"{mc.base}/v2/token", data=body)
    return http.post(f"{mc.base}/v2/token", json=body)


def userinfo(http: httpx.Client, mc: McCreds, access_token: str) -> httpx.Response:
    return http.get(f"{mc.base}/v2/userinfo", headers={"Authorization": f"Bearer {access_token}"})


def test_mc_client_credentials_token_fields(http: httpx.Client, mc: McCreds) -> None:
    """client_credentials → the six documented fields, Bearer, `expires_in` an integer of at most 1200 s (the docs'
    20 minutes; 1079 in every captured response), instance URLs on the tenant's hosts ending in `/`, no refresh."""
    response = token(http, mc, **mc.cc_body())
    assert response.status_code == 200, f"client_credentials failed: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == TOKEN_FIELDS, f"token fields differ: {sorted(body)}"
    assert body["token_type"] == "Bearer"
    expires_in = body["expires_in"]
    assert isinstance(expires_in, int) and 0 < expires_in <= 1200, f"expires_in must be 1..1200 s: {expires_in!r}"
    for kind in ("soap", "rest"):
        url = body[f"{kind}_instance_url"]
        assert url.startswith("https://") and url.endswith(f".{kind}.marketingcloudapis.com/"), url
        if mc.subdomain:
            assert url == f"https://{mc.subdomain}.{kind}.marketingcloudapis.com/", url
    assert isinstance(body["scope"], str) and isinstance(body["access_token"], str) and body["access_token"]


def test_mc_form_body_is_accepted_like_json(http: httpx.Client, mc: McCreds) -> None:
    """`v2/token` takes a form-encoded body as it takes JSON, with the same six fields (spec 1.1: "also accepted in
    practice", a maintained client sends every grant so)."""
    response = token(http, mc, form=True, **mc.cc_body())
    assert response.status_code == 200, f"a form-encoded v2/token failed: {response.status_code} {response.text[:300]}"
    assert set(response.json()) == TOKEN_FIELDS


def test_mc_invalid_client_exact_body(http: httpx.Client, mc: McCreds) -> None:
    """A wrong client secret → 401 with exactly the captured three-key body."""
    response = token(http, mc, **mc.cc_body(client_secret=mc.client_secret + "x"))
    assert response.status_code == 401, f"expected 401 invalid_client, got {response.status_code}: {response.text}"
    assert response.json() == MC_INVALID_CLIENT


def test_mc_unsupported_grant_type_exact_body(http: httpx.Client, mc: McCreds) -> None:
    """An unknown grant (`password`) → 400 with exactly the captured body."""
    response = token(http, mc, **mc.cc_body(grant_type="password"))
    assert response.status_code == 400, f"expected 400, got {response.status_code}: {response.text}"
    assert response.json() == MC_UNSUPPORTED_GRANT


def test_mc_token_opens_userinfo(http: httpx.Client, mc: McCreds) -> None:
    """The access token is accepted by `v2/userinfo` on the same tenant; a made-up one is 401."""
    access = token(http, mc, **mc.cc_body()).json()["access_token"]
    response = userinfo(http, mc, access)
    assert response.status_code == 200, f"userinfo refused a fresh token: {response.status_code} {response.text[:300]}"
    body = response.json()
    assert isinstance(body["organization"]["member_id"], int) and isinstance(body["exp"], int)
    assert userinfo(http, mc, "not-a-token").status_code == 401


def test_mc_token_expires_after_expires_in(http: httpx.Client, mc: McCreds, clock: ControlPlane) -> None:
    """The token works until `expires_in` seconds have passed, not a second longer."""
    body = token(http, mc, **mc.cc_body()).json()
    clock.advance(str(body["expires_in"] - 1))
    assert userinfo(http, mc, body["access_token"]).status_code == 200, "the token died before expires_in"
    clock.advance("1")
    assert userinfo(http, mc, body["access_token"]).status_code == 401, "the token outlived expires_in"

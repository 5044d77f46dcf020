"""`/v2/authorize` checks the business unit the code is for as the exchange does (spec checklist: "`account_id`
must be in `accessible_mids`"). Without `account_id` the code is for the signed-in user's business unit; the mock
issued it even when the integration could not reach that unit, and the exchange then refused it with 401
`unauthorized_client` "...the requested account_id." though the client had sent none: a code that could never be
redeemed. Now authorize answers that error as its redirect (state kept, no code); a business unit that was not
asked for by `account_id` (the user's, or a code's or refresh token's after the integration lost it) is named as
"this business unit", the `account_error_description` text stays for a requested `account_id`."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from mockown.runtime import Runtime
from mockown.seed import seed_document

from .test_marketing import BASE, CALLBACK, WEB

SUB = "mc" + "b" * 26
APP = {"client_id": "webint0000000000000000001", "client_secret": "S"}
THIS_BU = "The client is not authorized to access this business unit."
REQUESTED = "The client is not authorized to access the requested account_id."


def _tenant(runtime: Runtime) -> None:
    tenant = {"eid": 20000001, "subdomain": SUB, "business_units": [20000001, 20000002],
              "users": [{"username": "u@x.test", "password": "P", "mid": 20000002}],
              "integrations": [{**APP, "type": "web", "accessible_mids": [20000001]}]}  # fmt: skip
    seed_document(runtime, {"marketing": {"tenants": [tenant]}})


def _authorize(client: httpx.Client, **extra: str) -> dict[str, str]:
    query = {"response_type": "code", "client_id": APP["client_id"], "redirect_uri": CALLBACK, "state": "s1", **extra}
    r = client.get(f"/mc/{SUB}/v2/authorize", params=query)
    assert r.status_code == 302, r.text
    return {k: v[0] for k, v in parse_qs(urlsplit(r.headers["location"]).query).items()}


def test_no_code_for_a_users_business_unit_the_integration_cannot_reach(client: httpx.Client, runtime: Runtime) -> None:
    _tenant(runtime)
    found = _authorize(client)
    assert found == {"error": "unauthorized_client", "error_description": THIS_BU, "state": "s1"}


def test_a_reachable_account_id_at_authorize_still_gets_a_redeemable_code(
    client: httpx.Client, runtime: Runtime
) -> None:
    _tenant(runtime)
    code = _authorize(client, account_id="20000001")["code"]
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, **APP}
    exchanged = client.post(f"/mc/{SUB}/v2/token", json=body)
    assert exchanged.status_code == 200, exchanged.text
    assert _authorize(client, account_id="20000002")["error_description"] == REQUESTED


def test_an_exchange_without_account_id_names_no_requested_account_id(client: httpx.Client, runtime: Runtime) -> None:
    query = {"response_type": "code", "client_id": WEB["client_id"], "redirect_uri": CALLBACK, "account_id": "10123458"}
    location = client.get(f"{BASE}/v2/authorize", params=query).headers["location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    runtime.marketing.update_integration(WEB["client_id"], accessible_mids=[10123456])
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, **WEB}
    refused = client.post(f"{BASE}/v2/token", json=body)
    assert refused.status_code == 401
    assert refused.json()["error"] == "unauthorized_client" and refused.json()["error_description"] == THIS_BU
    asked = client.post(f"{BASE}/v2/token", json={**body, "account_id": "10123458"})
    assert asked.status_code == 401 and asked.json()["error_description"] == REQUESTED

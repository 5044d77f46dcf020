"""`contracts/marketing.yaml` describes what the mock answers: every operation, success and documented errors."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

from .contractcheck import Contract
from .test_marketing import BASE, CALLBACK, LEGACY, PUBLIC, SERVER, WEB


def test_marketing_contract_matches_the_mock(client: httpx.Client) -> None:
    contract = Contract("marketing")
    token = f"{BASE}/v2/token"
    response = client.post(token, json={"grant_type": "client_credentials", **SERVER})
    contract.check("POST", "/v2/token", response)
    access = response.json()["access_token"]
    contract.check("POST", "/v2/token", client.post(token, data={"grant_type": "client_credentials", **SERVER}))
    contract.check("POST", "/v2/token", client.post(token, json={"grant_type": "password", **SERVER}))
    contract.check(
        "POST",
        "/v2/token",
        client.post(token, json={**SERVER, "grant_type": "client_credentials", "client_secret": "x"}),
    )
    contract.check(
        "POST", "/v2/token", client.post(token, json={"grant_type": "client_credentials", **SERVER, "scope": "nope"})
    )
    query = {"response_type": "code", "client_id": WEB["client_id"], "redirect_uri": CALLBACK, "state": "s"}
    authorize = client.get(f"{BASE}/v2/authorize", params=query)
    contract.check("GET", "/v2/authorize", authorize)
    contract.check("GET", "/v2/authorize", client.get(f"{BASE}/v2/authorize", params={**query, "redirect_uri": "x"}))
    code = parse_qs(urlsplit(authorize.headers["location"]).query)["code"][0]
    exchanged = client.post(
        token, json={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, **WEB}
    )
    contract.check("POST", "/v2/token", exchanged)
    refreshed = client.post(
        token, data={"grant_type": "refresh_token", **PUBLIC, "refresh_token": exchanged.json()["refresh_token"]}
    )
    contract.check("POST", "/v2/token", refreshed)  # another client's refresh token: invalid_grant
    for bearer in (access, exchanged.json()["access_token"], "nope"):
        for view in ({}, {"view": "oidc"}):
            info = client.get(f"{BASE}/v2/userinfo", params=view, headers={"Authorization": f"Bearer {bearer}"})
            contract.check("GET", "/v2/userinfo", info)
    v1 = f"{BASE}/v1/requestToken"
    contract.check("POST", "/v1/requestToken", client.post(v1 + "?legacy=1", json={**LEGACY, "accessType": "offline"}))
    contract.check(
        "POST",
        "/v1/requestToken",
        client.post(v1, json={"clientId": SERVER["client_id"], "clientSecret": SERVER["client_secret"]}),
    )
    app = create_app(Config().replace(marketing={"auto_consent": False}), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as other:
        contract.check("GET", "/v2/authorize", other.get(f"{BASE}/v2/authorize", params=query))
    assert contract.unexercised() == []

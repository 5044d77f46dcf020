"""`contracts/b2c.yaml` describes what the mock answers: every operation, success and documented errors."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from mockown import FrozenClock
from tests.marketing.contractcheck import Contract

from .test_slas import BASE, CALLBACK, CHALLENGE, PRIVATE, PUBLIC, SECRET, TRUSTED_SYSTEM, VERIFIER, basic

SLAS = "/shopper/auth/v1/organizations/{organizationId}/oauth2"
AM = "http://account.demandware.com"
DEMO = "a" * 30
BM = "urn:demandware:params:oauth:grant-type:client-id:dwsid:dwsecuretoken"
OCAPI = "/s/{site}/dw/shop/{version}"


def test_account_manager_bm_and_ocapi_contract(client: httpx.Client) -> None:
    contract = Contract("b2c")
    token = "/dwsso/oauth2/access_token"
    am = basic("mockown-am-client-000000000001", "MockownAmSecret0001")
    contract.check("POST", token, client.post(AM + token, data={"grant_type": "client_credentials"}, headers=am))
    contract.check(
        "POST", token, client.post(AM + token, data={"grant_type": "client_credentials"}, headers=basic("x", "y"))
    )
    contract.check(
        "POST",
        token,
        client.post(AM + token, data={"grant_type": "password", "username": "x", "password": "y"}, headers=am),
    )
    contract.check(
        "POST",
        token,
        client.post(
            AM + token,
            data={"grant_type": "password", "username": "am-admin@mockown.test", "password": "AmPassw0rd!"},
            headers=am,
        ),
    )
    query = {
        "client_id": "mockown-am-pkce-00000000000001",
        "redirect_uri": "http://localhost:8080",
        "response_type": "code",
        "code_challenge": CHALLENGE,
    }
    authorize = client.get(AM + "/dwsso/oauth2/authorize", params=query)
    contract.check("GET", "/dwsso/oauth2/authorize", authorize)
    contract.check(
        "GET",
        "/dwsso/oauth2/authorize",
        client.get(AM + "/dwsso/oauth2/authorize", params={**query, "redirect_uri": "x"}),
    )
    code = parse_qs(urlsplit(authorize.headers["location"]).query)["code"][0]
    contract.check(
        "POST",
        token,
        client.post(
            AM + token,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": "http://localhost:8080",
                "code_verifier": VERIFIER,
                "client_id": query["client_id"],
            },
        ),
    )
    bm_url = f"/dw/oauth2/access_token?client_id={DEMO}"
    ok = client.post(bm_url, data={"grant_type": BM}, headers=basic("bm-admin", f"BmPassw0rd!:{DEMO}"))
    contract.check("POST", "/dw/oauth2/access_token", ok)
    bad = client.post(bm_url, data={"grant_type": BM}, headers=basic("bm-admin", f"x:{DEMO}"))
    contract.check("POST", "/dw/oauth2/access_token", bad)
    auth = "/s/RefArch/dw/shop/v24_5/customers/auth"
    headers = {"x-dw-client-id": DEMO}
    guest = client.post(auth, json={"type": "guest"}, headers=headers)
    contract.check("POST", OCAPI + "/customers/auth", guest)
    contract.check(
        "POST",
        OCAPI + "/customers/auth",
        client.post(auth, json={"type": "credentials"}, headers={**headers, **basic("a", "b")}),
    )
    contract.check("POST", OCAPI + "/customers/auth", client.post(auth, json={"type": "guest"}))
    contract.check("POST", OCAPI + "/customers/auth", client.post(auth, json={"type": "x"}, headers=headers))
    contract.check(
        "POST",
        OCAPI + "/customers/auth",
        client.post(auth, json={"type": "guest"}, headers={"x-dw-client-id": "nobody"}),
    )
    contract.check(
        "POST",
        OCAPI + "/customers/auth",
        client.post("/s/None/dw/shop/v24_5/customers/auth", json={"type": "guest"}, headers=headers),
    )
    bearer = {**headers, "Authorization": guest.headers["authorization"]}
    contract.check("POST", OCAPI + "/sessions", client.post("/s/RefArch/dw/shop/v24_5/sessions", headers=bearer))
    contract.check("DELETE", OCAPI + "/customers/auth", client.delete(auth, headers=bearer))
    contract.check("DELETE", OCAPI + "/customers/auth", client.delete(auth, headers=bearer))
    contract.check("POST", OCAPI + "/sessions", client.post("/s/RefArch/dw/shop/v24_5/sessions", headers=bearer))
    slas_ops = {op for op in contract.unexercised() if SLAS in op}
    assert set(contract.unexercised()) == slas_ops


def test_slas_contract(client: httpx.Client, clock: FrozenClock) -> None:
    contract = Contract("b2c")
    private = basic(PRIVATE, SECRET)
    q = {
        "client_id": PUBLIC,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "hint": "guest",
        "code_challenge": CHALLENGE,
        "channel_id": "RefArch",
    }
    authorize = client.get(BASE + "/authorize", params=q)
    contract.check("GET", SLAS + "/authorize", authorize)
    contract.check("GET", SLAS + "/authorize", client.get(BASE + "/authorize", params={**q, "client_id": "x"}))
    strict = {**q, "client_id": "mockown-slas-strict"}
    contract.check("GET", SLAS + "/authorize", client.get(BASE + "/authorize", params=strict))
    contract.check("GET", SLAS + "/authorize", client.get("/b2c/zzzzzzzz" + BASE + "/authorize", params=q))
    found = parse_qs(urlsplit(authorize.headers["location"]).query)
    data = {
        "grant_type": "authorization_code_pkce",
        "client_id": PUBLIC,
        "channel_id": "RefArch",
        "code": found["code"][0],
        "code_verifier": VERIFIER,
        "redirect_uri": CALLBACK,
    }
    public_tokens = client.post(BASE + "/token", data=data)
    contract.check("POST", SLAS + "/token", public_tokens)
    contract.check("POST", SLAS + "/token", client.post(BASE + "/token", data=data))
    contract.check(
        "POST",
        SLAS + "/token",
        client.post(BASE + "/token", data={"grant_type": "client_credentials", "channel_id": "RefArch"}),
    )
    guest = client.post(
        BASE + "/token", data={"grant_type": "client_credentials", "channel_id": "RefArch"}, headers=private
    )
    contract.check("POST", SLAS + "/token", guest)
    login_data = {"redirect_uri": CALLBACK, "channel_id": "RefArch", "client_id": PUBLIC, "code_challenge": CHALLENGE}
    shopper = basic("shopper@mockown.test", "Sh0pper!")
    login = client.post(BASE + "/login", data=login_data, headers=shopper)
    contract.check("POST", SLAS + "/login", login)
    contract.check("POST", SLAS + "/login", client.post(BASE + "/login", data=login_data, headers=shopper))
    clock.advance(2)
    contract.check("POST", SLAS + "/login", client.post(BASE + "/login", data=login_data, headers=basic("a", "b")))
    contract.check(
        "POST", SLAS + "/login", client.post(BASE + "/login", data={**login_data, "client_id": "x"}, headers=shopper)
    )
    code = parse_qs(urlsplit(login.headers["location"]).query)["code"][0]
    registered = client.post(BASE + "/token", data={**data, "code": code}).json()
    sb = {
        "grant_type": "client_credentials",
        "channel_id": "RefArch",
        "login_id": "shopper@mockown.test",
        "dwsid": "MockownDemoDwsid0000000000000000000000001",
    }
    contract.check(
        "POST", SLAS + "/session-bridge/token", client.post(BASE + "/session-bridge/token", data=sb, headers=private)
    )
    contract.check(
        "POST",
        SLAS + "/session-bridge/token",
        client.post(BASE + "/session-bridge/token", data={**sb, "dwsid": "x"}, headers=private),
    )
    contract.check("POST", SLAS + "/session-bridge/token", client.post(BASE + "/session-bridge/token", data=sb))
    ts = TRUSTED_SYSTEM
    url = BASE + "/trusted-system/token"
    contract.check("POST", SLAS + "/trusted-system/token", client.post(url, data=ts, headers=private))
    contract.check("POST", SLAS + "/trusted-system/token", client.post(url, data=ts, headers=private))
    clock.advance(2)
    contract.check("POST", SLAS + "/trusted-system/token", client.post(url, data={**ts, "hint": "x"}, headers=private))
    contract.check("POST", SLAS + "/trusted-system/token", client.post(url, data=ts))
    access = guest.json()["access_token"]
    for value in (access, guest.json()["refresh_token"], "nope"):
        contract.check(
            "POST", SLAS + "/introspect", client.post(BASE + "/introspect", data={"token": value}, headers=private)
        )
    contract.check("POST", SLAS + "/introspect", client.post(BASE + "/introspect", data={}, headers=private))
    contract.check("POST", SLAS + "/introspect", client.post(BASE + "/introspect", data={"token": "x"}))
    for bearer in (registered["access_token"], access, "nope"):
        userinfo = client.get(BASE + "/userinfo", headers={"Authorization": f"Bearer {bearer}"})
        contract.check("GET", SLAS + "/userinfo", userinfo)
    logout = {"client_id": PUBLIC, "refresh_token": registered["refresh_token"], "channel_id": "RefArch"}
    auth_header = {"Authorization": f"Bearer {registered['access_token']}"}
    contract.check(
        "GET", SLAS + "/logout", client.get(BASE + "/logout", params={**logout, "hint": "x"}, headers=auth_header)
    )
    contract.check("GET", SLAS + "/logout", client.get(BASE + "/logout", params=logout, headers=auth_header))
    revoke = {"token": guest.json()["refresh_token"]}
    contract.check("POST", SLAS + "/revoke", client.post(BASE + "/revoke", data=revoke, headers=private))
    contract.check("POST", SLAS + "/revoke", client.post(BASE + "/revoke", data=revoke))
    contract.check("POST", SLAS + "/revoke", client.post(BASE + "/revoke", data={}, headers=private))
    contract.check(
        "GET", SLAS + "/.well-known/openid-configuration", client.get(BASE + "/.well-known/openid-configuration")
    )
    for _ in range(26):
        contract.check("GET", SLAS + "/jwks", client.get(BASE + "/jwks"))
    assert [op for op in contract.unexercised() if SLAS in op] == []

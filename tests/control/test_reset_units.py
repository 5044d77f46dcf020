"""`POST /_mockown/reset` removes one seeded unit of Marketing Cloud or B2C Commerce (a Marketing Cloud tenant,
an Account Manager client or user, a B2C instance, a SLAS tenant) and everything issued under it: the store is
left exactly as it was before the unit was seeded and used (the other tenants' rows untouched), the unit can be
seeded again under the same names, and the codes and tokens issued before no longer work. An unknown one is
a 404 in the control dialect. (Run on SQLite too: ``-p tests.persistence.sqlite_everywhere``.)"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

AM = "http://account.demandware.com/dwsso/oauth2/access_token"
AM_CID, AM_SECRET = "mockown-am-client-000000000001", "MockownAmSecret0001"  # the default seed's
CALLBACK = "http://localhost:8080/callback"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def rows(client: httpx.Client) -> dict[str, set[str]]:
    """Every row of the store, by table (the global Account Manager rate-limit window left out: any call to
    Account Manager counts there, whichever client makes it)."""
    store = client.get("/_mockown/snapshot").json()["store"]
    return {
        table: {json.dumps(r, sort_keys=True) for r in found if not str(r.get("id", "")).startswith("am|")}
        for table, found in store.items()
        if table != "_meta"
    }


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


# -- the units: how to seed one, use it, and tell that what it issued is dead ----------------------------------
SUB = "mcresetunit00000000000000000"
MC_SERVER = {"client_id": "mcresetserver00000000000", "client_secret": "McResetServerSecret00000"}
MC_WEB = {"client_id": "mcresetweb0000000000000000", "client_secret": "McResetWebSecret000000000"}
MC_TENANT = {
    "eid": 10999999,
    "subdomain": SUB,
    "users": [{"username": "mc-reset@mockown.test", "password": "McResetPassw0rd"}],
    "integrations": [
        {**MC_SERVER, "type": "server"},
        {**MC_WEB, "type": "web", "redirect_urls": [CALLBACK]},
    ],
}


def mc_use(client: httpx.Client) -> Callable[[], None]:
    base = f"/mc/{SUB}/v2"
    cc = ok(client.post(f"{base}/token", json={"grant_type": "client_credentials", **MC_SERVER}))["access_token"]

    def code() -> str:
        query = {"response_type": "code", "client_id": MC_WEB["client_id"], "redirect_uri": CALLBACK}
        response = client.get(f"{base}/authorize", params=query)
        assert response.status_code == 302, response.text
        return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]

    def redeem(value: str) -> httpx.Response:
        body = {"grant_type": "authorization_code", "code": value, "redirect_uri": CALLBACK, **MC_WEB}
        return client.post(f"{base}/token", json=body)

    web = ok(redeem(code()))
    unused = code()
    assert client.get(f"{base}/userinfo", headers={"Authorization": f"Bearer {web['access_token']}"}).is_success

    def dead() -> None:
        for token in (cc, web["access_token"]):
            assert client.get(f"{base}/userinfo", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        refresh = {"grant_type": "refresh_token", "refresh_token": web["refresh_token"], **MC_WEB}
        assert client.post(f"{base}/token", json=refresh).status_code in (400, 401)
        assert redeem(unused).status_code in (400, 401)

    return dead


AM_CLIENT = {"client_id": "mockown-am-reset-0000000000001", "client_secret": "AmResetSecret0001"}
AM_USER = {"login": "am-reset@mockown.test", "password": "AmResetPassw0rd"}


def am_refresh(client: httpx.Client, token: str, headers: dict[str, str]) -> httpx.Response:
    return client.post(AM, data={"grant_type": "refresh_token", "refresh_token": token}, headers=headers)


def am_client_use(client: httpx.Client) -> Callable[[], None]:
    auth = basic(AM_CLIENT["client_id"], AM_CLIENT["client_secret"])
    ok(client.post(AM, data={"grant_type": "client_credentials"}, headers=auth))
    password = {"grant_type": "password", "username": "am-admin@mockown.test", "password": "AmPassw0rd!"}
    refresh = ok(client.post(AM, data=password, headers=auth))["refresh_token"]

    def dead() -> None:
        assert am_refresh(client, refresh, auth).status_code == 400

    return dead


def am_user_use(client: httpx.Client) -> Callable[[], None]:
    auth = basic(AM_CID, AM_SECRET)
    password = {"grant_type": "password", "username": AM_USER["login"], "password": AM_USER["password"]}
    refresh = ok(client.post(AM, data=password, headers=auth))["refresh_token"]

    def dead() -> None:
        assert am_refresh(client, refresh, auth).status_code == 400

    return dead


HOST = "zzre-001.dx.commercecloud.salesforce.com"
INSTANCE = {
    "host": HOST,
    "bm_users": [{"login": "bm-reset", "password": "BmResetPassw0rd"}],
    "sites": [
        {
            "id": "ResetSite",
            "client_ids": [AM_CID],
            "customers": [{"login": "reset-shopper@mockown.test", "password": "Sh0pper!"}],
            "sessions": [{"customer": "guest"}],
        }
    ],
}


def instance_use(client: httpx.Client) -> Callable[[], None]:
    url = f"/b2c/instances/{HOST}/s/ResetSite/dw/shop/v24_5/customers/auth"
    headers = {"x-dw-client-id": AM_CID}
    guest = client.post(url, json={"type": "guest"}, headers=headers)
    registered = client.post(
        url, json={"type": "credentials"}, headers={**headers, **basic("reset-shopper@mockown.test", "Sh0pper!")}
    )
    tokens = [ok(r).get("customer_id") and r.headers["authorization"] for r in (guest, registered)]
    bm = {"grant_type": "urn:demandware:params:oauth:grant-type:client-id:dwsid:dwsecuretoken"}
    ok(client.post(f"/b2c/instances/{HOST}/dw/oauth2/access_token?client_id={AM_CID}", data=bm,
                   headers=basic("bm-reset", f"BmResetPassw0rd:{AM_SECRET}")))  # fmt: skip

    def dead() -> None:
        for token in tokens:
            refresh = client.post(url, json={"type": "refresh"}, headers={**headers, "Authorization": token})
            assert refresh.status_code == 401, refresh.text

    return dead


ORG = "f_ecom_zzre_001"
SLAS_PRIVATE, SLAS_SECRET = "mockown-slas-reset-private", "SlasResetSecret0001"
SLAS_TENANT = {
    "org_id": ORG,
    "short_code": "resetunit",
    "clients": [{"client_id": SLAS_PRIVATE, "client_secret": SLAS_SECRET, "channels": ["RefArch"]}],
    "shoppers": [{"login": "slas-reset@mockown.test", "password": "Sh0pper!"}],
}


def slas_use(client: httpx.Client) -> Callable[[], None]:
    token = f"/shopper/auth/v1/organizations/{ORG}/oauth2/token"
    auth = basic(SLAS_PRIVATE, SLAS_SECRET)
    first = ok(client.post(token, data={"grant_type": "client_credentials", "channel_id": "RefArch"}, headers=auth))
    for _ in range(3):  # counters too
        ok(client.post(token, data={"grant_type": "client_credentials", "channel_id": "RefArch"}, headers=auth))

    def dead() -> None:
        data = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "channel_id": "RefArch"}
        assert client.post(token, data=data, headers=auth).status_code in (400, 401)

    return dead


@dataclass(frozen=True)
class Unit:
    selector: str
    key: str
    seed: dict[str, Any]
    use: Callable[[httpx.Client], Callable[[], None]]
    table: str  # where the unit's own row lives


UNITS = [
    Unit("marketing_tenant", SUB, {"marketing": {"tenants": [MC_TENANT]}}, mc_use, "mc_tenants"),
    Unit("marketing_tenant", "10999999", {"marketing": {"tenants": [MC_TENANT]}}, mc_use, "mc_tenants"),
    Unit("am_client", AM_CLIENT["client_id"], {"b2c": {"account_manager": {"clients": [AM_CLIENT]}}},
         am_client_use, "b2c_am_clients"),
    Unit("am_user", AM_USER["login"], {"b2c": {"account_manager": {"users": [AM_USER]}}}, am_user_use,
         "b2c_am_users"),
    Unit("b2c_instance", HOST, {"b2c": {"instances": [INSTANCE]}}, instance_use, "b2c_instances"),
    Unit("slas_tenant", ORG, {"b2c": {"slas": {"tenants": [SLAS_TENANT]}}}, slas_use, "b2c_slas_tenants"),
]  # fmt: skip


def use_the_defaults(client: httpx.Client) -> Callable[[], None]:
    """Tokens of the default seed's tenants, which every reset of another unit must leave working."""
    mc = ok(client.post("/mc/mcmockowndemo000000000000000/v2/token", json={
        "grant_type": "client_credentials", "client_id": "mockowndemoserver0000000a",
        "client_secret": "MockownMcServerSecret000"}))["access_token"]  # fmt: skip
    password = {"grant_type": "password", "username": "am-admin@mockown.test", "password": "AmPassw0rd!"}
    am = ok(client.post(AM, data=password, headers=basic(AM_CID, AM_SECRET)))["refresh_token"]
    slas_token = "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2/token"
    slas_auth = basic("mockown-slas-private", "MockownSlasSecret0001")
    slas = ok(client.post(slas_token, data={"grant_type": "client_credentials", "channel_id": "RefArch"},
                          headers=slas_auth))["refresh_token"]  # fmt: skip

    def alive() -> None:
        nonlocal am
        userinfo = client.get("/mc/mcmockowndemo000000000000000/v2/userinfo", headers={"Authorization": f"Bearer {mc}"})
        assert userinfo.status_code == 200, userinfo.text
        am = ok(am_refresh(client, am, basic(AM_CID, AM_SECRET)))["refresh_token"]  # rotated: the next one
        data = {"grant_type": "refresh_token", "refresh_token": slas, "channel_id": "RefArch"}
        assert client.post(slas_token, data=data, headers=slas_auth).status_code == 200

    return alive


@pytest.mark.parametrize("unit", UNITS, ids=[f"{u.selector}-{u.key}" for u in UNITS])
def test_reset_removes_exactly_the_unit_and_what_it_issued(client: httpx.Client, unit: Unit) -> None:
    alive = use_the_defaults(client)
    before = rows(client)
    ok(client.post("/_mockown/seed", json=unit.seed), 201)
    dead = unit.use(client)
    used = rows(client)
    grown = {t for t in used if used[t] - before.get(t, set())}
    assert unit.table in grown and len(grown) >= 2, grown  # the unit, and what was issued under it

    answer = ok(client.post("/_mockown/reset", json={unit.selector: unit.key}))
    assert answer["reset"] == unit.selector and answer[unit.selector] == unit.key and answer["deleted"] is True
    assert answer["removed"] == {t: len(used[t] - before.get(t, set())) for t in grown}
    assert rows(client) == before  # exactly the unit's rows went; nothing else changed
    alive()  # the other tenants' tokens work on

    ok(client.post("/_mockown/seed", json=unit.seed), 201)  # the same names are free again ...
    dead()  # ... and nothing issued before works under them
    alive()


@pytest.mark.parametrize(
    ("selector", "key"),
    [
        ("marketing_tenant", "mcnosuchtenant00000000000000"),
        ("marketing_tenant", "12345"),
        ("am_client", "no-such-client"),
        ("am_user", "nobody@mockown.test"),
        ("b2c_instance", "nope-001.dx.commercecloud.salesforce.com"),
        ("slas_tenant", "f_ecom_none_001"),
        ("slas_tenant", "not an org id\n"),
    ],
)
def test_an_unknown_unit_is_a_404_and_changes_nothing(client: httpx.Client, selector: str, key: str) -> None:
    before = rows(client)
    response = client.post("/_mockown/reset", json={selector: key})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found" and key in response.json()["message"]
    assert rows(client) == before


def test_one_unit_at_a_time(client: httpx.Client) -> None:
    response = client.post("/_mockown/reset", json={"am_client": AM_CID, "slas_tenant": "f_ecom_zzxy_001"})
    assert response.status_code == 400 and "one thing at a time" in response.json()["message"]
    response = client.post("/_mockown/reset", json={"org": "00D5g000004MockEAC", "marketing_tenant": "10123456"})
    assert response.status_code == 400
    assert client.post("/_mockown/reset", json={"mc_tenant": "x"}).status_code == 400  # unknown field


@pytest.mark.parametrize("selector", ["org", "account", "marketing_tenant", "am_client", "am_user", "b2c_instance",
                                      "slas_tenant"])  # fmt: skip
@pytest.mark.parametrize("value", ["", " ", None])
def test_a_selector_without_a_value_is_a_400_not_a_full_reset(
    client: httpx.Client, selector: str, value: str | None
) -> None:
    """`reset(account=handle.own_account_id)` with no account, or an unset variable: it reset the whole server
    (every other test's orgs, tenants and tokens on a shared one) as if the field were left out."""
    ok(client.post("/_mockown/seed", json={"marketing": {"tenants": [MC_TENANT]}}), 201)
    before = rows(client)
    response = client.post("/_mockown/reset", json={selector: value})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request" and selector in response.json()["message"]
    assert rows(client) == before


def test_a_selector_of_zero_is_looked_up_not_a_500(client: httpx.Client) -> None:
    assert client.post("/_mockown/reset", json={"am_client": 0}).status_code == 404
    assert client.post("/_mockown/reset", json={"org": 0}).status_code == 400  # not an org id


@pytest.mark.parametrize(
    "body", [{"delete": True}, {"delete": False}, {"account": "1001", "delete": True},
             {"am_client": AM_CID, "seed": False}, {"org": "00D5g000004MockEAC", "clock": False}],
)  # fmt: skip
def test_a_flag_of_another_kind_of_reset_is_a_400_not_ignored(client: httpx.Client, body: dict[str, Any]) -> None:
    """`delete` goes with `org`, `seed` and `clock` with a full reset: `{"delete": true}` alone (an org id left
    out) reset the whole server, and a stray flag beside another selector was silently ignored."""
    ok(client.post("/_mockown/seed", json={"marketing": {"tenants": [MC_TENANT]}}), 201)
    before = rows(client)
    response = client.post("/_mockown/reset", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert rows(client) == before

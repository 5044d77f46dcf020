"""SLAS's session bridge reads the storefront sessions of its tenant's own B2C instance (`SlasTenant.instance`,
"the B2C instance whose sessions the session bridge reads"): a `dwsid`, or an OCAPI JWT sent as `dwsgst` / `dwsrst`,
of another instance is no session there (400 `Bad or missing dwsid.`, as an unknown one). The mock read every
instance's sessions, so a tenant bridged a shopper of another instance (another realm's customer) into its own
tokens. A session of the tenant's instance still bridges."""

from __future__ import annotations

import httpx

SLAS = "/b2c/kv7kzm78/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2"
BRIDGE = SLAS + "/session-bridge/token"
PRIVATE = ("mockown-slas-private", "MockownSlasSecret0001")
OTHER = "other-002.dx.commercecloud.salesforce.com"
OTHER_DWSID = "OtherInstanceDwsid00000000000000000000001"
CLIENT = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"


def _other_instance(client: httpx.Client) -> None:
    victim = {"customer_id": "abothercustomer00000000001", "login": "victim@other.test", "password": "V1ct!m"}
    site = {
        "id": "RefArch",  # the same site id as the tenant's channel: only the instance differs
        "client_ids": [CLIENT],
        "customers": [victim],
        "sessions": [{"dwsid": OTHER_DWSID, "customer": "victim@other.test"}],
    }
    r = client.post("/_mockown/seed", json={"b2c": {"instances": [{"host": OTHER, "sites": [site]}]}})
    assert r.status_code == 201, r.text


def _bridge(client: httpx.Client, login: str, **session: str) -> httpx.Response:
    form = {"grant_type": "client_credentials", "channel_id": "RefArch", "login_id": login, **session}
    return client.post(BRIDGE, auth=PRIVATE, data=form)


def test_a_dwsid_of_another_instance_does_not_bridge(client: httpx.Client) -> None:
    _other_instance(client)
    r = _bridge(client, "victim@other.test", dwsid=OTHER_DWSID)
    assert r.status_code == 400
    assert r.json()["error_description"] == "Bad or missing dwsid."
    mine = _bridge(client, "shopper@mockown.test", dwsid="MockownDemoDwsid0000000000000000000000001")
    assert mine.status_code == 200, mine.text


def test_an_ocapi_jwt_of_another_instance_does_not_bridge(client: httpx.Client) -> None:
    _other_instance(client)
    r = client.post(
        f"/b2c/instances/{OTHER}/s/RefArch/dw/shop/v24_5/customers/auth",
        headers={"x-dw-client-id": CLIENT},
        json={"type": "credentials"},
        auth=("victim@other.test", "V1ct!m"),
    )
    assert r.status_code == 200, r.text
    jwt = r.headers["authorization"].split()[1]
    r = _bridge(client, "victim@other.test", dwsrst=jwt)
    assert r.status_code == 400
    assert r.json()["error_description"] == "Bad or missing dwsid."

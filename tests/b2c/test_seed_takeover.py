"""A storefront customer (`customer_id`) and a session (`dwsid`) are stored by a key global to the server, not per
site: a seed naming one that exists already (another instance's, or twice in one document) overwrote it, so the
other site's shopper could no longer sign in, and the reset of the seeding instance then deleted that customer,
after which a refresh of its JWT crashed (500). The seed refuses it, as an existing client, user, instance or
tenant; and a refresh whose customer is gone is an invalid token, not a crash."""

from __future__ import annotations

import base64

import httpx

from mockown.runtime import Runtime

AUTH = "/s/RefArch/dw/shop/v24_5/customers/auth"
CLIENT = {"x-dw-client-id": "a" * 30}
SHOPPER = {"Authorization": "Basic " + base64.b64encode(b"shopper@mockown.test:Sh0pper!").decode()}
DEFAULT_CUSTOMER = "abmockownshopper0000000001"
DWSID = "MockownDemoDwsid0000000000000000000000001"
OTHER = "other-001.dx.commercecloud.salesforce.com"


def _auth(client: httpx.Client, kind: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return client.post(AUTH, json={"type": kind}, headers={**CLIENT, **(headers or {})})


def _site(**extra: object) -> dict[str, object]:
    site = {"id": "RefArch", "client_ids": ["a" * 30], **extra}
    return {"b2c": {"instances": [{"host": OTHER, "sites": [site]}]}}


def test_seeding_an_existing_customer_id_is_refused_and_changes_nothing(client: httpx.Client) -> None:
    customer = {"customer_id": DEFAULT_CUSTOMER, "login": "x@y.test", "password": "Pw123456!"}
    response = client.post("/_mockown/seed", json=_site(customers=[customer]))
    assert response.status_code == 400, response.text
    assert response.json()["message"] == f"customer {DEFAULT_CUSTOMER} exists already"
    assert OTHER not in client.get("/_mockown/snapshot").text  # nothing of the document stored
    assert _auth(client, "credentials", SHOPPER).json()["customer_id"] == DEFAULT_CUSTOMER


def test_one_customer_id_twice_in_a_seed_is_refused(client: httpx.Client) -> None:
    twice = [{"customer_id": "ab" + "x" * 24, "login": f"{n}@y.test"} for n in ("one", "two")]
    response = client.post("/_mockown/seed", json=_site(customers=twice))
    assert response.status_code == 400 and "exists already" in response.json()["message"]


def test_seeding_an_existing_dwsid_is_refused_and_changes_nothing(client: httpx.Client) -> None:
    response = client.post("/_mockown/seed", json=_site(sessions=[{"dwsid": DWSID}]))
    assert response.status_code == 400, response.text
    assert "exists already" in response.json()["message"]
    assert OTHER not in client.get("/_mockown/snapshot").text
    assert _auth(client, "session", {"Cookie": f"dwsid={DWSID}"}).json()["auth_type"] == "registered"


def test_a_new_customer_and_dwsid_are_seeded_and_reset_leaves_the_default_site_alone(client: httpx.Client) -> None:
    customer = {"customer_id": "ab" + "n" * 24, "login": "x@y.test", "password": "Pw123456!"}
    seeded = client.post("/_mockown/seed", json=_site(customers=[customer], sessions=[{"dwsid": "D" * 40}]))
    assert seeded.status_code == 201, seeded.text
    token = _auth(client, "credentials", SHOPPER).headers["authorization"]
    assert client.post("/_mockown/reset", json={"b2c_instance": OTHER}).status_code == 200
    assert _auth(client, "refresh", {"Authorization": token}).json()["customer_id"] == DEFAULT_CUSTOMER
    assert _auth(client, "session", {"Cookie": f"dwsid={DWSID}"}).status_code == 200


def test_a_refresh_whose_customer_is_gone_is_an_invalid_token(client: httpx.Client, runtime: Runtime) -> None:
    token = _auth(client, "credentials", SHOPPER).headers["authorization"]
    runtime.b2c.ocapi.customers.delete(DEFAULT_CUSTOMER)  # e.g. state restored from before the customer existed
    response = _auth(client, "refresh", {"Authorization": token})
    assert response.status_code == 401, response.text
    assert response.json()["fault"]["type"] == "InvalidAccessTokenException"

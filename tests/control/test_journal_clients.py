"""The journal names the client of every OAuth request, on every API, however it authenticates: `client_id` in
the body or query, `clientId` (Marketing Cloud's legacy v1/requestToken), or HTTP Basic on a token request or a
revocation/introspection (Salesforce, Account Manager, SLAS). So a `client_id=` fault rule fires there, and a
journal query by `client_id` finds the request. Basic that carries a user's credentials names no client."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ..conftest import CID, SECRET

AM = "http://account.demandware.com/dwsso/oauth2/access_token"
AM_CID, AM_SECRET = "mockown-am-client-000000000001", "MockownAmSecret0001"
SLAS = "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2"
SLAS_CID, SLAS_SECRET = "mockown-slas-private", "MockownSlasSecret0001"
MC = "/mc/mcmockowndemo000000000000000"
MC_SERVER = {"client_id": "mockowndemoserver0000000a", "client_secret": "MockownMcServerSecret000"}
MC_LEGACY = {"clientId": "mockowndemolegacy0000000", "clientSecret": "MockownMcLegacySecret000"}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def slas_refresh(client: httpx.Client) -> str:
    data = {"grant_type": "client_credentials", "channel_id": "RefArch"}
    response = client.post(f"{SLAS}/token", data=data, headers=basic(SLAS_CID, SLAS_SECRET))
    assert response.status_code == 200, response.text
    token: str = response.json()["refresh_token"]
    return token


Call = Callable[[httpx.Client], httpx.Response]
CASES: dict[str, tuple[str, str, Call]] = {
    "account manager, basic": (
        "/dwsso/oauth2/access_token",
        AM_CID,
        lambda c: c.post(AM, data={"grant_type": "client_credentials"}, headers=basic(AM_CID, AM_SECRET)),
    ),
    "account manager, form-encoded basic": (
        "/dwsso/oauth2/access_token",
        "a b",  # RFC 6749 §2.3.1: each half of the pair is form-URL-encoded
        lambda c: c.post(AM, data={"grant_type": "client_credentials"}, headers=basic("a+b", "x")),
    ),
    "slas token, basic": (
        f"{SLAS}/token",
        SLAS_CID,
        lambda c: c.post(f"{SLAS}/token", data={"grant_type": "client_credentials", "channel_id": "RefArch"},
                         headers=basic(SLAS_CID, SLAS_SECRET)),
    ),
    "slas revoke, basic": (
        f"{SLAS}/revoke",
        SLAS_CID,
        lambda c: c.post(f"{SLAS}/revoke", data={"token": slas_refresh(c)}, headers=basic(SLAS_CID, SLAS_SECRET)),
    ),
    "slas introspect, basic": (
        f"{SLAS}/introspect",
        SLAS_CID,
        lambda c: c.post(f"{SLAS}/introspect", data={"token": slas_refresh(c)},
                         headers=basic(SLAS_CID, SLAS_SECRET)),
    ),
    "marketing cloud v2, json body": (
        f"{MC}/v2/token",
        MC_SERVER["client_id"],
        lambda c: c.post(f"{MC}/v2/token", json={"grant_type": "client_credentials", **MC_SERVER}),
    ),
    "marketing cloud v1, clientId": (
        f"{MC}/v1/requestToken",
        MC_LEGACY["clientId"],
        lambda c: c.post(f"{MC}/v1/requestToken", json=MC_LEGACY),
    ),
    "salesforce token, basic": (
        "/services/oauth2/token",
        CID,
        lambda c: c.post("/services/oauth2/token", data={"grant_type": "client_credentials"},
                         headers=basic(CID, SECRET)),
    ),
}  # fmt: skip


def last_entry(client: httpx.Client, path: str) -> dict[str, Any]:
    entries = client.get("/_mockown/journal", params={"path": path}).json()["entries"]
    assert entries, path
    entry: dict[str, Any] = entries[-1]
    return entry


@pytest.mark.parametrize("case", list(CASES))
def test_a_client_id_fault_fires_and_the_journal_names_the_client(client: httpx.Client, case: str) -> None:
    path, client_id, call = CASES[case]
    other = client.post("/_mockown/faults", json={"path": path, "client_id": "someone-else", "status": 500})
    rule = client.post("/_mockown/faults", json={"path": path, "client_id": client_id, "status": 503, "times": 1})
    assert rule.status_code == 201 and other.status_code == 201, rule.text
    assert call(client).status_code == 503
    entry = last_entry(client, path)
    assert entry["client_id"] == client_id and entry["fault"] == rule.json()["id"]
    assert call(client).status_code != 503  # once only; the other client's rule never fires
    assert last_entry(client, path)["fault"] is None
    found = client.get("/_mockown/journal", params={"path": path, "client_id": client_id}).json()["entries"]
    assert len(found) == 2
    assert "Basic" not in str(entry) or entry["headers"]["authorization"] == "Basic [redacted]"


def test_basic_that_carries_a_user_names_no_client(client: httpx.Client) -> None:
    """OCAPI's customer login and SLAS's shopper login travel in Basic: neither is a client id."""
    ocapi = "/s/RefArch/dw/shop/v24_5/customers/auth"
    headers = {"x-dw-client-id": "a" * 30, **basic("shopper@mockown.test", "Sh0pper!")}
    customer = client.post(ocapi, json={"type": "credentials"}, headers=headers)
    assert customer.status_code == 200, customer.text
    assert last_entry(client, ocapi)["client_id"] is None
    login = {"client_id": "mockown-slas-public", "redirect_uri": "http://localhost:3000/callback",
             "channel_id": "RefArch", "code_challenge": "c" * 43}  # fmt: skip
    client.post(f"{SLAS}/login", data=login, headers=basic("shopper@mockown.test", "Sh0pper!"))
    assert last_entry(client, f"{SLAS}/login")["client_id"] == "mockown-slas-public"


def test_a_request_without_client_or_basic_names_none(client: httpx.Client) -> None:
    client.get(f"{MC}/v2/userinfo", headers={"Authorization": "Bearer nope"})
    client.post(AM, data={"grant_type": "client_credentials"})
    assert last_entry(client, f"{MC}/v2/userinfo")["client_id"] is None
    assert last_entry(client, "/dwsso/oauth2/access_token")["client_id"] is None

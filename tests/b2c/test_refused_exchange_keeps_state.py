"""A refused SLAS exchange loses nothing stored: an authorization code is spent only by the exchange that passes
every check and is issued its tokens (README: "spent only by the exchange that passes its checks"). A session-bridge
code refused for its channel_id, or sent to the wrong endpoint, and a code whose tokens fail the `isb` length check,
stay redeemable."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from .test_slas import BASE, CALLBACK, CHALLENGE, PUBLIC, VERIFIER, basic, guest_code, pkce_token, problem

BRIDGE = BASE + "/session-bridge/token"
DWSID = "MockownDemoDwsid0000000000000000000000001"
# a tenant whose shopper's login and names make an `isb` of 256 characters or more with a long channel_id
LONG_ORG = "f_ecom_abcd_001"
LONG_BASE = f"/b2c/ab12cd34/shopper/auth/v1/organizations/{LONG_ORG}/oauth2"
LONG_LOGIN = "l" * 90 + "@x.test"
INVALID_CODE = "Invalid authorization code."


def _bridge_code(client: httpx.Client, hint: str = "sb-user") -> str:
    query = {"client_id": PUBLIC, "response_type": "code", "redirect_uri": CALLBACK, "hint": hint,
             "code_challenge": CHALLENGE, "channel_id": "RefArch"}  # fmt: skip
    located = client.get(BASE + "/authorize", params=query)
    assert located.status_code == 303, located.text
    return parse_qs(urlsplit(located.headers["location"]).query)["code"][0]


def _bridge(code: str, **extra: str) -> dict[str, str]:
    return {"grant_type": "session_bridge", "client_id": PUBLIC, "channel_id": "RefArch", "code": code,
            "code_verifier": VERIFIER, "login_id": "shopper@mockown.test", "dwsid": DWSID, **extra}  # fmt: skip


def test_a_bridge_code_refused_for_its_channel_stays_redeemable(client: httpx.Client) -> None:
    code = _bridge_code(client)
    problem(
        client.post(BRIDGE, data=_bridge(code, channel_id="Typo")), 400, "invalid_request", "Bad or missing channel_id."
    )
    response = client.post(BRIDGE, data=_bridge(code))
    assert response.status_code == 200, response.text
    problem(client.post(BRIDGE, data=_bridge(code)), 400, "invalid_request", INVALID_CODE)  # then spent


def test_a_bridge_code_refused_for_its_session_stays_redeemable(client: httpx.Client) -> None:
    code = _bridge_code(client)
    problem(client.post(BRIDGE, data=_bridge(code, dwsid="nope")), 400, "invalid_request", "Bad or missing dwsid.")
    problem(client.post(BRIDGE, data=_bridge(code, login_id="guest")), 400, "invalid_request")
    assert client.post(BRIDGE, data=_bridge(code)).status_code == 200


def test_a_bridge_code_sent_to_the_token_endpoint_stays_redeemable(client: httpx.Client) -> None:
    code = _bridge_code(client)
    data = {"grant_type": "authorization_code_pkce", "client_id": PUBLIC, "channel_id": "RefArch", "code": code,
            "code_verifier": VERIFIER, "redirect_uri": CALLBACK}  # fmt: skip
    problem(client.post(BASE + "/token", data=data), 400, "invalid_request", INVALID_CODE)
    assert client.post(BRIDGE, data=_bridge(code)).status_code == 200


def test_a_guest_code_sent_to_the_bridge_stays_redeemable(client: httpx.Client) -> None:
    code, usid = guest_code(client)
    problem(client.post(BRIDGE, data=_bridge(code)), 400, "invalid_request", INVALID_CODE)
    assert pkce_token(client, code, usid).status_code == 200


def _long_login_code(client: httpx.Client) -> str:
    """A code of a public client (`pub2`) for a shopper whose `isb` is 256 characters or more with a channel_id of
    100 characters (and shorter with `a`)."""
    shopper = {"login": LONG_LOGIN, "password": "Pw12345!", "first_name": "F" * 25, "last_name": "L" * 25}
    clients = [{"client_id": "pub2", "redirect_uris": [CALLBACK]}]
    tenant = {"org_id": LONG_ORG, "short_code": "ab12cd34", "clients": clients, "shoppers": [shopper]}
    assert client.post("/_mockown/seed", json={"b2c": {"slas": {"tenants": [tenant]}}}).status_code == 201
    located = client.post(
        LONG_BASE + "/login",
        data={"client_id": "pub2", "redirect_uri": CALLBACK, "channel_id": "a", "code_challenge": CHALLENGE},
        headers=basic(LONG_LOGIN, "Pw12345!"),
    )
    assert located.status_code == 303, located.text
    return parse_qs(urlsplit(located.headers["location"]).query)["code"][0]


def test_a_code_whose_tokens_fail_the_isb_length_stays_redeemable(client: httpx.Client) -> None:
    code = _long_login_code(client)
    data = {"grant_type": "authorization_code_pkce", "client_id": "pub2", "code": code, "code_verifier": VERIFIER,
            "redirect_uri": CALLBACK}  # fmt: skip
    too_long = client.post(LONG_BASE + "/token", data={**data, "channel_id": "c" * 100})
    problem(too_long, 400, "invalid_request", "Issuer Subject length must be less than 256 characters")
    assert client.post(LONG_BASE + "/token", data={**data, "channel_id": "a"}).status_code == 200


def test_a_public_refresh_refused_for_the_isb_length_keeps_the_refresh_token(client: httpx.Client) -> None:
    """A public client's refresh rotates its refresh token: the old one is voided only once the new tokens are
    issued, so a refresh refused for the `isb` length leaves it usable."""
    code = _long_login_code(client)
    data = {"grant_type": "authorization_code_pkce", "client_id": "pub2", "code": code, "code_verifier": VERIFIER,
            "redirect_uri": CALLBACK, "channel_id": "a"}  # fmt: skip
    issued = client.post(LONG_BASE + "/token", data=data)
    assert issued.status_code == 200, issued.text
    refresh = {"grant_type": "refresh_token", "client_id": "pub2", "refresh_token": issued.json()["refresh_token"]}
    too_long = client.post(LONG_BASE + "/token", data={**refresh, "channel_id": "c" * 100})
    problem(too_long, 400, "invalid_request", "Issuer Subject length must be less than 256 characters")
    rotated = client.post(LONG_BASE + "/token", data={**refresh, "channel_id": "a"})
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["refresh_token"] != refresh["refresh_token"]
    problem(client.post(LONG_BASE + "/token", data={**refresh, "channel_id": "a"}), 400, "invalid_request")  # voided

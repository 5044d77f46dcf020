"""A code, a refresh token or a device code of org A's user, redeemed at org B's My Domain, is unknown there (as
Salesforce's My Domain serves its own org: there is no such code or token in B), answered as an unknown one:
`invalid_grant` `invalid authorization code` / `expired access/refresh token` / `invalid device code`. The mock issued
a token on B's host, which `foreign_session` then refused at once. Nothing is spent: each still works at a host that
serves A."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.salesforce.test_my_domain_login import AUTHORIZE, FOREIGN, ORGS, OWN, PASSWORD, SECRET, hidden, seed

TOKEN = "/services/oauth2/token"
OPEN = "testserver"  # the mock's own address: every org's


def _code(client: httpx.Client, name: str) -> str:
    """A code for the org's user, signed in at the mock's own address (asking for a refresh token too)."""
    params = {"response_type": "code", "client_id": f"App{name}", "redirect_uri": "https://client.test/cb",
              "scope": "api refresh_token", "prompt": "login"}  # fmt: skip
    page = client.get(AUTHORIZE, params=params, headers={"Host": OPEN})
    form = {**hidden(page.text), "username": f"u@{name}.test", "password": PASSWORD}
    r = client.post(f"{AUTHORIZE}/login", data=form, headers={"Host": OPEN})
    assert r.status_code in (302, 303), r.text
    return parse_qs(urlsplit(r.headers["location"]).query)["code"][0]


def _redeem(client: httpx.Client, name: str, code: str, host: str) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "client_id": f"App{name}", "client_secret": SECRET,
            "redirect_uri": "https://client.test/cb"}  # fmt: skip
    return client.post(TOKEN, data=form, headers={"Host": host})


def _refresh(client: httpx.Client, name: str, token: str, host: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": f"App{name}", "client_secret": SECRET}
    return client.post(TOKEN, data=form, headers={"Host": host})


@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_a_code_redeemed_at_another_orgs_my_domain_is_unknown_there(client: httpx.Client, name: str, host: str) -> None:
    seed(client)
    code = _code(client, name)
    r = _redeem(client, name, code, host)
    assert (r.status_code, r.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "invalid authorization code"},
    )
    assert _redeem(client, name, code, OPEN).status_code == 200  # not spent


@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_a_refresh_token_used_at_another_orgs_my_domain_is_unknown_there(
    client: httpx.Client, name: str, host: str
) -> None:
    seed(client, rotation=True)
    refresh = _redeem(client, name, _code(client, name), OPEN).json()["refresh_token"]
    r = _refresh(client, name, refresh, host)
    assert (r.status_code, r.json()["error_description"]) == (400, "expired access/refresh token")
    assert _refresh(client, name, refresh, OPEN).status_code == 200  # neither spent nor its family revoked


@pytest.mark.parametrize(("name", "host"), OWN)
def test_a_code_and_a_refresh_token_at_their_own_my_domain(client: httpx.Client, name: str, host: str) -> None:
    seed(client)
    r = _redeem(client, name, _code(client, name), host)
    assert r.status_code == 200, r.text
    assert _refresh(client, name, r.json()["refresh_token"], host).status_code == 200


def test_every_org_redeems_at_the_mocks_own_address(client: httpx.Client) -> None:
    seed(client)
    for name in ORGS:
        assert _redeem(client, name, _code(client, name), OPEN).status_code == 200


def _poll(client: httpx.Client, name: str, device_code: str, host: str) -> httpx.Response:
    form = {"grant_type": "device", "code": device_code, "client_id": f"App{name}"}
    return client.post(TOKEN, data=form, headers={"Host": host})


@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_a_device_code_polled_at_another_orgs_my_domain_is_unknown_there(
    client: httpx.Client, name: str, host: str
) -> None:
    seed(client)
    start = client.post(TOKEN, data={"response_type": "device_code", "client_id": f"App{name}"}, headers={"Host": OPEN})
    assert start.status_code == 200, start.text
    device_code = start.json()["device_code"]
    r = _poll(client, name, device_code, host)
    assert (r.status_code, r.json()["error_description"]) == (400, "invalid device code")
    assert _poll(client, name, device_code, OPEN).json()["error"] == "authorization_pending"  # no slow_down either

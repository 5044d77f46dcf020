"""SLAS rules that a hand-driven mutation audit showed no test would miss if broken (each test names the mutant
it kills)."""

from __future__ import annotations

import base64

import httpx

from mockown.runtime import Runtime
from mockown.seed import seed_document

from .test_slas import BASE, CALLBACK, CHALLENGE, PRIVATE, PUBLIC, guest_code, logout, pkce_token, problem


def test_code_challenge_needs_43_characters(client: httpx.Client) -> None:
    """Kills `43 <= len(challenge)` -> `42 <=` (slas._challenge): RFC 7636's minimum, at the boundary."""
    query = {"client_id": PUBLIC, "response_type": "code", "redirect_uri": CALLBACK, "hint": "guest"}
    short = client.get(BASE + "/authorize", params={**query, "code_challenge": "c" * 42})
    problem(short, 400, "invalid_request", "Bad or missing code_challenge.")
    assert client.get(BASE + "/authorize", params={**query, "code_challenge": "c" * 43}).status_code == 303


def test_a_code_is_redeemed_only_by_the_client_it_was_issued_to(client: httpx.Client) -> None:
    """Kills `code.client_id != client.client_id` dropped (slas._check_code): the private client's code (with a
    challenge) presented by the public client is an invalid code."""
    code, usid = guest_code(client, client_id=PRIVATE, code_challenge=CHALLENGE)
    problem(pkce_token(client, code, usid), 400, "invalid_request", "Invalid authorization code.")


def test_the_code_exchange_needs_the_authorize_redirect_uri(client: httpx.Client) -> None:
    """Kills the redirect_uri comparison dropped (slas._check_code)."""
    code, usid = guest_code(client)
    r = pkce_token(client, code, usid, redirect_uri="http://localhost:3000/other")
    problem(r, 400, "invalid_request", "Redirect URI does not match the authorization request.")


def test_the_code_exchange_needs_the_codes_usid(client: httpx.Client) -> None:
    """Kills the usid comparison dropped (slas._check_code): a usid given must be the one the code was made for."""
    code, _usid = guest_code(client)
    problem(pkce_token(client, code, "not-the-usid"), 400, "invalid_request", "Bad or missing usid.")


def test_strict_client_auth_checks_the_id_too(client: httpx.Client) -> None:
    """Kills `pair[0] != client.client_id` dropped (slas.strict_auth): the strict client's secret under another
    client's id is refused."""
    query = {"client_id": "mockown-slas-strict", "response_type": "code", "redirect_uri": CALLBACK, "hint": "guest"}
    wrong_id = base64.b64encode(b"mockown-slas-public:MockownSlasStrict0001").decode()
    r = client.get(BASE + "/authorize", params=query, headers={"x-slas-client-auth": wrong_id})
    problem(r, 401, "invalid_client", "Basic Authorization failed.")


def test_an_access_token_works_only_at_its_own_tenant(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `at.org != tenant.id` dropped (slas.bearer): a shopper token of one tenant at another's userinfo."""
    tenant = {"org_id": "f_ecom_abcd_stg", "clients": [{"client_id": "c1"}]}
    seed_document(runtime, {"b2c": {"slas": {"tenants": [tenant]}}})
    code, usid = guest_code(client)
    access = pkce_token(client, code, usid).json()["access_token"]
    auth = {"Authorization": f"Bearer {access}"}
    assert client.get(BASE + "/userinfo", headers=auth).status_code == 200
    other = "/shopper/auth/v1/organizations/f_ecom_abcd_stg/oauth2/userinfo"
    problem(client.get(other, headers=auth), 400, "invalid_request", "Bad or missing access token.")


def test_logout_needs_the_refresh_token_of_the_bearers_shopper(client: httpx.Client) -> None:
    """Kills `rt.customer_id != at.customer_id` dropped (slas.logout): one guest's access token cannot log out
    another guest's session."""
    first = pkce_token(client, *guest_code(client)).json()
    second = pkce_token(client, *guest_code(client)).json()
    assert first["customer_id"] != second["customer_id"]
    mixed = {"access_token": first["access_token"], "refresh_token": second["refresh_token"]}
    problem(logout(client, mixed), 400, "invalid_request", "Bad or missing refresh token.")
    assert logout(client, second).status_code == 200

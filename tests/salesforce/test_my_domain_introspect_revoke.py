"""Introspection and revocation on another org's My Domain: the token is unknown there, as it is to REST, identity,
refresh and code exchange on that host. Introspection answered `active: true` with a `sub` on a host that refuses
that identity, and revocation revoked the token (then dead on its own org's hosts too). Now introspection answers
`{"active": false}` and revocation 400 `invalid_token`, and the token still works where its org is served."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.salesforce.test_my_domain_login import FOREIGN, OWN, SECRET, seed
from tests.salesforce.test_my_domain_redeem import OPEN, _code, _redeem

INTROSPECT = "/services/oauth2/introspect"
REVOKE = "/services/oauth2/revoke"
QUERY = "/services/data/v62.0/query"


def _tokens(client: httpx.Client, name: str) -> dict[str, Any]:
    seed(client)
    response = _redeem(client, name, _code(client, name), OPEN)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _introspect(client: httpx.Client, name: str, token: str, host: str) -> dict[str, Any]:
    response = client.post(INTROSPECT, data={"token": token}, auth=(f"App{name}", SECRET), headers={"Host": host})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _revoke(client: httpx.Client, token: str, host: str) -> httpx.Response:
    return client.post(REVOKE, data={"token": token}, headers={"Host": host})


@pytest.mark.parametrize("kind", ["access_token", "refresh_token"])
@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_a_token_is_unknown_to_introspection_and_revocation_on_another_orgs_my_domain(
    client: httpx.Client, name: str, host: str, kind: str
) -> None:
    token = _tokens(client, name)[kind]
    assert _introspect(client, name, token, host) == {"active": False}
    refused = _revoke(client, token, host)
    assert (refused.status_code, refused.text) == (400, "error=invalid_token&error_description=invalid+token")
    assert _introspect(client, name, token, OPEN)["active"] is True  # not revoked


@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_an_approvals_delete_token_is_unknown_on_another_orgs_my_domain(
    client: httpx.Client, name: str, host: str
) -> None:
    tokens = _tokens(client, name)
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    rows = client.get(QUERY, params={"q": "SELECT DeleteToken FROM OauthToken"}, headers=auth).json()["records"]
    assert _revoke(client, rows[0]["DeleteToken"], host).status_code == 400
    assert _introspect(client, name, tokens["refresh_token"], OPEN)["active"] is True


@pytest.mark.parametrize(("name", "host"), [OWN[0], OWN[-1], ("plain", OPEN)])
def test_the_orgs_own_hosts_still_introspect_and_revoke(client: httpx.Client, name: str, host: str) -> None:
    tokens = _tokens(client, name)
    assert _introspect(client, name, tokens["access_token"], host)["active"] is True
    assert _revoke(client, tokens["refresh_token"], host).status_code == 200
    assert _introspect(client, name, tokens["access_token"], host) == {"active": False}

"""SLAS `/logout` "Revokes both access and refresh tokens": every token of the shopper's session. A public client's
refresh rotates the refresh token, so a session's access tokens came from several refresh tokens; logout with the
newest revoked only the access tokens that one issued, and one from before a refresh still answered `/userinfo`
and introspected active. The refresh tokens of a session are one family (the first one's id), which logout ends."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mockown import FrozenClock

from .test_slas import BASE, PRIVATE, SECRET, basic, login, logout, pkce_token, refresh

REFRESH_TABLE = "b2c_slas_refresh"


def _session(client: httpx.Client, clock: FrozenClock) -> dict[str, Any]:
    clock.advance(2)  # another login in the same second is a login conflict
    found = parse_qs(urlsplit(login(client).headers["location"]).query)
    response = pkce_token(client, found["code"][0], found["usid"][0])
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _rotated(client: httpx.Client, first: dict[str, Any], times: int) -> list[dict[str, Any]]:
    chain = [first]
    for _ in range(times):
        response = refresh(client, chain[-1]["refresh_token"], private=False)
        assert response.status_code == 200, response.text
        chain.append(response.json())
    return chain


def _userinfo(client: httpx.Client, tokens: dict[str, Any]) -> int:
    return client.get(BASE + "/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code


def _active(client: httpx.Client, token: str) -> bool:
    response = client.post(BASE + "/introspect", data={"token": token}, headers=basic(PRIVATE, SECRET))
    assert response.status_code == 200, response.text
    return bool(response.json()["active"])


@pytest.mark.parametrize("refreshes", [1, 3])
def test_logout_revokes_the_access_tokens_from_before_a_public_refresh(
    client: httpx.Client, clock: FrozenClock, refreshes: int
) -> None:
    chain = _rotated(client, _session(client, clock), refreshes)
    other = _session(client, clock)  # another session of the same shopper: logout without a hint leaves it
    assert all(_userinfo(client, tokens) == 200 for tokens in chain)
    assert logout(client, chain[-1]).status_code == 200
    for tokens in chain:
        assert _userinfo(client, tokens) == 400
        assert not _active(client, tokens["access_token"])
        assert not _active(client, tokens["refresh_token"])
    assert _userinfo(client, other) == 200
    assert refresh(client, other["refresh_token"], private=False).status_code == 200


def test_a_snapshot_from_before_the_family_restores_and_logout_still_ends_the_session(
    client: httpx.Client, clock: FrozenClock
) -> None:
    first = _session(client, clock)
    snapshot = client.get("/_mockown/snapshot").json()
    rows = snapshot["store"][REFRESH_TABLE]
    assert rows and all("family" in row for row in rows)
    for row in rows:  # as an older version wrote it
        del row["family"]
    assert client.post("/_mockown/restore", json=snapshot).status_code == 200, "restore"
    chain = _rotated(client, first, 2)
    assert logout(client, chain[-1]).status_code == 200
    assert [_userinfo(client, tokens) for tokens in chain] == [400, 400, 400]

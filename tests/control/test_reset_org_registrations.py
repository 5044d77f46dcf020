"""Deleting an org (`reset {"org", "delete": true}`) removes the dynamic-client registrations of its apps: the
registration rows have no org of their own, so they stayed behind (the hashed registration access token and the
metadata of an app that no longer exists), and `DELETE /services/oauth2/register/<client_id>` with the old token
still answered 204. A reset that keeps the org keeps its apps and their registrations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

ORG = "00D5g000004MockEAC"
INITIAL = {"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN"}


def _register(client: httpx.Client) -> dict[str, Any]:
    made = client.post("/services/oauth2/register", headers=INITIAL,
                       json={"client_name": "dyn", "redirect_uris": ["https://a.example/cb"]})  # fmt: skip
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


def _registrations(client: httpx.Client) -> list[Any]:
    rows: list[Any] = client.get("/_mockown/snapshot").json()["store"].get("sf_registrations", [])
    return rows


@pytest.mark.parametrize("delete", [True, False])
def test_an_org_reset_and_its_registrations(client: httpx.Client, delete: bool) -> None:
    made = _register(client)
    bearer = {"Authorization": f"Bearer {made['registration_access_token']}"}
    path = f"/services/oauth2/register/{made['client_id']}"
    assert len(_registrations(client)) == 1
    reset = client.post("/_mockown/reset", json={"org": ORG, "delete": delete})
    assert reset.status_code == 200, reset.text
    if delete:
        assert reset.json()["removed"]["sf_registrations"] == 1
        assert _registrations(client) == []
        assert client.delete(path, headers=bearer).status_code == 401
    else:
        assert "sf_registrations" not in reset.json()["removed"]
        assert client.get(path, headers=bearer).status_code == 200

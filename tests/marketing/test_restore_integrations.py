"""A restored Marketing Cloud integration is one the server could have made: its `pending` change (made by
`update_integration`, applied by every request that reads the integration) holds only the changeable fields, each of
its type; a restored `pending` of `{"nope": 1}` or `{"scopes": 5}` was accepted and then every request for that
integration was a 500. And a legacy integration whose tenant is gone answers `/v1/requestToken`'s 401 as an unknown
one does (an assert made it a 500)."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from .test_marketing import BASE, LEGACY, SERVER

V1 = "http://auth.exacttargetapis.com/v1/requestToken"
BAD_PENDING: list[Any] = [
    {"nope": 1},
    {"scopes": 5},
    {"scopes": [5]},
    {"enabled": "no"},
    {"accessible_mids": ["x"]},
    {"home_mid": 1.5},
    {"client_secret": 7},
    "scopes",
    [],
]


def _snapshot(client: httpx.Client) -> dict[str, Any]:
    snap: dict[str, Any] = client.get("/_mockown/snapshot").json()
    return snap


def _integration(snap: dict[str, Any], client_id: str) -> dict[str, Any]:
    row: dict[str, Any] = next(r for r in snap["store"]["mc_integrations"] if r["client_id"] == client_id)
    return row


@pytest.mark.parametrize("pending", BAD_PENDING, ids=[repr(p) for p in BAD_PENDING])
def test_a_pending_change_the_server_never_makes_is_refused(client: httpx.Client, pending: Any) -> None:
    before = _snapshot(client)
    bad = copy.deepcopy(before)
    row = _integration(bad, SERVER["client_id"])
    row["pending"], row["pending_at"] = pending, 0.0
    refused = client.post("/_mockown/restore", json=bad)
    assert refused.status_code == 400, refused.text
    assert ".pending: " in refused.json()["message"]
    assert _snapshot(client)["store"] == before["store"]  # nothing stored
    assert client.post(f"{BASE}/v2/token", json={"grant_type": "client_credentials", **SERVER}).status_code == 200


def test_a_pending_change_the_server_makes_restores_and_applies(client: httpx.Client) -> None:
    snap = _snapshot(client)
    row = _integration(snap, SERVER["client_id"])
    row["pending"], row["pending_at"] = {"enabled": False, "scopes": ["email_read"], "accessible_mids": []}, 0.0
    assert client.post("/_mockown/restore", json=snap).status_code == 200
    answer = client.post(f"{BASE}/v2/token", json={"grant_type": "client_credentials", **SERVER})
    assert answer.status_code == 401, answer.text  # the change applied: the integration is disabled


def test_a_legacy_integration_of_no_tenant_is_unknown(client: httpx.Client) -> None:
    assert client.post(V1, json=LEGACY).status_code == 200
    snap = _snapshot(client)
    _integration(snap, LEGACY["clientId"])["tenant_id"] = "999"
    assert client.post("/_mockown/restore", json=snap).status_code == 200
    answer = client.post(V1, json=LEGACY)
    assert answer.status_code == 401 and answer.json()["errorcode"] == 1, answer.text

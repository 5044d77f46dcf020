"""Regressions found by the fidelity audit of Marketing Cloud Engagement against the reference (spec part 1):
each test names the rule it holds the mock to."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

SUB = "mcmockowndemo000000000000000"
BASE = f"/mc/{SUB}"
SERVER = {"client_id": "mockowndemoserver0000000a", "client_secret": "MockownMcServerSecret000"}
ERROR_URI = "https://developer.salesforce.com/docs"


def cc(client: httpx.Client, **extra: Any) -> httpx.Response:
    return client.post(f"{BASE}/v2/token", json={"grant_type": "client_credentials", **SERVER, **extra})


# -- v2/token bodies (spec 1.1: JSON documented, form accepted; every OAuth error has the three keys) ------------
@pytest.mark.parametrize("depth", [1000, 5000, 100_000])
def test_deeply_nested_json_is_a_400_in_the_mc_dialect(client: httpx.Client, depth: int) -> None:
    body = b'{"grant_type":' + b"[" * depth + b"]" * depth + b"}"
    response = client.post(f"{BASE}/v2/token", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    found = response.json()
    assert list(found) == ["error", "error_description", "error_uri"] and found["error"] == "invalid_request"
    assert found["error_uri"] == ERROR_URI

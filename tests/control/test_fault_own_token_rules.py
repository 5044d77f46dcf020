"""Fault rules on the Own token endpoint act while an `own.propagation_delay` rule watches the tokens it hands out:
the watch once ran the endpoint before any rule was picked, so every other rule (a 503 on the token path, a broad
`/*`) skipped it, its `hits` 0."""

from __future__ import annotations

import httpx
import pytest

TOKEN_PATH = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"


def _exchange(client: httpx.Client) -> httpx.Response:
    doc = {"own": {"accounts": [{"users": [{"email": "t@rules.test", "api_token": True}]}]}}
    seeded = client.post("/_mockown/seed", json=doc)
    assert seeded.status_code == 201, seeded.text
    api_token = seeded.json()["own"]["accounts"][0]["users"][0]["api_token"]
    form = {"grant_type": "refresh_token", "refresh_token": api_token, "scope": "api:access",
            "client_id": "0oa4c413eq8wwcEzP4h7"}  # fmt: skip
    return client.post(TOKEN_PATH, data=form)


@pytest.mark.parametrize("match", [{"path": TOKEN_PATH}, {"path": "/*"}, {"method": "POST"}])
def test_a_rule_on_the_token_endpoint_acts_beside_a_propagation_delay(
    client: httpx.Client, match: dict[str, str]
) -> None:
    assert client.post("/_mockown/faults", json={"preset": "own.propagation_delay", "seconds": 5}).status_code == 201
    added = client.post("/_mockown/faults", json={**match, "status": 503, "times": 1})
    assert added.status_code == 201, added.text
    refused = _exchange(client)
    assert refused.status_code == 503
    assert refused.json()["error"] == "server_error"
    assert client.get(f"/_mockown/faults/{added.json()['id']}").json()["hits"] == 1


def test_the_propagation_delay_still_sees_tokens_of_a_slowed_endpoint(client: httpx.Client) -> None:
    assert client.post("/_mockown/faults", json={"preset": "own.propagation_delay", "seconds": 5}).status_code == 201
    assert client.post("/_mockown/faults", json={"path": TOKEN_PATH, "latency": "1ms"}).status_code == 201
    issued = _exchange(client)
    assert issued.status_code == 200, issued.text
    bearer = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    assert client.get("/api/v1/services", headers=bearer).status_code == 401
    assert client.post("/_mockown/clock", json={"advance": "5s"}).status_code == 200
    assert client.get("/api/v1/services", headers=bearer).status_code == 200

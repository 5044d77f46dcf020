"""A seeded id with a trailing newline was taken (`^…$` matched before it) and stored as `'00D5g000009Mock\\nEAC'`."""

from __future__ import annotations

import httpx


def test_a_seeded_org_id_with_a_trailing_newline_is_refused(client: httpx.Client) -> None:
    before = client.get("/_mockown/snapshot").json()["store"]
    refused = client.post("/_mockown/seed", json={"salesforce": {"orgs": [{"id": "00D5g000009Mock\n"}]}})
    assert refused.status_code == 400, refused.text
    assert "not a Salesforce id" in refused.json()["message"]
    assert client.get("/_mockown/snapshot").json()["store"] == before
    assert client.post("/_mockown/seed", json={"salesforce": {"orgs": [{"id": "00D5g000009Mock"}]}}).status_code == 201

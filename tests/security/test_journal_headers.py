"""Request headers that carry credentials are redacted in the journal (`/_mockown/journal`, the dashboard), whatever
API they belong to: SLAS's Strict Client Auth header `x-slas-client-auth: base64(client_id:client_secret)` (on
`/authorize` and `/login`) was kept as sent, so the private client's secret was one base64 decode away for anyone
reading the journal. A header named like a secret (`x-auth-token`, `x-api-token`, ...) goes too."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from mockown.http.journal import REDACTED, redact_header

SLAS = "/b2c/kv7kzm78/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2"
STRICT = base64.b64encode(b"mockown-slas-strict:MockownSlasStrict0001").decode()


def test_slas_strict_client_auth_is_not_in_the_journal(client: httpx.Client) -> None:
    query = {"client_id": "mockown-slas-strict", "response_type": "code", "hint": "guest", "channel_id": "RefArch"}
    query["redirect_uri"] = "http://localhost:3000/callback"
    r = client.get(SLAS + "/authorize", params=query, headers={"x-slas-client-auth": STRICT})
    assert r.status_code == 303  # the header was read: the strict client was let in
    journal = client.get("/_mockown/journal").json()
    entry = journal["entries"][-1]
    assert entry["path"].endswith("/authorize")
    assert entry["headers"]["x-slas-client-auth"] == REDACTED
    text = json.dumps(journal)
    assert STRICT not in text and "MockownSlasStrict0001" not in text


@pytest.mark.parametrize("name", ["x-slas-client-auth", "X-Auth-Token", "x-api-token", "x-client-secret"])
def test_headers_named_like_secrets_are_redacted(name: str) -> None:
    assert redact_header(name, "s3cr3t-value") == REDACTED


@pytest.mark.parametrize("name", ["x-dw-client-id", "content-type", "host", "user-agent", "sec-fetch-site"])
def test_plain_headers_are_kept(name: str) -> None:
    assert redact_header(name, "plain") == "plain"

"""Every answer of the legacy `/v1/requestToken` is in the v1 dialect `{"message", "errorcode", "documentation"}`
(`McLegacyError`), its generic errors too (a malformed or non-object JSON body, a wrong method, a body too large):
on the legacy host, on a Marketing Cloud host and under `/mc/{subdomain}/`. The v2 paths keep the three-key OAuth
body."""

from __future__ import annotations

import httpx
import pytest

from .contractcheck import Contract
from .test_marketing import BASE, HOST_BASE

V1_KEYS = {"message", "errorcode", "documentation"}
JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    "url",
    [
        "http://auth.exacttargetapis.com/v1/requestToken",
        "http://auth-test.exacttargetapis.com/v1/requestToken",
        f"{HOST_BASE}/v1/requestToken",
        f"{BASE}/v1/requestToken",
    ],
)
@pytest.mark.parametrize(
    ("method", "body", "status"),
    [
        ("POST", b"{bad", 400),
        ("POST", b"[1, 2]", 400),
        ("POST", b'"text"', 400),
        ("GET", b"", 405),
        ("PUT", b"{}", 405),
        ("POST", b'{"clientId": "' + b"x" * (1024 * 1024) + b'"}', 413),
    ],
)
def test_generic_errors_of_v1_are_in_the_v1_dialect(
    client: httpx.Client, url: str, method: str, body: bytes, status: int
) -> None:
    response = client.request(method, url, content=body or None, headers=JSON)
    assert response.status_code == status, response.text
    assert set(response.json()) == V1_KEYS, response.text
    assert isinstance(response.json()["errorcode"], int) and response.json()["documentation"] == ""


def test_v2_keeps_the_oauth_body(client: httpx.Client) -> None:
    for response in (client.get(f"{BASE}/v2/token"), client.post(f"{BASE}/v2/token", content=b"{bad", headers=JSON)):
        assert set(response.json()) == {"error", "error_description", "error_uri"}, response.text


def test_the_v1_400_conforms_to_the_contract(client: httpx.Client) -> None:
    contract = Contract("marketing")
    for body in (b"{bad", b"[1]"):
        contract.check("POST", "/v1/requestToken", client.post(f"{BASE}/v1/requestToken", content=body, headers=JSON))

"""A fault rule's `headers` and `status` are checked when the rule is added: a rule the response machinery cannot
send (a header value outside latin-1 or holding CR/LF, a name that is no HTTP token, a framing or hop-by-hop header,
a status that carries no content) is a 400 `invalid_fault` naming the header or the status, and no rule is added.
Before, such a rule was accepted (201) and the matching request got a 500 or a dropped connection."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

PATH = "/services/data"


def _rules(client: httpx.Client) -> int:
    count: int = client.get("/_mockown/faults").json()["count"]
    return count


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ({"X-A": "caf\u20ac"}, "X-A"),  # not latin-1
        ({"X-A": "a\r\nSet-Cookie: evil=1"}, "X-A"),  # header injection
        ({"X-A": "a\nb"}, "X-A"),
        ({"X-A": "a\x00b"}, "X-A"),
        ({"X-A": "a\x7fb"}, "X-A"),
        ({"X-A": " padded"}, "X-A"),  # HTTP/1.1 servers refuse a value with leading or trailing whitespace
        ({"X-A": "padded\t"}, "X-A"),
        ({"Bad Name:": "v"}, "Bad Name:"),
        ({"": "v"}, "''"),
        ({"X-\u00e9": "v"}, "X-\u00e9"),
        ({"Content-Length": "5"}, "Content-Length"),
        ({"content-length": "5"}, "content-length"),
        ({"Transfer-Encoding": "chunked"}, "Transfer-Encoding"),
        ({"Connection": "keep-alive"}, "Connection"),
        ({"Upgrade": "h2c"}, "Upgrade"),
        ({"X-A": True}, "X-A"),
        ({"X-A": ["v"]}, "X-A"),
    ],
)
def test_a_header_the_response_cannot_carry_is_refused(
    client: httpx.Client, headers: dict[str, Any], named: str
) -> None:
    response = client.post("/_mockown/faults", json={"path": PATH, "status": 503, "headers": headers})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_fault"
    assert named in body["message"], body
    assert _rules(client) == 0
    assert client.get(PATH).status_code == 200  # nothing acts on the next request


@pytest.mark.parametrize("status", [204, 205, 304, 100, 199])
def test_a_status_without_content_is_refused(client: httpx.Client, status: int) -> None:
    response = client.post("/_mockown/faults", json={"path": PATH, "status": status})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_fault"
    assert str(status) in response.json()["message"]
    assert _rules(client) == 0


def test_headers_a_response_can_carry_still_act(client: httpx.Client) -> None:
    headers = {"X-Fault": "caf\u00e9 a\tb", "Retry-After": 30, "Content-Type": "text/plain", "X-Empty": ""}
    added = client.post("/_mockown/faults", json={"path": PATH, "status": 503, "headers": headers, "times": 1})
    assert added.status_code == 201, added.text
    hit = client.get(PATH)
    assert hit.status_code == 503
    assert hit.headers["x-fault"].encode("latin-1") == "caf\u00e9 a\tb".encode("latin-1")
    assert hit.headers["retry-after"] == "30" and hit.headers["x-empty"] == ""
    assert client.get(PATH).status_code == 200

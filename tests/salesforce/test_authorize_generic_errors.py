"""The authorize endpoint (and its login and consent forms) answers a request it cannot read as it answers every
error it cannot redirect: the urlencoded page (`error=...&error_description=...`, spec 1.3 [OBS]), with the status,
never the token endpoint's JSON (the page's callers are browsers)."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

AUTHORIZE = "/services/oauth2/authorize"
FORM = {"content-type": "application/x-www-form-urlencoded"}
CASES = {
    "JSON body": ("POST", AUTHORIZE, b"{", {"content-type": "application/json"}, 400),
    "too many query fields": ("GET", AUTHORIZE + "?" + "&".join(f"a{i}=1" for i in range(1200)), b"", {}, 400),
    "a method it does not serve": ("PUT", AUTHORIZE, b"", {}, 405),
    "a body over the limit": ("POST", AUTHORIZE, b"a=" + b"x" * (1 << 20), FORM, 413),
    "the login form, not UTF-8": ("POST", AUTHORIZE + "/login", b"\xff\xfe", FORM, 400),
    "the consent form, JSON": ("POST", AUTHORIZE + "/consent", b"[]", {"content-type": "application/json"}, 400),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_an_unreadable_authorize_request_is_the_urlencoded_page(client: httpx.Client, case: str) -> None:
    method, path, body, headers, status = CASES[case]
    r = client.request(method, path, content=body, headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/plain") and r.headers["cache-control"] == "no-store"
    fields = parse_qs(r.text, strict_parsing=True)
    assert fields["error"] == ["invalid_request"] and fields["error_description"][0]
    assert list(fields) == ["error", "error_description"]


def test_the_token_endpoint_keeps_its_json(client: httpx.Client) -> None:
    r = client.post("/services/oauth2/token", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]

"""Redirect URIs are matched exactly (no prefix, no wildcard, no normalisation): a near miss never redirects,
so neither an authorization code nor an error can be sent to a URL the app did not register (open redirect)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import ADMIN, CALLBACK, CID, SECRET
from tests.salesforce.helpers import get_code

NEAR_MISSES = [
    CALLBACK + "/evil",  # prefix
    CALLBACK + "evil",
    CALLBACK + "/",  # trailing slash
    CALLBACK + "?next=https://evil.example",  # extra query
    CALLBACK + "#frag",
    CALLBACK + "/../evil",  # dot segments
    CALLBACK.upper(),
    "HTTP://LOCALHOST:8080/callback",  # case of scheme and host
    "http://localhost:8080/Callback",
    "https://localhost:8080/callback",  # scheme
    "http://localhost:8081/callback",  # port
    "http://localhost/callback",
    "http://localhost:8080@evil.example/callback",  # userinfo trick
    "http://evil.example/?http://localhost:8080/callback",
    "http://localhost:8080%2f@evil.example/callback",
    "http://localhost:8080/callback%00",
    " http://localhost:8080/callback",
    "//evil.example/callback",
    "https://evil.example",
    "javascript:alert(1)",
    "",
]


@pytest.mark.parametrize("uri", NEAR_MISSES)
@pytest.mark.parametrize("prompt", [None, "login"])
def test_authorize_never_redirects_to_a_near_miss(client: httpx.Client, uri: str, prompt: str | None) -> None:
    query = {"response_type": "code", "client_id": CID, "redirect_uri": uri, "login_hint": ADMIN, "state": "s"}
    if prompt:
        query["prompt"] = prompt
    r = client.get("/services/oauth2/authorize", params=query)
    assert r.status_code == 400, (r.status_code, r.headers.get("location"))
    assert "location" not in r.headers
    assert ("redirect_uri_mismatch" if uri else "redirect_uri_missing") in r.text


@pytest.mark.parametrize("uri", NEAR_MISSES[:6])
def test_the_code_exchange_needs_the_same_redirect_uri(client: httpx.Client, uri: str) -> None:
    code = get_code(client, scope="api")
    form = {"grant_type": "authorization_code", "code": code, "client_id": CID, "client_secret": SECRET}
    r = client.post("/services/oauth2/token", data={**form, "redirect_uri": uri})
    assert r.status_code == 400 and r.json()["error"] == "redirect_uri_mismatch"


def test_every_registered_callback_works_exactly(client: httpx.Client) -> None:
    for uri in ("http://localhost:8080/callback", "http://127.0.0.1:8080/callback", "https://app.example.com/callback"):
        query = {"response_type": "code", "client_id": CID, "redirect_uri": uri, "login_hint": ADMIN}
        r = client.get("/services/oauth2/authorize", params=query)
        assert r.status_code == 302 and r.headers["location"].startswith(uri + "?code=")


def test_the_login_form_cannot_swap_the_redirect_uri(client: httpx.Client) -> None:
    """The login form carries the authorize request (`q`) back: a tampered `q` is checked again, exactly."""
    from urllib.parse import urlencode

    from tests.security.test_web_pages import LOGIN, login_page

    _, csrf, _ = login_page(client)
    q = urlencode({"response_type": "code", "client_id": CID, "redirect_uri": "https://evil.example/callback"})
    r = client.post(LOGIN, data={"username": ADMIN, "password": "Passw0rd!", "q": q, "_csrf": csrf})
    assert r.status_code == 400 and "location" not in r.headers

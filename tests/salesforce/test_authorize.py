"""`/services/oauth2/authorize` (headless path): client and redirect checks, redirects, state."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import CALLBACK, CID
from tests.salesforce.helpers import authorize, location_params


def test_code_redirect_keeps_state(client: httpx.Client) -> None:
    r = authorize(client, state="hello")
    params = location_params(r)
    assert r.headers["location"].startswith(CALLBACK + "?code=")
    assert params["state"] == "hello"
    assert params["code"].startswith("aPrx") and params["code"].endswith("==")
    assert "%3D%3D" in r.headers["location"]  # URL-encoded in the Location, as Salesforce does


def test_unknown_client_is_a_page_not_a_redirect(client: httpx.Client) -> None:
    r = authorize(client, client_id="3MVG9nope")
    assert r.status_code == 400
    assert r.text == "error=invalid_client_id&error_description=client%20identifier%20invalid"


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example.com/callback",
        CALLBACK + "/extra",  # no prefix matching
        CALLBACK + "?x=1",
        CALLBACK.upper(),
        "http://localhost:8080/callback#frag",
    ],
)
def test_redirect_uri_must_match_exactly(client: httpx.Client, redirect_uri: str) -> None:
    r = authorize(client, redirect_uri=redirect_uri)
    assert r.status_code == 400
    assert "location" not in r.headers
    assert r.text == "error=redirect_uri_mismatch&error_description=redirect_uri%20must%20match%20configuration"


def test_missing_redirect_uri(client: httpx.Client) -> None:
    r = client.get("/services/oauth2/authorize", params={"response_type": "code", "client_id": CID})
    assert r.status_code == 400 and r.text.startswith("error=redirect_uri_missing")


def test_unsupported_response_type_redirects_with_error(client: httpx.Client) -> None:
    params = location_params(authorize(client, response_type="magic", state="s1"))
    assert params == {
        "error": "unsupported_response_type",
        "error_description": "response type not supported",
        "state": "s1",
    }


def test_invalid_scope_redirects_with_error(client: httpx.Client) -> None:
    params = location_params(authorize(client, scope="api bogus_scope"))
    assert params["error"] == "invalid_scope"


def test_immediate_without_approval(client: httpx.Client) -> None:
    params = location_params(authorize(client, login_hint="", immediate="true", state="x"))
    assert params == {"error": "immediate_unsuccessful", "error_description": "immediate unsuccessful", "state": "x"}


def test_without_a_known_user_the_login_page_is_shown(client: httpx.Client) -> None:
    r = authorize(client, login_hint="")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")


def test_post_authorize_is_accepted(client: httpx.Client) -> None:
    r = client.post(
        "/services/oauth2/authorize",
        data={"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK, "login_hint": "admin@mockown.test"},
    )
    assert r.status_code == 302 and urlsplit(r.headers["location"]).query.startswith("code=")

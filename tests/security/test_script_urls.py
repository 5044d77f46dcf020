"""A registered callback URL of a script scheme (`javascript:`, `data:`, `vbscript:`, any case, with the leading
whitespace or control characters browsers strip) is never where a page sends the browser: the Single Logout
page's Continue link and refresh would run it on the server's own origin (XSS). Registration refuses such
redirect URIs; the logout rule ignores them (a seeded one included)."""

from __future__ import annotations

import httpx
import pytest

from mockown.http.forms import Params
from mockown.runtime import Runtime
from mockown.salesforce import web
from mockown.salesforce.seed import seed_org
from tests.salesforce.test_single_logout import LOGOUT, PASSWORD, USER, sign_in, slo_page

SCRIPT_URLS = [
    "javascript:alert(document.domain)//",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "\tjava\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]


@pytest.mark.parametrize("target", SCRIPT_URLS)
def test_the_single_logout_page_never_continues_to_a_script_url(
    client: httpx.Client, runtime: Runtime, target: str
) -> None:
    apps = [
        {"client_id": "SloAppA", "callback_urls": ["https://a.example/cb"], "single_logout_url": "https://a.example/s"},
        {"client_id": "ScriptApp", "callback_urls": [target]},
    ]
    seed_org(runtime, {"name": "Script Org", "users": [{"username": USER, "password": PASSWORD}], "apps": apps})
    sign_in(client, "SloAppA")
    response = client.get(LOGOUT, params={"client_id": "ScriptApp", "post_logout_redirect_uri": target})
    _, refresh = slo_page(response)
    assert refresh == "10;url=/"  # the login page, as for any unusable target
    assert "script:" not in response.text.lower() and "data:" not in response.text


@pytest.mark.parametrize("target", SCRIPT_URLS)
def test_the_logout_rule_ignores_a_registered_script_url(runtime: Runtime, target: str) -> None:
    seed_org(runtime, {"name": "Script Org", "apps": [{"client_id": "ScriptApp", "callback_urls": [target]}]})
    params = Params([("client_id", "ScriptApp"), ("post_logout_redirect_uri", target)])
    assert web.logout_redirect(runtime.salesforce, params) is None


@pytest.mark.parametrize("target", SCRIPT_URLS)
def test_registration_refuses_a_script_redirect_uri(client: httpx.Client, runtime: Runtime, target: str) -> None:
    seed_org(
        runtime,
        {"name": "Reg Org", "apps": [{"client_id": "Registrar", "initial_access_token": "reg-iat-0123456789"}]},
    )
    body = {"client_name": "x", "redirect_uris": ["https://ok.example/cb", target]}
    r = client.post("/services/oauth2/register", json=body, headers={"Authorization": "Bearer reg-iat-0123456789"})
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_redirect_uri"


def test_a_custom_scheme_stays_a_valid_logout_target(runtime: Runtime) -> None:
    seed_org(runtime, {"name": "App Org", "apps": [{"client_id": "MobileApp", "callback_urls": ["myapp://cb"]}]})
    params = Params([("client_id", "MobileApp"), ("post_logout_redirect_uri", "myapp://cb")])
    assert web.logout_redirect(runtime.salesforce, params) == "myapp://cb"

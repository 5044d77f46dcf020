"""A callback URL with an empty authority (`myapp:///oauth/done`, `x-app://`), which the exact-match rule accepts,
is the URL the browser is sent to: the authorize redirect (code, user-agent tokens, refusals) and the OIDC logout
redirect rebuilt it with `urlunsplit`, which dropped the `//` (`myapp:/oauth/done?code=...`, `x-app:?code=...`), so
a native client comparing the callback with its redirect URI did not take it."""

from __future__ import annotations

import httpx
import pytest

from mockown.runtime import Runtime

from .helpers import new_org

AUTHORIZE = "/services/oauth2/authorize"
LOGOUT = "/services/auth/idp/oidc/logout"
CALLBACKS = ["myapp:///oauth/done", "x-app://"]


@pytest.mark.parametrize("callback", CALLBACKS)
@pytest.mark.parametrize(("response_type", "mark"), [("code", "?code="), ("token", "#access_token=")])
def test_the_authorize_redirect_keeps_the_registered_callback(
    client: httpx.Client, runtime: Runtime, callback: str, response_type: str, mark: str
) -> None:
    org = new_org(runtime, callback_urls=CALLBACKS)
    query = {"response_type": response_type, "client_id": org["client_id"], "redirect_uri": callback,
             "login_hint": org["username"], "state": "s"}  # fmt: skip
    response = client.get(AUTHORIZE, params=query)
    assert response.status_code == 302, response.text
    assert response.headers["location"].startswith(callback + mark)
    assert response.headers["location"].endswith("state=s")


@pytest.mark.parametrize("callback", CALLBACKS)
def test_a_refusal_redirect_keeps_the_registered_callback(
    client: httpx.Client, runtime: Runtime, callback: str
) -> None:
    org = new_org(runtime, callback_urls=CALLBACKS)
    query = {"response_type": "code", "client_id": org["client_id"], "redirect_uri": callback, "scope": "nosuch"}
    location = client.get(AUTHORIZE, params=query).headers["location"]
    described = "requested+scope+is+invalid%2C+unknown%2C+or+malformed"
    assert location == f"{callback}?error=invalid_scope&error_description={described}"


@pytest.mark.parametrize("callback", CALLBACKS)
def test_the_logout_redirect_keeps_the_registered_callback(
    client: httpx.Client, runtime: Runtime, callback: str
) -> None:
    org = new_org(runtime, callback_urls=CALLBACKS)
    query = {"post_logout_redirect_uri": callback, "client_id": org["client_id"], "state": "s 1"}
    assert client.get(LOGOUT, params=query).headers["location"] == f"{callback}?state=s+1"


def test_the_logout_redirect_keeps_the_callbacks_own_query_as_written(client: httpx.Client, runtime: Runtime) -> None:
    callback = "https://app.example/bye?a=%20b&c="
    org = new_org(runtime, callback_urls=[callback])
    query = {"post_logout_redirect_uri": callback, "client_id": org["client_id"], "state": "s"}
    assert client.get(LOGOUT, params=query).headers["location"] == f"{callback}&state=s"

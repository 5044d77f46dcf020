"""An app that is not auto-approved asks a user's consent once: while the user holds a live approval of it (a
refresh token `refresh_live` accepts, an `OauthToken` row), a signed-in user gets the code with no consent page,
`immediate=true` and `prompt=none` succeed (spec 2.2: `immediate` fails only for a user "not logged-in/approved"),
and `prompt=consent` still asks. The mock's login_hint shortcut stays the auto-approved apps' own."""

from __future__ import annotations

import httpx
import pytest

from mockown.runtime import Runtime

from .support import TOKEN, location, new_org
from .test_login_page import authorize, consent, login

CALLBACK = "https://app.example.com/cb"
PASSWORD = "Alice-Passw0rd"


@pytest.fixture
def consent_app(runtime: Runtime) -> dict[str, str]:
    org = new_org(runtime, auto_approve=False, name="Consent App", callback_urls=[CALLBACK])
    return {"client_id": org["app"]["client_id"], "secret": org["app"]["client_secret"], "username": org["username"]}


def _redeem(client: httpx.Client, app: dict[str, str], code: str) -> dict[str, str]:
    form = {"grant_type": "authorization_code", "code": code, "client_id": app["client_id"]}
    form.update({"client_secret": app["secret"], "redirect_uri": CALLBACK})
    response = client.post(TOKEN, data=form)
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def _approve_once(client: httpx.Client, app: dict[str, str], scope: str = "api refresh_token") -> dict[str, str]:
    """Log in, allow, redeem the code: the browser is signed in and, with `refresh_token`, the user approved."""
    page = login(client, authorize(client, app, scope=scope), app["username"], PASSWORD)
    assert "Allow Access?" in page.text
    _, query, _ = location(consent(client, page, "allow"))
    return _redeem(client, app, query["code"])


@pytest.mark.parametrize("extra", [{}, {"immediate": "true"}, {"prompt": "none"}, {"response_type": "token"}])
def test_a_live_approval_spares_the_consent_page(
    client: httpx.Client, consent_app: dict[str, str], extra: dict[str, str]
) -> None:
    _approve_once(client, consent_app)
    response = authorize(client, consent_app, scope="api refresh_token", state="s", **extra)
    _, query, fragment = location(response)
    answer = fragment if extra.get("response_type") == "token" else query
    assert "error" not in answer and answer["state"] == "s"
    assert "access_token" in answer or "code" in answer
    if "code" in answer:
        _redeem(client, consent_app, answer["code"])


def test_prompt_consent_asks_again(client: httpx.Client, consent_app: dict[str, str]) -> None:
    _approve_once(client, consent_app)
    assert "Allow Access?" in authorize(client, consent_app, prompt="consent").text
    _, query, _ = location(authorize(client, consent_app, prompt="consent", immediate="true"))
    assert query["error"] == "immediate_unsuccessful"


def test_a_new_login_with_a_live_approval_goes_straight_to_the_callback(
    client: httpx.Client, consent_app: dict[str, str]
) -> None:
    _approve_once(client, consent_app)
    other_browser = httpx.Client(transport=client._transport, base_url=str(client.base_url))  # no session cookie
    page = authorize(other_browser, consent_app, state="n")
    assert "Allow Access?" not in page.text
    _, query, _ = location(login(other_browser, page, consent_app["username"], PASSWORD))
    assert query["state"] == "n" and "code" in query


def test_no_live_approval_still_asks(client: httpx.Client, consent_app: dict[str, str], runtime: Runtime) -> None:
    """No refresh token (no approval kept), a revoked one, one expired by policy: the consent page, and
    `immediate=true` / `prompt=none` fail as before."""
    _approve_once(client, consent_app, scope="api")  # signed in; approved, but no refresh token: nothing kept
    assert "Allow Access?" in authorize(client, consent_app).text
    assert location(authorize(client, consent_app, immediate="true"))[1]["error"] == "immediate_unsuccessful"
    assert location(authorize(client, consent_app, prompt="none"))[1]["error"] == "consent_required"
    tokens = _approve_once(client, consent_app)
    assert client.post("/services/oauth2/revoke", data={"token": tokens["refresh_token"]}).status_code == 200
    assert "Allow Access?" in authorize(client, consent_app).text


def test_an_approval_expired_by_policy_is_not_remembered(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, auto_approve=False, callback_urls=[CALLBACK], refresh_token_policy="idle",
                  refresh_token_ttl="1h")  # fmt: skip
    app = {"client_id": org["app"]["client_id"], "secret": org["app"]["client_secret"], "username": org["username"]}
    _approve_once(client, app)
    assert location(authorize(client, app, prompt="none"))[1].get("code")
    runtime.clock.advance("61m")
    assert "Allow Access?" in authorize(client, app).text


def test_the_login_hint_shortcut_stays_the_auto_approved_apps(
    client: httpx.Client, consent_app: dict[str, str]
) -> None:
    """With no browser session, a login_hint of a user who approved shows the login page (no password-less
    sign-in for an app that is not auto-approved)."""
    _approve_once(client, consent_app)
    other_browser = httpx.Client(transport=client._transport, base_url=str(client.base_url))
    page = authorize(other_browser, consent_app, login_hint=consent_app["username"])
    assert page.status_code == 200 and "Log In" in page.text

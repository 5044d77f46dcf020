"""Marketing Cloud settings for what the reference leaves open (spec 1.1.4 "Invalid scope, invalid account_id or no
access to the MID ... [UNK] exact text", the checklist's "exact error texts for the UNK cases", "302 to redirect_uri",
the legacy v1 answer): each one, set away from its default, changes the wire answer. The defaults are pinned in
test_marketing.py; here only what a non-default value does, so a hard-coded answer fails."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.marketing.test_marketing import BASE, CALLBACK, LEGACY, PUBLIC, WEB, cc, exchange


def _client(clock: FrozenClock, **settings: Any) -> httpx.Client:
    return in_process_client(create_app(Config().replace(marketing=settings), clock=clock))


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error_uri"] == "https://developer.salesforce.com/docs"
    return body


def test_invalid_scope_status_and_description(clock: FrozenClock) -> None:
    with _client(clock, invalid_scope_status=403, invalid_scope_description="scope says no") as c:
        body = _error(cc(c, scope="email_read automations_execute"), 403)
        assert (body["error"], body["error_description"]) == ("invalid_scope", "scope says no")
        # a code exchange asking more than the code granted is the same error
        query = {"response_type": "code", "client_id": WEB["client_id"], "redirect_uri": CALLBACK}
        code = parse_qs(urlsplit(c.get(f"{BASE}/v2/authorize", params=query).headers["location"]).query)["code"][0]
        body = _error(exchange(c, WEB, code, scope="automations_execute"), 403)
        assert (body["error"], body["error_description"]) == ("invalid_scope", "scope says no")


def test_inaccessible_account_id_error_code_status_and_description(clock: FrozenClock) -> None:
    settings = {"account_error": "access_denied", "account_error_status": 403, "account_error_description": "no BU"}
    with _client(clock, **settings) as c:
        for account in ("10123458", "99999999"):  # a MID of the tenant the integration may not use; no such MID
            body = _error(cc(c, account_id=account), 403)
            assert (body["error"], body["error_description"]) == ("access_denied", "no BU")
        assert cc(c, account_id="10123457").status_code == 200  # an accessible one is untouched


def test_authorize_redirect_status(clock: FrozenClock) -> None:
    with _client(clock, authorize_status=303) as c:
        query = {"response_type": "code", "client_id": PUBLIC["client_id"], "redirect_uri": CALLBACK, "state": "s"}
        response = c.get(f"{BASE}/v2/authorize", params=query)
        assert response.status_code == 303
        assert parse_qs(urlsplit(response.headers["location"]).query)["state"] == ["s"]


def test_legacy_expires_in(clock: FrozenClock) -> None:
    with _client(clock, legacy_expires_in=1200) as c:
        body = c.post(f"{BASE}/v1/requestToken", json=LEGACY).json()
        assert body["expiresIn"] == 1200
        token = body["accessToken"]
        # the v1 token lives exactly that long: a v2 userinfo call accepts it until then
        auth = {"Authorization": f"Bearer {token}"}
        assert c.get(f"{BASE}/v2/userinfo", headers=auth).status_code == 200
        clock.advance(1200)
        assert c.get(f"{BASE}/v2/userinfo", headers=auth).status_code == 401


def test_missing_parameter_description(clock: FrozenClock) -> None:
    """Spec 1.1.4: the text for missing parameters is [UNK]; the error stays invalid_request with 400, the text is
    the setting with {name} filled in (at the token endpoint and at /v2/authorize)."""
    with _client(clock, missing_parameter_description="Missing {name}.", pkce="required") as c:
        for body, name in (
            ({"grant_type": "authorization_code", "redirect_uri": CALLBACK, **WEB}, "code"),
            ({"grant_type": "authorization_code", "code": "x", **WEB}, "redirect_uri"),
            ({"grant_type": "refresh_token", **WEB}, "refresh_token"),
        ):
            found = _error(c.post(f"{BASE}/v2/token", json=body), 400)
            assert (found["error"], found["error_description"]) == ("invalid_request", f"Missing {name}.")
        query = {"response_type": "code", "client_id": PUBLIC["client_id"], "redirect_uri": CALLBACK}
        back = parse_qs(urlsplit(c.get(f"{BASE}/v2/authorize", params=query).headers["location"]).query)
        assert (back["error"], back["error_description"]) == (["invalid_request"], ["Missing code_challenge."])


def test_missing_parameter_default_text(client: httpx.Client) -> None:
    body = {"grant_type": "refresh_token", **WEB}
    found = _error(client.post(f"{BASE}/v2/token", json=body), 400)
    assert found["error_description"] == "The refresh_token parameter is required."


def test_access_denied_description(clock: FrozenClock) -> None:
    """Spec 1.2: clients branch on access_denied, 'Exact descriptions: [UNK]': the redirect's error stays
    access_denied, its error_description is the setting (a login_hint no user of the tenant has)."""
    query = {"response_type": "code", "client_id": WEB["client_id"], "redirect_uri": CALLBACK, "state": "s"}
    for settings, text in (({}, "The user denied the request."), ({"access_denied_description": "nope"}, "nope")):
        with _client(clock, **settings) as c:
            response = c.get(f"{BASE}/v2/authorize", params={**query, "login_hint": "ghost@example.test"})
            back = parse_qs(urlsplit(response.headers["location"]).query)
            assert (back["error"], back["error_description"], back["state"]) == (["access_denied"], [text], ["s"])


def test_access_token_ttl(clock: FrozenClock) -> None:
    """Spec 1.1.1: 'Mock default: 1079. Make it configurable' (the docs say 20 minutes)."""
    with _client(clock, access_token_ttl=1200) as c:
        body = cc(c).json()
        assert body["expires_in"] == 1200
        auth = {"Authorization": f"Bearer {body['access_token']}"}
        clock.advance(1199)
        assert c.get(f"{BASE}/v2/userinfo", headers=auth).status_code == 200
        clock.advance(1)
        assert c.get(f"{BASE}/v2/userinfo", headers=auth).status_code == 401

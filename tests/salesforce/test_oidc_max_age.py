"""OIDC Core 1.0 `max_age` at `/services/oauth2/authorize` and the ID token's `auth_time`.

3.1.2.1: "If the elapsed time is greater than this value, the OP MUST attempt to actively re-authenticate the
End-User" (`max_age=0` is `prompt=login`); 2: when `max_age` is requested, `auth_time` is REQUIRED in the ID
token (ASP.NET Core's OIDC handler refuses the sign-in without it). The browser session (`sid` cookie) records
when its user signed in; the code carries that time to the token endpoint. Without `max_age` the ID token keeps
its claims (no `auth_time`: Salesforce's claim list is the mock's inference, nothing is added unasked)."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import jwt
import pytest

from mockown import FrozenClock
from mockown.runtime import Runtime
from mockown.ui.session import SESSION_COOKIE, sign
from tests.conftest import ADMIN, ADMIN_ID, CALLBACK, CID, PASSWORD

from .helpers import authorize, exchange, location_params, new_org

AUTHORIZE = "/services/oauth2/authorize"


def _query(**params: str) -> dict[str, str]:
    """An authorize request of the demo app with no `login_hint` (the page, or the browser session, decides)."""
    return {"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK, "state": "st-a", **params}


def _hidden(page: str) -> dict[str, str]:
    return {html.unescape(n): html.unescape(v) for n, v in re.findall(r"name='([^']*)' value='([^']*)'", page)}


def _claims(id_token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(id_token, options={"verify_signature": False})
    return claims


def _id_token(client: httpx.Client, answer: httpx.Response, **exchange_params: str) -> dict[str, Any]:
    """The ID token's claims: from the fragment, or from exchanging the code."""
    found = location_params(answer)
    if "id_token" in found:
        return _claims(found["id_token"])
    response = exchange(client, found["code"], **exchange_params)
    assert response.status_code == 200, response.text
    return _claims(response.json()["id_token"])


def _sign_in(client: httpx.Client, **params: str) -> httpx.Response:
    """The login page of an authorize request, its form posted as the admin: the answer to that post."""
    page = client.get(AUTHORIZE, params=_query(**params))
    assert page.status_code == 200 and "id='login'" in page.text, page.text[:200]
    done = client.post(f"{AUTHORIZE}/login", data={**_hidden(page.text), "username": ADMIN, "password": PASSWORD})
    assert done.status_code == 302, done.text[:200]
    return done


def test_a_session_older_than_max_age_signs_in_again(client: httpx.Client, clock: FrozenClock) -> None:
    """The repro: signed in, an hour later `max_age=60` got a code at once and an ID token without `auth_time`."""
    _sign_in(client)
    clock.advance("1h")
    assert client.get(AUTHORIZE, params=_query(scope="openid api")).status_code == 302  # no max_age: the session
    page = client.get(AUTHORIZE, params=_query(scope="openid api", max_age="60"))
    assert page.status_code == 200 and "id='login'" in page.text
    assert _hidden(page.text)["q"].count("max_age=60") == 1  # carried through the page
    done = client.post(f"{AUTHORIZE}/login", data={**_hidden(page.text), "username": ADMIN, "password": PASSWORD})
    assert location_params(done)["state"] == "st-a"
    assert _id_token(client, done)["auth_time"] == int(clock.now())  # this sign-in's


def test_a_session_within_max_age_approves_with_its_sign_in_time(client: httpx.Client, clock: FrozenClock) -> None:
    _sign_in(client)
    signed_in = int(clock.now())
    clock.advance("59s")
    answer = client.get(AUTHORIZE, params=_query(scope="openid api", max_age="60"))
    claims = _id_token(client, answer)
    assert claims["auth_time"] == signed_in and claims["iat"] == signed_in + 59
    clock.advance("2s")  # 61 s after the sign-in: too old for 60, young enough for 0061
    assert client.get(AUTHORIZE, params=_query(scope="openid", max_age="60")).status_code == 200
    assert client.get(AUTHORIZE, params=_query(scope="openid", max_age="0061")).status_code == 302


def test_max_age_zero_is_prompt_login(client: httpx.Client) -> None:
    _sign_in(client)
    page = client.get(AUTHORIZE, params=_query(scope="openid", max_age="0"))
    assert page.status_code == 200 and "id='login'" in page.text
    done = client.post(f"{AUTHORIZE}/login", data={**_hidden(page.text), "username": ADMIN, "password": PASSWORD})
    assert "auth_time" in _id_token(client, done)  # the login on the page is the fresh sign-in: no loop


def test_the_login_hint_shortcut_does_not_skip_max_age(client: httpx.Client) -> None:
    """The mock's shortcut (auto-approved app + `login_hint`) signs no one in: with `max_age`, the page."""
    assert authorize(client, scope="openid").status_code == 302
    page = authorize(client, scope="openid", max_age="3600")
    assert page.status_code == 200 and "id='login'" in page.text
    assert f"value='{ADMIN}'" in page.text  # prefilled, as login_hint does


def test_prompt_none_with_a_session_older_than_max_age_is_login_required(
    client: httpx.Client, clock: FrozenClock
) -> None:
    _sign_in(client)
    clock.advance("2m")
    params = location_params(client.get(AUTHORIZE, params=_query(prompt="none", max_age="60")))
    assert (params.get("error"), params["state"]) == ("login_required", "st-a")
    assert "code" in location_params(client.get(AUTHORIZE, params=_query(prompt="none", max_age="600")))


@pytest.mark.parametrize("response_type", ["token id_token", "id_token token"])
def test_the_fragment_id_token_carries_auth_time(client: httpx.Client, clock: FrozenClock, response_type: str) -> None:
    done = _sign_in(client, response_type=response_type, scope="openid api", max_age="300")
    signed_in = int(clock.now())
    assert _id_token(client, done)["auth_time"] == signed_in  # from the login page
    clock.advance("100s")
    answer = client.get(AUTHORIZE, params=_query(response_type=response_type, scope="openid api", max_age="300"))
    assert _id_token(client, answer)["auth_time"] == signed_in  # from the session
    plain = client.get(AUTHORIZE, params=_query(response_type=response_type, scope="openid api"))
    assert "auth_time" not in _id_token(client, plain)


def test_without_max_age_the_id_token_has_no_auth_time(client: httpx.Client) -> None:
    _sign_in(client)
    claims = _id_token(client, client.get(AUTHORIZE, params=_query(scope="openid api")))
    assert "auth_time" not in claims and claims["preferred_username"] == ADMIN


def test_the_consent_page_keeps_the_sign_in_time(client: httpx.Client, runtime: Runtime, clock: FrozenClock) -> None:
    """An app that is not auto-approved: max_age is checked when the page is shown; Allow carries the sign-in."""
    org = new_org(runtime, auto_approve=False)
    query = {"response_type": "code", "client_id": org["client_id"], "redirect_uri": CALLBACK, "scope": "openid api"}
    page = client.get(AUTHORIZE, params=query)
    creds = {"username": org["username"], "password": org["password"]}
    assert "id='consent'" in client.post(f"{AUTHORIZE}/login", data={**_hidden(page.text), **creds}).text
    signed_in = int(clock.now())
    clock.advance("5m")
    assert "id='login'" in client.get(AUTHORIZE, params={**query, "max_age": "60"}).text
    consent = client.get(AUTHORIZE, params={**query, "max_age": "600"})
    assert "id='consent'" in consent.text
    clock.advance("1m")
    allowed = client.post(f"{AUTHORIZE}/consent", data={**_hidden(consent.text), "decision": "allow"})
    secret = {"client_id": org["client_id"], "client_secret": org["secret"]}
    assert _id_token(client, allowed, **secret)["auth_time"] == signed_in


def test_a_session_cookie_without_a_sign_in_time_signs_in_again(client: httpx.Client, runtime: Runtime) -> None:
    """A cookie made before sessions recorded the sign-in is of unknown age: good without max_age, not with it."""
    now = runtime.clock.now()
    cookie = sign(runtime.ui_secret, {"u": ADMIN_ID, "exp": now + 3600, "n": "old-session-nonce"})
    client.cookies.set(SESSION_COOKIE, cookie)
    assert "code" in location_params(client.get(AUTHORIZE, params=_query()))
    assert client.get(AUTHORIZE, params=_query(max_age="3600")).status_code == 200


@pytest.mark.parametrize("value", ["-1", "1.5", "60s", " 60", "+60", "1e3", "\u0663", "sixty"])
@pytest.mark.parametrize("response_type", ["code", "token id_token"])
def test_a_malformed_max_age_is_invalid_request(client: httpx.Client, value: str, response_type: str) -> None:
    answer = authorize(client, response_type=response_type, scope="openid", state="st-m", max_age=value)
    assert ("#" in answer.headers["location"]) == (response_type != "code")
    params = location_params(answer)
    assert (params["error"], params["state"]) == ("invalid_request", "st-m")
    assert params["error_description"] == "max_age must be a non-negative integer"


def test_a_huge_max_age_is_forever(client: httpx.Client, clock: FrozenClock) -> None:
    _sign_in(client)
    clock.advance("1h")  # the session lives on (web_session_ttl)
    answer = client.get(AUTHORIZE, params=_query(scope="openid", max_age="9" * 5000))  # beyond int()'s digit limit
    assert "auth_time" in _id_token(client, answer)

"""Regressions found by the fidelity audit of Marketing Cloud Engagement against the reference (spec part 1):
each test names the rule it holds the mock to."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime

SUB = "mcmockowndemo000000000000000"
BASE = f"/mc/{SUB}"
SERVER = {"client_id": "mockowndemoserver0000000a", "client_secret": "MockownMcServerSecret000"}
ERROR_URI = "https://developer.salesforce.com/docs"
APP = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))  # the properties' app (no fixtures in @given)


def cc(client: httpx.Client, **extra: Any) -> httpx.Response:
    return client.post(f"{BASE}/v2/token", json={"grant_type": "client_credentials", **SERVER, **extra})


# -- v2/token bodies (spec 1.1: JSON documented, form accepted; every OAuth error has the three keys) ------------
@pytest.mark.parametrize("depth", [1000, 5000, 100_000])
def test_deeply_nested_json_is_a_400_in_the_mc_dialect(client: httpx.Client, depth: int) -> None:
    body = b'{"grant_type":' + b"[" * depth + b"]" * depth + b"}"
    response = client.post(f"{BASE}/v2/token", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    found = response.json()
    assert list(found) == ["error", "error_description", "error_uri"] and found["error"] == "invalid_request"
    assert found["error_uri"] == ERROR_URI


def wide(digits: str, zero: int) -> str:
    """`digits` in another script's decimal digits (full-width from U+FF10, Arabic-Indic from U+0660)."""
    return "".join(chr(zero + int(d)) for d in digits)


# -- account_id (spec 1.0: the MID "is an integer, sent as a number or numeric string") ---------------------------
@pytest.mark.parametrize("account_id", [10123457, "10123457"])
def test_account_id_as_number_or_numeric_string(client: httpx.Client, account_id: object) -> None:
    assert cc(client, account_id=account_id).status_code == 200


@pytest.mark.parametrize(
    "account_id",
    [wide("10123457", 0xFF10), "10_123_457", wide("10123457", 0x0660), "10123457.0", 10123457.0, "0x9a8b81"],
)
def test_account_id_that_is_no_ascii_integer_names_no_business_unit(client: httpx.Client, account_id: object) -> None:
    """Python's int() reads full-width and Arabic-Indic digits and underscores; an MC MID in them is no integer."""
    response = cc(client, account_id=account_id)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "unauthorized_client"


# -- properties: any JSON or form body gets the three-key MC error or a token, never a 5xx (spec 1.1.4) ----------
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
FIELDS = [
    "grant_type",
    "client_id",
    "client_secret",
    "scope",
    "account_id",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
]
GOOD = {"grant_type": "client_credentials", **SERVER}


def mc_shape(response: httpx.Response) -> None:
    assert response.status_code in (200, 400, 401), response.text
    if response.status_code != 200:
        found = response.json()
        assert list(found) == ["error", "error_description", "error_uri"] and found["error_uri"] == ERROR_URI


@settings(max_examples=200, deadline=None)
@given(body=st.dictionaries(st.sampled_from(FIELDS), JSON_VALUE), base=st.booleans())
def test_any_json_token_request_gets_an_mc_answer(body: dict[str, Any], base: bool) -> None:
    with in_process_client(APP) as http:
        mc_shape(http.post(f"{BASE}/v2/token", json={**(GOOD if base else {}), **body}))


@settings(max_examples=200, deadline=None)
@given(body=st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=40)), base=st.booleans())
def test_any_form_token_request_gets_an_mc_answer(body: dict[str, str], base: bool) -> None:
    with in_process_client(APP) as http:
        mc_shape(http.post(f"{BASE}/v2/token", data={**(GOOD if base else {}), **body}))


# -- integration changes reach every token v2/token issues (spec 1.0: "Config changes to an API integration can
# take up to 5 minutes to show up in codes and tokens issued by v2/authorize and v2/token") -----------------------
WEB = {"client_id": "mockowndemoweb00000000000", "client_secret": "MockownMcWebSecret0000000"}
CALLBACK = "http://localhost:8080/callback"


def web_code(client: httpx.Client, **extra: str) -> str:
    query = {"response_type": "code", "client_id": WEB["client_id"], "redirect_uri": CALLBACK, **extra}
    location = client.get(f"{BASE}/v2/authorize", params=query).headers["location"]
    return parse_qs(urlsplit(location).query)["code"][0]


def web_token(client: httpx.Client, **body: str) -> httpx.Response:
    return client.post(f"{BASE}/v2/token", json={**WEB, **body})


def test_a_scope_removed_from_the_integration_leaves_refreshed_tokens(client: httpx.Client, runtime: Runtime) -> None:
    code = web_code(client)
    first = web_token(client, grant_type="authorization_code", code=code, redirect_uri=CALLBACK).json()
    granted = first["scope"].split()
    assert "email_write" in granted
    kept = [s for s in granted if s != "email_write"]
    runtime.marketing.update_integration(WEB["client_id"], scopes=kept)
    refreshed = web_token(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert refreshed.status_code == 200 and refreshed.json()["scope"].split() == kept
    asked = web_token(
        client, grant_type="refresh_token", refresh_token=refreshed.json()["refresh_token"], scope="email_write"
    )
    assert asked.status_code == 400 and asked.json()["error"] == "invalid_scope"


def test_a_scope_removed_after_authorize_leaves_the_exchanged_token(client: httpx.Client, runtime: Runtime) -> None:
    code = web_code(client)
    scopes = runtime.marketing.integration(WEB["client_id"])
    assert scopes is not None
    kept = [s for s in scopes.scopes if s != "email_read"]
    runtime.marketing.update_integration(WEB["client_id"], scopes=kept)
    exchanged = web_token(client, grant_type="authorization_code", code=code, redirect_uri=CALLBACK)
    assert exchanged.status_code == 200 and exchanged.json()["scope"].split() == kept


def test_a_business_unit_removed_from_the_integration_refuses_its_refresh(
    client: httpx.Client, runtime: Runtime
) -> None:
    code = web_code(client, account_id="10123458")
    first = web_token(client, grant_type="authorization_code", code=code, redirect_uri=CALLBACK).json()
    info = client.get(f"{BASE}/v2/userinfo", headers={"Authorization": f"Bearer {first['access_token']}"}).json()
    assert info["organization"]["member_id"] == 10123458
    late_code = web_code(client, account_id="10123458")
    runtime.marketing.update_integration(WEB["client_id"], accessible_mids=[10123456])
    for response in (
        web_token(client, grant_type="refresh_token", refresh_token=first["refresh_token"]),
        web_token(client, grant_type="authorization_code", code=late_code, redirect_uri=CALLBACK),
    ):
        assert response.status_code == 401 and response.json()["error"] == "unauthorized_client", response.text
    # the user's own business unit is still open to the same refresh token
    switched = web_token(
        client, grant_type="refresh_token", refresh_token=first["refresh_token"], account_id="10123456"
    )
    assert switched.status_code == 200


# -- scope is space-separated (spec 1.1.1: "Space-separated permission IDs") ----------------------------------
@pytest.mark.parametrize("separator", ["\u00a0", "\u3000", "\u2003", "\t", "\n"])
def test_scope_ids_are_separated_by_spaces_only(client: httpx.Client, separator: str) -> None:
    """Python's str.split() also splits at tabs, newlines and Unicode spaces: `email_read<NBSP>email_write` is one
    unknown permission id to a space-separated list, so invalid_scope."""
    response = cc(client, scope=f"email_read{separator}email_write")
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"
    assert cc(client, scope="  email_read   email_write ").json()["scope"] == "email_read email_write"

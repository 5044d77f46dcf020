"""`/v2/token`'s parameters as a JSON body gives them (spec 1.1.1: `scope` is a space-separated string; omitted, every
scope of the integration; "", none). JSON `null` read as "" gave a token with no scopes where the client said
nothing, and an array was read as a repeated parameter of which only the first counted, so
`["email_read","not_a_scope"]` was silently cut to `email_read` (and `[]` got every scope). Now `null` is an omitted
parameter, and an array (or a form field sent twice) is 400 `invalid_request` naming the parameter."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .test_marketing import ALL_SCOPES, BASE, CALLBACK, SERVER, WEB, cc, code_for

ERROR_KEYS = ["error", "error_description", "error_uri"]


def _refused_naming(response: httpx.Response, name: str) -> None:
    assert response.status_code == 400, response.text
    found = response.json()
    assert list(found) == ERROR_KEYS and found["error"] == "invalid_request"
    assert name in found["error_description"]


def test_a_null_scope_is_an_omitted_scope(client: httpx.Client) -> None:
    assert cc(client, scope=None).json()["scope"] == ALL_SCOPES == cc(client).json()["scope"]
    assert cc(client, scope="").json()["scope"] == ""  # the documented empty string still means none


def test_a_null_scope_at_the_exchange_keeps_the_codes_scopes(client: httpx.Client) -> None:
    code = code_for(client, WEB, scope="email_read offline")
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "scope": None, **WEB}
    response = client.post(f"{BASE}/v2/token", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "email_read offline"


@pytest.mark.parametrize("scope", [[], ["email_read"], ["email_read", "not_a_scope"], ["email_read email_write"]])
def test_a_scope_array_is_refused_naming_scope(client: httpx.Client, scope: list[str]) -> None:
    _refused_naming(cc(client, scope=scope), "scope")


@pytest.mark.parametrize(
    ("name", "value"), [("account_id", [10123457]), ("client_id", [SERVER["client_id"]]), ("grant_type", [])]
)
def test_any_array_parameter_is_refused_naming_it(client: httpx.Client, name: str, value: Any) -> None:
    _refused_naming(
        client.post(f"{BASE}/v2/token", json={"grant_type": "client_credentials", **SERVER, name: value}), name
    )


def test_a_repeated_form_field_is_refused_naming_it(client: httpx.Client) -> None:
    form = [("grant_type", "client_credentials"), *SERVER.items(), ("scope", "email_read"), ("scope", "not_a_scope")]
    body = str(httpx.QueryParams(form))
    response = client.post(
        f"{BASE}/v2/token", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    _refused_naming(response, "scope")


def test_other_null_parameters_are_omitted_ones(client: httpx.Client) -> None:
    assert cc(client, account_id=None).status_code == 200
    missing = client.post(
        f"{BASE}/v2/token", json={"grant_type": "authorization_code", "code": None, "redirect_uri": CALLBACK, **WEB}
    )
    assert missing.status_code == 400 and "code" in missing.json()["error_description"]

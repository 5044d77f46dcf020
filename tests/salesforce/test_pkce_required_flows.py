"""An app that requires PKCE (`pkce_required`, the sf CLI's `PlatformCLI`) refuses a code request without a
`code_challenge`, and only that: Salesforce's setting covers "the OAuth authorization code flow and its
derivatives", and the user-agent flows have no code exchange a challenge could guard. They were refused with
`#error=invalid_request&error_description=missing required code challenge`."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mockown.runtime import Runtime

from .helpers import new_org

AUTHORIZE = "/services/oauth2/authorize"
CB = "myapp://done"


def _authorize(client: httpx.Client, org: dict[str, str], response_type: str, **extra: str) -> dict[str, list[str]]:
    query = {"response_type": response_type, "client_id": org["client_id"], "redirect_uri": CB,
             "login_hint": org["username"], "scope": "api openid", "nonce": "n", **extra}  # fmt: skip
    response = client.get(AUTHORIZE, params=query)
    assert response.status_code == 302, response.text
    parts = urlsplit(response.headers["location"])
    return parse_qs(parts.fragment or parts.query)


@pytest.mark.parametrize("response_type", ["token", "token id_token", "id_token token", "hybrid_token"])
def test_a_user_agent_flow_needs_no_challenge(client: httpx.Client, runtime: Runtime, response_type: str) -> None:
    org = new_org(runtime, callback_urls=[CB], pkce_required=True)
    found = _authorize(client, org, response_type)
    assert "access_token" in found, found


def test_a_code_request_without_a_challenge_is_still_refused(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, callback_urls=[CB], pkce_required=True)
    assert _authorize(client, org, "code")["error_description"] == ["missing required code challenge"]
    challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert "code" in _authorize(client, org, "code", code_challenge=challenge)

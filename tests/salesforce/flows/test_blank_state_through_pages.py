"""A blank `state` is echoed blank (`state=`) after the login and consent pages, as on the direct redirect (RFC 6749
4.1.2: the exact value received). The pages carry the request in their `q` field, which was read back with
`parse_qsl`'s default that drops blank values: the code came back without `state` at all."""

from __future__ import annotations

import httpx
import pytest

from mockown.runtime import Runtime

from .support import new_org
from .test_login_page import authorize, consent, login

CB = "https://app.example.com/cb"


@pytest.mark.parametrize("state", ["", "s"])
def test_the_state_comes_back_as_sent_after_login_and_consent(
    client: httpx.Client, runtime: Runtime, state: str
) -> None:
    org = new_org(runtime, auto_approve=False, callback_urls=[CB])
    app = {"client_id": org["app"]["client_id"]}
    page = authorize(client, app, state=state, nonce="")
    consent_page = login(client, page, org["username"], "Alice-Passw0rd")
    assert consent_page.status_code == 200, consent_page.text
    allowed = consent(client, consent_page, "allow")
    assert allowed.status_code == 302
    assert allowed.headers["location"].startswith(f"{CB}?code=")
    assert allowed.headers["location"].endswith(f"&state={state}")
    denied = consent(client, authorize(client, app, state=state), "deny")
    assert denied.headers["location"].endswith(f"&state={state}")


def test_a_blank_state_comes_back_after_the_login_page_alone(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, callback_urls=[CB])  # auto-approved: the login page redirects at once
    page = authorize(client, {"client_id": org["app"]["client_id"]}, state="")
    signed_in = login(client, page, org["username"], "Alice-Passw0rd")
    assert signed_in.status_code == 302
    assert signed_in.headers["location"].endswith("&state=")

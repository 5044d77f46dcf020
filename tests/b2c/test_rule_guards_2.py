"""Rules of SLAS (session bridge, trusted system on behalf), OCAPI and Account Manager that the second hand-driven
mutation audit showed no test would miss if broken (each test names the mutant it kills)."""

from __future__ import annotations

import base64

import httpx

from mockown.clock import FrozenClock
from mockown.runtime import Runtime

from .test_slas import BASE, CALLBACK, CHALLENGE, PRIVATE, PUBLIC, SECRET, VERIFIER, basic, guest_code, problem

OCAPI_AUTH = "/s/RefArch/dw/shop/v24_5/customers/auth"
BRIDGE = BASE + "/session-bridge/token"


def _ocapi_guest(client: httpx.Client) -> str:
    ocapi = client.post(OCAPI_AUTH, json={"type": "guest"}, headers={"x-dw-client-id": "a" * 30})
    assert ocapi.status_code == 200, ocapi.text
    return ocapi.headers["authorization"].removeprefix("Bearer ")


# -- session bridge ------------------------------------------------------------------------------------------------
def test_the_session_bridge_grant_takes_only_a_session_bridge_code(client: httpx.Client) -> None:
    """Kills `if code.hint not in ("sb-user", "sb-guest")` dropped (slas.session_bridge): a guest code from
    `hint=guest` is no session-bridge code, even with a matching guest session."""
    code, _usid = guest_code(client)
    data = {"grant_type": "session_bridge", "client_id": PUBLIC, "channel_id": "RefArch", "code": code,
            "code_verifier": VERIFIER, "login_id": "guest", "dwsgst": _ocapi_guest(client)}  # fmt: skip
    refused = client.post(BRIDGE, data=data)
    assert refused.status_code == 400, refused.text
    query = {"client_id": PUBLIC, "response_type": "code", "redirect_uri": CALLBACK, "hint": "sb-guest",
             "code_challenge": CHALLENGE, "channel_id": "RefArch"}  # fmt: skip
    located = client.get(BASE + "/authorize", params=query).headers["location"]
    sb_code = located.split("code=", 1)[1].split("&", 1)[0]
    assert client.post(BRIDGE, data={**data, "code": sb_code}).status_code == 200


def test_a_session_bridge_hint_needs_the_session_bridge_scope_at_authorize(client: httpx.Client) -> None:
    """Kills the `sfcc.session_bridge` scope check dropped from slas.authorize (`hint=sb-user` / `sb-guest`): the
    strict client (authenticated, without that scope) gets a guest code but no bridge code."""
    good = base64.b64encode(b"mockown-slas-strict:MockownSlasStrict0001").decode()
    query = {"client_id": "mockown-slas-strict", "response_type": "code", "redirect_uri": CALLBACK, "hint": "guest"}
    assert client.get(BASE + "/authorize", params=query, headers={"x-slas-client-auth": good}).status_code == 303
    for hint in ("sb-user", "sb-guest"):
        refused = client.get(BASE + "/authorize", params={**query, "hint": hint}, headers={"x-slas-client-auth": good})
        problem(refused, 401, "invalid_client")


def _bridge_code(client: httpx.Client, hint: str) -> str:
    query = {"client_id": PUBLIC, "response_type": "code", "redirect_uri": CALLBACK, "hint": hint,
             "code_challenge": CHALLENGE, "channel_id": "RefArch"}  # fmt: skip
    located = client.get(BASE + "/authorize", params=query)
    assert located.status_code == 303, located.text
    return located.headers["location"].split("code=", 1)[1].split("&", 1)[0]


def test_the_token_endpoint_refuses_a_session_bridge_code(client: httpx.Client) -> None:
    """Kills `if code.hint in ("sb-user", "sb-guest"): raise` dropped (slas.token): a bridge code is redeemed only
    at /session-bridge/token."""
    data = {"grant_type": "authorization_code_pkce", "client_id": PUBLIC, "channel_id": "RefArch",
            "code": _bridge_code(client, "sb-guest"), "code_verifier": VERIFIER, "redirect_uri": CALLBACK}  # fmt: skip
    assert client.post(BASE + "/token", data=data).status_code == 400


def test_a_guest_bridge_refuses_a_registered_shoppers_session(client: httpx.Client) -> None:
    """Kills `if customer.registered: raise` dropped from the guest branch of slas.session_bridge: `login_id=guest`
    with the session of a registered shopper is refused."""
    data = {"grant_type": "client_credentials", "channel_id": "RefArch", "login_id": "guest",
            "dwsid": "MockownDemoDwsid0000000000000000000000001"}  # fmt: skip
    problem(client.post(BRIDGE, data=data, headers=basic(PRIVATE, SECRET)), 400, "invalid_request")
    registered = {**data, "login_id": "shopper@mockown.test"}
    assert client.post(BRIDGE, data=registered, headers=basic(PRIVATE, SECRET)).status_code == 200


def test_a_registered_bridge_code_refuses_a_guest_session(client: httpx.Client) -> None:
    """Kills `if code is not None and code.registered != registered: raise` dropped (slas.session_bridge): an
    `sb-user` code does not bridge a guest session, nor an `sb-guest` code a registered one."""
    guest = {"grant_type": "session_bridge", "client_id": PUBLIC, "channel_id": "RefArch", "code_verifier": VERIFIER,
             "login_id": "guest", "dwsgst": _ocapi_guest(client)}  # fmt: skip
    problem(client.post(BRIDGE, data={**guest, "code": _bridge_code(client, "sb-user")}), 400, "invalid_request")
    assert client.post(BRIDGE, data={**guest, "code": _bridge_code(client, "sb-guest")}).status_code == 200


def test_an_ocapi_jwt_is_no_bridge_once_it_expires(client: httpx.Client, runtime: Runtime, clock: FrozenClock) -> None:
    """Kills `now >= token.expires_at` moved to `>` (slas._bridged_customer): at its expiry instant the OCAPI JWT
    bridges nothing."""
    data = {"grant_type": "client_credentials", "channel_id": "RefArch", "login_id": "guest"}
    early = _ocapi_guest(client)
    clock.advance(runtime.config.b2c.ocapi_token_ttl - 1)
    late = _ocapi_guest(client)
    assert client.post(BRIDGE, data={**data, "dwsgst": early}, headers=basic(PRIVATE, SECRET)).status_code == 200
    clock.advance(1)
    problem(client.post(BRIDGE, data={**data, "dwsgst": early}, headers=basic(PRIVATE, SECRET)), 400, "invalid_request")
    assert client.post(BRIDGE, data={**data, "dwsgst": late}, headers=basic(PRIVATE, SECRET)).status_code == 200

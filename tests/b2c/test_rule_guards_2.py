"""Rules of SLAS (session bridge, trusted system on behalf), OCAPI and Account Manager that the second hand-driven
mutation audit showed no test would miss if broken (each test names the mutant it kills)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mockown import Config, create_app
from mockown.clock import FrozenClock
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from mockown.seed import seed_document

from . import test_account_manager as am
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


def _trusted(**extra: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "hint": "ts_ext_on_behalf_of", "login_id": "shopper@mockown.test",
            "idp_origin": "ecom", "client_id": PRIVATE, "channel_id": "RefArch", **extra}  # fmt: skip


def test_trusted_system_for_an_unknown_ecom_shopper_is_refused(client: httpx.Client) -> None:
    """Kills `elif params.get("idp_origin") == "ecom": raise` dropped (slas.trusted_system): a B2C Commerce (`ecom`)
    login must name an existing shopper; a third-party IDP's login gets a stable customer id."""
    unknown = _trusted(login_id="nobody@mockown.test")
    refused = client.post(BASE + "/trusted-system/token", data=unknown, headers=basic(PRIVATE, SECRET))
    problem(refused, 400, "invalid_request", "Bad or missing login_id.")
    other_idp = client.post(
        BASE + "/trusted-system/token",
        data={**unknown, "idp_origin": "auth0", "login_id": "nobody@idp.test"},
        headers=basic(PRIVATE, SECRET),
    )
    assert other_idp.status_code == 200, other_idp.text


def test_revoke_by_another_client_leaves_the_token_alone(client: httpx.Client) -> None:
    """Kills the client check dropped from slas.revoke's refresh-token branch (RFC 7009 2.1: the server verifies
    that the token was issued to the client making the revocation request)."""
    tokens = client.post(
        BASE + "/token", data={"grant_type": "client_credentials", "channel_id": "RefArch"},
        headers=basic(PRIVATE, SECRET),
    ).json()  # fmt: skip
    strict = basic("mockown-slas-strict", "MockownSlasStrict0001")
    answered = client.post(BASE + "/revoke", data={"token": tokens["refresh_token"]}, headers=strict)
    assert answered.status_code == 200
    seen = client.post(BASE + "/introspect", data={"token": tokens["refresh_token"]}, headers=basic(PRIVATE, SECRET))
    assert seen.json()["active"] is True


# -- OCAPI ---------------------------------------------------------------------------------------------------------
def test_ocapi_session_auth_refuses_a_session_of_another_site(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `session.site != site.id` dropped (ocapi.auth, type `session`): a storefront session (dwsid) of one
    instance's RefArch is no session of another instance's RefArch."""
    other = "other-001.dx.commercecloud.salesforce.com"
    seed_document(
        runtime, {"b2c": {"instances": [{"host": other, "sites": [{"id": "RefArch", "client_ids": ["a" * 30]}]}]}}
    )
    headers = {"x-dw-client-id": "a" * 30, "Cookie": "dwsid=MockownDemoDwsid0000000000000000000000001"}
    assert client.post(OCAPI_AUTH, json={"type": "session"}, headers=headers).status_code == 200
    elsewhere = client.post(f"http://{other}{OCAPI_AUTH}", json={"type": "session"}, headers=headers)
    assert elsewhere.status_code == 401, elsewhere.text


# -- Account Manager ----------------------------------------------------------------------------------------------
def _am_pkce_tokens(client: httpx.Client) -> dict[str, Any]:
    verifier = "k" * 64
    body = am.pkce_exchange(client, am.pkce_code(client, verifier), verifier)
    assert body.status_code == 200, body.text
    tokens: dict[str, Any] = body.json()
    return tokens


def test_an_account_manager_code_is_redeemed_only_by_its_client(client: httpx.Client) -> None:
    """Kills `code.client_id != client.id` dropped (am._code; RFC 6749 4.1.3: the code was issued to the
    authenticated client): another client, even authenticated, gets invalid_grant and the code stays usable."""
    verifier = "k" * 64
    code = am.pkce_code(client, verifier)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost:8080",
            "code_verifier": verifier}  # fmt: skip
    stolen = am.am_token(client, form, am.basic(am.CID, am.SECRET))
    assert (stolen.status_code, stolen.json()["error_description"]) == (400, "Invalid authorization code")
    assert am.pkce_exchange(client, code, verifier).status_code == 200


def test_an_account_manager_refresh_token_is_used_only_by_its_client(client: httpx.Client) -> None:
    """Kills `rt.client_id != client.id` dropped (am._refresh; RFC 6749 6: bound to the client it was issued to)."""
    rt = _am_pkce_tokens(client)["refresh_token"]
    data = {"grant_type": "refresh_token", "refresh_token": rt}
    stolen = am.am_token(client, data, am.basic(am.CID, am.SECRET))
    assert (stolen.status_code, stolen.json()["error"]) == (400, "invalid_grant")
    assert am.am_token(client, {**data, "client_id": am.PKCE_CID}).status_code == 200


def test_an_account_manager_refresh_token_expires_at_its_ttl(clock: FrozenClock) -> None:
    """Kills `now >= rt.expires_at` moved to `>` (am._refresh) with `am_refresh_ttl` set."""
    app = create_app(Config().replace(b2c={"am_refresh_ttl": 100}), clock=clock)
    with in_process_client(app) as c:
        early, late = _am_pkce_tokens(c)["refresh_token"], None
        clock.advance(1)
        late = _am_pkce_tokens(c)["refresh_token"]
        clock.advance(99)  # early is 100 s old, late 99 s
        assert (
            am.am_token(c, {"grant_type": "refresh_token", "refresh_token": late, "client_id": am.PKCE_CID}).status_code
            == 200
        )
        dead = am.am_token(c, {"grant_type": "refresh_token", "refresh_token": early, "client_id": am.PKCE_CID})
        assert (dead.status_code, dead.json()["error"]) == (400, "invalid_grant")


def test_a_client_assertion_expiring_now_is_refused(client: httpx.Client, runtime: Runtime, clock: FrozenClock) -> None:
    """Kills `exp <= now` moved to `<` (am._check_assertion; RFC 7519 4.1.4: not accepted on or after exp)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    client_entry = {"client_id": "jwt-client", "auth_method": "private_key_jwt", "jwt_public_key": pem.decode()}
    seed_document(runtime, {"b2c": {"account_manager": {"clients": [client_entry]}}})
    now = int(clock.now())
    assert am.jwt_token(client, am.assertion(key, now, exp=now + 1)).status_code == 200
    assert am.jwt_token(client, am.assertion(key, now, exp=now)).status_code == 401


def test_account_manager_authorize_refuses_an_inactive_login_hint(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `not user.active` dropped from am.authorize: a disabled user is `access_denied`, no code."""
    query = {"client_id": am.PKCE_CID, "redirect_uri": "http://localhost:8080", "response_type": "code",
             "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
             "login_hint": "am-admin@mockown.test"}  # fmt: skip
    ok = client.get(am.AM + "/dwsso/oauth2/authorize", params=query)
    assert "code=" in ok.headers["location"]
    users = runtime.b2c.am.users
    user = users.get("am-admin@mockown.test")
    assert user is not None
    user.active = False
    users.put(user)
    refused = client.get(am.AM + "/dwsso/oauth2/authorize", params=query)
    assert "error=access_denied" in refused.headers["location"] and "code=" not in refused.headers["location"]


# -- more SLAS rules -----------------------------------------------------------------------------------------------
DWSID = "MockownDemoDwsid0000000000000000000000001"


def test_a_registered_bridge_needs_the_sessions_own_login(client: httpx.Client) -> None:
    """Kills `customer.login != login_id.lower()` dropped (slas.session_bridge): the login_id must be the login of
    the shopper the session belongs to (case ignored)."""
    data = {"grant_type": "client_credentials", "channel_id": "RefArch", "dwsid": DWSID}
    ok = client.post(BRIDGE, data={**data, "login_id": "Shopper@Mockown.test"}, headers=basic(PRIVATE, SECRET))
    assert ok.status_code == 200, ok.text
    other = client.post(BRIDGE, data={**data, "login_id": "someone@mockown.test"}, headers=basic(PRIVATE, SECRET))
    problem(other, 400, "invalid_request", "Bad or missing login_id.")


def test_a_logged_out_ocapi_jwt_bridges_nothing(client: httpx.Client) -> None:
    """Kills `token.revoked` dropped from slas._bridged_customer: an OCAPI JWT ended by its logout is no bridge."""
    token = _ocapi_guest(client)
    data = {"grant_type": "client_credentials", "channel_id": "RefArch", "login_id": "guest", "dwsgst": token}
    assert client.post(BRIDGE, data=data, headers=basic(PRIVATE, SECRET)).status_code == 200
    ended = client.delete(OCAPI_AUTH, headers={"x-dw-client-id": "a" * 30, "Authorization": f"Bearer {token}"})
    assert ended.status_code == 204
    problem(client.post(BRIDGE, data=data, headers=basic(PRIVATE, SECRET)), 400, "invalid_request")


def test_trusted_system_needs_its_scope(client: httpx.Client) -> None:
    """Kills the `sfcc.ts_ext_on_behalf_of` scope check dropped (slas.trusted_system): an authenticated client
    without that scope (the strict client) is refused."""
    strict = basic("mockown-slas-strict", "MockownSlasStrict0001")
    response = client.post(
        BASE + "/trusted-system/token", data=_trusted(client_id="mockown-slas-strict"), headers=strict
    )
    problem(response, 401, "invalid_client")


def test_trusted_system_needs_idp_origin_and_client_id(client: httpx.Client, clock: FrozenClock) -> None:
    """Kills `idp_origin` / `client_id` dropped from the required parameters of slas.trusted_system."""
    for name in ("idp_origin", "client_id"):
        data = {k: v for k, v in _trusted().items() if k != name}
        response = client.post(BASE + "/trusted-system/token", data=data, headers=basic(PRIVATE, SECRET))
        problem(response, 400, "invalid_request", f"Bad or missing {name}.")
        clock.advance(1)


def test_a_client_id_in_the_body_must_be_the_basic_one(client: httpx.Client) -> None:
    """Kills `client_id != found.client_id` dropped (slas.basic_client): a body `client_id` naming another client
    than the Basic credentials is refused."""
    data = {"grant_type": "client_credentials", "channel_id": "RefArch"}
    assert (
        client.post(BASE + "/token", data={**data, "client_id": PRIVATE}, headers=basic(PRIVATE, SECRET)).status_code
        == 200
    )
    other = client.post(BASE + "/token", data={**data, "client_id": PUBLIC}, headers=basic(PRIVATE, SECRET))
    problem(other, 401, "invalid_client")


# -- OCAPI: a JWT belongs to its site -------------------------------------------------------------------------------
def test_an_ocapi_jwt_of_one_site_is_refused_by_another(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `token.site != site.id` dropped (ocapi.bearer)."""
    other = "other-002.dx.commercecloud.salesforce.com"
    seed_document(
        runtime, {"b2c": {"instances": [{"host": other, "sites": [{"id": "RefArch", "client_ids": ["a" * 30]}]}]}}
    )
    headers = {"x-dw-client-id": "a" * 30, "Authorization": f"Bearer {_ocapi_guest(client)}"}
    assert client.post(OCAPI_AUTH, json={"type": "refresh"}, headers=headers).status_code == 200
    elsewhere = client.post(f"http://{other}{OCAPI_AUTH}", json={"type": "refresh"}, headers=headers)
    assert elsewhere.status_code == 401 and elsewhere.json()["fault"]["type"] == "InvalidAccessTokenException"


# -- more Account Manager rules -------------------------------------------------------------------------------------
def test_a_public_account_manager_client_cannot_use_client_credentials(client: httpx.Client) -> None:
    """Kills the public-client refusal dropped from am.token (`client_credentials` needs a confidential client)."""
    response = am.am_token(client, {"grant_type": "client_credentials", "client_id": am.PKCE_CID})
    assert (response.status_code, response.json()["error"]) == (400, "unauthorized_client")


def test_an_account_manager_access_token_is_no_refresh_token(client: httpx.Client) -> None:
    """Kills `rt.kind != "refresh"` dropped (am._refresh)."""
    tokens = _am_pkce_tokens(client)
    data = {"grant_type": "refresh_token", "refresh_token": tokens["access_token"], "client_id": am.PKCE_CID}
    response = am.am_token(client, data)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_account_manager_authorize_takes_only_s256(client: httpx.Client) -> None:
    """Kills the `code_challenge_method` check dropped from am.authorize (S256 only)."""
    query = {"client_id": am.PKCE_CID, "redirect_uri": "http://localhost:8080", "response_type": "code",
             "code_challenge": "k" * 43, "code_challenge_method": "plain"}  # fmt: skip
    located = client.get(am.AM + "/dwsso/oauth2/authorize", params=query).headers["location"]
    assert "error=invalid_request" in located and "code=" not in located

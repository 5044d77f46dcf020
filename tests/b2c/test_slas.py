"""SLAS over HTTP on the frozen clock: every grant, the refresh rule, ES256 JWTs from /jwks, documented errors."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from mockown.security import b64url_sha256
from mockown.seed import seed_document

ORG = "f_ecom_zzxy_001"
BASE = f"/shopper/auth/v1/organizations/{ORG}/oauth2"
HOST = "http://kv7kzm78.api.commercecloud.salesforce.com"
PRIVATE, SECRET = "mockown-slas-private", "MockownSlasSecret0001"
PUBLIC = "mockown-slas-public"
# a trusted-system token request for the demo shopper on behalf of the private client (its Basic credentials apart)
TRUSTED_SYSTEM = {
    "grant_type": "client_credentials",
    "hint": "ts_ext_on_behalf_of",
    "login_id": "shopper@mockown.test",
    "idp_origin": "ecom",
    "client_id": PRIVATE,
    "channel_id": "RefArch",
}
CALLBACK = "http://localhost:3000/callback"
VERIFIER = "v" * 128
CHALLENGE = b64url_sha256(VERIFIER)
TEN = {
    "access_token",
    "customer_id",
    "enc_user_id",
    "expires_in",
    "id_token",
    "idp_access_token",
    "refresh_token",
    "refresh_token_expires_in",
    "token_type",
    "usid",
}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def problem(response: httpx.Response, status: int, error: str, description: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"] == error
    if description is not None:
        assert response.json()["error_description"] == description


def guest_code(client: httpx.Client, client_id: str = PUBLIC, **extra: str) -> tuple[str, str]:
    query = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "hint": "guest",
        "code_challenge": CHALLENGE,
        "channel_id": "RefArch",
        **extra,
    }
    response = client.get(BASE + "/authorize", params=query)
    assert response.status_code == 303, response.text
    found = parse_qs(urlsplit(response.headers["location"]).query)
    return found["code"][0], found["usid"][0]


def pkce_token(client: httpx.Client, code: str, usid: str, **extra: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code_pkce",
        "client_id": PUBLIC,
        "channel_id": "RefArch",
        "code": code,
        "code_verifier": VERIFIER,
        "redirect_uri": CALLBACK,
        "usid": usid,
        **extra,
    }
    return client.post(BASE + "/token", data=data)


def private_guest(client: httpx.Client, **extra: str) -> httpx.Response:
    data = {"grant_type": "client_credentials", "channel_id": "RefArch", **extra}
    return client.post(BASE + "/token", data=data, headers=basic(PRIVATE, SECRET))


def login(
    client: httpx.Client,
    client_id: str = PUBLIC,
    password: str = "Sh0pper!",
    headers: dict[str, str] | None = None,
    **extra: str,
) -> httpx.Response:
    data = {
        "redirect_uri": CALLBACK,
        "channel_id": "RefArch",
        "client_id": client_id,
        "code_challenge": CHALLENGE,
        "state": "st",
        **extra,
    }
    return client.post(
        BASE + "/login", data=data, headers={**basic("shopper@mockown.test", password), **(headers or {})}
    )


# -- guest flows --------------------------------------------------------------------------------------------
def test_public_guest_flow_returns_all_ten_fields(client: httpx.Client) -> None:
    code, usid = guest_code(client, state="abc")
    response = pkce_token(client, code, usid)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= TEN
    assert body["usid"] == usid and body["expires_in"] == 1800 and body["token_type"] == "Bearer"
    assert body["refresh_token_expires_in"] == 2592000 and body["idp_access_token"] == "" and body["dnt"] == "false"
    assert len(body["customer_id"]) == 26 and len(body["enc_user_id"]) == 32 and body["enc_user_id"].isupper()


def test_private_guest_with_basic(client: httpx.Client) -> None:
    body = private_guest(client, usid="11111111-2222-3333-4444-555555555555", dnt="true").json()
    assert set(body) >= TEN and body["usid"] == "11111111-2222-3333-4444-555555555555" and body["dnt"] == "true"


def test_access_token_is_es256_verifiable_from_jwks(client: httpx.Client, clock: FrozenClock) -> None:
    token = private_guest(client).json()["access_token"]
    keys = client.get(BASE + "/jwks").json()["keys"]
    assert keys[0]["kty"] == "EC" and keys[0]["crv"] == "P-256"
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["ver"] == "1.0" and header["clv"] == "J2.1.0"
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == header["kid"]))
    claims = jwt.decode(
        token,
        key,
        algorithms=["ES256"],
        audience=f"commercecloud/prod/{ORG}",
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    assert claims["iss"] == f"slas/prod/{ORG}" and claims["exp"] == int(clock.now()) + 1800
    assert claims["sub"].startswith(f"cc-slas::{ORG}::scid:{PRIVATE}::usid:")
    assert claims["isb"].startswith("uido:ecom::upn:Guest::") and "chid:RefArch" in claims["isb"]


def test_host_and_prefix_routing(client: httpx.Client) -> None:
    data = {"grant_type": "client_credentials", "channel_id": "RefArch"}
    assert client.post(HOST + BASE + "/token", data=data, headers=basic(PRIVATE, SECRET)).status_code == 200
    assert client.post("/b2c/kv7kzm78" + BASE + "/token", data=data, headers=basic(PRIVATE, SECRET)).status_code == 200
    wrong = client.post("/b2c/zzzzzzzz" + BASE + "/token", data=data, headers=basic(PRIVATE, SECRET))
    problem(wrong, 404, "not_found")


def test_rate_limit_headers_on_every_response(client: httpx.Client) -> None:
    ok = private_guest(client)
    bad = client.post(BASE + "/token", data={"grant_type": "client_credentials"})
    for response, used in ((ok, 1), (bad, 2)):
        assert response.headers["x-ratelimit-1m-limit"] == "1000"
        assert response.headers["x-ratelimit-1m-remaining"] == str(1000 - used)
        assert response.headers["x-ratelimit-1m-reset"] == "60"
        assert response.headers["x-ratelimit-5m-remaining"] == str(5000 - used)
        assert response.headers["x-ratelimit-5m-reset"] == "300"


def test_rate_limits_can_be_enforced(clock: FrozenClock) -> None:
    app = create_app(Config().replace(b2c={"slas_rate_limit_1m": 2, "slas_enforce_rate_limits": True}), clock=clock)
    with in_process_client(app) as c:
        assert private_guest(c).status_code == 200 and private_guest(c).status_code == 200
        problem(private_guest(c), 429, "too_many_requests")
        clock.advance(60)
        assert private_guest(c).status_code == 200


def test_malformed_tenant_id(client: httpx.Client) -> None:
    response = client.post("/shopper/auth/v1/organizations/zzxy_prd/oauth2/token", data={"grant_type": "x"})
    problem(response, 400, "invalid_request", "Tenant Id Exception - Must be a well-formed tenantId")


@pytest.mark.parametrize("org", ["zzxy_prd", "f_ecom_zzzz_999"])
def test_tenant_errors_carry_the_rate_limit_headers_too(client: httpx.Client, org: str) -> None:
    # "Every response carries X-RateLimit-1M-* and X-RateLimit-5M-*", the malformed-tenant 400 included
    response = client.post(f"/shopper/auth/v1/organizations/{org}/oauth2/token", data={"grant_type": "x"})
    assert response.status_code in (400, 404)
    for name in ("1M", "5M"):
        for part in ("Limit", "Remaining", "Reset"):
            assert f"x-ratelimit-{name}-{part}".lower() in response.headers


def test_unknown_tenants_count_under_one_key(client: httpx.Client, runtime: Runtime) -> None:
    # a tenant that does not exist has no rate bucket of its own: random tenant ids add no counters to the state
    from mockown.b2c.models import Counter

    counters = runtime.store.table(Counter)
    seen = []
    for org in ("f_ecom_aaaa_001", "f_ecom_bbbb_002", "zzxy_prd", "f_ecom_cccc_003"):
        response = client.post(f"/shopper/auth/v1/organizations/{org}/oauth2/token", data={"grant_type": "x"})
        assert response.status_code in (400, 404)
        seen.append(int(response.headers["x-ratelimit-1m-remaining"]))
        if len(seen) == 1:
            size = len(counters)
    assert seen == [seen[0], seen[0] - 1, seen[0] - 2, seen[0] - 3]
    assert len(counters) == size


# -- /authorize --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "status", "description"),
    [
        ({"client_id": "nobody"}, 400, "Bad or missing client_id."),
        ({"client_id": ""}, 400, "Bad or missing client_id."),
        ({"code_challenge": ""}, 400, "Bad or missing code_challenge."),
        ({"redirect_uri": "http://evil.example/callback"}, 400, None),
        ({"response_type": "token"}, 400, None),
        ({"hint": "okta"}, 400, None),
        ({"state": "s" * 513}, 400, None),  # state: maxLength 512
    ],
)
def test_authorize_errors(client: httpx.Client, change: dict[str, str], status: int, description: str | None) -> None:
    query = {
        "client_id": PUBLIC,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "hint": "guest",
        "code_challenge": CHALLENGE,
        **change,
    }
    problem(client.get(BASE + "/authorize", params=query), status, "invalid_request", description)


def test_authorize_state_of_512_characters_comes_back(client: httpx.Client) -> None:
    code, _usid = guest_code(client, state="s" * 512)
    assert code


def test_authorize_redirect_wildcard(client: httpx.Client) -> None:
    query = {
        "client_id": PRIVATE,
        "response_type": "code",
        "redirect_uri": "https://shop.example.com/callback",
        "hint": "guest",
    }
    assert client.get(BASE + "/authorize", params=query).status_code == 303
    query["redirect_uri"] = "https://example.com.evil/callback"
    assert client.get(BASE + "/authorize", params=query).status_code == 400


def test_strict_client_auth(client: httpx.Client) -> None:
    query = {"client_id": "mockown-slas-strict", "response_type": "code", "redirect_uri": CALLBACK, "hint": "guest"}
    problem(client.get(BASE + "/authorize", params=query), 401, "invalid_client", "Basic Authorization failed.")
    good = base64.b64encode(b"mockown-slas-strict:MockownSlasStrict0001").decode()
    assert client.get(BASE + "/authorize", params=query, headers={"x-slas-client-auth": good}).status_code == 303
    bad = base64.b64encode(b"mockown-slas-strict:wrong").decode()
    assert client.get(BASE + "/authorize", params=query, headers={"x-slas-client-auth": bad}).status_code == 401


# -- /token rules --------------------------------------------------------------------------------------------
def test_channel_id_is_required_unless_warn(client: httpx.Client, clock: FrozenClock) -> None:
    response = client.post(BASE + "/token", data={"grant_type": "client_credentials"}, headers=basic(PRIVATE, SECRET))
    problem(response, 400, "invalid_request", "Bad or missing channel_id.")
    problem(private_guest(client, channel_id="OtherSite"), 400, "invalid_request")
    app = create_app(Config().replace(b2c={"slas_channel_id": "warn"}), clock=clock)
    with in_process_client(app) as c:
        assert (
            c.post(
                BASE + "/token", data={"grant_type": "client_credentials"}, headers=basic(PRIVATE, SECRET)
            ).status_code
            == 200
        )


def test_token_is_form_only(client: httpx.Client) -> None:
    response = client.post(
        BASE + "/token",
        json={"grant_type": "client_credentials", "channel_id": "RefArch"},
        headers=basic(PRIVATE, SECRET),
    )
    problem(response, 400, "invalid_request")


def test_private_grants_need_basic(client: httpx.Client) -> None:
    response = client.post(
        BASE + "/token", data={"grant_type": "client_credentials", "channel_id": "RefArch", "client_id": PRIVATE}
    )
    problem(response, 401, "invalid_client", "Basic Authorization failed.")
    problem(
        client.post(
            BASE + "/token",
            data={"grant_type": "client_credentials", "channel_id": "RefArch"},
            headers=basic(PRIVATE, "wrong"),
        ),
        401,
        "invalid_client",
    )
    problem(
        client.post(
            BASE + "/token", data={"grant_type": "client_credentials", "channel_id": "RefArch", "client_id": PUBLIC}
        ),
        401,
        "invalid_client",
    )


def test_missing_verifier_after_a_challenge(client: httpx.Client) -> None:
    code, usid = guest_code(client)
    problem(pkce_token(client, code, usid, code_verifier=""), 400, "invalid_request", "code_verifier is required")


def test_wrong_verifier_and_code_reuse_and_expiry(client: httpx.Client, clock: FrozenClock) -> None:
    code, usid = guest_code(client)
    problem(pkce_token(client, code, usid, code_verifier="w" * 64), 400, "invalid_request")
    assert pkce_token(client, code, usid).status_code == 200  # a refused exchange did not spend it
    problem(pkce_token(client, code, usid), 400, "invalid_request", "Invalid authorization code.")
    code, usid = guest_code(client)
    clock.advance(600)
    problem(pkce_token(client, code, usid), 400, "invalid_request", "Invalid authorization code.")


@pytest.mark.parametrize("verifier", ["v" * 42, "v" * 129, "short"])
def test_code_verifier_outside_43_to_128_is_refused(client: httpx.Client, verifier: str) -> None:
    # TokenRequest.code_verifier: minLength 43, maxLength 128 (SLAS OAS), even when its S256 matches
    code, usid = guest_code(client, code_challenge=b64url_sha256(verifier))
    problem(pkce_token(client, code, usid, code_verifier=verifier), 400, "invalid_request")
    ok = "v" * 43
    code, usid = guest_code(client, code_challenge=b64url_sha256(ok))
    assert pkce_token(client, code, usid, code_verifier=ok).status_code == 200


def test_private_authorization_code_with_optional_verifier(client: httpx.Client) -> None:
    code, _usid = guest_code(client, client_id=PRIVATE, code_challenge="")
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "channel_id": "RefArch"}
    assert client.post(BASE + "/token", data=data, headers=basic(PRIVATE, SECRET)).status_code == 200


def test_unknown_grant(client: httpx.Client) -> None:
    problem(client.post(BASE + "/token", data={"grant_type": "password"}), 400, "unsupported_grant_type")


# -- refresh rule --------------------------------------------------------------------------------------------
def refresh(client: httpx.Client, token: str, private: bool) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token, "channel_id": "RefArch"}
    if private:
        return client.post(BASE + "/token", data=data, headers=basic(PRIVATE, SECRET))
    return client.post(BASE + "/token", data={**data, "client_id": PUBLIC})


def test_private_refresh_returns_the_same_refresh_token(client: httpx.Client) -> None:
    first = private_guest(client).json()
    again = refresh(client, first["refresh_token"], private=True).json()
    assert again["refresh_token"] == first["refresh_token"] and again["access_token"] != first["access_token"]
    assert again["usid"] == first["usid"] and again["customer_id"] == first["customer_id"]
    assert refresh(client, first["refresh_token"], private=True).status_code == 200


def test_public_refresh_rotates_and_voids_the_old_one(client: httpx.Client) -> None:
    first = pkce_token(client, *guest_code(client)).json()
    second = refresh(client, first["refresh_token"], private=False)
    assert second.status_code == 200 and second.json()["refresh_token"] != first["refresh_token"]
    problem(
        refresh(client, first["refresh_token"], private=False), 400, "invalid_request", "Bad or missing refresh token."
    )


def test_refresh_expiry_guest_and_registered(client: httpx.Client, clock: FrozenClock) -> None:
    guest = private_guest(client).json()
    code = parse_qs(urlsplit(login(client, client_id=PRIVATE, code_challenge="").headers["location"]).query)["code"][0]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "channel_id": "RefArch"}
    registered = client.post(BASE + "/token", data=data, headers=basic(PRIVATE, SECRET)).json()
    assert registered["refresh_token_expires_in"] == 7776000
    clock.advance(2592000)
    assert refresh(client, guest["refresh_token"], private=True).status_code == 400
    assert refresh(client, registered["refresh_token"], private=True).status_code == 200


# -- /login --------------------------------------------------------------------------------------------------
def test_registered_login_and_pkce_exchange(client: httpx.Client, clock: FrozenClock) -> None:
    response = login(client, scope="openid offline_access")
    assert response.status_code == 303
    found = parse_qs(urlsplit(response.headers["location"]).query)
    assert found["state"] == ["st"] and found["scope"] == ["openid offline_access"]
    body = pkce_token(client, found["code"][0], found["usid"][0]).json()
    assert body["customer_id"] == "abmockownshopper0000000001"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert "upn:shopper@mockown.test" in claims["isb"] and "rcid:abmockownshopper0000000001" in claims["isb"]
    info = client.get(BASE + "/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert info["email"] == "shopper@mockown.test" and info["given_name"] == "Sam" and info["validated"] is True


def test_login_twice_within_a_second_is_409(client: httpx.Client, clock: FrozenClock) -> None:
    assert login(client).status_code == 303
    clock.advance(0.5)
    problem(login(client), 409, "conflict", "The same loginId and tenantId tried to login twice within 1 second.")
    clock.advance(1)
    assert login(client).status_code == 303


def test_login_errors(client: httpx.Client, clock: FrozenClock) -> None:
    problem(login(client, password="wrong"), 401, "invalid_client", "Basic Authorization failed.")
    clock.advance(2)
    problem(login(client, client_id="nobody"), 400, "invalid_request", "Bad or missing client_id.")
    problem(login(client, foo="bar"), 400, "invalid_request")
    clock.advance(2)
    assert login(client, c_custom="ok").status_code == 303
    clock.advance(2)
    problem(login(client, channel_id=""), 400, "invalid_request", "Bad or missing channel_id.")


# -- logout, revoke, introspect ----------------------------------------------------------------------------------
def registered_tokens(client: httpx.Client, clock: FrozenClock) -> dict[str, Any]:
    clock.advance(2)
    found = parse_qs(urlsplit(login(client).headers["location"]).query)
    body: dict[str, Any] = pkce_token(client, found["code"][0], found["usid"][0]).json()
    return body


def logout(client: httpx.Client, tokens: dict[str, Any], **extra: str) -> httpx.Response:
    query = {"client_id": PUBLIC, "refresh_token": tokens["refresh_token"], "channel_id": "RefArch", **extra}
    return client.get(BASE + "/logout", params=query, headers={"Authorization": f"Bearer {tokens['access_token']}"})


def test_logout_revokes_and_answers_the_documented_body(client: httpx.Client, clock: FrozenClock) -> None:
    tokens = registered_tokens(client, clock)
    response = logout(client, tokens)
    assert response.status_code == 200
    assert response.json() == {
        "access_token": "",
        "id_token": "null",
        "refresh_token": "",
        "expires_in": 0,
        "refresh_token_expires_in": 0,
        "token_type": "Bearer",
        "usid": "null",
        "customer_id": "null",
        "enc_user_id": "null",
        "idp_access_token": "",
        "idp_refresh_token": "null",
        "dnt": "null",
    }
    problem(refresh(client, tokens["refresh_token"], private=False), 400, "invalid_request")
    problem(
        client.get(BASE + "/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}),
        400,
        "invalid_request",
    )


def test_logout_of_a_bridged_shopper_revokes_the_ocapi_jwt(client: httpx.Client) -> None:
    # "Revokes both access and refresh tokens, and the OCAPI JWT if the shopper came from B2C" (/oauth2/logout)
    shop = "/s/RefArch/dw/shop/v24_5/customers/auth"
    ocapi_headers = {"x-dw-client-id": "a" * 30, **basic("shopper@mockown.test", "Sh0pper!")}
    jwt_header = client.post(shop, json={"type": "credentials"}, headers=ocapi_headers).headers["authorization"]
    bridged = public_session_bridge(client, dwsrst=jwt_header.removeprefix("Bearer "))
    assert bridged.status_code == 200, bridged.text
    tokens = refresh(client, bridged.json()["refresh_token"], private=False).json()  # a public refresh rotates
    refresh_ocapi = {"x-dw-client-id": "a" * 30, "Authorization": jwt_header}
    assert client.post(shop, json={"type": "refresh"}, headers=refresh_ocapi).status_code == 200
    assert logout(client, tokens).status_code == 200
    gone = client.post(shop, json={"type": "refresh"}, headers=refresh_ocapi)
    assert gone.status_code == 401 and gone.json()["fault"]["type"] == "InvalidAccessTokenException"


def test_logout_revokes_the_ocapi_jwt_a_refresh_made_from_the_bridged_one(client: httpx.Client) -> None:
    # an OCAPI refresh after the bridge replaces the JWT (same visit): the shopper's OCAPI session still ends
    shop = "/s/RefArch/dw/shop/v24_5/customers/auth"
    ocapi_headers = {"x-dw-client-id": "a" * 30, **basic("shopper@mockown.test", "Sh0pper!")}
    first = client.post(shop, json={"type": "credentials"}, headers=ocapi_headers).headers["authorization"]
    other = client.post(shop, json={"type": "credentials"}, headers=ocapi_headers).headers["authorization"]
    bridged = public_session_bridge(client, dwsrst=first.removeprefix("Bearer "))
    assert bridged.status_code == 200, bridged.text
    renewed = client.post(shop, json={"type": "refresh"}, headers={"x-dw-client-id": "a" * 30, "Authorization": first})
    assert renewed.status_code == 200
    assert logout(client, bridged.json()).status_code == 200
    gone = client.post(
        shop,
        json={"type": "refresh"},
        headers={"x-dw-client-id": "a" * 30, "Authorization": renewed.headers["authorization"]},
    )
    assert gone.status_code == 401 and gone.json()["fault"]["type"] == "InvalidAccessTokenException"
    # another OCAPI login of the same shopper (another visit) is not the session the shopper came from
    kept = client.post(shop, json={"type": "refresh"}, headers={"x-dw-client-id": "a" * 30, "Authorization": other})
    assert kept.status_code == 200


def test_logout_of_a_shopper_not_from_b2c_leaves_ocapi_tokens_alone(client: httpx.Client, clock: FrozenClock) -> None:
    shop = "/s/RefArch/dw/shop/v24_5/customers/auth"
    ocapi_headers = {"x-dw-client-id": "a" * 30, **basic("shopper@mockown.test", "Sh0pper!")}
    jwt_header = client.post(shop, json={"type": "credentials"}, headers=ocapi_headers).headers["authorization"]
    assert logout(client, registered_tokens(client, clock)).status_code == 200
    refresh_ocapi = {"x-dw-client-id": "a" * 30, "Authorization": jwt_header}
    assert client.post(shop, json={"type": "refresh"}, headers=refresh_ocapi).status_code == 200


def test_logout_all_sessions_and_bad_hint(client: httpx.Client, clock: FrozenClock) -> None:
    first, second = registered_tokens(client, clock), registered_tokens(client, clock)
    problem(logout(client, first, hint="everything"), 400, "invalid_request")
    assert logout(client, first, hint="all-sessions").status_code == 200
    problem(refresh(client, second["refresh_token"], private=False), 400, "invalid_request")


def test_logout_needs_client_and_refresh_token(client: httpx.Client, clock: FrozenClock) -> None:
    tokens = registered_tokens(client, clock)
    problem(logout(client, tokens, client_id="nobody"), 400, "invalid_request", "Bad or missing client_id.")
    problem(logout(client, {**tokens, "refresh_token": "nope"}), 400, "invalid_request")


def introspect(client: httpx.Client, token: str, **extra: str) -> httpx.Response:
    return client.post(BASE + "/introspect", data={"token": token, **extra}, headers=basic(PRIVATE, SECRET))


def test_revoke_and_introspect_agree(client: httpx.Client) -> None:
    tokens = private_guest(client).json()
    active = introspect(client, tokens["access_token"]).json()
    assert active["active"] is True and active["token_type"] == "access_token" and active["client_id"] == PRIVATE
    rt = introspect(client, tokens["refresh_token"], token_type_hint="refresh_token").json()
    assert rt["active"] is True and rt["token_type"] == "refresh_token"
    revoked = client.post(
        BASE + "/revoke",
        data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        headers=basic(PRIVATE, SECRET),
    )
    assert revoked.status_code == 200 and revoked.json()["refresh_token"] == tokens["refresh_token"]
    assert introspect(client, tokens["refresh_token"]).json() == {"active": False}
    assert introspect(client, tokens["access_token"]).json() == {"active": False}


def test_revoke_and_introspect_errors(client: httpx.Client) -> None:
    problem(client.post(BASE + "/revoke", data={"token": "x"}), 401, "invalid_client", "Basic Authorization failed.")
    problem(
        client.post(BASE + "/revoke", data={}, headers=basic(PRIVATE, SECRET)),
        400,
        "invalid_request",
        "Bad or missing refresh token.",
    )
    problem(
        client.post(BASE + "/introspect", data={}, headers=basic(PRIVATE, SECRET)),
        400,
        "invalid_request",
        "Bad or missing access token or refresh token",
    )


def test_expired_access_token_is_inactive(client: httpx.Client, clock: FrozenClock) -> None:
    token = private_guest(client).json()["access_token"]
    clock.advance(1800)
    assert introspect(client, token).json() == {"active": False}


# -- discovery and jwks -------------------------------------------------------------------------------------------
def test_discovery_is_self_consistent(client: httpx.Client) -> None:
    doc = client.get(HOST + BASE + "/.well-known/openid-configuration").json()
    assert doc["issuer"] == HOST + BASE and doc["jwks_uri"] == HOST + BASE + "/jwks"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert client.get(urlsplit(doc["jwks_uri"]).path, headers={"host": urlsplit(HOST).netloc}).status_code == 200


def test_jwks_rate_limit(client: httpx.Client, clock: FrozenClock) -> None:
    for _ in range(25):
        assert client.get(BASE + "/jwks").status_code == 200
    problem(client.get(BASE + "/jwks"), 429, "too_many_requests")
    clock.advance(60)
    assert client.get(BASE + "/jwks").status_code == 200


# -- session bridge and trusted system -----------------------------------------------------------------------------
def public_session_bridge(client: httpx.Client, **bridge: str) -> httpx.Response:
    """A public client's session bridge for the demo shopper: an `sb-user` code, then `/session-bridge/token`
    with the code, its verifier and `bridge` (`dwsid`, or an OCAPI JWT as `dwsgst` / `dwsrst`)."""
    query = {
        "client_id": PUBLIC,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "hint": "sb-user",
        "code_challenge": CHALLENGE,
        "channel_id": "RefArch",
    }
    found = parse_qs(urlsplit(client.get(BASE + "/authorize", params=query).headers["location"]).query)
    data = {
        "grant_type": "session_bridge",
        "client_id": PUBLIC,
        "channel_id": "RefArch",
        "code": found["code"][0],
        "code_verifier": VERIFIER,
        "login_id": "shopper@mockown.test",
        **bridge,
    }
    return client.post(BASE + "/session-bridge/token", data=data)


def test_session_bridge_public_registered(client: httpx.Client) -> None:
    response = public_session_bridge(client, dwsid="MockownDemoDwsid0000000000000000000000001")
    assert response.status_code == 200, response.text
    assert response.json()["customer_id"] == "abmockownshopper0000000001" and response.json()["idp_access_token"] == ""


def test_session_bridge_private_guest_with_ocapi_guest_jwt(client: httpx.Client) -> None:
    ocapi = client.post(
        "/s/RefArch/dw/shop/v24_5/customers/auth", json={"type": "guest"}, headers={"x-dw-client-id": "a" * 30}
    )
    data = {
        "grant_type": "client_credentials",
        "channel_id": "RefArch",
        "login_id": "guest",
        "dwsgst": ocapi.headers["authorization"].removeprefix("Bearer "),
    }
    response = client.post(BASE + "/session-bridge/token", data=data, headers=basic(PRIVATE, SECRET))
    assert response.status_code == 200 and response.json()["customer_id"] == ocapi.json()["customer_id"]
    problem(
        client.post(BASE + "/session-bridge/token", data={**data, "dwsgst": "forged"}, headers=basic(PRIVATE, SECRET)),
        400,
        "invalid_request",
    )
    problem(
        client.post(
            BASE + "/session-bridge/token",
            data={**data, "login_id": "shopper@mockown.test"},
            headers=basic(PRIVATE, SECRET),
        ),
        400,
        "invalid_request",
    )


def test_session_bridge_needs_the_scope(client: httpx.Client, runtime: Runtime) -> None:
    data = {"grant_type": "client_credentials", "channel_id": "RefArch", "login_id": "guest", "dwsid": "x"}
    strict = basic("mockown-slas-strict", "MockownSlasStrict0001")
    problem(client.post(BASE + "/session-bridge/token", data=data, headers=strict), 401, "invalid_client")


def test_trusted_system(client: httpx.Client, clock: FrozenClock) -> None:
    data = dict(TRUSTED_SYSTEM)
    response = client.post(BASE + "/trusted-system/token", data=data, headers=basic(PRIVATE, SECRET))
    assert response.status_code == 200 and response.json()["customer_id"] == "abmockownshopper0000000001"
    assert "tsob" in jwt.decode(response.json()["access_token"], options={"verify_signature": False})["isb"]
    problem(client.post(BASE + "/trusted-system/token", data=data, headers=basic(PRIVATE, SECRET)), 409, "conflict")
    clock.advance(1)
    problem(
        client.post(BASE + "/trusted-system/token", data={**data, "hint": "x"}, headers=basic(PRIVATE, SECRET)),
        400,
        "invalid_request",
        "Bad or missing hint.",
    )
    problem(client.post(BASE + "/trusted-system/token", data={**data, "client_id": PUBLIC}), 401, "invalid_client")


def test_isb_longer_than_256_is_refused(client: httpx.Client) -> None:
    data = {
        "grant_type": "client_credentials",
        "hint": "ts_ext_on_behalf_of",
        "login_id": "x" * 119 + "@idp.test",  # 128 characters, its maxLength: upn and uidn take 256 of the isb
        "idp_origin": "auth0",
        "client_id": PRIVATE,
        "channel_id": "RefArch",
    }
    problem(
        client.post(BASE + "/trusted-system/token", data=data, headers=basic(PRIVATE, SECRET)),
        400,
        "invalid_request",
        "Issuer Subject length must be less than 256 characters",
    )


def test_expires_in_and_refresh_ttls_are_settings(clock: FrozenClock) -> None:
    config = Config().replace(b2c={"slas_expires_in": 900, "slas_guest_refresh_ttl": 100})
    app = create_app(config, clock=clock)
    with in_process_client(app) as c:
        body = private_guest(c).json()
        assert body["expires_in"] == 900 and body["refresh_token_expires_in"] == 100


def test_seeded_tenant_with_generated_values(runtime: Runtime) -> None:
    created = seed_document(
        runtime, {"b2c": {"slas": {"tenants": [{"org_id": "f_ecom_abcd_stg", "clients": [{"client_id": "c1"}]}]}}}
    )
    tenant = created["b2c"]["slas"]["tenants"][0]
    assert len(tenant["short_code"]) == 8 and tenant["clients"][0]["public"] is True


def test_basic_credentials_form_url_encoded_as_rfc_6749_says(client: httpx.Client) -> None:
    """RFC 6749 §2.3.1: client_secret_basic form-URL-encodes the id and the secret before base64 (openid-client
    sends every `-` as `%2D`); the raw form the spec shows works as well, a wrong secret in either form does not."""
    encoded = "".join(f"%{ord(c):02X}" if c in "-_" else c for c in PRIVATE)
    data = {"grant_type": "client_credentials", "channel_id": "RefArch"}
    for user, password, status in [
        (encoded, SECRET, 200),
        (encoded, "%4D" + SECRET[1:], 200),  # M as %4D
        (PRIVATE, SECRET, 200),
        (encoded, SECRET + "x", 401),
        (encoded.replace("%2D", "%2F", 1), SECRET, 401),
    ]:
        response = client.post(BASE + "/token", data=data, headers=basic(user, password))
        assert response.status_code == status, (user, password, response.text)


def test_a_refused_code_exchange_leaves_the_code_usable(client: httpx.Client) -> None:
    """As Salesforce's and Marketing Cloud's: the exchange's checks (redirect_uri, PKCE verifier, usid) run before
    the code is marked used, so each refusal leaves it to the legitimate client, which redeems it once."""
    code, usid = guest_code(client)
    problem(pkce_token(client, code, usid, redirect_uri="http://localhost:3000/other"), 400, "invalid_request")
    problem(pkce_token(client, code, usid, code_verifier=""), 400, "invalid_request", "code_verifier is required")
    problem(pkce_token(client, code, usid, code_verifier="w" * 64), 400, "invalid_request", "Invalid code_verifier.")
    problem(pkce_token(client, code, "00000000-0000-0000-0000-000000000000"), 400, "invalid_request")
    assert pkce_token(client, code, usid).status_code == 200
    problem(pkce_token(client, code, usid), 400, "invalid_request", "Invalid authorization code.")


@pytest.mark.parametrize("wrong", ["é" * 43, "v" * 127 + "€"], ids=["accents", "euro-last"])
def test_a_non_ascii_verifier_is_an_invalid_code_verifier(client: httpx.Client, wrong: str) -> None:
    """A verifier outside RFC 7636's ASCII alphabet (43 to 128 characters) is refused like any wrong one (it was a
    500); the code stays redeemable."""
    code, usid = guest_code(client)
    problem(pkce_token(client, code, usid, code_verifier=wrong), 400, "invalid_request", "Invalid code_verifier.")
    assert pkce_token(client, code, usid).status_code == 200

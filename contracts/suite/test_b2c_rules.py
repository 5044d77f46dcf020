"""Behavioural checks of the B2C Commerce contract: Account Manager, OCAPI Shop customer auth, SLAS.

Each group needs its own credentials against a real target (see `B2C_*` in the README) and skips, saying which
variables are missing, without them. With `--profile mock` the suite seeds its own client, site and SLAS tenant
and uses the clock for the OCAPI JWT's 30-minute lifetime.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import httpx
import jwt
import pytest

from .support import AM_INVALID_CLIENT, AM_INVALID_GRANT, B2cCreds, ControlPlane, basic_auth

pytestmark = [pytest.mark.b2c, pytest.mark.rules]

VERIFIER = "contract-verifier-" + "v" * 60
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")
SLAS_TEN = {"access_token", "customer_id", "enc_user_id", "expires_in", "id_token", "idp_access_token",
            "refresh_token", "refresh_token_expires_in", "token_type", "usid"}  # fmt: skip
JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


def unverified_claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


# -- Account Manager ------------------------------------------------------------------------------------------
def am_token(http: httpx.Client, b2c: B2cCreds, secret: str | None = None) -> httpx.Response:
    b2c.need("Account Manager checks", "am_client_id", "am_client_secret")
    assert b2c.am_client_id and b2c.am_client_secret
    auth = basic_auth(quote_plus(b2c.am_client_id), quote_plus(secret or b2c.am_client_secret))  # halves are decoded
    return http.post(f"{b2c.am_url}/dwsso/oauth2/access_token", data={"grant_type": "client_credentials"}, headers=auth)


def test_am_client_credentials_token_fields(http: httpx.Client, b2c: B2cCreds) -> None:
    """client_credentials with Basic → `{access_token, scope, token_type: Bearer, expires_in: 1799}`, not cached."""
    response = am_token(http, b2c)
    assert response.status_code == 200, f"Account Manager refused the client: {response.status_code} {response.text}"
    assert response.headers["content-type"].replace(" ", "").lower() == "application/json;charset=utf-8"
    assert response.headers.get("cache-control") == "no-store" and response.headers.get("pragma") == "no-cache"
    body = response.json()
    assert set(body) == {"access_token", "scope", "token_type", "expires_in"}, f"fields differ: {sorted(body)}"
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1799, body


def test_am_bad_client_is_401_with_www_authenticate(http: httpx.Client, b2c: B2cCreds) -> None:
    """A wrong secret → 401, `WWW-Authenticate: Basic realm="/"`, exactly the captured 77-byte body."""
    response = am_token(http, b2c, secret="wrong-secret")
    assert response.status_code == 401, f"expected 401 invalid_client, got {response.status_code}: {response.text}"
    assert response.headers.get("www-authenticate") == 'Basic realm="/"', response.headers
    assert response.text == AM_INVALID_CLIENT


def test_am_password_grant_bad_user_exact_body(http: httpx.Client, b2c: B2cCreds) -> None:
    """The password grant with a user that cannot sign in → 400 with exactly the captured 84-byte body
    `{"error_description":"Resource owner authentication failed","error":"invalid_grant"}` (spec 2a, errors table;
    AM's key order). The user is made up, so no real account's sign-in is failed."""
    b2c.need("Account Manager checks", "am_client_id", "am_client_secret")
    auth = basic_auth(quote_plus(b2c.am_client_id or ""), quote_plus(b2c.am_client_secret or ""))
    form = {"grant_type": "password", "username": "contract-nobody@example.invalid", "password": "not-the-password"}
    response = http.post(f"{b2c.am_url}/dwsso/oauth2/access_token", data=form, headers=auth)
    assert response.status_code == 400, f"expected 400 invalid_grant, got {response.status_code}: {response.text}"
    assert response.text == AM_INVALID_GRANT, response.text


# -- OCAPI Shop customers/auth -----------------------------------------------------------------------------------
def ocapi_auth(http: httpx.Client, b2c: B2cCreds, kind: str, authorization: str | None = None) -> httpx.Response:
    b2c.need("OCAPI checks", "instance_url", "site", "ocapi_client_id")
    headers = {"x-dw-client-id": b2c.ocapi_client_id or ""}
    if authorization:
        headers["Authorization"] = authorization
    return http.post(b2c.ocapi("customers/auth"), json={"type": kind}, headers=headers)


def test_ocapi_guest_jwt_in_the_authorization_header(http: httpx.Client, b2c: B2cCreds) -> None:
    """`type: guest` → 200, the Customer document, the JWT in the `Authorization` response header (30 minutes)."""
    response = ocapi_auth(http, b2c, "guest")
    assert response.status_code == 200, f"guest auth failed: {response.status_code} {response.text[:300]}"
    header = response.headers.get("authorization", "")
    assert header.startswith("Bearer ") and JWT.match(header.removeprefix("Bearer ")), f"no JWT header: {header!r}"
    body = response.json()
    assert body["_type"] == "customer" and body["auth_type"] == "guest" and body["customer_id"], body
    claims = unverified_claims(header.removeprefix("Bearer "))
    assert claims["exp"] - claims["iat"] == 1800, f"the JWT must live 30 minutes: {claims}"


def test_ocapi_jwt_lives_30_minutes(http: httpx.Client, b2c: B2cCreds, clock: ControlPlane) -> None:
    """A guest JWT still refreshes at 29:59 and is refused (401 InvalidAccessTokenException) at 30:00."""
    first = ocapi_auth(http, b2c, "guest").headers["authorization"]
    clock.advance("1799")
    assert ocapi_auth(http, b2c, "refresh", first).status_code == 200, "the JWT died before 30 minutes"
    clock.advance("1")
    expired = ocapi_auth(http, b2c, "refresh", first)
    assert expired.status_code == 401, f"the JWT outlived 30 minutes: {expired.status_code}"
    assert expired.json()["fault"]["type"] == "InvalidAccessTokenException", expired.json()


# -- SLAS -------------------------------------------------------------------------------------------------------
def guest_pkce(http: httpx.Client, b2c: B2cCreds, replay: bool = False) -> tuple[httpx.Response, str]:
    """The public guest flow: `/authorize?hint=guest` with PKCE → 303 with code and usid → `/token` (`replay`:
    the same exchange twice, the second answer returned)."""
    b2c.need("SLAS public-client checks", "slas_url", "org_id", "channel_id", "public_client_id", "redirect_uri")
    query = {"client_id": b2c.public_client_id, "response_type": "code", "redirect_uri": b2c.redirect_uri,
             "hint": "guest", "code_challenge": CHALLENGE, "channel_id": b2c.channel_id}  # fmt: skip
    redirect = http.get(b2c.slas("authorize"), params=query)
    assert redirect.status_code == 303, f"authorize answered {redirect.status_code}: {redirect.text[:300]}"
    data = _pkce_exchange(b2c, redirect)
    response = http.post(b2c.slas("token"), data=data)
    if replay:
        assert response.status_code == 200, f"PKCE exchange failed: {response.status_code} {response.text[:300]}"
        response = http.post(b2c.slas("token"), data=data)
    return response, data["usid"]


def _pkce_exchange(b2c: B2cCreds, redirect: httpx.Response) -> dict[str, str]:
    """The public client's `/token` form (`authorization_code_pkce`) for the code and usid of a 303 from
    `/authorize` or `/login`."""
    found = parse_qs(urlsplit(redirect.headers["location"]).query)
    assert "code" in found and "usid" in found, f"no code and usid in {redirect.headers['location']}"
    return {"grant_type": "authorization_code_pkce", "client_id": b2c.public_client_id or "",
            "channel_id": b2c.channel_id or "", "code": found["code"][0], "code_verifier": VERIFIER,
            "redirect_uri": b2c.redirect_uri or "", "usid": found["usid"][0]}  # fmt: skip


def registered_pkce(http: httpx.Client, b2c: B2cCreds) -> dict[str, Any]:
    """A registered shopper's login with the public client: `/login` (Basic login:password, PKCE) → 303 with code
    and usid → `/token` (`authorization_code_pkce`)."""
    b2c.need("SLAS registered-shopper checks", "slas_url", "org_id", "channel_id", "public_client_id",
             "redirect_uri", "shopper_login", "shopper_password")  # fmt: skip
    form = {"client_id": b2c.public_client_id or "", "redirect_uri": b2c.redirect_uri or "",
            "channel_id": b2c.channel_id or "", "code_challenge": CHALLENGE}  # fmt: skip
    auth = basic_auth(b2c.shopper_login or "", b2c.shopper_password or "")
    redirect = http.post(b2c.slas("login"), data=form, headers=auth)
    assert redirect.status_code == 303, f"login answered {redirect.status_code}: {redirect.text[:300]}"
    response = http.post(b2c.slas("token"), data=_pkce_exchange(b2c, redirect))
    assert response.status_code == 200, f"the registered exchange failed: {response.status_code} {response.text[:300]}"
    body: dict[str, Any] = response.json()
    return body


def slas_refresh(http: httpx.Client, b2c: B2cCreds, token: str, *, private: bool) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token, "channel_id": b2c.channel_id or ""}
    if private:
        auth = basic_auth(b2c.private_client_id or "", b2c.private_client_secret or "")
        return http.post(b2c.slas("token"), data=data, headers=auth)
    return http.post(b2c.slas("token"), data={**data, "client_id": b2c.public_client_id or ""})


def private_guest(http: httpx.Client, b2c: B2cCreds) -> dict[str, Any]:
    b2c.need("SLAS private-client checks", "slas_url", "org_id", "channel_id", "private_client_id",
             "private_client_secret")  # fmt: skip
    auth = basic_auth(b2c.private_client_id or "", b2c.private_client_secret or "")
    data = {"grant_type": "client_credentials", "channel_id": b2c.channel_id or ""}
    response = http.post(b2c.slas("token"), data=data, headers=auth)
    assert response.status_code == 200, f"private guest token failed: {response.status_code} {response.text[:300]}"
    body: dict[str, Any] = response.json()
    return body


def test_slas_guest_flow_token_fields(http: httpx.Client, b2c: B2cCreds) -> None:
    """All ten required TokenResponse fields: Bearer, the usid of the redirect, a 32-hex `enc_user_id`."""
    response, usid = guest_pkce(http, b2c)
    assert response.status_code == 200, f"PKCE exchange failed: {response.status_code} {response.text[:300]}"
    body = response.json()
    missing = SLAS_TEN - set(body)
    assert not missing, f"token response lacks {sorted(missing)}"
    assert body["token_type"] == "Bearer" and body["usid"] == usid, body
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    assert isinstance(body["refresh_token_expires_in"], int) and body["refresh_token_expires_in"] > 0
    assert re.fullmatch(r"[0-9A-F]{32}", body["enc_user_id"]), body["enc_user_id"]
    for name in ("X-RateLimit-1M-Limit", "X-RateLimit-5M-Limit"):
        assert name.lower() in response.headers, f"no {name} header"


def test_slas_authorization_code_is_single_use(http: httpx.Client, b2c: B2cCreds) -> None:
    """A code exchanged once is refused the second time (RFC 6749 4.1.2: "If an authorization code is used more
    than once, the authorization server MUST deny the request"; the spec's SLAS state: single use): 400
    problem+json with an `error`. Safe against a real tenant: a guest session the check made."""
    again, _ = guest_pkce(http, b2c, replay=True)
    assert again.status_code == 400, f"a used code was exchanged again: {again.status_code} {again.text[:300]}"
    assert again.headers["content-type"].startswith("application/problem+json"), again.headers
    assert isinstance(json.loads(again.text)["error"], str), again.text


def test_slas_access_token_verifies_from_jwks(http: httpx.Client, b2c: B2cCreds, control: ControlPlane | None) -> None:
    """The access token is an ES256 JWT whose `kid` is in `/jwks`, and that key verifies it; it is valid now by the
    target's clock (a mock's moved or frozen clock is its now, not this machine's)."""
    response, _ = guest_pkce(http, b2c)
    token = response.json()["access_token"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256", header
    keys = http.get(b2c.slas("jwks")).json()["keys"]
    key = next((k for k in keys if k.get("kid") == header.get("kid")), None)
    assert key is not None, f"kid {header.get('kid')} is not in /jwks ({[k.get('kid') for k in keys]})"
    claims = jwt.decode(  # the signature here; the times below, by the target's clock
        token,
        jwt.PyJWK(key),
        algorithms=["ES256"],
        options={"verify_aud": False, "verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    assert claims["exp"] > claims["iat"], claims
    now = control.now() if control is not None else time.time()
    assert claims["iat"] - 300 <= now < claims["exp"], f"not valid now ({now}) by the target's clock: {claims}"


def test_slas_public_refresh_rotates(http: httpx.Client, b2c: B2cCreds) -> None:
    """A public client's refresh returns a new refresh token and voids the old one."""
    response, _ = guest_pkce(http, b2c)
    first = response.json()
    second = slas_refresh(http, b2c, first["refresh_token"], private=False)
    assert second.status_code == 200, f"refresh failed: {second.status_code} {second.text[:300]}"
    assert second.json()["refresh_token"] != first["refresh_token"], "a public client's refresh must rotate"
    again = slas_refresh(http, b2c, first["refresh_token"], private=False)
    assert again.status_code == 400, f"the rotated-out refresh token still works: {again.status_code}"
    assert again.headers["content-type"].startswith("application/problem+json"), again.headers
    assert isinstance(json.loads(again.text)["error"], str)


def test_slas_revoked_refresh_token_is_dead(http: httpx.Client, b2c: B2cCreds) -> None:
    """`POST /oauth2/revoke` (Basic, the private client) with a refresh token → 200 with the documented body
    (`refresh_token` echoed, `expires_in: 0`, string `"null"` ids); a refresh with it is then refused (400
    problem+json). The check revokes only a guest session it made itself, so it is safe against a real tenant."""
    first = private_guest(http, b2c)
    auth = basic_auth(b2c.private_client_id or "", b2c.private_client_secret or "")
    form = {"token": first["refresh_token"], "token_type_hint": "refresh_token"}
    response = http.post(b2c.slas("revoke"), data=form, headers=auth)
    assert response.status_code == 200, f"revoke answered {response.status_code}: {response.text[:300]}"
    body = response.json()
    assert body["refresh_token"] == first["refresh_token"] and body["expires_in"] == 0, body
    assert body["access_token"] == "" and body["usid"] == "null" and body["token_type"] == "Bearer", body
    again = slas_refresh(http, b2c, first["refresh_token"], private=True)
    assert again.status_code == 400, f"a revoked refresh token still works: {again.status_code} {again.text[:300]}"
    assert again.headers["content-type"].startswith("application/problem+json"), again.headers


LOGOUT_BODY = {"access_token": "", "id_token": "null", "refresh_token": "", "expires_in": 0,
               "refresh_token_expires_in": 0, "token_type": "Bearer", "usid": "null", "customer_id": "null",
               "enc_user_id": "null", "idp_access_token": "", "idp_refresh_token": "null", "dnt": "null"}  # fmt: skip


def test_slas_logout_ends_a_registered_session(http: httpx.Client, b2c: B2cCreds) -> None:
    """`GET /oauth2/logout` (registered shoppers; Bearer, `refresh_token`, `client_id`, `channel_id`) → 200 with the
    documented body (logoutCustomerSuccess: string `"null"` values); it "revokes both access and refresh tokens":
    a refresh with the refresh token is then 400 and `/userinfo` refuses the access token. The check ends only the
    session it opened itself."""
    tokens = registered_pkce(http, b2c)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert http.get(b2c.slas("userinfo"), headers=bearer).status_code == 200, "userinfo refused a fresh token"
    query = {"client_id": b2c.public_client_id, "refresh_token": tokens["refresh_token"], "channel_id": b2c.channel_id}
    response = http.get(b2c.slas("logout"), params=query, headers=bearer)
    assert response.status_code == 200, f"logout answered {response.status_code}: {response.text[:300]}"
    assert response.json() == LOGOUT_BODY, response.text
    again = slas_refresh(http, b2c, tokens["refresh_token"], private=False)
    assert again.status_code == 400, f"the refresh token outlived the logout: {again.status_code} {again.text[:300]}"
    dead = http.get(b2c.slas("userinfo"), headers=bearer)
    assert dead.status_code in (400, 401), f"the access token outlived the logout: {dead.status_code}"


def test_slas_private_refresh_keeps_the_token(http: httpx.Client, b2c: B2cCreds) -> None:
    """A private client's refresh returns the same refresh token, which keeps working; new access token."""
    first = private_guest(http, b2c)
    second = slas_refresh(http, b2c, first["refresh_token"], private=True)
    assert second.status_code == 200, f"refresh failed: {second.status_code} {second.text[:300]}"
    body = second.json()
    assert body["refresh_token"] == first["refresh_token"], "a private client's refresh must not rotate"
    assert body["access_token"] != first["access_token"] and body["usid"] == first["usid"]
    assert slas_refresh(http, b2c, first["refresh_token"], private=True).status_code == 200

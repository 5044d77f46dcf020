"""Account Manager OAuth and the Business Manager user grant over HTTP on the frozen clock."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from mockown.security import b64url_sha256
from mockown.seed import seed_document

AM = "http://account.demandware.com"
CID, SECRET = "mockown-am-client-000000000001", "MockownAmSecret0001"
PKCE_CID = "mockown-am-pkce-00000000000001"
DEMO = "a" * 30
BM_GRANT = "urn:demandware:params:oauth:grant-type:client-id:dwsid:dwsecuretoken"
INVALID_CLIENT = '{"error_description":"Client authentication failed","error":"invalid_client"}'


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def am_token(
    client: httpx.Client,
    data: dict[str, str],
    headers: dict[str, str] | None = None,
    path: str = "/dwsso/oauth2/access_token",
) -> httpx.Response:
    return client.post(AM + path, data=data, headers=headers)


@pytest.mark.parametrize("path", ["/dwsso/oauth2/access_token", "/dw/oauth2/access_token"])
def test_client_credentials_with_basic(client: httpx.Client, runtime: Runtime, path: str) -> None:
    response = am_token(client, {"grant_type": "client_credentials"}, basic(CID, SECRET), path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json;charset=UTF-8"
    assert response.headers["cache-control"] == "no-store" and response.headers["pragma"] == "no-cache"
    assert response.headers["x-ratelimit-limit"] == "400, 400;w=60, 5000;w=60"
    assert response.headers["x-ratelimit-remaining"] == "399" and response.headers["x-ratelimit-reset"] == "60"
    body = response.json()
    assert list(body) == ["access_token", "scope", "token_type", "expires_in"]
    assert body["expires_in"] == 1799 and body["token_type"] == "Bearer"
    assert body["scope"] == "mail roles tenantFilter profile"
    claims = jwt.decode(
        body["access_token"],
        runtime.keys.rsa_of("am").private.public_key(),
        algorithms=["RS256"],
        audience="https://account.demandware.com:443/dwsso/oauth2",
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    assert claims["sub"] == CID


def test_prefix_route_serves_account_manager(client: httpx.Client) -> None:
    response = client.post(
        "/b2c/am/dwsso/oauth2/access_token", data={"grant_type": "client_credentials"}, headers=basic(CID, SECRET)
    )
    assert response.status_code == 200


def test_requested_scopes_are_checked(client: httpx.Client) -> None:
    ok = am_token(client, {"grant_type": "client_credentials", "scope": "sfcc.products mail"}, basic(CID, SECRET))
    assert ok.json()["scope"] == "sfcc.products mail"
    bad = am_token(client, {"grant_type": "client_credentials", "scope": "sfcc.orders"}, basic(CID, SECRET))
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_scope"


@pytest.mark.parametrize("creds", [(CID, "wrong"), ("nobody", SECRET), (CID, "")])
def test_bad_client_is_401_with_www_authenticate_and_exact_body(client: httpx.Client, creds: tuple[str, str]) -> None:
    response = am_token(client, {"grant_type": "client_credentials"}, basic(*creds))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="/"'
    assert response.text == INVALID_CLIENT


def test_basic_halves_are_form_url_decoded(client: httpx.Client, runtime: Runtime) -> None:
    seed_document(
        runtime, {"b2c": {"account_manager": {"clients": [{"client_id": "plus-client", "client_secret": "a+b c%d"}]}}}
    )
    encoded = basic(quote_plus("plus-client"), quote_plus("a+b c%d"))
    assert am_token(client, {"grant_type": "client_credentials"}, encoded).status_code == 200
    raw = basic("plus-client", "a+b c%d")  # a raw `+` becomes a space, `%d` is a bad escape
    response = am_token(client, {"grant_type": "client_credentials"}, raw)
    assert response.status_code == 400
    assert response.json() == {
        "error_description": "Unexpected error when authenticating client",
        "error": "unauthorized_client",
    }
    raw_plus = basic("plus-client", "a+b c")
    assert am_token(client, {"grant_type": "client_credentials"}, raw_plus).status_code == 401


def test_client_secret_post(client: httpx.Client) -> None:
    data = {"grant_type": "client_credentials", "client_id": CID, "client_secret": SECRET}
    assert am_token(client, data).status_code == 200


def test_password_grant(client: httpx.Client) -> None:
    data = {"grant_type": "password", "username": "am-admin@mockown.test", "password": "AmPassw0rd!"}
    body = am_token(client, data, basic(CID, SECRET)).json()
    assert {"access_token", "id_token", "refresh_token", "expires_in"} <= set(body)
    assert jwt.decode(body["id_token"], options={"verify_signature": False})["sub"] == "am-admin@mockown.test"


def test_password_grant_bad_user_is_exact_invalid_grant(client: httpx.Client) -> None:
    data = {"grant_type": "password", "username": "am-admin@mockown.test", "password": "nope"}
    response = am_token(client, data, basic(CID, SECRET))
    assert response.status_code == 400
    assert response.text == '{"error_description":"Resource owner authentication failed","error":"invalid_grant"}'


def test_confidential_client_without_auth_gets_client_assertion_type_missing(client: httpx.Client) -> None:
    response = am_token(client, {"grant_type": "authorization_code", "code": "x", "client_id": CID})
    assert response.status_code == 400
    assert (
        response.text == '{"error":"invalid_client","error_description":"Parameter client_assertion_type is missing"}'
    )


def test_unsupported_grant(client: httpx.Client) -> None:
    response = am_token(client, {"grant_type": "implicit"}, basic(CID, SECRET))
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


def test_json_body_is_refused(client: httpx.Client) -> None:
    response = client.post(
        AM + "/dwsso/oauth2/access_token", json={"grant_type": "client_credentials"}, headers=basic(CID, SECRET)
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


# -- PKCE authorization code (public client) and refresh --------------------------------------------------------
def pkce_code(client: httpx.Client, verifier: str, **extra: str) -> str:
    query = {
        "client_id": PKCE_CID,
        "redirect_uri": "http://localhost:8080",
        "response_type": "code",
        "code_challenge": b64url_sha256(verifier),
        "code_challenge_method": "S256",
        **extra,
    }
    response = client.get(AM + "/dwsso/oauth2/authorize", params=query)
    assert response.status_code == 302
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


def pkce_exchange(client: httpx.Client, code: str, verifier: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://localhost:8080",
        "code_verifier": verifier,
        "client_id": PKCE_CID,
    }
    return am_token(client, data)


def test_pkce_flow_and_refresh_rotation(client: httpx.Client) -> None:
    verifier = "k" * 64
    body = pkce_exchange(client, pkce_code(client, verifier), verifier).json()
    assert {"access_token", "id_token", "refresh_token"} <= set(body) and body["expires_in"] == 1799
    data = {"grant_type": "refresh_token", "refresh_token": body["refresh_token"], "client_id": PKCE_CID}
    renewed = am_token(client, data)
    assert renewed.status_code == 200 and renewed.json()["refresh_token"] != body["refresh_token"]
    assert am_token(client, data).json()["error"] == "invalid_grant"


def test_refresh_without_rotation_keeps_the_token(clock: FrozenClock) -> None:
    app = create_app(Config().replace(b2c={"am_refresh_rotation": False}), clock=clock)
    with in_process_client(app) as c:
        verifier = "k" * 64
        rt = pkce_exchange(c, pkce_code(c, verifier), verifier).json()["refresh_token"]
        data = {"grant_type": "refresh_token", "refresh_token": rt, "client_id": PKCE_CID}
        assert am_token(c, data).json()["refresh_token"] == rt
        assert am_token(c, data).status_code == 200


@pytest.mark.parametrize("problem", ["verifier", "replay", "expired"])
def test_pkce_code_failures_are_invalid_grant(client: httpx.Client, clock: FrozenClock, problem: str) -> None:
    verifier = "k" * 64
    code = pkce_code(client, verifier)
    if problem == "replay":
        assert pkce_exchange(client, code, verifier).status_code == 200
    if problem == "expired":
        clock.advance(600)
    response = pkce_exchange(client, code, "z" * 64 if problem == "verifier" else verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_a_refused_code_exchange_leaves_the_code_usable(client: httpx.Client) -> None:
    """As on the other servers: the redirect_uri and PKCE checks run before the code is marked used, so a refused
    exchange leaves it to the legitimate client, which redeems it once."""
    verifier = "k" * 64
    code = pkce_code(client, verifier)
    wrong_redirect = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost:9999"}
    response = am_token(client, {**wrong_redirect, "code_verifier": verifier, "client_id": PKCE_CID})
    assert (response.status_code, response.json()["error_description"]) == (400, "Redirect URI mismatch")
    response = pkce_exchange(client, code, "z" * 64)
    assert (response.status_code, response.json()["error_description"]) == (400, "PKCE verification failed")
    assert pkce_exchange(client, code, verifier).status_code == 200
    assert pkce_exchange(client, code, verifier).json()["error_description"] == "Invalid authorization code"


@pytest.mark.parametrize("wrong", ["é" * 64, "k" * 63 + "€"], ids=["accents", "euro-last"])
def test_a_non_ascii_verifier_is_a_failed_pkce_verification(client: httpx.Client, wrong: str) -> None:
    """A verifier outside RFC 7636's ASCII alphabet fails verification like any wrong one (it was a 500)."""
    verifier = "k" * 64
    code = pkce_code(client, verifier)
    response = pkce_exchange(client, code, wrong)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert response.json()["error_description"] == "PKCE verification failed"
    assert pkce_exchange(client, code, verifier).status_code == 200


def test_authorize_public_client_needs_a_challenge_and_registered_redirect(client: httpx.Client) -> None:
    query = {"client_id": PKCE_CID, "redirect_uri": "http://localhost:8080", "response_type": "code"}
    location = client.get(AM + "/dwsso/oauth2/authorize", params=query).headers["location"]
    assert parse_qs(urlsplit(location).query)["error"] == ["invalid_request"]
    bad = client.get(AM + "/dwsso/oauth2/authorize", params={**query, "redirect_uri": "http://evil.example"})
    assert bad.status_code == 400


def test_implicit_flow_puts_the_token_in_the_fragment(client: httpx.Client) -> None:
    query = {"client_id": PKCE_CID, "redirect_uri": "http://localhost:8080", "response_type": "token", "state": "s"}
    location = urlsplit(client.get(AM + "/dwsso/oauth2/authorize", params=query).headers["location"])
    found = parse_qs(location.fragment)
    assert found["expires_in"] == ["1800"] and found["state"] == ["s"] and "access_token" in found


# -- private_key_jwt -------------------------------------------------------------------------------------------
@pytest.fixture
def jwt_client(runtime: Runtime) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    seed_document(
        runtime,
        {
            "b2c": {
                "account_manager": {
                    "clients": [
                        {"client_id": "jwt-client", "auth_method": "private_key_jwt", "jwt_public_key": pem.decode()}
                    ]
                }
            }
        },
    )
    return key


def assertion(key: rsa.RSAPrivateKey, now: float, **claims: Any) -> str:
    base = {
        "iss": "jwt-client",
        "sub": "jwt-client",
        "aud": "https://account.demandware.com/dwsso/oauth2/access_token",
        "exp": int(now) + 60,
    }
    return jwt.encode({**base, **claims}, key, algorithm="RS256")


def jwt_token(
    client: httpx.Client, value: str, kind: str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
) -> httpx.Response:
    return am_token(
        client, {"grant_type": "client_credentials", "client_assertion_type": kind, "client_assertion": value}
    )


def test_private_key_jwt(client: httpx.Client, clock: FrozenClock, jwt_client: rsa.RSAPrivateKey) -> None:
    assert jwt_token(client, assertion(jwt_client, clock.now())).status_code == 200


@pytest.mark.parametrize("claims", [{"aud": "https://elsewhere"}, {"sub": "someone"}, {"exp": 0}])
def test_private_key_jwt_claims_are_verified(
    client: httpx.Client, clock: FrozenClock, jwt_client: rsa.RSAPrivateKey, claims: dict[str, Any]
) -> None:
    response = jwt_token(client, assertion(jwt_client, clock.now(), **claims))
    assert response.status_code == 401 and response.headers["www-authenticate"] == 'Basic realm="/"'


def test_private_key_jwt_wrong_key_and_type(
    client: httpx.Client, clock: FrozenClock, jwt_client: rsa.RSAPrivateKey
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert jwt_token(client, assertion(other, clock.now())).status_code == 401
    wrong_type = jwt_token(client, assertion(jwt_client, clock.now()), kind="urn:nope")
    assert wrong_type.status_code == 400 and wrong_type.json()["error"] == "invalid_client"


def test_private_key_jwt_with_a_seeded_key_that_is_no_pem(client: httpx.Client, runtime: Runtime) -> None:
    """PyJWT's ES256 path raises ValueError (not PyJWTError) on a key text it cannot read: client authentication
    fails (401), as with a wrong key, rather than a 500."""
    from cryptography.hazmat.primitives.asymmetric import ec

    client_entry = {"client_id": "jwt-client", "auth_method": "private_key_jwt", "jwt_public_key": "not a pem"}
    seed_document(runtime, {"b2c": {"account_manager": {"clients": [client_entry]}}})
    now = runtime.clock.now()
    for key, alg in (
        (ec.generate_private_key(ec.SECP256R1()), "ES256"),
        (rsa.generate_private_key(65537, 2048), "RS256"),
    ):
        claims = {
            "iss": "jwt-client",
            "sub": "jwt-client",
            "aud": AM + "/dwsso/oauth2/access_token",
            "exp": int(now) + 60,
        }
        response = jwt_token(client, jwt.encode(claims, key, algorithm=alg))
        assert response.status_code == 401, (alg, response.text)
        assert response.json()["error"] == "invalid_client"


# -- Business Manager user grant -------------------------------------------------------------------------------
def bm(client: httpx.Client, creds: str, url: str = "/dw/oauth2/access_token", **data: str) -> httpx.Response:
    headers = {"Authorization": "Basic " + base64.b64encode(creds.encode()).decode()}
    return client.post(f"{url}?client_id={DEMO}", data=data or {"grant_type": BM_GRANT}, headers=headers)


def test_bm_grant_on_the_instance(client: httpx.Client) -> None:
    response = client.post(
        f"http://zzxy-001.dx.commercecloud.salesforce.com/dw/oauth2/access_token?client_id={DEMO}",
        data={"grant_type": BM_GRANT},
        headers=basic("bm-admin", f"BmPassw0rd!:{DEMO}"),
    )
    assert response.status_code == 200
    assert list(response.json()) == ["access_token", "token_type", "expires_in"]
    assert response.json()["expires_in"] == 900


def test_bm_grant_type_in_the_query_and_access_key(client: httpx.Client) -> None:
    url = f"/b2c/instances/zzxy-001.dx.commercecloud.salesforce.com/dw/oauth2/access_token?client_id={DEMO}"
    response = client.post(url + f"&grant_type={BM_GRANT}", headers=basic("bm-admin", f"BmAccessKey0001:{DEMO}"))
    assert response.status_code == 200


@pytest.mark.parametrize("creds", [f"bm-admin:wrong:{DEMO}", "bm-admin:BmPassw0rd!:wrongsecret", f"ghost:x:{DEMO}"])
def test_bm_grant_errors_have_the_exact_text(client: httpx.Client, creds: str) -> None:
    response = bm(client, creds)
    assert response.status_code == 400
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": f"Client id '{DEMO}' has invalid credentials to use grant type '{BM_GRANT}'.",
    }


def test_bm_error_status_is_a_setting(clock: FrozenClock) -> None:
    app = create_app(Config().replace(b2c={"bm_error_status": 401}), clock=clock)
    with in_process_client(app) as c:
        assert bm(c, f"bm-admin:wrong:{DEMO}").status_code == 401


def test_dw_path_on_account_manager_host_is_not_the_bm_grant(client: httpx.Client) -> None:
    response = bm(client, f"bm-admin:BmPassw0rd!:{DEMO}", url=AM + "/dw/oauth2/access_token")
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


def test_seeding_an_existing_user_login_is_refused_and_changes_nothing(client: httpx.Client) -> None:
    """As for a client, an instance or a tenant: the seed took the existing user over (new password, the old one
    refused), and the test that seeded it then removed it, with its tokens, at its end (`am_user` reset)."""
    password = {"grant_type": "password", "username": "am-admin@mockown.test", "password": "AmPassw0rd!"}
    seed = {"b2c": {"account_manager": {"users": [{"login": "AM-Admin@mockown.test", "password": "Other0ne!"}]}}}
    response = client.post("/_mockown/seed", json=seed)
    assert response.status_code == 400, response.text
    assert response.json()["message"] == "Account Manager user am-admin@mockown.test exists already"
    assert am_token(client, password, basic(CID, SECRET)).status_code == 200
    assert am_token(client, {**password, "password": "Other0ne!"}, basic(CID, SECRET)).status_code == 400

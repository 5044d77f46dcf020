"""Regressions found by the fidelity audit of B2C Commerce against the reference (spec part 2): each test names
the rule it holds the mock to."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mockown import FrozenClock
from mockown.b2c.errors import SlasError
from mockown.runtime import Runtime
from mockown.seed import SeedError, seed_document

AM = "http://account.demandware.com/dwsso/oauth2/access_token"
CID, SECRET = "mockown-am-client-000000000001", "MockownAmSecret0001"
INVALID_CLIENT = '{"error_description":"Client authentication failed","error":"invalid_client"}'
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def basic_raw(raw: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


# -- Account Manager: refresh scope (spec 2a "refresh_token with refresh_token, client_id, optional scope") ------
def test_am_narrower_refresh_keeps_the_wider_grant(client: httpx.Client) -> None:
    """RFC 6749 6: a refresh may ask for less, but the next refresh token still carries the original grant."""
    login = {"grant_type": "password", "username": "am-admin@mockown.test", "password": "AmPassw0rd!"}
    first = client.post(AM, data=login, auth=(CID, SECRET)).json()
    wide = first["scope"]
    narrow = client.post(
        AM,
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "scope": "mail"},
        auth=(CID, SECRET),
    )
    assert narrow.status_code == 200 and narrow.json()["scope"] == "mail"
    again = client.post(
        AM, data={"grant_type": "refresh_token", "refresh_token": narrow.json()["refresh_token"]}, auth=(CID, SECRET)
    )
    assert again.status_code == 200 and again.json()["scope"] == wide


# -- Account Manager: Basic components are form-url-decoded (spec 2a client_secret_basic) ------------------------
@pytest.mark.parametrize("raw", [CID.encode() + b":%ff%fe", b"%C3%28:" + SECRET.encode(), CID.encode() + b":%80"])
def test_am_basic_escape_of_non_utf8_bytes_is_a_failed_authentication(client: httpx.Client, raw: bytes) -> None:
    """A well-formed %XX escape that decodes to bytes that are not UTF-8 cannot name the client or its secret:
    401 invalid_client (as Java's URLDecoder, which substitutes U+FFFD), never a 500."""
    response = client.post(AM, data={"grant_type": "client_credentials"}, headers=basic_raw(raw))
    assert response.status_code == 401 and response.text == INVALID_CLIENT
    assert response.headers["www-authenticate"] == 'Basic realm="/"'


# -- Account Manager: private_key_jwt (spec 2a "verify the JWT (iss = sub = client_id, aud = token URL, exp)") --
@pytest.fixture
def jwt_key(runtime: Runtime) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    clients = [{"client_id": "jwt-client", "auth_method": "private_key_jwt", "jwt_public_key": pem.decode()}]
    seed_document(runtime, {"b2c": {"account_manager": {"clients": clients}}})
    return key


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": ["jwt-client"]},
        {"iss": {"a": 1}},
        {"iss": 7},
        {"exp": "soon"},
        {"exp": [1]},
        {"exp": None},
        {"sub": ["jwt-client"]},
        {"aud": 5},
    ],
)
def test_am_assertion_claims_of_the_wrong_type_are_invalid_client(
    client: httpx.Client, clock: FrozenClock, jwt_key: rsa.RSAPrivateKey, claims: dict[str, Any]
) -> None:
    base = {
        "iss": "jwt-client",
        "sub": "jwt-client",
        "aud": "https://account.demandware.com/dwsso/oauth2/access_token",
        "exp": int(clock.now()) + 60,
    }
    # signed as raw JWS: PyJWT's own encoder refuses some of these claim types
    assertion = jwt.api_jws.encode(json.dumps({**base, **claims}).encode(), jwt_key, algorithm="RS256")
    data = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion}
    response = client.post(AM, data=data)
    assert response.status_code == 401 and response.text == INVALID_CLIENT


# -- OCAPI customers/auth body (spec 2b: JSON body {"type": ...}; errors in the fault envelope) -------------------
@pytest.mark.parametrize("depth", [1000, 100_000])
def test_ocapi_deeply_nested_json_is_a_malformed_document_fault(client: httpx.Client, depth: int) -> None:
    url = "http://zzxy-001.dx.commercecloud.salesforce.com/s/RefArch/dw/shop/v24_5/customers/auth"
    headers = {"Content-Type": "application/json", "x-dw-client-id": "a" * 30}
    response = client.post(url, content=b"[" * depth + b"]" * depth, headers=headers)
    assert response.status_code == 400
    assert response.json() == {
        "_v": "24.5",
        "fault": {"type": "MalformedDocumentException", "message": "The request body is not a valid JSON document."},
    }


# -- SLAS redirect_uri host wildcards (spec 2c /authorize: "host wildcards allowed") ----------------------------
SLAS = "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2"


def slas_authorize(client: httpx.Client, redirect_uri: str) -> httpx.Response:
    query = {"client_id": "mockown-slas-private", "response_type": "code", "redirect_uri": redirect_uri}
    return client.get(SLAS + "/authorize", params={**query, "hint": "guest", "channel_id": "RefArch"})


@pytest.mark.parametrize("uri", ["https://shop.example.com/callback", "https://a.b-c.example.com/callback"])
def test_slas_wildcard_matches_host_labels(client: httpx.Client, uri: str) -> None:
    response = slas_authorize(client, uri)
    assert response.status_code == 303 and response.headers["location"].startswith(uri + "?")


@pytest.mark.parametrize(
    "uri",
    [
        "https://.example.com/callback",  # no label for the *
        "https://evil.com@shop.example.com/callback",  # userinfo: not a host label
        "https://evil.com\\@shop.example.com/callback",  # browsers read the backslash as a path: host evil.com
        "https://evil.com%2F.example.com/callback",
        "https://shop.example.com/callback#frag",
        "https://shop.example.com:8443/callback",
    ],
)
def test_slas_wildcard_is_no_open_redirect(client: httpx.Client, uri: str) -> None:
    response = slas_authorize(client, uri)
    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"] == "invalid_request"


# -- SLAS /revoke and /introspect agree on a token whatever its hint (spec 2c; RFC 7009 2.1, RFC 7662 2.1) ------
PRIVATE = ("mockown-slas-private", "MockownSlasSecret0001")


def private_guest(client: httpx.Client) -> dict[str, Any]:
    data = {"grant_type": "client_credentials", "channel_id": "RefArch"}
    response = client.post(SLAS + "/token", data=data, auth=PRIVATE)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(("kind", "hint"), [("access_token", "refresh_token"), ("refresh_token", "access_token")])
def test_slas_a_wrong_hint_does_not_hide_the_token(client: httpx.Client, kind: str, hint: str) -> None:
    """The hint is a hint: a server that cannot find the token under it searches the other type."""
    tokens = private_guest(client)
    seen = client.post(SLAS + "/introspect", data={"token": tokens[kind], "token_type_hint": hint}, auth=PRIVATE)
    assert seen.status_code == 200 and seen.json()["active"] is True and seen.json()["token_type"] == kind
    revoked = client.post(SLAS + "/revoke", data={"token": tokens[kind], "token_type_hint": hint}, auth=PRIVATE)
    assert revoked.status_code == 200
    after = client.post(SLAS + "/introspect", data={"token": tokens[kind]}, auth=PRIVATE)
    assert after.json() == {"active": False}
    if kind == "refresh_token":
        data = {"grant_type": "refresh_token", "refresh_token": tokens[kind], "channel_id": "RefArch"}
        assert client.post(SLAS + "/token", data=data, auth=PRIVATE).status_code == 400
    else:
        userinfo = client.get(SLAS + "/userinfo", headers={"Authorization": "Bearer " + tokens[kind]})
        assert userinfo.status_code == 400


# -- SLAS rate-limit headers (spec 2c: "Every response carries X-RateLimit-1M-* and X-RateLimit-5M-*") ----------
RATE_HEADERS = [f"x-ratelimit-{w}-{k}" for w in ("1m", "5m") for k in ("limit", "remaining", "reset")]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/token", 405),
        ("DELETE", "/introspect", 405),
        ("POST", "/jwks", 405),
        ("PUT", "/authorize", 405),
        ("GET", "/no-such-endpoint", 404),
        ("POST", "/passwordless/login", 404),
    ],
)
def test_slas_generic_errors_carry_the_rate_limit_headers(
    client: httpx.Client, method: str, path: str, status: int
) -> None:
    response = client.request(method, SLAS + path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert all(name in response.headers for name in RATE_HEADERS), dict(response.headers)
    if status == 405:
        assert response.headers["allow"]


# -- SLAS tenant id (spec 2c: org validated with ^f_ecom_[a-z0-9]{4}_[a-z0-9]{3}$, else 400 Tenant Id Exception) ---
@pytest.mark.parametrize("org", ["f_ecom_zzxy_001\n", "F_ECOM_ZZXY_001", "f_ecom_zzxy_0011", "f_ecom_zzxy_001 "])
def test_slas_tenant_id_must_be_well_formed_to_the_last_character(runtime: Runtime, org: str) -> None:
    """Python's `$` also matches before a final newline: `f_ecom_zzxy_001\\n` is no well-formed tenant id (over
    HTTP the path guard refuses control characters first; the rule itself must hold too)."""
    with pytest.raises(SlasError) as refused:
        runtime.b2c.slas.tenant(org, None)
    assert (refused.value.status, refused.value.error) == (400, "invalid_request")
    assert refused.value.description == "Tenant Id Exception - Must be a well-formed tenantId"


@pytest.mark.parametrize(
    "document",
    [
        {"b2c": {"slas": {"tenants": [{"org_id": "f_ecom_abcd_002\n"}]}}},
        {"b2c": {"slas": {"tenants": [{"org_id": "f_ecom_abcd_002", "short_code": "abcd1234\n"}]}}},
        {"marketing": {"tenants": [{"eid": 555, "subdomain": "mc" + "a" * 26 + "\n"}]}},
    ],
)
def test_seeded_ids_are_checked_to_the_last_character(runtime: Runtime, document: dict[str, Any]) -> None:
    """A seeded SLAS tenant, short code or MC subdomain with a final newline would be unreachable: refused."""
    with pytest.raises(SeedError):
        seed_document(runtime, document)


# -- Account Manager response headers (spec 2a: seen in sfcc-ci #568's log, the 400 invalid_grant answer) --------
AM_RATE = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


@pytest.mark.parametrize(
    ("data", "auth", "status"),
    [
        ({"grant_type": "password", "username": "am-admin@mockown.test", "password": "nope"}, (CID, SECRET), 400),
        ({"grant_type": "client_credentials"}, (CID, "wrong"), 401),
        ({"grant_type": "nope"}, (CID, SECRET), 400),
    ],
)
def test_am_token_errors_carry_the_rate_limit_headers(
    client: httpx.Client, data: dict[str, str], auth: tuple[str, str], status: int
) -> None:
    """The captured 400 (content-length 84) came with cache-control, pragma and x-ratelimit-*: errors count too."""
    first = client.post(AM, data=data, auth=auth)
    second = client.post(AM, data=data, auth=auth)
    for response in (first, second):
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json;charset=UTF-8"
        assert response.headers["cache-control"] == "no-store" and response.headers["pragma"] == "no-cache"
        assert all(name in response.headers for name in AM_RATE)
    assert response.headers["x-ratelimit-limit"] == "400, 400;w=60, 5000;w=60"
    assert int(first.headers["x-ratelimit-remaining"]) == int(second.headers["x-ratelimit-remaining"]) + 1


def test_am_token_json_body_is_refused_with_the_rate_limit_headers(client: httpx.Client) -> None:
    response = client.post(AM, json={"grant_type": "client_credentials"}, auth=(CID, SECRET))
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert all(name in response.headers for name in AM_RATE)


# -- Account Manager scope is space-separated (spec 2a: "optional scope (space-separated ...)") -----------------
@pytest.mark.parametrize("separator", ["\u00a0", "\u3000", "\t", "\n"])
def test_am_scope_is_separated_by_spaces_only(client: httpx.Client, separator: str) -> None:
    data = {"grant_type": "client_credentials", "scope": f"mail{separator}roles"}
    response = client.post(AM, data=data, auth=(CID, SECRET))
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"
    spaced = client.post(AM, data={**data, "scope": " mail  roles "}, auth=(CID, SECRET))
    assert spaced.status_code == 200 and spaced.json()["scope"] == "mail roles"


def test_ocapi_an_integer_too_long_to_read_is_a_malformed_document_fault(client: httpx.Client) -> None:
    """Python's int() reads at most 4,300 digits: a longer JSON number is no document (a ValueError, no 500)."""
    url = "http://zzxy-001.dx.commercecloud.salesforce.com/s/RefArch/dw/shop/v24_5/customers/auth"
    headers = {"Content-Type": "application/json", "x-dw-client-id": "a" * 30}
    response = client.post(url, content=b'{"type": ' + b"9" * 5000 + b"}", headers=headers)
    assert response.status_code == 400
    assert response.json()["fault"]["type"] == "MalformedDocumentException"

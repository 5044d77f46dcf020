"""A SLAS ID token's `iss` is the discovery document's `issuer` at the base the client called (OpenID Connect Core
3.1.3.7: the client requires them equal; openid-client refused every SLAS ID token as `unexpected JWT "iss"`). It
was `slas/prod/<org>`, the access token's. A mock choice: the reference does not say what a SLAS ID token's `iss`
is; the access token's stays `slas/prod/<org>`, as real SLAS JWTs carry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from .test_slas import (
    BASE,
    CALLBACK,
    CHALLENGE,
    HOST,
    ORG,
    PRIVATE,
    PUBLIC,
    SECRET,
    TRUSTED_SYSTEM,
    VERIFIER,
    basic,
)

DWSID = "MockownDemoDwsid0000000000000000000000001"
# the same tenant as a client may call it: the plain path, the real SLAS host, the short-code prefix
BASES = ["http://testserver" + BASE, HOST + BASE, "http://testserver/b2c/kv7kzm78" + BASE]


def _issued(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _private_guest(client: httpx.Client, base: str) -> dict[str, Any]:
    data = {"grant_type": "client_credentials", "channel_id": "RefArch"}
    response = client.post(base + "/token", data=data, headers=basic(PRIVATE, SECRET))
    return _issued(response)


def _code(client: httpx.Client, base: str, hint: str) -> str:
    query = {
        "client_id": PUBLIC,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "hint": hint,
        "code_challenge": CHALLENGE,
        "channel_id": "RefArch",
    }
    response = client.get(base + "/authorize", params=query)
    assert response.status_code == 303, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


def _public_pkce(client: httpx.Client, base: str) -> dict[str, Any]:
    data = {
        "grant_type": "authorization_code_pkce",
        "client_id": PUBLIC,
        "channel_id": "RefArch",
        "code": _code(client, base, "guest"),
        "code_verifier": VERIFIER,
        "redirect_uri": CALLBACK,
    }
    response = client.post(base + "/token", data=data)
    return _issued(response)


def _public_refresh(client: httpx.Client, base: str) -> dict[str, Any]:
    first = _public_pkce(client, base)
    data = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": PUBLIC}
    response = client.post(base + "/token", data={**data, "channel_id": "RefArch"})
    return _issued(response)


def _session_bridge(client: httpx.Client, base: str) -> dict[str, Any]:
    data = {
        "grant_type": "session_bridge",
        "client_id": PUBLIC,
        "channel_id": "RefArch",
        "code": _code(client, base, "sb-user"),
        "code_verifier": VERIFIER,
        "login_id": "shopper@mockown.test",
        "dwsid": DWSID,
    }
    response = client.post(base + "/session-bridge/token", data=data)
    return _issued(response)


def _trusted_system(client: httpx.Client, base: str) -> dict[str, Any]:
    data = TRUSTED_SYSTEM
    response = client.post(base + "/trusted-system/token", data=data, headers=basic(PRIVATE, SECRET))
    return _issued(response)


Grant = Callable[[httpx.Client, str], dict[str, Any]]
# each way SLAS issues an ID token, and the client it is issued to (its `aud`)
GRANTS: list[tuple[Grant, str]] = [
    (_private_guest, PRIVATE),
    (_public_pkce, PUBLIC),
    (_public_refresh, PUBLIC),
    (_session_bridge, PUBLIC),
    (_trusted_system, PRIVATE),
]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize(("grant", "audience"), GRANTS, ids=[g.__name__.strip("_") for g, _ in GRANTS])
def test_the_id_token_iss_is_the_discovery_issuer(client: httpx.Client, base: str, grant: Grant, audience: str) -> None:
    document = client.get(base + "/.well-known/openid-configuration").json()
    assert document["issuer"] == base
    body = grant(client, base)
    # checked as a relying party checks it: the signature against the document's jwks_uri, iss, aud
    jwks = client.get(document["jwks_uri"]).json()
    kid = jwt.get_unverified_header(body["id_token"])["kid"]
    signing = next(k for k in jwks["keys"] if k["kid"] == kid)
    claims = jwt.decode(
        body["id_token"],
        jwt.PyJWK(signing).key,
        algorithms=document["id_token_signing_alg_values_supported"],
        audience=audience,
        issuer=document["issuer"],
        options={"verify_exp": False, "verify_iat": False},  # the frozen clock is not the wall clock
    )
    assert claims["iss"] == document["issuer"]
    access = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert access["iss"] == f"slas/prod/{ORG}"

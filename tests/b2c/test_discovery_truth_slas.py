"""Does SLAS's `/oauth2/.well-known/openid-configuration` tell the truth? (marketing-cloud-and-b2c spec, SLAS
"Discovery"; OpenID Connect Discovery 1.0 §3). Driven by the served document: every endpoint answers under the
tenant's base on both routings, every grant type is accepted by the token endpoint, PKCE uses the advertised
method, ID tokens use the advertised algorithm and a `jwks_uri` key.

Where SLAS contradicts its own document, the mock follows SLAS: the document (spec, [DOC example]) lists
`response_types_supported: [code, token, "token id_token"]`, but `/authorize` takes only `response_type=code`
(spec, SLAS authorize: "`response_type` (req): must be `code`")."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from .test_slas import BASE, CALLBACK, HOST, ORG, PRIVATE, PUBLIC, SECRET, basic, guest_code, pkce_token

WELL_KNOWN = "/.well-known/openid-configuration"
SPEC_MEMBERS = {  # the members the spec's document lists
    "issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "revocation_endpoint",
    "grant_types_supported", "code_challenge_methods_supported", "response_types_supported", "scopes_supported",
    "claims_supported", "subject_types_supported", "id_token_encryption_enc_values_supported",
}  # fmt: skip
BASES = [BASE, f"/b2c/kv7kzm78{BASE}", HOST + BASE]


def served(client: httpx.Client, base: str) -> dict[str, Any]:
    response = client.get(base + WELL_KNOWN)
    assert response.status_code == 200, response.text
    doc: dict[str, Any] = response.json()
    return doc


@pytest.mark.parametrize("base", BASES)
def test_document_has_the_documented_values(client: httpx.Client, base: str) -> None:
    doc = served(client, base)
    assert set(doc) >= SPEC_MEMBERS
    assert doc["issuer"].endswith(f"/organizations/{ORG}/oauth2")
    assert doc["grant_types_supported"] == ["authorization_code", "authorization_code_pkce", "client_credentials",
                                            "refresh_token"]  # fmt: skip
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["response_types_supported"] == ["code", "token", "token id_token"]
    assert doc["scopes_supported"] == ["email", "openid", "profile"]
    assert set(doc["claims_supported"]) == {"email", "name", "given_name", "family_name", "sub"}
    assert doc["subject_types_supported"] == ["public"]


@pytest.mark.parametrize("base", BASES)
def test_every_endpoint_is_under_the_issuer_and_routed(client: httpx.Client, base: str) -> None:
    """Each advertised URL is under `issuer` and reaches its route (any tenant path that is no route is a 404)."""
    doc = served(client, base)
    for member, url in doc.items():
        if not (member.endswith("_endpoint") or member == "jwks_uri"):
            continue
        assert url.startswith(doc["issuer"] + "/"), member
        response = client.request("GET", url)
        assert response.status_code != 404, (member, response.status_code, response.text[:200])


def _grant(client: httpx.Client, grant: str, doc: dict[str, Any]) -> httpx.Response:
    token = doc["token_endpoint"]
    if grant == "authorization_code_pkce":
        code, usid = guest_code(client)
        return pkce_token(client, code, usid)
    if grant == "authorization_code":  # a private client: the code with its secret (and the PKCE verifier)
        code, usid = guest_code(client, client_id=PRIVATE)
        data = {"grant_type": grant, "code": code, "redirect_uri": CALLBACK, "usid": usid, "channel_id": "RefArch",
                "code_verifier": "v" * 128}  # fmt: skip
        return client.post(token, data=data, headers=basic(PRIVATE, SECRET))
    if grant == "client_credentials":
        return client.post(token, data={"grant_type": grant, "channel_id": "RefArch"}, headers=basic(PRIVATE, SECRET))
    if grant == "refresh_token":
        first = _grant(client, "authorization_code_pkce", doc).json()
        data = {"grant_type": grant, "refresh_token": first["refresh_token"], "client_id": PUBLIC,
                "channel_id": "RefArch"}  # fmt: skip
        return client.post(token, data=data)
    raise AssertionError(f"advertised grant type {grant!r} has no test")


def test_every_grant_type_is_accepted(client: httpx.Client) -> None:
    doc = served(client, BASE)
    for grant in doc["grant_types_supported"]:
        response = _grant(client, grant, doc)
        assert response.status_code == 200, (grant, response.text)
        assert response.json()["access_token"], grant


def test_only_code_is_accepted_at_authorize_despite_the_document(client: httpx.Client) -> None:
    doc = served(client, BASE)
    for response_type in doc["response_types_supported"]:
        query = {"client_id": PUBLIC, "response_type": response_type, "redirect_uri": CALLBACK, "hint": "guest",
                 "code_challenge": "c" * 43, "channel_id": "RefArch"}  # fmt: skip
        response = client.get(doc["authorization_endpoint"], params=query)
        if response_type == "code":
            assert response.status_code == 303, response.text
        else:
            assert response.status_code == 400 and "response_type" in response.json()["error_description"]


def test_id_token_uses_an_advertised_alg_and_a_jwks_key(client: httpx.Client) -> None:
    doc = served(client, BASE)
    body = _grant(client, "authorization_code_pkce", doc).json()
    header = jwt.get_unverified_header(body["id_token"])
    keys = {k["kid"]: k for k in client.get(doc["jwks_uri"]).json()["keys"]}
    assert header["kid"] in keys and keys[header["kid"]]["kty"] == "EC"
    assert header["alg"] in doc.get("id_token_signing_alg_values_supported", ["ES256"])
    claims = jwt.decode(body["id_token"], jwt.PyJWK(keys[header["kid"]]).key, algorithms=[header["alg"]],
                        options={"verify_aud": False, "verify_exp": False})  # fmt: skip
    assert set(claims) & set(doc["claims_supported"]) >= {"sub"}

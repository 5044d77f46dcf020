"""Rotating the RSA signing key (`POST /_mockown/keys/rotate`): `/id/keys` then lists the current and the previous
key (spec 7.2, "multiple keys during rotation"); what the previous key signed keeps verifying, at the mock's own
checks too (JWT access tokens at REST/introspection/identity, ID tokens as `id_token_hint`), until the next
rotation drops it."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from mockown.runtime import Runtime
from tests import jwks_support
from tests.conftest import CALLBACK, CID
from tests.salesforce.helpers import TOKEN, code_tokens, introspect, new_org, rest

LOGOUT = "/services/auth/idp/oidc/logout"


def rotate(client: httpx.Client, key: str | None = "rsa") -> dict[str, Any]:
    response = client.post("/_mockown/keys/rotate", json={} if key is None else {"key": key})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def kids(client: httpx.Client) -> list[str]:
    response = client.get("/id/keys")
    assert response.status_code == 200
    keys = response.json()["keys"]
    for key in keys:  # every member the spec's schema requires, and no private part
        assert set(key) == {"kty", "n", "e", "alg", "use", "kid"}
        assert (key["kty"], key["alg"], key["use"], key["e"]) == ("RSA", "RS256", "sig", "AQAB")
    return [k["kid"] for k in keys]


def verifies_with_published_keys(client: httpx.Client, token: str) -> bool:
    return jwks_support.verifies(client.get("/id/keys").json()["keys"], token, "RS256")


def jwt_token(client: httpx.Client, runtime: Runtime) -> tuple[str, dict[str, Any]]:
    org = new_org(runtime, jwt_access_tokens=True, session_timeout="1h")
    data = {"grant_type": "password", "client_id": org["client_id"], "client_secret": org["secret"]}
    body = client.post(TOKEN, data={**data, "username": org["username"], "password": org["password"]}).json()
    assert body["token_format"] == "jwt", body
    return body["access_token"], org


def test_jwks_lists_the_previous_key_after_a_rotation(client: httpx.Client) -> None:
    first = kids(client)
    assert len(first) == 1 and first[0].isdigit() and len(first[0]) <= 3  # short numeric-looking kids
    body = rotate(client)
    second = kids(client)
    assert len(second) == 2 and second[0] == first[0] and second[1] != first[0]
    assert body["rotated"] == ["rsa"] and body["keys"]["rsa"] == {"past": first[0], "current": second[1]}
    rotate(client)
    third = kids(client)
    assert third[0] == second[1] and first[0] not in third[1:] and len(set(third)) == 2  # the oldest is gone


def test_new_tokens_are_signed_with_the_new_key_and_old_ones_still_verify(client: httpx.Client) -> None:
    before = code_tokens(client)["id_token"]
    rotate(client)
    after = code_tokens(client)["id_token"]
    past, current = kids(client)
    assert jwt.get_unverified_header(before)["kid"] == past
    assert jwt.get_unverified_header(after)["kid"] == current
    assert verifies_with_published_keys(client, before) and verifies_with_published_keys(client, after)
    rotate(client)
    assert not verifies_with_published_keys(client, before)  # its key is no longer published
    assert verifies_with_published_keys(client, after)


def test_a_jwt_access_token_lives_while_its_key_is_published(client: httpx.Client, runtime: Runtime) -> None:
    token, org = jwt_token(client, runtime)
    auth = {"Authorization": f"Bearer {token}"}
    identity = client.get(f"/id/{org['org_id']}/{org['user_id']}", headers=auth)
    assert identity.status_code == 200, identity.text
    rotate(client)
    assert rest(client, token).status_code == 200
    assert introspect(client, token, org["client_id"], org["secret"])["active"] is True
    assert client.get(f"/id/{org['org_id']}/{org['user_id']}", headers=auth).status_code == 200
    fresh, _ = jwt_token(client, runtime)
    rotate(client)  # the key `token` was signed with is dropped now
    refused = rest(client, token)
    assert refused.status_code == 401
    assert refused.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert introspect(client, token, org["client_id"], org["secret"]) == {"active": False}
    assert client.get(f"/id/{org['org_id']}/{org['user_id']}", headers=auth).status_code == 403
    assert rest(client, fresh).status_code == 200  # signed after the first rotation: still published


def test_opaque_tokens_do_not_care_about_rotations(client: httpx.Client) -> None:
    token = code_tokens(client)["access_token"]
    rotate(client)
    rotate(client)
    assert rest(client, token).status_code == 200


def test_an_id_token_hint_is_honoured_while_its_key_is_published(client: httpx.Client) -> None:
    hint = {"post_logout_redirect_uri": CALLBACK, "id_token_hint": code_tokens(client, scope="api openid")["id_token"]}
    rotate(client)
    answer = client.get(LOGOUT, params=hint)
    assert (answer.status_code, answer.headers.get("location")) == (302, CALLBACK)
    rotate(client)
    answer = client.get(LOGOUT, params=hint)
    assert answer.status_code == 200 and "location" not in answer.headers  # the logged-out page, no redirect
    assert client.get(LOGOUT, params={**hint, "id_token_hint": None, "client_id": CID}).status_code == 302


@pytest.mark.parametrize("key", ["ec", "rsa"])
def test_rotating_one_ring_leaves_the_other(client: httpx.Client, key: str) -> None:
    rsa_before = kids(client)
    slas = "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2/jwks"
    ec_before = [k["kid"] for k in client.get(slas).json()["keys"]]
    rotate(client, key)
    rsa_after = kids(client)
    ec_after = [k["kid"] for k in client.get(slas).json()["keys"]]
    assert (rsa_after == rsa_before) is (key == "ec")
    assert (ec_after == ec_before) is (key == "rsa")

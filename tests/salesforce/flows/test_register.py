"""Dynamic client registration through the ASGI app; the new app works at once."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from tests.conftest import ADMIN, BASE, CID, SECRET

from .support import JWT_KEY, TOKEN, assertion, jwt_bearer, location

REGISTER = "/services/oauth2/register"
IAT = {"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN"}
METADATA = {
    "redirect_uris": ["http://localhost/cb"],
    "response_types": ["code", "token", "id_token"],
    "grant_types": ["authorization_code", "implicit", "refresh_token"],
    "application_type": "web",
    "contacts": ["abc@sf.com"],
    "client_name": "Example Olivier",
}


def register(client: httpx.Client, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    return client.post(REGISTER, json=METADATA if body is None else body, headers=IAT if headers is None else headers)


def test_register_answers_201_with_salesforce_fields(client: httpx.Client) -> None:
    r = register(client)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["client_id"].startswith("3MVG9") and body["client_secret"] and body["registration_access_token"]
    assert body["registration_client_uri"] == f"{BASE}{REGISTER}/{body['client_id']}"
    assert body["client_secret_expires_at"] == 0 and isinstance(body["client_id_issued_at"], int)
    assert body["grant_types"] == ["authorization_code", "hybrid_auth_code", "implicit", "refresh_token"]
    assert body["scopes"] == ["openid", "refresh_token", "id", "api"]
    assert body["token_endpoint_auth_method"] == "client_secret_post" and body["contacts"] == ["abc@sf.com"]
    assert r.headers["cache-control"] == "no-store"


def test_the_new_app_works_for_code_refresh_and_user_agent(client: httpx.Client) -> None:
    app = register(client).json()
    cid, secret = app["client_id"], app["client_secret"]
    q = {"response_type": "code", "client_id": cid, "redirect_uri": "http://localhost/cb", "login_hint": ADMIN}
    _, query, _ = location(client.get("/services/oauth2/authorize", params=q))
    form = {"grant_type": "authorization_code", "code": query["code"], "client_id": cid, "client_secret": secret}
    tokens = client.post(TOKEN, data={**form, "redirect_uri": "http://localhost/cb"}).json()
    assert "refresh_token" in tokens and "id_token" in tokens
    refreshed = client.post(
        TOKEN, data={"grant_type": "refresh_token", "client_id": cid, "refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    _, _, fragment = location(client.get("/services/oauth2/authorize", params={**q, "response_type": "token"}))
    assert fragment["access_token"]
    # introspection by the new app sees its own tokens
    seen = client.post("/services/oauth2/introspect", data={"token": tokens["access_token"]}, auth=(cid, secret))
    assert seen.json()["active"] is True


def test_public_client_with_jwks_can_use_jwt_bearer(client: httpx.Client) -> None:
    key = serialization.load_pem_private_key(JWT_KEY.encode(), None)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))  # type: ignore[arg-type, union-attr]
    body = {**METADATA, "token_endpoint_auth_method": "none", "jwks": {"keys": [jwk]}, "scope": "api id"}
    app = register(client, body).json()
    assert "client_secret" not in app and app["scopes"] == ["api", "id"]
    r = jwt_bearer(client, assertion(iss=app["client_id"]))
    assert r.status_code == 200 and r.json()["scope"] == "api id"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic eDp5"}])
def test_initial_access_token_is_required(client: httpx.Client, headers: dict[str, str]) -> None:
    r = register(client, headers=headers)
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    # RFC 6750 3: a 401 carries the Bearer challenge; no error code when no bearer token was presented
    sent = headers.get("Authorization", "").startswith("Bearer ")
    assert r.headers["www-authenticate"] == ('Bearer error="invalid_token"' if sent else "Bearer")


def test_registration_read_with_a_wrong_token_is_challenged(client: httpx.Client) -> None:
    uri = register(client).json()["registration_client_uri"]
    wrong = client.get(uri, headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    missing = client.delete(uri)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({**METADATA, "redirect_uris": []}, "invalid_redirect_uri"),
        ({**METADATA, "redirect_uris": "http://x/cb"}, "invalid_redirect_uri"),
        ({**METADATA, "redirect_uris": ["/relative"]}, "invalid_redirect_uri"),
        ({**METADATA, "redirect_uris": ["https://x/cb#frag"]}, "invalid_redirect_uri"),
        ({**METADATA, "grant_types": "authorization_code"}, "invalid_client_metadata"),
        ({**METADATA, "token_endpoint_auth_method": "private_key_jwt"}, "invalid_client_metadata"),
        ({**METADATA, "scope": ["api"]}, "invalid_client_metadata"),
        ({**METADATA, "scope": "api bogus"}, "invalid_client_metadata"),  # no Salesforce scope: no token could carry it
        ({**METADATA, "scope": "API"}, "invalid_client_metadata"),
        ({**METADATA, "client_name": 5}, "invalid_client_metadata"),
        ({**METADATA, "jwks": {"keys": []}}, "invalid_client_metadata"),
        ([1, 2], "invalid_client_metadata"),
    ],
)
def test_bad_metadata(client: httpx.Client, body: Any, error: str) -> None:
    r = register(client, body)
    assert r.status_code == 400 and r.json()["error"] == error


def test_requested_scopes_are_salesforce_scopes(client: httpx.Client) -> None:
    r = register(client, {**METADATA, "scope": "api  refresh_token api cdp_query_api"})
    assert r.status_code == 201, r.text
    assert r.json()["scopes"] == ["api", "refresh_token", "cdp_query_api"]  # once each, in the order asked


def test_malformed_json(client: httpx.Client) -> None:
    r = client.post(REGISTER, content=b"{not json", headers={**IAT, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_client_metadata"


def test_read_and_delete_registration(client: httpx.Client) -> None:
    app = register(client).json()
    uri, auth = (
        app["registration_client_uri"].replace(BASE, ""),
        {"Authorization": f"Bearer {app['registration_access_token']}"},
    )
    read = client.get(uri, headers=auth)
    assert read.status_code == 200 and read.json()["client_secret"] == app["client_secret"]
    assert "registration_access_token" not in read.json()
    assert client.get(uri, headers=IAT).status_code == 401
    tokens = jwt_bearer(client, assertion())  # the demo app's token is unaffected by deleting another app
    q = {
        "response_type": "token",
        "client_id": app["client_id"],
        "redirect_uri": "http://localhost/cb",
        "login_hint": ADMIN,
    }
    _, _, fragment = location(client.get("/services/oauth2/authorize", params=q))
    assert client.delete(uri, headers=auth).status_code == 204
    rest = client.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {fragment['access_token']}"})
    assert rest.status_code == 401
    assert client.get(uri, headers=auth).status_code == 401
    live = client.post("/services/oauth2/introspect", data={"token": tokens.json()["access_token"]}, auth=(CID, SECRET))
    assert live.json()["active"] is True


def test_registering_app_may_introspect_its_registered_apps(client: httpx.Client, runtime: object) -> None:
    from mockown.salesforce.seed import seed_org

    registrar = seed_org(
        runtime,  # type: ignore[arg-type]
        {"users": [{"username": "reg@flows.test", "password": "Reg-Passw0rd"}],
         "apps": [{"initial_access_token": "REGTOKEN", "auto_approve": True}]},
    )  # fmt: skip
    reg_id, reg_secret = registrar["apps"][0]["client_id"], registrar["apps"][0]["client_secret"]
    app = register(client, headers={"Authorization": "Bearer REGTOKEN"}).json()
    q = {"response_type": "token", "client_id": app["client_id"], "redirect_uri": "http://localhost/cb"}
    _, _, fragment = location(client.get("/services/oauth2/authorize", params={**q, "login_hint": "reg@flows.test"}))
    seen = client.post(
        "/services/oauth2/introspect", data={"token": fragment["access_token"]}, auth=(reg_id, reg_secret)
    )
    assert seen.json()["active"] is True
    demo = client.post("/services/oauth2/introspect", data={"token": fragment["access_token"]}, auth=(CID, SECRET))
    assert demo.json() == {"active": False}  # another org's app (even one that introspects all of its own org)


def test_the_new_app_works_for_password_client_credentials_device_and_exchange(client: httpx.Client) -> None:
    from .support import URN, idp_token

    app = register(client, {**METADATA, "grant_types": ["authorization_code", "client_credentials"]}).json()
    auth = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    pw = client.post(TOKEN, data={"grant_type": "password", **auth, "username": ADMIN, "password": "Passw0rd!"})
    assert pw.status_code == 200, pw.text
    cc = client.post(TOKEN, data={"grant_type": "client_credentials", **auth})
    assert cc.status_code == 200 and cc.json()["id"].endswith("/005g000000Int3GAAR")
    device = client.post(TOKEN, data={"response_type": "device_code", "client_id": app["client_id"]})
    assert device.status_code == 200
    exchanged = client.post(
        TOKEN,
        data={"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", **auth,
              "subject_token": idp_token(), "subject_token_type": URN + "jwt"},
    )  # fmt: skip
    assert exchanged.status_code == 200, exchanged.text
    plain = register(client).json()  # no client_credentials in grant_types: no run-as user
    cc = client.post(TOKEN, data={"grant_type": "client_credentials", "client_id": plain["client_id"],
                                  "client_secret": plain["client_secret"]})  # fmt: skip
    assert cc.json()["error"] == "invalid_grant"

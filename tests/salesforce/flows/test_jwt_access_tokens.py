"""JWT-based access tokens (per-app option): Salesforce's header and claims, and still live state."""

from __future__ import annotations

import httpx
import jwt

from mockown import FrozenClock
from mockown.runtime import Runtime
from tests.conftest import CID, SECRET

from .support import TOKEN, new_org


def jwt_app(runtime: Runtime) -> dict[str, str]:
    org = new_org(runtime, jwt_access_tokens=True, session_timeout="1h", scopes=["api", "refresh_token", "id"])
    return {"client_id": org["app"]["client_id"], "client_secret": org["app"]["client_secret"],
            "username": org["username"], "org": org["org"]}  # fmt: skip


def password(client: httpx.Client, app: dict[str, str]) -> httpx.Response:
    data = {"grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"]}
    return client.post(TOKEN, data={**data, "username": app["username"], "password": "Alice-Passw0rd"})


def test_header_and_claims(client: httpx.Client, runtime: Runtime) -> None:
    app = jwt_app(runtime)
    body = password(client, app).json()
    assert body["token_format"] == "jwt"
    token = body["access_token"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["typ"] == "JWT" and header["tty"] == "sfdc-core-token"
    assert header["ver"] == "1.0" and header["tnk"].endswith(app["org"])
    key = jwt.PyJWK(client.get("/id/keys").json()["keys"][0]).key
    assert header["kid"] == client.get("/id/keys").json()["keys"][0]["kid"]
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=body["instance_url"], options={"verify_exp": False})
    assert claims["scp"] == "api refresh_token id" and claims["client_id"] == app["client_id"]
    assert claims["iss"] == body["instance_url"] and claims["aud"] == [body["instance_url"]]
    assert claims["sub"].startswith("uid:005") and claims["exp"] - claims["iat"] == 3600
    assert claims["nbf"] == claims["iat"] and claims["mty"] == "oauth"


def test_jwt_token_is_live_state(client: httpx.Client, runtime: Runtime) -> None:
    app = jwt_app(runtime)
    token = password(client, app).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/services/data/v62.0/limits", headers=auth).status_code == 200
    seen = client.post(
        "/services/oauth2/introspect", data={"token": token}, auth=(app["client_id"], app["client_secret"])
    )
    assert seen.json()["active"] is True and seen.json()["token_type"] == "access_token"
    assert client.post("/services/oauth2/revoke", data={"token": token}).status_code == 200
    assert client.get("/services/data/v62.0/limits", headers=auth).status_code == 401  # the signature is still valid
    gone = client.post(
        "/services/oauth2/introspect", data={"token": token}, auth=(app["client_id"], app["client_secret"])
    )
    assert gone.json() == {"active": False}


def test_jwt_expiry_is_fixed(client: httpx.Client, runtime: Runtime, clock: FrozenClock) -> None:
    app = jwt_app(runtime)
    token = password(client, app).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    clock.advance(3000)
    assert client.get("/services/data/v62.0/limits", headers=auth).status_code == 200  # no sliding for a JWT
    clock.advance(601)
    assert client.get("/services/data/v62.0/limits", headers=auth).status_code == 401


def test_opaque_by_default(client: httpx.Client) -> None:
    data = {"grant_type": "password", "client_id": CID, "client_secret": SECRET}
    body = client.post(TOKEN, data={**data, "username": "admin@mockown.test", "password": "Passw0rd!"}).json()
    assert "token_format" not in body and body["access_token"].startswith("00D5g000004Mock!")


def test_a_jwt_is_no_soap_session(client: httpx.Client, runtime: Runtime) -> None:
    """JWT-based access tokens are "usable only for REST APIs" (spec 7.4): SOAP logout() answers
    INVALID_SESSION_ID and leaves the token live (as frontdoor.jsp and singleaccess refuse it); an opaque OAuth
    token is a SOAP session."""
    from tests.salesforce.helpers import password_token
    from tests.salesforce.test_soap_login import fault, logout_envelope, soap

    app = jwt_app(runtime)
    token = password(client, app).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert fault(soap(client, logout_envelope(token)))[0] == "sf:INVALID_SESSION_ID"
    assert client.get("/services/data/v62.0/limits", headers=auth).status_code == 200  # still live
    opaque = password_token(client).json()["access_token"]  # the demo app's: opaque
    assert soap(client, logout_envelope(opaque)).status_code == 200

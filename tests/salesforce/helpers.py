"""Small helpers shared by the Salesforce tests: flows as one call each."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from mockown.runtime import Runtime
from mockown.salesforce.seed import seed_org
from tests.conftest import ADMIN, CALLBACK, CID, PASSWORD, SECRET

TOKEN = "/services/oauth2/token"


def password_token(client: httpx.Client, **extra: str) -> httpx.Response:
    data = {
        "grant_type": "password",
        "client_id": CID,
        "client_secret": SECRET,
        "username": ADMIN,
        "password": PASSWORD,
    }
    data.update(extra)
    return client.post(TOKEN, data=data)


def pkce_pair() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(96)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(client: httpx.Client, **params: str) -> httpx.Response:
    query = {"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK, "login_hint": ADMIN}
    query.update(params)
    return client.get("/services/oauth2/authorize", params=query)


def location_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    parts = urlsplit(response.headers["location"])
    return {k: v[0] for k, v in parse_qs(parts.query or parts.fragment).items()}


def get_code(client: httpx.Client, **params: str) -> str:
    return location_params(authorize(client, **params))["code"]


def exchange(client: httpx.Client, code: str, **extra: str) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "client_id": CID, "client_secret": SECRET}
    data["redirect_uri"] = CALLBACK
    data.update(extra)
    return client.post(TOKEN, data=data)


def code_tokens(client: httpx.Client, scope: str = "api refresh_token openid id", **extra: str) -> dict[str, Any]:
    response = exchange(client, get_code(client, scope=scope, **extra))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refresh(client: httpx.Client, token: str, client_id: str = CID, secret: str | None = SECRET) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token, "client_id": client_id}
    if secret is not None:
        data["client_secret"] = secret
    return client.post(TOKEN, data=data)


def rest(client: httpx.Client, token: str, path: str = "/services/data/v62.0/limits") -> httpx.Response:
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def introspect(client: httpx.Client, token: str, client_id: str = CID, secret: str = SECRET) -> dict[str, Any]:
    response = client.post("/services/oauth2/introspect", data={"token": token}, auth=(client_id, secret))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def new_org(runtime: Runtime, **app: Any) -> dict[str, Any]:
    """A fresh org with an admin user and one confidential app configured with `app`."""
    creds = seed_org(
        runtime,
        {
            "users": [{"username": f"u-{secrets.token_hex(4)}@policy.test", "password": "Secret-1"}],
            "apps": [{"callback_urls": [CALLBACK], "scopes": ["api", "refresh_token", "openid", "id"], **app}],
        },
    )
    return {
        "client_id": creds["apps"][0]["client_id"],
        "secret": creds["apps"][0]["client_secret"],
        "username": creds["users"][0]["username"],
        "password": "Secret-1",
        "org_id": creds["id"],
        "user_id": creds["users"][0]["id"],
    }


def org_tokens(client: httpx.Client, org: dict[str, Any], scope: str = "api refresh_token") -> dict[str, Any]:
    """Code flow on a `new_org` app: a fresh approval (access + refresh token)."""
    code = get_code(client, client_id=org["client_id"], login_hint=org["username"], scope=scope)
    response = exchange(client, code, client_id=org["client_id"], client_secret=org["secret"])
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def end_admin(runtime: Runtime, case: str) -> None:
    """Make the demo administrator's sessions dead in the store: `deactivated-user` deactivates the user, any other
    case (`locked-org`) locks the org."""
    service = runtime.salesforce
    user = service.user_by_username(ADMIN)
    assert user is not None
    if case == "deactivated-user":
        user.active = False
        service.users.put(user)
    else:
        org = service.org(user.org_id)
        org.locked = True
        service.orgs.put(org)

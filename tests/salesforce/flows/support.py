"""Helpers of the flow tests: signed assertions with the shipped test keys, extra orgs and apps, forms."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt

from mockown.runtime import Runtime
from mockown.salesforce.seed import seed_org
from tests.conftest import ADMIN, CID

KEYS = Path(__file__).resolve().parents[3] / "fixtures" / "keys"
JWT_KEY = (KEYS / "jwt-bearer.key").read_text()
IDP_KEY = (KEYS / "idp.key").read_text()
TOKEN = "/services/oauth2/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
URN = "urn:ietf:params:oauth:token-type:"
NOW = 1767225600  # 2026-01-01T00:00:00Z, the frozen clock of tests/conftest.py


def assertion(key: str = JWT_KEY, headers: dict[str, Any] | None = None, **claims: Any) -> str:
    body: dict[str, Any] = {"iss": CID, "sub": ADMIN, "aud": "https://login.salesforce.com", "exp": NOW + 180}
    body.update(claims)
    for name in [k for k, v in body.items() if v is None]:
        del body[name]
    return jwt.encode(body, key, algorithm="RS256", headers=headers)


def idp_token(key: str = IDP_KEY, **claims: Any) -> str:
    body: dict[str, Any] = {"iss": "https://idp.mockown.test", "sub": "ext-1", "email": ADMIN, "exp": NOW + 300}
    body.update(claims)
    return jwt.encode(body, key, algorithm="RS256")


def jwt_bearer(client: httpx.Client, token: str, **extra: str) -> httpx.Response:
    return client.post(TOKEN, data={"grant_type": JWT_BEARER, "assertion": token, **extra})


def new_org(runtime: Runtime, users: list[dict[str, Any]] | None = None, **app: Any) -> dict[str, Any]:
    """A fresh org with one app (`app` fields) and users `alice@<suffix>` / `Alice-Passw0rd`."""
    suffix = runtime.salesforce.clock.now()  # unique per call together with the counter below
    count = len(runtime.salesforce.orgs.all())
    username = f"alice{count}-{int(suffix)}@flows.test"
    users = users or [{"username": username, "password": "Alice-Passw0rd", "first_name": "Alice"}]
    app.setdefault("callback_urls", ["https://app.example.com/cb", "myapp://oauth/done"])
    created = seed_org(runtime, {"users": users, "apps": [app]})
    return {
        "org": created["id"],
        "app": created["apps"][0],
        "users": created["users"],
        "username": users[0]["username"],
    }


def location(response: httpx.Response) -> tuple[str, dict[str, str], dict[str, str]]:
    """(URL without query/fragment, query params, fragment params) of a redirect."""
    assert response.status_code == 302, response.text
    parts = urlsplit(response.headers["location"])
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    fragment = {k: v[0] for k, v in parse_qs(parts.fragment).items()}
    return f"{parts.scheme}://{parts.netloc}{parts.path}", query, fragment


def csrf(html: str) -> str:
    match = re.search(r"name='_csrf' value='([^']+)'", html)
    assert match, html
    return match.group(1)


def hidden(html: str, name: str) -> str:
    match = re.search(rf"name='{name}' value='([^']*)'", html)
    assert match, html
    import html as h

    return h.unescape(match.group(1))

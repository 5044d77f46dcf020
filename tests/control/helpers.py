"""Small helpers shared by the control-plane tests."""

from __future__ import annotations

from typing import Any

import httpx

from ..conftest import ADMIN, CID, PASSWORD, SECRET


def password_token(client: httpx.Client, username: str = ADMIN, password: str = PASSWORD, **extra: str) -> Any:
    data = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": username}
    data.update(password=password, **extra)
    return client.post("/services/oauth2/token", data=data)


def access_token(client: httpx.Client) -> str:
    response = password_token(client)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def rest(client: httpx.Client, token: str, path: str = "/services/data/v62.0/limits") -> httpx.Response:
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def introspect(client: httpx.Client, token: str) -> Any:
    response = client.post("/services/oauth2/introspect", data={"token": token}, auth=(CID, SECRET))
    assert response.status_code == 200, response.text
    return response.json()

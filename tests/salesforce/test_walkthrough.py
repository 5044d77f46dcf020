"""The README's walkthrough: token, introspect, REST, revoke, introspect again, REST 401."""

from __future__ import annotations

import httpx

from tests.conftest import ADMIN, CID, PASSWORD, SECRET


def test_token_introspect_revoke_rest_401(client: httpx.Client) -> None:
    form = {"grant_type": "password", "client_id": CID, "client_secret": SECRET}
    r = client.post("/services/oauth2/token", data={**form, "username": ADMIN, "password": PASSWORD})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}

    live = client.post("/services/oauth2/introspect", data={"token": token}, auth=(CID, SECRET))
    assert live.json()["active"] is True
    limits = client.get("/services/data/v62.0/limits", headers=auth)
    assert limits.status_code == 200
    assert limits.headers["Sforce-Limit-Info"] == "api-usage=1/15000"

    revoked = client.post("/services/oauth2/revoke", data={"token": token})
    assert (revoked.status_code, revoked.content) == (200, b"")

    assert client.post("/services/oauth2/introspect", data={"token": token}, auth=(CID, SECRET)).json() == {
        "active": False
    }
    dead = client.get("/services/data/v62.0/limits", headers=auth)
    assert dead.status_code == 401
    assert dead.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]

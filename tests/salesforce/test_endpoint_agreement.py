"""Cross-endpoint agreement on a token's state (spec 4, 5, 6, 9.1): whatever introspection, refresh and the REST
API say about a token, revocation says the same (200 only for a live token, 400 `invalid_token` for a dead one)."""

from __future__ import annotations

import httpx

from mockown.runtime import Runtime
from tests.salesforce.helpers import TOKEN, introspect, new_org, rest

REVOKE = "/services/oauth2/revoke"


def test_revoking_a_jwt_access_token_whose_key_was_rotated_out_is_invalid_token(
    client: httpx.Client, runtime: Runtime
) -> None:
    org = new_org(runtime, jwt_access_tokens=True)
    data = {"grant_type": "password", "client_id": org["client_id"], "client_secret": org["secret"]}
    token = client.post(TOKEN, data={**data, "username": org["username"], "password": org["password"]}).json()
    access = token["access_token"]
    for _ in range(2):  # the second rotation drops the key that signed it from /id/keys
        assert client.post("/_mockown/keys/rotate", json={"key": "rsa"}).status_code == 200
    assert rest(client, access).status_code == 401
    assert introspect(client, access, org["client_id"], org["secret"]) == {"active": False}
    r = client.post(REVOKE, data={"token": access})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_token")

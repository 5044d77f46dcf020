"""Cross-endpoint agreement on a token's state (spec 4, 5, 6, 9.1): whatever introspection, refresh and the REST
API say about a token, revocation says the same (200 only for a live token, 400 `invalid_token` for a dead one)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from mockown.salesforce.seed import seed_org
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
    assert (r.status_code, parse_qs(r.text)["error"]) == (400, ["invalid_token"])  # urlencoded, as Salesforce


def _org_with_two_apps(runtime: Runtime, *, introspect_all: bool) -> dict[str, Any]:
    creds = seed_org(
        runtime,
        {
            "users": [{"username": f"u-{secrets.token_hex(4)}@agree.test", "password": "Secret-1"}],
            "apps": [
                {"scopes": ["api", "refresh_token"], "username_password_allowed": True},
                {"scopes": ["api"], "introspect_all": introspect_all},
            ],
        },
    )
    return creds


@pytest.mark.parametrize("introspect_all", [True, False])
def test_an_app_authorized_to_introspect_all_tokens_sees_the_orgs_other_apps_tokens(
    client: httpx.Client, runtime: Runtime, introspect_all: bool
) -> None:
    """Spec 4 "who may introspect": the token's own app, or one app authorized to introspect all tokens in the
    org; any other caller learns nothing (`{"active": false}`), whatever the token's state."""
    creds = _org_with_two_apps(runtime, introspect_all=introspect_all)
    issuer, watcher = creds["apps"]
    data = {"grant_type": "password", "client_id": issuer["client_id"], "client_secret": issuer["client_secret"]}
    data.update(username=creds["users"][0]["username"], password="Secret-1")
    access = client.post(TOKEN, data=data).json()["access_token"]
    seen = introspect(client, access, watcher["client_id"], watcher["client_secret"])
    assert seen["active"] is introspect_all
    if introspect_all:
        assert seen["client_id"] == issuer["client_id"] and seen["token_type"] == "access_token"
    # the demo app may introspect all tokens of *its* org (fixtures), not this org's
    assert introspect(client, access) == {"active": False}


@pytest.mark.parametrize("status", [400, 401])
def test_a_public_client_cannot_introspect_without_credentials(clock: FrozenClock, status: int) -> None:
    """Spec 4: introspection authenticates the client (`client_id` + `client_secret` in the body or Basic); an app
    without a secret (the CLI's `PlatformCLI`) has nothing to present, so even its own live token is not shown.
    Sending no secret and sending an empty one are the same failure: `invalid_client` with the
    `invalid_client_status` setting's status (no secret was a fixed 401, an empty one the setting's 400)."""
    settings = Config().salesforce.__class__(invalid_client_status=status)
    with in_process_client(create_app(Config(salesforce=settings), clock=clock)) as client:
        _public_client_introspects(client, status)


def _public_client_introspects(client: httpx.Client, status: int) -> None:
    from tests.salesforce.helpers import authorize, location_params, pkce_pair

    verifier, challenge = pkce_pair()
    cli = {"client_id": "PlatformCLI", "redirect_uri": "http://localhost:1717/OauthRedirect"}
    code = location_params(authorize(client, **cli, code_challenge=challenge, scope="api refresh_token"))["code"]
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, **cli}
    token = client.post(TOKEN, data=data)
    assert token.status_code == 200, token.text
    access = token.json()["access_token"]
    for creds in ({"client_id": "PlatformCLI"}, {"client_id": "PlatformCLI", "client_secret": ""}):
        r = client.post("/services/oauth2/introspect", data={"token": access, **creds})
        assert (r.status_code, r.json()["error"]) == (status, "invalid_client"), r.text
    assert rest(client, access).status_code == 200  # the token itself is live

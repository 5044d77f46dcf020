"""Authlib against Salesforce's other OAuth servers (Marketing Cloud `v2/token`, B2C Account Manager and SLAS)
and its asynchronous client against the Salesforce token endpoint."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter
from starlette.applications import Starlette

from mockown.http.inprocess import AsyncInProcessTransport, InProcessTransport
from tests.conftest import ADMIN, CID, PASSWORD, SECRET

from .authlib_support import AsyncOAuth2Client, OAuth2Client, OAuthError, generate_token
from .conftest import BASE

MC = f"{BASE}/mc/mcmockowndemo000000000000000"
AM_TOKEN = f"{BASE}/b2c/am/dwsso/oauth2/access_token"
SLAS = f"{BASE}/b2c/kv7kzm78/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2"
SLAS_CALLBACK = "http://localhost:3000/callback"


def test_marketing_cloud_client_credentials(transport: InProcessTransport) -> None:
    """Marketing Cloud reads the client's credentials from the body (`client_secret_post`)."""
    with OAuth2Client(
        "mockowndemoserver0000000a",
        "MockownMcServerSecret000",
        token_endpoint_auth_method="client_secret_post",
        transport=transport,
    ) as client:
        token = client.fetch_token(f"{MC}/v2/token", grant_type="client_credentials", account_id="10123457")
        assert token["token_type"] == "Bearer" and token["expires_at"]  # MC does send expires_in
        assert {"rest_instance_url", "soap_instance_url"} <= set(token)
        info = client.get(f"{MC}/v2/userinfo").json()
        assert str(info["organization"]["member_id"]) == "10123457"
        wrong = OAuth2Client("mockowndemoserver0000000a", "nope", token_endpoint_auth_method="client_secret_post",
                             transport=transport)  # fmt: skip
        with pytest.raises(OAuthError) as refused:
            wrong.fetch_token(f"{MC}/v2/token", grant_type="client_credentials")
        assert refused.value.error == "invalid_client"


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_account_manager_client_credentials(transport: InProcessTransport, method: str) -> None:
    with OAuth2Client(
        "mockown-am-client-000000000001", "MockownAmSecret0001", token_endpoint_auth_method=method, transport=transport
    ) as client:
        token = client.fetch_token(AM_TOKEN, grant_type="client_credentials")
        assert token["expires_in"] == 1799 and token["expires_at"]


def test_slas_public_client_pkce_guest_login(transport: InProcessTransport, browser: httpx.Client) -> None:
    """A public SLAS client: no secret (`none`), PKCE S256, SLAS's own grant name `authorization_code_pkce`."""
    with OAuth2Client(
        "mockown-slas-public",
        None,
        token_endpoint_auth_method="none",
        redirect_uri=SLAS_CALLBACK,
        code_challenge_method="S256",
        transport=transport,
    ) as client:
        verifier = generate_token(64)
        url, state = client.create_authorization_url(
            f"{SLAS}/authorize", code_verifier=verifier, hint="guest", channel_id="RefArch"
        )
        landed = browser.get(url)
        assert landed.status_code == 303
        query = parse_qs(urlsplit(landed.headers["location"]).query)
        assert query["state"] == [state] and query["usid"]
        token = client.fetch_token(
            f"{SLAS}/token",
            grant_type="authorization_code_pkce",
            code=query["code"][0],
            code_verifier=verifier,
            channel_id="RefArch",
        )
        assert token["refresh_token"] and token["usid"] == query["usid"][0]
        keys = KeySet.import_key_set(browser.get(f"{SLAS}/jwks").json())
        # SLAS's header carries `ver` and `clv` (spec: {"ver","kid","typ","clv","alg"}): declare them to joserfc
        members = {name: HeaderParameter(name, "str") for name in ("ver", "clv")}
        registry = JWSRegistry(header_registry=members, algorithms=["ES256"])
        claims = jwt.decode(token["access_token"], keys, registry=registry).claims
        jwt.JWTClaimsRegistry(now=claims["iat"], sub={"essential": True}).validate(claims)
        fresh = client.refresh_token(f"{SLAS}/token", channel_id="RefArch")
        assert fresh["refresh_token"] != token["refresh_token"]  # public clients' refresh tokens rotate


def test_async_client_password_and_refresh(live_app: Starlette, discovery: dict[str, Any]) -> None:
    async def run() -> None:
        async with AsyncOAuth2Client(CID, SECRET, scope="api", transport=AsyncInProcessTransport(live_app)) as client:
            token = await client.fetch_token(discovery["token_endpoint"], username=ADMIN, password=PASSWORD)
            limits = await client.get(f"{BASE}/services/data/v62.0/limits")
            assert limits.status_code == 200
            seen = await client.introspect_token(discovery["introspection_endpoint"], token=token["access_token"])
            assert seen.json()["active"] is True
            await client.revoke_token(discovery["revocation_endpoint"], token=token["access_token"])
            assert (await client.get(f"{BASE}/services/data/v62.0/limits")).status_code == 401

    asyncio.run(run())

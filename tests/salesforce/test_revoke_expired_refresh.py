"""A refresh token its app's policy expired (`immediately`, `idle` or `absolute` past their TTL) can no longer be
used, but the sessions it issued outlive it (2 hours): revoking it still "revokes it and any associated access
tokens" (spec 5), with 200 as for a live one (the token is known; only an unknown or already revoked one is 400
`invalid_token`). So do its `OauthToken.DeleteToken` and the OAuth Usage DELETEs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockown.runtime import Runtime
from tests.salesforce.helpers import new_org, org_tokens, rest

REVOKE = "/services/oauth2/revoke"
USAGE = "/services/data/v62.0/apps/oauth/usage"
POLICIES: dict[str, dict[str, Any]] = {
    "immediately": {"refresh_token_policy": "immediately"},
    "idle": {"refresh_token_policy": "idle", "refresh_token_ttl": "10m"},
    "absolute": {"refresh_token_policy": "absolute", "refresh_token_ttl": "10m"},
}


def _expired(client: httpx.Client, runtime: Runtime, policy: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An approval whose refresh token `policy` expired, while its session (2 hours) lives on."""
    org = new_org(runtime, **POLICIES[policy])
    tokens = org_tokens(client, org)
    runtime.clock.advance("11m")
    refused = client.post("/services/oauth2/token", data={"grant_type": "refresh_token", "client_id": org["client_id"],
                          "client_secret": org["secret"], "refresh_token": tokens["refresh_token"]})  # fmt: skip
    assert refused.json()["error_description"] == "expired access/refresh token"
    assert rest(client, tokens["access_token"]).status_code == 200
    return org, tokens


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_revoking_an_expired_refresh_token_ends_its_sessions(
    client: httpx.Client, runtime: Runtime, policy: str
) -> None:
    _, tokens = _expired(client, runtime, policy)
    assert client.post(REVOKE, data={"token": tokens["refresh_token"]}).status_code == 200
    assert rest(client, tokens["access_token"]).status_code == 401
    assert client.post(REVOKE, data={"token": tokens["refresh_token"]}).status_code == 400  # revoked already


def test_a_delete_token_shown_while_live_revokes_it_after_it_expired(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, refresh_token_policy="idle", refresh_token_ttl="10m")
    tokens = org_tokens(client, org)
    query = rest(client, tokens["access_token"], "/services/data/v62.0/query?q=SELECT+DeleteToken+FROM+OauthToken")
    (row,) = query.json()["records"]
    runtime.clock.advance("11m")
    assert client.post(REVOKE, data={"token": row["DeleteToken"]}).status_code == 200
    assert rest(client, tokens["access_token"]).status_code == 401


@pytest.mark.parametrize("scope", ["app", "user", "token"])
def test_the_usage_deletes_end_expired_approvals_sessions(client: httpx.Client, runtime: Runtime, scope: str) -> None:
    """The caller is the org's admin by a session with no refresh token (no approval), which the DELETE leaves."""
    org = new_org(runtime, refresh_token_policy="idle", refresh_token_ttl="10m")
    tokens = org_tokens(client, org)
    app = runtime.salesforce.app_by_client_id(org["client_id"])
    assert app is not None
    admin = org_tokens(client, org, scope="api")["access_token"]  # the org's admin, no refresh token: no approval
    listed = rest(client, admin, f"{USAGE}/{app.id}/{org['user_id']}/tokens").json()["tokens"]
    (entry,) = listed
    runtime.clock.advance("11m")
    path = {
        "app": f"{USAGE}/{app.id}/tokens",
        "user": f"{USAGE}/{app.id}/{org['user_id']}/tokens",
        "token": entry["revocationUrl"],
    }[scope]
    assert client.delete(path, headers={"Authorization": f"Bearer {admin}"}).status_code == 204
    assert rest(client, tokens["access_token"]).status_code == 401
    assert rest(client, admin).status_code == 200

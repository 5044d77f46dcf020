"""A deactivated user's sessions, and a locked org's, are dead everywhere a session is read: the token endpoint
already refuses them (`inactive_user` / `inactive_org`, spec 1.5), and REST, the identity URL, userinfo,
singleaccess, frontdoor.jsp and introspection agree (a snapshot or state file may hold such a user or org: the
control plane's restore is how one gets there besides the store)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockown.runtime import Runtime
from tests.conftest import ADMIN
from tests.salesforce.helpers import code_tokens, end_admin, introspect, refresh, rest

BAD_TOKEN = (403, "Bad_OAuth_Token")


def _restore_with(client: httpx.Client, case: str) -> None:
    snapshot: dict[str, Any] = client.get("/_mockown/snapshot").json()
    store = snapshot["store"]
    if case == "deactivated-user":
        for user in store["sf_users"]:
            if user["username"] == ADMIN:
                user["active"] = False
    else:
        for org in store["sf_orgs"]:
            org["locked"] = True
    assert client.post("/_mockown/restore", json=snapshot).status_code == 200


@pytest.mark.parametrize("how", ["restore", "store"])
@pytest.mark.parametrize("case", ["deactivated-user", "locked-org"])
def test_the_sessions_are_dead_everywhere(client: httpx.Client, runtime: Runtime, case: str, how: str) -> None:
    tokens = code_tokens(client, scope="api refresh_token openid id web")
    access, bearer = tokens["access_token"], {"Authorization": f"Bearer {tokens['access_token']}"}
    assert rest(client, access).status_code == 200
    if how == "restore":
        _restore_with(client, case)
    else:
        end_admin(runtime, case)
    expected = "inactive_user" if case == "deactivated-user" else "inactive_org"
    assert refresh(client, tokens["refresh_token"]).json()["error"] == expected  # as before
    r = rest(client, access)
    assert r.status_code == 401 and r.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert introspect(client, access) == {"active": False}
    assert introspect(client, tokens["refresh_token"]) == {"active": False}
    userinfo = client.get("/services/oauth2/userinfo", headers=bearer)
    assert (userinfo.status_code, userinfo.text) == BAD_TOKEN
    identity = client.get(tokens["id"].replace("http://testserver", ""), headers=bearer)
    assert (identity.status_code, identity.text) == BAD_TOKEN
    single = client.post("/services/oauth2/singleaccess", headers=bearer)
    assert (single.status_code, single.text) == BAD_TOKEN
    frontdoor = client.get("/secur/frontdoor.jsp", params={"sid": access, "retURL": "/home"})
    assert frontdoor.headers.get("location") != "/home"


@pytest.mark.parametrize("case", ["deactivated-user", "locked-org"])
def test_revoking_such_a_session_ends_it_for_good(client: httpx.Client, runtime: Runtime, case: str) -> None:
    """Dead to every use, the session is still there to revoke: a revoke answered 400 and wrote nothing, and the
    token the client believed revoked worked again once the user or the org was back."""
    access = code_tokens(client, scope="api refresh_token")["access_token"]
    end_admin(runtime, case)
    answer = client.post("/services/oauth2/revoke", data={"token": access})
    assert answer.status_code == 200, answer.text
    service = runtime.salesforce
    user = service.user_by_username(ADMIN)
    assert user is not None
    user.active = True
    service.users.put(user)
    org = service.org(user.org_id)
    org.locked = False
    service.orgs.put(org)
    r = rest(client, access)
    assert r.status_code == 401 and r.json()[0]["errorCode"] == "INVALID_SESSION_ID"

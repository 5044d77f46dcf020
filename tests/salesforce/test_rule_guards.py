"""Rules of the Salesforce OAuth core that a hand-driven mutation audit showed no test would miss if broken (each
test names the mutant it kills: the rule dropped or its boundary moved, and the suite stayed green)."""

from __future__ import annotations

import httpx
import jwt

from mockown.runtime import Runtime
from tests.conftest import ADMIN, ADMIN_ID, CID, ORG, SECRET

from .flows.support import NOW, TOKEN
from .helpers import code_tokens, exchange, get_code, introspect, new_org, org_tokens, password_token, refresh, rest


def _demo_app_set(runtime: Runtime, **changes: object) -> None:
    app = runtime.salesforce.app_by_client_id(CID)
    assert app is not None
    for name, value in changes.items():
        setattr(app, name, value)
    runtime.salesforce.apps.put(app)


# -- password and client-credentials flows: the app's switches and its org ---------------------------------
def test_password_flow_refused_when_the_app_disallows_it(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `if not app.username_password_allowed: raise` dropped (grants/password.py)."""
    assert password_token(client).status_code == 200
    _demo_app_set(runtime, username_password_allowed=False)
    r = password_token(client)
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_grant", "error_description": "authentication failure"}


def test_password_flow_refuses_a_user_of_another_org(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `if user.org_id != app.org_id: raise` dropped (grants/password.py): the demo org's app may not log
    in a user of another org, even with the right password."""
    other = new_org(runtime)
    r = password_token(client, username=other["username"], password=other["password"])
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_grant", "error_description": "authentication failure"}
    ok = password_token(client, client_id=other["client_id"], client_secret=other["secret"],
                        username=other["username"], password=other["password"])  # fmt: skip
    assert ok.status_code == 200, ok.text  # the same user through its own org's app


def test_client_credentials_run_as_user_must_be_in_the_apps_org(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `user.org_id != app.org_id` dropped (grants/client_credentials.py): a run-as user of another org is
    as good as none."""
    other = new_org(runtime)
    _demo_app_set(runtime, client_credentials_user=other["username"])
    r = client.post(TOKEN, data={"grant_type": "client_credentials", "client_id": CID, "client_secret": SECRET})
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant"
    assert r.json()["error_description"] == runtime.config.salesforce.wording.cc_no_user


def test_token_refused_while_the_org_is_locked(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `org.locked` dropped from `require_active` (service.py) at the token endpoint."""
    org = runtime.salesforce.org(ORG)
    org.locked = True
    runtime.salesforce.orgs.put(org)
    r = password_token(client)
    assert r.status_code == 400
    assert r.json() == {"error": "inactive_org", "error_description": "organization is locked, closed, or suspended"}


# -- authorization code -----------------------------------------------------------------------------------
def test_code_exchange_for_a_user_deactivated_since_authorize(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `require_active(user)` dropped from the code grant's check (grants/authorization_code.py); the code
    stays redeemable (a refusal spends nothing)."""
    code = get_code(client, scope="api")
    user = runtime.salesforce.user(ADMIN_ID)
    assert user is not None
    user.active = False
    runtime.salesforce.users.put(user)
    r = exchange(client, code)
    assert r.json() == {"error": "inactive_user", "error_description": "user is inactive"}
    user.active = True
    runtime.salesforce.users.put(user)
    assert exchange(client, code).status_code == 200


def test_code_replay_revokes_an_access_token_without_refresh_token(client: httpx.Client) -> None:
    """Kills the replay's `_revoke_access` loop dropped (service.redeem_code): with no refresh token granted,
    the access token is tied to no family, so only that loop ends it."""
    code = get_code(client, scope="api")
    first = exchange(client, code)
    assert first.status_code == 200 and "refresh_token" not in first.json()
    access = first.json()["access_token"]
    assert rest(client, access).status_code == 200
    replay = exchange(client, code)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert rest(client, access).status_code == 401


# -- scopes ------------------------------------------------------------------------------------------------
def test_requested_scopes_are_cut_to_the_apps(client: httpx.Client, runtime: Runtime) -> None:
    """Kills the subset filter dropped from `grant_scopes` (`s in allowed_set`): a scope the app lacks is not
    granted, and when nothing asked is allowed the request is `invalid_scope`."""
    _demo_app_set(runtime, scopes=["api", "id"])
    r = client.post(TOKEN, data={"grant_type": "client_credentials", "client_id": CID, "client_secret": SECRET,
                                 "scope": "api chatter_api"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "api"
    none = client.post(TOKEN, data={"grant_type": "client_credentials", "client_id": CID, "client_secret": SECRET,
                                    "scope": "chatter_api"})  # fmt: skip
    assert none.status_code == 400
    assert none.json()["error"] == "invalid_scope"


def test_offline_access_is_the_refresh_token_scope(client: httpx.Client, runtime: Runtime) -> None:
    """Kills the `offline_access` alias dropped (grant_scopes: an app with `refresh_token` allows it, in the
    password flow as in any; wants_refresh: in the code flow it brings a refresh token)."""
    body = code_tokens(client, scope="api offline_access")
    assert body["scope"] == "api offline_access"
    assert body["refresh_token"].startswith("5Aep861")
    org = new_org(runtime)  # scopes api refresh_token openid id: no `full`, which would allow any scope
    creds = {"client_id": org["client_id"], "client_secret": org["secret"]}
    r = password_token(client, username=org["username"], password=org["password"], scope="api offline_access", **creds)
    assert r.status_code == 200, r.text
    seen = introspect(client, r.json()["access_token"], org["client_id"], org["secret"])
    assert seen["scope"] == "api offline_access"


# -- refresh tokens: rotation and revocation ------------------------------------------------------------------
def test_a_rotated_out_refresh_token_introspects_inactive(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `rt.rotated` dropped from `refresh_live` (service.py): introspection of a superseded token."""
    org = new_org(runtime, rotation=True)
    first = org_tokens(client, org)["refresh_token"]
    r = refresh(client, first, client_id=org["client_id"], secret=org["secret"])
    assert r.status_code == 200, r.text
    second = r.json()["refresh_token"]
    assert introspect(client, second, org["client_id"], org["secret"])["active"] is True
    assert introspect(client, first, org["client_id"], org["secret"]) == {"active": False}


def test_revoking_a_rotated_out_refresh_token_fails_and_spares_the_family(
    client: httpx.Client, runtime: Runtime
) -> None:
    """Kills `rt.rotated` dropped from `revoke` (service.py): a superseded token is no longer revocable (400
    invalid_token), and revoking it does not end its live successor."""
    org = new_org(runtime, rotation=True)
    first = org_tokens(client, org)["refresh_token"]
    second = refresh(client, first, client_id=org["client_id"], secret=org["secret"]).json()["refresh_token"]
    r = client.post("/services/oauth2/revoke", data={"token": first})
    assert r.status_code == 400 and "error=invalid_token" in r.text  # the default revoke_error_format: urlencoded
    assert refresh(client, second, client_id=org["client_id"], secret=org["secret"]).status_code == 200


def test_revoking_an_expired_access_token_is_invalid_token(client: httpx.Client, runtime: Runtime) -> None:
    """Kills the liveness check dropped from `revoke` (service.py): a session already dead (timed out) is not
    revoked again: 400 invalid_token, as an unknown token."""
    access = code_tokens(client, scope="api")["access_token"]
    runtime.clock.advance(2 * 3600)  # the demo app's session timeout (2h) has passed
    r = client.post("/services/oauth2/revoke", data={"token": access})
    assert r.status_code == 400 and "error=invalid_token" in r.text  # the default revoke_error_format: urlencoded


# -- client authentication -----------------------------------------------------------------------------------
def test_basic_auth_and_a_different_body_client_id(client: httpx.Client) -> None:
    """Kills the Basic/body `client_id` agreement check dropped (clientauth._basic)."""
    r = client.post(TOKEN, data={"grant_type": "client_credentials", "client_id": "3MVG9someoneelse"},
                    auth=(CID, SECRET))  # fmt: skip
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_client_id"


def test_client_assertion_refused_once_exp_plus_skew_is_reached(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `now >= exp + jwt_skew` -> `>` (clientauth.check_client): at exactly exp + skew it is past."""
    from .test_client_assertion import cc, client_assertion

    skew = runtime.config.salesforce.jwt_skew
    assert cc(client, client_assertion(exp=NOW - skew + 1)).status_code == 200
    late = cc(client, client_assertion(exp=NOW - skew))
    assert late.status_code == runtime.config.salesforce.invalid_client_status
    assert late.json()["error"] == "invalid_client"


# -- introspection --------------------------------------------------------------------------------------------
def test_public_app_cannot_introspect_without_a_secret(client: httpx.Client, runtime: Runtime) -> None:
    """Kills the public caller's refusal dropped (introspect.py): a public app has nothing to authenticate
    with."""
    access = code_tokens(client, scope="api")["access_token"]
    r = client.post("/services/oauth2/introspect", data={"token": access, "client_id": "PlatformCLI"})
    assert r.status_code == runtime.config.salesforce.invalid_client_status
    assert r.json()["error"] == "invalid_client"


def test_introspect_all_stops_at_the_org(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `caller.org_id == org_id` dropped from `_may_see` (introspect.py): an app allowed to introspect
    every token sees its own org's tokens only."""
    other = new_org(runtime, introspect_all=True)
    access = code_tokens(client, scope="api")["access_token"]
    assert introspect(client, access)["active"] is True
    assert introspect(client, access, other["client_id"], other["secret"]) == {"active": False}
    own = org_tokens(client, other)["access_token"]
    assert introspect(client, own, other["client_id"], other["secret"])["active"] is True


def test_refresh_token_of_a_deactivated_user_introspects_inactive(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `not user.active` dropped from introspection of a refresh token (introspect._refresh)."""
    token = code_tokens(client)["refresh_token"]
    assert introspect(client, token)["active"] is True
    user = runtime.salesforce.user(ADMIN_ID)
    assert user is not None
    user.active = False
    runtime.salesforce.users.put(user)
    assert introspect(client, token) == {"active": False}


def test_idle_refresh_token_introspects_with_exp_from_its_last_use(client: httpx.Client, runtime: Runtime) -> None:
    """Kills the idle policy's `exp` computed from `issued_at` instead of `last_used` (introspect._refresh)."""
    org = new_org(runtime, refresh_token_policy="idle", refresh_token_ttl="30d")
    token = org_tokens(client, org)["refresh_token"]
    runtime.clock.advance("1d")
    assert refresh(client, token, client_id=org["client_id"], secret=org["secret"]).status_code == 200
    body = introspect(client, token, org["client_id"], org["secret"])
    assert body["active"] is True
    assert body["exp"] == NOW + 86400 + 30 * 86400
    assert body["iat"] == NOW


# -- sessions ---------------------------------------------------------------------------------------------------
def test_a_use_before_half_the_timeout_does_not_slide_the_session(client: httpx.Client, runtime: Runtime) -> None:
    """Kills the sliding threshold moved (`timeout / 2` -> `timeout / 3`, service.live_session): a use at 59
    minutes of a 2-hour session leaves its end where it was."""
    token = code_tokens(client, scope="api")["access_token"]
    runtime.clock.advance("59m")
    assert rest(client, token).status_code == 200
    runtime.clock.advance("1h1m")  # 2h since issue: no slide happened at 59m
    assert rest(client, token).status_code == 401


# -- device flow and token exchange ---------------------------------------------------------------------------
def test_device_poll_for_a_user_deactivated_after_approval(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `require_active(user)` dropped from the device grant (grants/device.py)."""
    from .flows.test_device import APPROVE, err, poll, start

    body = start(client, scope="api").json()
    approved = client.post(APPROVE, json={"user_code": body["user_code"], "username": ADMIN})
    assert approved.json()["status"] == "approved"
    user = runtime.salesforce.user(ADMIN_ID)
    assert user is not None
    user.active = False
    runtime.salesforce.users.put(user)
    runtime.clock.advance(5)
    assert err(poll(client, body["device_code"])) == (400, "inactive_user")


def test_asset_token_needs_an_actor_of_type_jwt(client: httpx.Client) -> None:
    """Kills `actor_type != "jwt"` dropped (grants/token_exchange.py): a well-signed actor JWT announced as an
    access token is refused."""
    from .flows.support import JWT_KEY, URN
    from .flows.test_token_exchange import err
    from .flows.test_token_exchange import exchange as token_exchange

    access = password_token(client).json()["access_token"]
    actor = jwt.encode({"did": "device-42"}, JWT_KEY, "RS256")
    assert token_exchange(client, access, "access_token", actor_token=actor, actor_token_type=URN + "jwt").is_success
    r = token_exchange(client, access, "access_token", actor_token=actor, actor_token_type=URN + "access_token")
    assert err(r) == (400, "invalid_request")


def test_asset_token_refuses_a_session_of_another_org(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `session.org_id != app.org_id` dropped (grants/token_exchange.py): the demo app may not wrap another
    org's live session in an asset token."""
    from .flows.support import JWT_KEY, URN
    from .flows.test_token_exchange import exchange as token_exchange

    other = new_org(runtime)
    creds = {"client_id": other["client_id"], "client_secret": other["secret"]}
    access = password_token(client, username=other["username"], password=other["password"], **creds).json()
    actor = jwt.encode({"did": "device-42"}, JWT_KEY, "RS256")
    r = token_exchange(client, access["access_token"], "access_token", actor_token=actor,
                       actor_token_type=URN + "jwt")  # fmt: skip
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_grant", "error_description": "invalid subject token"}

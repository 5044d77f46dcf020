"""Token policies as state transitions on the frozen clock: codes, sessions, refresh policies, rotation, approvals."""

from __future__ import annotations

import httpx
import pytest

from mockown.runtime import Runtime
from tests.conftest import CALLBACK, CID
from tests.salesforce.helpers import (
    TOKEN,
    code_tokens,
    exchange,
    get_code,
    introspect,
    new_org,
    org_tokens,
    pkce_pair,
    refresh,
    rest,
)

EXPIRED = {"error": "invalid_grant", "error_description": "expired access/refresh token"}


# -- authorization codes ------------------------------------------------------------------------------
def test_code_is_single_use_and_replay_revokes_what_it_issued(client: httpx.Client) -> None:
    code = get_code(client, scope="api refresh_token")
    first = exchange(client, code)
    assert first.status_code == 200
    tokens = first.json()
    replay = exchange(client, code)
    assert replay.json() == {"error": "invalid_grant", "error_description": "invalid authorization code"}
    assert rest(client, tokens["access_token"]).status_code == 401
    assert refresh(client, tokens["refresh_token"]).json() == EXPIRED


def test_code_expires_after_15_minutes(client: httpx.Client, runtime: Runtime) -> None:
    code = get_code(client)
    runtime.clock.advance("15m")
    assert exchange(client, code).json() == {
        "error": "invalid_grant",
        "error_description": "expired authorization code",
    }
    code = get_code(client)
    runtime.clock.advance(15 * 60 - 1)
    assert exchange(client, code).status_code == 200


def test_code_bound_to_redirect_uri_and_client(client: httpx.Client, runtime: Runtime) -> None:
    code = get_code(client)
    r = exchange(client, code, redirect_uri="http://127.0.0.1:8080/callback")
    assert r.json()["error"] == "redirect_uri_mismatch"
    other = new_org(runtime)
    r = exchange(client, get_code(client), client_id=other["client_id"], client_secret=other["secret"])
    assert r.json() == {"error": "invalid_grant", "error_description": "invalid authorization code"}


def test_confidential_app_needs_secret_for_code(client: httpx.Client) -> None:
    data = {"grant_type": "authorization_code", "code": get_code(client), "client_id": CID, "redirect_uri": CALLBACK}
    r = client.post(TOKEN, data=data)
    assert r.json()["error"] == "invalid_client"


# -- PKCE -----------------------------------------------------------------------------------------------
def _cli_code(client: httpx.Client, challenge: str | None) -> str:
    params = {"client_id": "PlatformCLI", "redirect_uri": "http://localhost:1717/OauthRedirect"}
    if challenge:
        params["code_challenge"] = challenge
    return get_code(client, **params)


def _cli_exchange(client: httpx.Client, code: str, verifier: str | None) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": "PlatformCLI",
        "redirect_uri": "http://localhost:1717/OauthRedirect",
    }
    if verifier is not None:
        data["code_verifier"] = verifier
    return client.post(TOKEN, data=data)


def test_pkce_public_client_without_secret(client: httpx.Client) -> None:
    verifier, challenge = pkce_pair()
    r = _cli_exchange(client, _cli_code(client, challenge), verifier)
    assert r.status_code == 200, r.text
    assert "refresh_token" in r.json()


@pytest.mark.parametrize("basic", [False, True], ids=["body", "basic"])
def test_an_empty_secret_counts_as_none_where_none_is_needed(client: httpx.Client, basic: bool) -> None:
    """RFC 6749 2.3.1: an empty secret may be left out, so `client_secret=` (or Basic `PlatformCLI:`, what
    requests-oauthlib sends) is no secret at all for a client that needs none: a public client's code exchange and
    refresh are served as without it (they were `invalid_client`), and a confidential app's refresh likewise."""

    def post(client_id: str, form: dict[str, str], secret: str = "") -> httpx.Response:
        if basic:
            return client.post(TOKEN, data=form, auth=(client_id, secret))
        return client.post(TOKEN, data={**form, "client_id": client_id, "client_secret": secret})

    verifier, challenge = pkce_pair()
    form = {"grant_type": "authorization_code", "code": _cli_code(client, challenge), "code_verifier": verifier}
    r = post("PlatformCLI", {**form, "redirect_uri": "http://localhost:1717/OauthRedirect"})
    assert r.status_code == 200, r.text
    r = post("PlatformCLI", {"grant_type": "refresh_token", "refresh_token": r.json()["refresh_token"]})
    assert r.status_code == 200, r.text
    form = {"grant_type": "refresh_token", "refresh_token": code_tokens(client)["refresh_token"]}
    assert post(CID, form).status_code == 200
    assert post(CID, form, "wrong").json()["error"] == "invalid_client"  # a secret given is still checked


def test_pkce_missing_verifier_is_invalid_grant(client: httpx.Client) -> None:
    _, challenge = pkce_pair()
    assert _cli_exchange(client, _cli_code(client, challenge), None).json()["error"] == "invalid_grant"


def test_pkce_wrong_verifier_is_invalid_request(client: httpx.Client) -> None:
    _, challenge = pkce_pair()
    other, _ = pkce_pair()
    assert _cli_exchange(client, _cli_code(client, challenge), other).json()["error"] == "invalid_request"


@pytest.mark.parametrize("wrong", ["é" * 43, "v" * 42 + "€", "\u00a0" * 128], ids=["accents", "euro-last", "nbsp"])
def test_pkce_non_ascii_verifier_is_a_wrong_verifier(client: httpx.Client, wrong: str) -> None:
    """Spec 2.5: a verifier that does not match is `invalid_request` (it was a 500 when not ASCII); the code stays
    redeemable with the right one."""
    verifier, challenge = pkce_pair()
    code = _cli_code(client, challenge)
    r = _cli_exchange(client, code, wrong)
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_request", "error_description": "invalid code verifier"}
    assert _cli_exchange(client, code, verifier).status_code == 200


def test_pkce_required_app_refuses_authorize_without_challenge(client: httpx.Client) -> None:
    r = client.get(
        "/services/oauth2/authorize",
        params={"response_type": "code", "client_id": "PlatformCLI", "redirect_uri": "http://localhost:1717/OauthRedirect",
                "login_hint": "admin@mockown.test", "state": "s"},
    )  # fmt: skip
    assert r.status_code == 302
    assert "error=invalid_request" in r.headers["location"] and "state=s" in r.headers["location"]


# -- sessions -------------------------------------------------------------------------------------------
def test_session_times_out_after_two_hours_idle(client: httpx.Client, runtime: Runtime) -> None:
    token = code_tokens(client)["access_token"]
    runtime.clock.advance("2h")
    assert rest(client, token).status_code == 401
    assert introspect(client, token) == {"active": False}


def test_session_slides_after_half_the_timeout(client: httpx.Client, runtime: Runtime) -> None:
    token = code_tokens(client)["access_token"]
    runtime.clock.advance("59m")
    assert rest(client, token).status_code == 200  # before half: last-active is not updated
    runtime.clock.advance("1h")  # 1h59m since issue
    assert rest(client, token).status_code == 200  # past half: the session slides to now
    runtime.clock.advance("1h59m")
    assert rest(client, token).status_code == 200
    runtime.clock.advance("2h")
    assert rest(client, token).status_code == 401


def test_per_app_session_timeout(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, session_timeout="15m")
    token = org_tokens(client, org)["access_token"]
    runtime.clock.advance("15m")
    assert rest(client, token).status_code == 401


# -- refresh-token policies ---------------------------------------------------------------------------
def test_policy_valid_until_revoked(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime)
    token = org_tokens(client, org)["refresh_token"]
    runtime.clock.advance("3650d")
    assert refresh(client, token, org["client_id"], org["secret"]).status_code == 200


def test_policy_immediately_expire(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, refresh_token_policy="immediately")
    token = org_tokens(client, org)["refresh_token"]
    assert refresh(client, token, org["client_id"], org["secret"]).json() == EXPIRED


def test_policy_expire_if_unused(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, refresh_token_policy="idle", refresh_token_ttl="30d")
    token = org_tokens(client, org)["refresh_token"]
    for _ in range(3):  # each use resets the idle window
        runtime.clock.advance("29d")
        assert refresh(client, token, org["client_id"], org["secret"]).status_code == 200
    runtime.clock.advance("30d")
    assert refresh(client, token, org["client_id"], org["secret"]).json() == EXPIRED


def test_policy_expire_after(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, refresh_token_policy="absolute", refresh_token_ttl="90d")
    token = org_tokens(client, org)["refresh_token"]
    runtime.clock.advance("89d")
    assert refresh(client, token, org["client_id"], org["secret"]).status_code == 200
    runtime.clock.advance("1d")
    assert refresh(client, token, org["client_id"], org["secret"]).json() == EXPIRED


# -- rotation -------------------------------------------------------------------------------------------
def test_rotation_issues_new_token_and_reuse_revokes_family(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, rotation=True)
    first = org_tokens(client, org)
    r1 = refresh(client, first["refresh_token"], org["client_id"], org["secret"])
    second = r1.json()
    assert second["refresh_token"] != first["refresh_token"]
    r2 = refresh(client, second["refresh_token"], org["client_id"], org["secret"])
    third = r2.json()
    assert rest(client, third["access_token"]).status_code == 200
    # reuse of a rotated-out token: the whole family dies, including the current token and its sessions
    assert refresh(client, first["refresh_token"], org["client_id"], org["secret"]).json() == EXPIRED
    assert refresh(client, third["refresh_token"], org["client_id"], org["secret"]).json() == EXPIRED
    assert rest(client, third["access_token"]).status_code == 401


def test_rotation_off_by_default(client: httpx.Client) -> None:
    body = refresh(client, code_tokens(client)["refresh_token"]).json()
    assert "refresh_token" not in body


# -- approvals limit ----------------------------------------------------------------------------------
def test_sixth_approval_revokes_the_oldest(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime)
    approvals = []
    for _ in range(6):
        approvals.append(org_tokens(client, org))
        runtime.clock.advance(1)
    oldest, rest_of_them = approvals[0], approvals[1:]
    assert refresh(client, oldest["refresh_token"], org["client_id"], org["secret"]).json() == EXPIRED
    assert rest(client, oldest["access_token"]).status_code == 401
    for approval in rest_of_them:
        assert rest(client, approval["access_token"]).status_code == 200
        assert refresh(client, approval["refresh_token"], org["client_id"], org["secret"]).status_code == 200


def test_expired_approvals_do_not_count_toward_the_limit(client: httpx.Client, runtime: Runtime) -> None:
    """Only live approvals count (as the `OauthToken` rows list them): four approvals that idled out and one in
    use, then a new one, make two live approvals; none is revoked, least of all the one in use (it was the
    oldest of six unrevoked families, and went)."""
    org = new_org(runtime, refresh_token_policy="idle", refresh_token_ttl="1d")
    cid, secret = org["client_id"], org["secret"]
    kept = org_tokens(client, org)
    for _ in range(4):  # abandoned: they idle out
        runtime.clock.advance(60)
        org_tokens(client, org)
    for _ in range(3):  # the first approval is refreshed every 12 hours; the others pass their 1-day idle limit
        runtime.clock.advance("12h")
        session = refresh(client, kept["refresh_token"], cid, secret).json()["access_token"]
    org_tokens(client, org)
    assert refresh(client, kept["refresh_token"], cid, secret).status_code == 200
    assert rest(client, session).status_code == 200


def test_approvals_expired_at_once_revoke_no_session(client: httpx.Client, runtime: Runtime) -> None:
    """`immediately`: no approval is ever live, so a sixth one revokes none, and the first session lives on."""
    org = new_org(runtime, refresh_token_policy="immediately")
    approvals = []
    for _ in range(6):
        approvals.append(org_tokens(client, org))
        runtime.clock.advance(1)
    assert [rest(client, a["access_token"]).status_code for a in approvals] == [200] * 6


def test_a_sixth_live_approval_revokes_the_oldest_live_one(client: httpx.Client, runtime: Runtime) -> None:
    """An expired approval older than the five live ones is not the one chosen: the oldest live one goes."""
    org = new_org(runtime, refresh_token_policy="idle", refresh_token_ttl="1h")
    cid, secret = org["client_id"], org["secret"]
    dead = org_tokens(client, org)
    runtime.clock.advance("61m")  # idled out; its session (2 hours) lives on
    live = []
    for _ in range(6):
        live.append(org_tokens(client, org))
        runtime.clock.advance(1)
    assert rest(client, dead["access_token"]).status_code == 200
    assert refresh(client, live[0]["refresh_token"], cid, secret).json() == EXPIRED
    assert rest(client, live[0]["access_token"]).status_code == 401
    for approval in live[1:]:
        assert refresh(client, approval["refresh_token"], cid, secret).status_code == 200


def test_rotation_does_not_count_as_new_approvals(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, rotation=True)
    first = org_tokens(client, org)
    token = first["refresh_token"]
    for _ in range(8):
        token = refresh(client, token, org["client_id"], org["secret"]).json()["refresh_token"]
    assert refresh(client, token, org["client_id"], org["secret"]).status_code == 200


@pytest.mark.parametrize("approvals", [1, 5])
def test_up_to_five_approvals_all_live(client: httpx.Client, runtime: Runtime, approvals: int) -> None:
    org = new_org(runtime)
    tokens = [org_tokens(client, org) for _ in range(approvals)]
    assert all(rest(client, t["access_token"]).status_code == 200 for t in tokens)

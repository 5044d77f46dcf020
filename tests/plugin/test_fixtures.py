"""The plugin's fixtures, used directly (the plugin is active in this suite through its entry point)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from mockown.testing import ControlPlaneError, Mockown, MockownTokenError
from tests.plugin.support import run_async


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_small_fixtures_are_this_tests_org_and_account(
    mockown: Mockown,
    sf_org: dict[str, Any],
    sf_app: dict[str, Any],
    sf_user: dict[str, Any],
    sf_token: dict[str, Any],
    own_account: dict[str, Any],
    own_user: dict[str, Any],
    own_api_token: str,
    own_access_token: str,
) -> None:
    assert sf_org["id"] == mockown.org_id and sf_app == sf_org["apps"][0] and sf_user == sf_org["users"][0]
    assert sf_user["username"].endswith("@pytest.mockown.test") and mockown.unique in sf_user["username"]
    identity = mockown.client.get(sf_token["id"], headers=bearer(sf_token["access_token"])).json()
    assert identity["organization_id"] == sf_org["id"] and identity["username"] == sf_user["username"]
    assert mockown.client.get(mockown.urls.rest("limits"), headers=bearer(sf_token["access_token"])).status_code == 200
    assert own_user["role"] == "master_admin" and own_user["api_token"] == own_api_token
    services = mockown.client.get(mockown.urls.own_api("services"), headers=bearer(own_access_token)).json()
    assert [s["id"] for s in services] == [s["id"] for s in own_account["services"]]
    assert services[0]["org_id"] == sf_org["id"]  # the account backs up this test's org


def test_password_flow_has_no_refresh_token_but_the_code_flow_does(mockown: Mockown) -> None:
    assert "refresh_token" not in mockown.issue_token()
    code = mockown.issue_token("authorization_code")
    assert code["refresh_token"] and code["access_token"]
    refreshed = mockown.refresh(code["refresh_token"])
    assert refreshed["access_token"] != code["access_token"]
    assert "refresh_token" not in refreshed  # no rotation unless the app asks for it
    cc = mockown.issue_token("client_credentials")
    who = mockown.client.get(cc["id"], headers=bearer(cc["access_token"])).json()
    assert who["username"] == mockown.users[1]["username"]  # the app's run-as user


@pytest.mark.mockown(pkce_required=True)
def test_the_code_flow_sends_s256_pkce(mockown: Mockown) -> None:
    """The code flow works for an app that requires PKCE: the helper sends an S256 challenge and its verifier,
    which the exchange checks (a challenge of the caller's replaces it; a verifier that does not match it is
    refused)."""
    import base64
    import hashlib

    assert mockown.issue_token("authorization_code")["access_token"]
    verifier = "v" * 43
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    theirs = {"code_challenge": challenge, "code_challenge_method": "S256"}
    assert mockown.issue_token("authorization_code", authorize=theirs, code_verifier=verifier)["access_token"]
    assert mockown.issue_token("authorization_code", code_verifier=verifier)["access_token"]  # its challenge made
    with pytest.raises(MockownTokenError) as refused:
        mockown.issue_token("authorization_code", authorize=theirs, code_verifier="w" * 43)
    assert refused.value.status == 400 and refused.value.body["error"] == "invalid_request"
    with pytest.raises(MockownTokenError) as missing:
        mockown.issue_token("authorization_code", authorize=theirs)  # the caller's challenge, no verifier
    assert missing.value.status == 400 and missing.value.body["error"] == "invalid_grant"


def _authorize_query(mockown: Mockown) -> dict[str, str]:
    """The query of the helper's last GET of /services/oauth2/authorize, as the journal recorded it."""
    return dict(parse_qsl(mockown.journal.last("/services/oauth2/authorize", method="GET")["query"]))


@pytest.mark.mockown(pkce_required=True)
def test_the_callers_pkce_method_wins_and_gets_a_challenge_made_for_it(mockown: Mockown) -> None:
    """A `code_challenge_method` without a `code_challenge` is the caller's: the helper makes the challenge for
    that method (it sent S256 over the caller's `plain`), sends no method for None, refuses one it cannot make."""
    verifier = "v" * 43
    with pytest.raises(MockownTokenError) as plain:  # Salesforce checks S256 only: a plain challenge fails there
        mockown.issue_token("authorization_code", authorize={"code_challenge_method": "plain"}, code_verifier=verifier)
    assert plain.value.status == 400 and plain.value.body["error"] == "invalid_request"
    sent = _authorize_query(mockown)
    assert (sent["code_challenge"], sent["code_challenge_method"]) == (verifier, "plain")

    assert mockown.issue_token("authorization_code", authorize={"code_challenge_method": None})["access_token"]
    sent = _authorize_query(mockown)
    assert "code_challenge_method" not in sent and len(sent["code_challenge"]) == 43  # an S256 challenge, no method

    assert mockown.issue_token("authorization_code")["access_token"]
    assert _authorize_query(mockown)["code_challenge_method"] == "S256"  # nothing given: S256, as before

    with pytest.raises(ValueError, match="code_challenge"):
        mockown.issue_token("authorization_code", authorize={"code_challenge_method": "S512"})
    with pytest.raises(MockownTokenError):  # the caller's None challenge: no PKCE, which this app requires
        mockown.issue_token("authorization_code", authorize={"code_challenge": None})
    assert "code_challenge" not in _authorize_query(mockown)


@pytest.mark.mockown(rotation=True, session_timeout="15m")
def test_marker_sets_the_connected_app(mockown: Mockown) -> None:
    first = mockown.issue_token("authorization_code")
    second = mockown.refresh(first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]  # rotation
    token = second["access_token"]
    assert mockown.client.get(mockown.urls.rest("limits"), headers=bearer(token)).status_code == 200
    mockown.clock.advance("16m")
    expired = mockown.client.get(mockown.urls.rest("limits"), headers=bearer(token))
    assert expired.status_code == 401 and expired.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    with pytest.raises(MockownTokenError) as refused:
        mockown.refresh(first["refresh_token"])  # the rotated one is spent
    assert refused.value.status == 400 and refused.value.body["error"] == "invalid_grant"


@pytest.mark.mockown(config={"salesforce": {"invalid_client_status": 401}})
def test_marker_config_gives_the_test_a_private_server(mockown: Mockown, mockown_server: Any) -> None:
    assert mockown.target is not mockown_server
    refused = mockown.issue_token(app={"client_id": mockown.app["client_id"], "client_secret": "wrong"}, check=False)
    assert refused["_status"] == 401 and refused["error"] == "invalid_client"


def test_bad_credentials_raise_with_the_answer(mockown: Mockown) -> None:
    with pytest.raises(MockownTokenError, match="authentication failure"):
        mockown.issue_token(user={"username": mockown.user["username"], "password": "wrong"})
    assert mockown.issue_token(user=mockown.users[1]["username"])["access_token"]


def test_a_refused_login_in_the_code_flow_is_one_attempt_and_says_why(mockown: Mockown) -> None:
    wrong = {"username": mockown.user["username"], "password": "wrong"}
    for _ in range(4):
        with pytest.raises(MockownTokenError) as refused:
            mockown.issue_token("authorization_code", user=wrong)
        message = str(refused.value)
        assert f"the login page refused {wrong['username']}: Please check your username and password" in message
        assert "<" not in message and "_csrf" not in message  # no page dump (its form holds the anti-CSRF token)
    assert mockown.journal.count("/services/oauth2/authorize/login", method="POST") == 4  # one login per call
    assert mockown.issue_token("authorization_code")["access_token"]  # 4 failed logins do not lock the user out


def test_journal_sees_this_tests_requests_only(mockown: Mockown) -> None:
    with Mockown(mockown.target, label="another test") as other:  # another test's org on the same server
        other.issue_token()
        other.own_token()
    assert mockown.journal.count() == 0
    mockown.journal.assert_not_called("/services/oauth2/token")
    mockown.issue_token()
    entry = mockown.journal.assert_called("/services/oauth2/token", times=1, method="POST")[0]
    assert entry["grant_type"] == "password" and entry["params"]["password"] == "[redacted]"
    assert mockown.journal.last("/services/*")["status"] == 200
    with pytest.raises(AssertionError, match="expected /services/oauth2/token"):
        mockown.journal.assert_called("/services/oauth2/token", times=2)
    mockown.journal.mark()
    assert len(mockown.journal) == 0


def test_what_the_test_seeds_is_its_own_in_the_journal_and_the_outbox(mockown: Mockown) -> None:
    u = mockown.unique
    created = mockown.seed({
        "salesforce": {"orgs": [{"users": [{"username": f"b.{u}@extra.test"}]}]},
        "own": {"accounts": [{"users": [{"email": f"x.{u}@extra.test", "role": "master_admin", "api_token": True}]}]},
    })  # fmt: skip
    org, account = created["salesforce"]["orgs"][0], created["own"]["accounts"][0]
    mockown.issue_token(user=org["users"][0], app=org["apps"][0])
    mockown.own_token(account["users"][0]["api_token"])
    assert mockown.journal.assert_called("/services/oauth2/token", times=1)[0]["org"] == org["id"]
    assert mockown.journal.assert_called(mockown.urls.own_token, times=1)[0]["account"] == str(account["id"])
    mail = mockown.outbox.assert_sent(1, to=f"x.{u}@extra.test", kind="own.api_token.created")[0]
    assert mail["account"] == str(account["id"])


def test_every_account_of_a_marker_seed_is_the_tests(mockown_server: Any) -> None:
    import secrets

    email = f"second.{secrets.token_hex(5)}@extra.test"
    second_account = {"name": "second", "users": [{"email": email, "role": "master_admin", "api_token": True}]}
    options = {"own": False, "seed": {"own": {"accounts": [{"name": "first"}, second_account]}}}
    with Mockown(mockown_server, options, label="two accounts") as handle:
        first, second = (str(a["id"]) for a in handle.seeded["own"]["accounts"])
        assert handle.own_account_id == first
        handle.own_token(handle.seeded["own"]["accounts"][1]["users"][0]["api_token"])
        assert handle.journal.assert_called(handle.urls.own_token, times=1)[0]["account"] == second
        assert handle.outbox.assert_sent(1, to=email)[0]["account"] == second
    accounts = mockown_server.runtime.own.accounts
    assert accounts.get(first) is None and accounts.get(second) is None  # both went with the test


def test_outbox_holds_this_accounts_mail(mockown: Mockown, own_user: dict[str, Any]) -> None:
    created = mockown.outbox.assert_sent(1, kind="own.api_token.created")[0]
    assert created["to"] == own_user["email"]
    mockown.runtime.own.revoke_api_token(own_user["id"])
    assert mockown.outbox.last()["kind"] == "own.api_token.revoked"
    with pytest.raises(AssertionError, match="expected 5"):
        mockown.outbox.assert_sent(5)
    assert mockown.outbox.clear() == 2 and len(mockown.outbox) == 0


def test_faults_are_scoped_to_the_test(mockown: Mockown) -> None:
    rule = mockown.faults.add(path="/services/oauth2/token", status=503, times=1)
    assert rule["match"]["org"] == mockown.org_id
    other = mockown.seed({"salesforce": {"orgs": [{"users": [{"username": f"y.{mockown.unique}@else.test"}]}]}})
    org = other["salesforce"]["orgs"][0]
    assert mockown.issue_token(user=org["users"][0], app=org["apps"][0])["access_token"]  # not this org
    assert mockown.issue_token(check=False)["_status"] == 503
    assert mockown.issue_token()["access_token"]  # times=1
    own_rule = mockown.faults.preset("own.unavailable", times=1)
    assert own_rule["match"]["account"] == mockown.own_account_id
    assert [r["id"] for r in mockown.faults.rules()] == [rule["id"], own_rule["id"]]
    token = mockown.own_access_token()
    assert mockown.client.get(mockown.urls.own_api("services"), headers=bearer(token)).status_code == 503
    mockown.faults.clear()
    assert mockown.faults.rules() == []


def test_expire_session_preset_ends_this_orgs_sessions(mockown: Mockown, sf_token: dict[str, Any]) -> None:
    assert mockown.faults.preset("salesforce.expire_session")["expired"] == 1
    answer = mockown.client.get(mockown.urls.rest("limits"), headers=bearer(sf_token["access_token"]))
    assert answer.status_code == 401


def test_snapshot_and_restore(mockown: Mockown) -> None:
    snap = mockown.snapshot()
    token = mockown.access_token()
    assert mockown.client.get(mockown.urls.rest("limits"), headers=bearer(token)).status_code == 200
    mockown.restore(snap)
    assert mockown.client.get(mockown.urls.rest("limits"), headers=bearer(token)).status_code == 401


def test_clean_up_after_the_org_is_gone_already(mockown_server: Any) -> None:
    with Mockown(mockown_server, label="gone") as handle:
        handle.control.reset(org=handle.org_id, delete=True)  # e.g. a restored snapshot from before the test
        handle.control.reset(account=handle.own_account_id)


def test_clock_helpers(mockown: Mockown) -> None:
    start = mockown.clock.freeze("2030-01-01T00:00:00Z")
    assert start == mockown.clock.now() == 1893456000.0
    assert mockown.clock.advance("1h") == start + 3600
    assert mockown.clock.set(start) == start and mockown.clock.state()["frozen"] is True
    assert mockown.clock.unfreeze() >= start


def test_app_errors_surface_with_their_traceback(mockown: Mockown, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise ZeroDivisionError("a bug inside the app")

    monkeypatch.setattr(mockown.runtime.salesforce, "login", broken)
    with pytest.raises(ZeroDivisionError, match="a bug inside the app") as info:
        mockown.issue_token()
    assert any(entry.name == "broken" for entry in info.traceback)


def test_url_is_a_real_socket_and_async_client_works(mockown: Mockown) -> None:
    assert mockown.url.startswith("http://127.0.0.1:")
    assert httpx.get(mockown.live_urls.health).json()["status"] == "ok"
    token = mockown.access_token()
    assert httpx.get(mockown.live_urls.rest("limits"), headers=bearer(token)).status_code == 200

    async def call() -> int:
        async with mockown.async_client() as client:
            return (await client.get(mockown.urls.rest("limits"), headers=bearer(token))).status_code

    assert run_async(call()) == 200


def test_control_plane_errors_are_clear(mockown: Mockown) -> None:
    with pytest.raises(ControlPlaneError, match="answered 400"):
        mockown.seed({"nonsense": {}})


def test_extra_seed_is_removed_with_the_test(mockown_server: Any) -> None:
    with Mockown(mockown_server, label="extra") as handle:
        name = f"z.{handle.unique}@else.test"
        extra = handle.seed({"salesforce": {"orgs": [{"users": [{"username": name}]}]},
                             "own": {"accounts": [{"users": [{"email": name}]}]}})  # fmt: skip
        org_id, account_id = extra["salesforce"]["orgs"][0]["id"], str(extra["own"]["accounts"][0]["id"])
        own_org = handle.org_id
    runtime = mockown_server.runtime
    assert runtime.salesforce.orgs.get(org_id) is None and runtime.salesforce.orgs.get(own_org) is None
    assert runtime.own.accounts.get(account_id) is None


def test_without_the_own_api_the_own_fixtures_skip(mockown_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import mockown.seed

    everything = mockown.seed._seeders
    monkeypatch.setattr(mockown.seed, "_seeders", lambda: {k: v for k, v in everything().items() if k != "own"})
    with Mockown(mockown_server, label="no own") as handle:
        assert handle.own_account is None and handle.org_id
        assert handle.own_missing is not None and "no Own API" in handle.own_missing
        with pytest.raises(pytest.skip.Exception, match="no Own account: the server has no Own API"):
            handle.own_user  # noqa: B018


def test_a_marker_may_set_every_field_the_seed_takes_for_an_app() -> None:
    """The handle keeps its own list (it loads no server module, for `--mockown-url` runs); it must not fall
    behind the seeder's: a field missing there would be refused in `@pytest.mark.mockown(...)`."""
    from mockown.salesforce import seed
    from mockown.testing.handle import APP_FIELDS

    assert set(APP_FIELDS) == seed._APP_KEYS - {"id"}  # an app's id is the seeder's, not a marker's

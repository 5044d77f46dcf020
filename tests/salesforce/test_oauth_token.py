"""The `OauthToken` sObject (one row per approval) and revoking an approval by its `DeleteToken` (spec 5, 10)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.config import ConfigError
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from mockown.salesforce.models import RefreshToken
from mockown.salesforce.oauth_tokens import ROW_LIMIT
from mockown.salesforce.seed import seed_org
from tests.conftest import CALLBACK, T0
from tests.salesforce.helpers import exchange, get_code, introspect, refresh, rest

EXPIRED = {"error": "invalid_grant", "error_description": "expired access/refresh token"}
QUERY = "/services/data/v62.0/query"
FIELDS = "Id, AccessToken, AppName, DeleteToken, LastUsedDate, UseCount, UserId, RequestToken, CreatedDate"


def _org(runtime: Runtime, **app: Any) -> dict[str, Any]:
    """An org with an admin (System Administrator), a standard user and one confidential app."""
    tag = secrets.token_hex(4)
    creds = seed_org(
        runtime,
        {
            "users": [
                {"username": f"admin-{tag}@ot.test", "password": "Secret-1"},
                {"username": f"user-{tag}@ot.test", "password": "Secret-1", "profile": "Standard User"},
            ],
            "apps": [{"name": f"App {tag}", "callback_urls": [CALLBACK], "scopes": ["api", "refresh_token"], **app}],
        },
    )
    app_creds = creds["apps"][0]
    return {
        "client_id": app_creds["client_id"],
        "secret": app_creds["client_secret"],
        "app_name": f"App {tag}",
        "admin": creds["users"][0],
        "user": creds["users"][1],
    }


def _approve(client: httpx.Client, org: dict[str, Any], who: str = "admin") -> dict[str, Any]:
    code = get_code(client, client_id=org["client_id"], login_hint=org[who]["username"], scope="api refresh_token")
    response = exchange(client, code, client_id=org["client_id"], client_secret=org["secret"])
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _query(client: httpx.Client, token: str, soql: str = f"SELECT {FIELDS} FROM OauthToken") -> dict[str, Any]:
    response = client.get(QUERY, params={"q": soql}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _revoke(client: httpx.Client, token: str) -> httpx.Response:
    return client.post("/services/oauth2/revoke", data={"token": token})


def _refresh(client: httpx.Client, org: dict[str, Any], token: str) -> httpx.Response:
    return refresh(client, token, org["client_id"], org["secret"])


# -- the sObject ---------------------------------------------------------------------------------------
def test_one_row_per_approval_with_the_documented_fields(client: httpx.Client, runtime: Runtime) -> None:
    org = _org(runtime)
    first = _approve(client, org)
    runtime.clock.advance(60)
    second = _approve(client, org)
    body = _query(client, second["access_token"])
    assert body["totalSize"] == 2 and body["done"] is True
    rows = body["records"]
    assert [r["AccessToken"] for r in rows] == [
        first["refresh_token"][:15] + "...",
        second["refresh_token"][:15] + "...",
    ]
    for row in rows:
        assert row["attributes"] == {"type": "OauthToken"}  # Id is documented as always null: no record URL
        assert row["Id"] is None and row["RequestToken"] is None
        assert row["AppName"] == org["app_name"]
        assert row["UserId"] == org["admin"]["id"]
        assert row["UseCount"] == 0
        assert isinstance(row["DeleteToken"], str) and len(row["DeleteToken"]) >= 40
        assert first["refresh_token"] not in row["DeleteToken"] and row["DeleteToken"] not in first["refresh_token"]
    assert rows[0]["CreatedDate"] == rows[0]["LastUsedDate"] == "2026-01-01T00:00:00.000+0000"
    assert rows[1]["CreatedDate"] == "2026-01-01T00:01:00.000+0000"
    assert rows[0]["DeleteToken"] != rows[1]["DeleteToken"]
    # the same approval shows the same delete token on every query
    assert [r["DeleteToken"] for r in _query(client, first["access_token"])["records"]] == [
        r["DeleteToken"] for r in rows
    ]


def test_use_count_and_last_used_follow_the_refresh_grants(client: httpx.Client, runtime: Runtime) -> None:
    org = _org(runtime)
    tokens = _approve(client, org)
    for _ in range(3):
        runtime.clock.advance("1h")
        refreshed = _refresh(client, org, tokens["refresh_token"])
        assert refreshed.status_code == 200
    (row,) = _query(client, refreshed.json()["access_token"])["records"]
    assert row["UseCount"] == 3
    assert row["LastUsedDate"] == "2026-01-01T03:00:00.000+0000"
    assert row["CreatedDate"] == "2026-01-01T00:00:00.000+0000"


def test_an_admin_sees_the_orgs_approvals_a_user_only_their_own(client: httpx.Client, runtime: Runtime) -> None:
    org = _org(runtime)
    admin = _approve(client, org, "admin")
    user = _approve(client, org, "user")
    other_org = _org(runtime)
    _approve(client, other_org, "admin")
    seen_by_admin = {r["UserId"] for r in _query(client, admin["access_token"])["records"]}
    assert seen_by_admin == {org["admin"]["id"], org["user"]["id"]}  # not the other org's
    seen_by_user = [r["UserId"] for r in _query(client, user["access_token"])["records"]]
    assert seen_by_user == [org["user"]["id"]]


def test_where_and_limit(client: httpx.Client, runtime: Runtime) -> None:
    org = _org(runtime)
    admin = _approve(client, org, "admin")
    _approve(client, org, "user")
    _approve(client, org, "user")
    user15 = org["user"]["id"][:15]
    body = _query(client, admin["access_token"], f"SELECT UserId, AppName FROM OauthToken WHERE UserId = '{user15}'")
    assert body["totalSize"] == 2
    assert body["records"][0] == {
        "attributes": {"type": "OauthToken"},
        "UserId": org["user"]["id"],
        "AppName": org["app_name"],
    }
    assert _query(client, admin["access_token"], "SELECT AppName FROM OauthToken LIMIT 1")["totalSize"] == 1
    # no row has an Id (null), but 'None' is no id: Salesforce's "invalid ID field" (test_soql_checks.py)
    assert _query(client, admin["access_token"], "SELECT Id FROM OauthToken WHERE Id = null")["totalSize"] == 3


def test_an_unknown_field_is_invalid_even_without_rows(client: httpx.Client, runtime: Runtime) -> None:
    org = _org(runtime)
    tokens = _approve(client, org)
    assert _revoke(client, tokens["refresh_token"]).status_code == 200
    other = _approve(client, org, "user")  # sees only their own approval
    assert _query(client, other["access_token"], "SELECT AppName FROM OauthToken")["totalSize"] == 1
    response = client.get(
        QUERY,
        params={"q": "SELECT Secret FROM OauthToken"},
        headers={"Authorization": f"Bearer {other['access_token']}"},
    )
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_FIELD"


def test_revoked_rotated_and_evicted_tokens_are_not_rows(client: httpx.Client, runtime: Runtime) -> None:
    org = _org(runtime, rotation=True)
    tokens = _approve(client, org)
    current = tokens["refresh_token"]
    for _ in range(3):
        current = _refresh(client, org, current).json()["refresh_token"]
    rows = _query(client, tokens["access_token"])["records"]
    assert [r["AccessToken"] for r in rows] == [current[:15] + "..."]  # a rotated family is one approval
    assert rows[0]["UseCount"] == 3
    for _ in range(6):  # five more approvals: the first one is evicted (the limit is five)
        latest = _approve(client, org)
    assert _query(client, latest["access_token"])["totalSize"] == 5


def test_a_query_returns_at_most_2500_rows(client: httpx.Client, runtime: Runtime) -> None:
    org = _org(runtime)
    tokens = _approve(client, org)
    service = runtime.salesforce
    app = service.app_by_client_id(org["client_id"])
    assert app is not None
    now = runtime.clock.now()
    org_id = service.user(org["admin"]["id"]).org_id  # type: ignore[union-attr]
    with runtime.store.atomic():
        for n in range(ROW_LIMIT + 10):
            token_id = f"bulk{n:060d}"
            service.refresh_tokens.put(
                RefreshToken(
                    id=token_id,
                    org_id=org_id,
                    user_id=org["user"]["id"],
                    app_id=app.id,
                    scopes=["api"],
                    issued_at=now + 1,
                    last_used=now + 1,
                    family_id=token_id,
                    approval=f"{org['user']['id']}|{app.id}",
                )
            )
    body = _query(client, tokens["access_token"], "SELECT AppName, UserId FROM OauthToken")
    # 2500 rows: the first batch of 2000, the rest behind the query locator (tests/salesforce/test_query_locators)
    assert (body["totalSize"], body["done"], len(body["records"])) == (ROW_LIMIT, False, 2000)
    assert body["records"][0]["UserId"] == org["admin"]["id"]  # oldest first
    rest_of = rest(client, tokens["access_token"], body["nextRecordsUrl"]).json()
    assert (rest_of["done"], len(rest_of["records"])) == (True, ROW_LIMIT - 2000)
    limited = _query(client, tokens["access_token"], "SELECT AppName FROM OauthToken LIMIT 7")
    assert limited["totalSize"] == 7


def test_describe_global_lists_oauth_token(client: httpx.Client, runtime: Runtime) -> None:
    tokens = _approve(client, _org(runtime))
    body = rest(client, tokens["access_token"], "/services/data/v62.0/sobjects").json()
    (entry,) = [s for s in body["sobjects"] if s["name"] == "OauthToken"]
    assert entry["queryable"] is True and entry["retrieveable"] is False
    assert entry["keyPrefix"] is None and entry["label"] == "OAuth Token"


# -- revoking by DeleteToken -------------------------------------------------------------------------
def test_delete_token_revokes_that_approval(client: httpx.Client, runtime: Runtime) -> None:
    org = _org(runtime)
    doomed = _approve(client, org)
    runtime.clock.advance(1)
    kept = _approve(client, org)
    runtime.clock.advance(1)
    later_access = _refresh(client, org, doomed["refresh_token"]).json()["access_token"]
    rows = _query(client, kept["access_token"])["records"]
    delete = rows[0]["DeleteToken"]
    response = _revoke(client, delete)
    assert response.status_code == 200 and response.content == b""
    assert _refresh(client, org, doomed["refresh_token"]).json() == EXPIRED
    assert rest(client, doomed["access_token"]).status_code == 401
    assert rest(client, later_access).status_code == 401  # issued by a refresh of that approval
    assert rest(client, kept["access_token"]).status_code == 200
    assert _refresh(client, org, kept["refresh_token"]).status_code == 200
    assert [r["DeleteToken"] for r in _query(client, kept["access_token"])["records"]] == [rows[1]["DeleteToken"]]
    again = _revoke(client, delete)  # an approval revoked already
    assert again.status_code == 400 and again.text.startswith("error=invalid_token&")  # urlencoded


def test_delete_token_by_get_and_jsonp(client: httpx.Client, runtime: Runtime) -> None:
    org = _org(runtime)
    tokens = _approve(client, org)
    (row,) = _query(client, tokens["access_token"])["records"]
    response = client.get("/services/oauth2/revoke", params={"token": row["DeleteToken"], "callback": "done"})
    assert response.text == "done({})"
    assert rest(client, tokens["access_token"]).status_code == 401


def test_delete_token_revokes_a_rotated_family(client: httpx.Client, runtime: Runtime) -> None:
    org = _org(runtime, rotation=True)
    tokens = _approve(client, org)
    (row,) = _query(client, tokens["access_token"])["records"]
    newer = _refresh(client, org, tokens["refresh_token"]).json()
    assert _revoke(client, row["DeleteToken"]).status_code == 200
    assert _refresh(client, org, newer["refresh_token"]).json() == EXPIRED
    assert rest(client, newer["access_token"]).status_code == 401


def test_delete_token_is_no_bearer_credential(client: httpx.Client, runtime: Runtime) -> None:
    org = _org(runtime)
    tokens = _approve(client, org)
    (row,) = _query(client, tokens["access_token"])["records"]
    delete = row["DeleteToken"]
    assert rest(client, delete).status_code == 401
    assert client.get("/services/oauth2/userinfo", headers={"Authorization": f"Bearer {delete}"}).status_code != 200
    assert _refresh(client, org, delete).json() == EXPIRED
    assert introspect(client, delete, org["client_id"], org["secret"]) == {"active": False}
    assert rest(client, tokens["access_token"]).status_code == 200  # all that left the approval alone


def test_delete_token_is_stored_only_hashed(client: httpx.Client, runtime: Runtime) -> None:
    org = _org(runtime)
    tokens = _approve(client, org)
    (row,) = _query(client, tokens["access_token"])["records"]
    dumped = repr(runtime.store.dump())
    assert row["DeleteToken"] not in dumped
    assert tokens["refresh_token"] not in dumped


def test_an_expired_approval_has_no_row_and_its_delete_token_revokes_it_once(
    client: httpx.Client, runtime: Runtime
) -> None:
    """Expired by the idle policy, the approval is no row; its DeleteToken is still known and revokes it (200, as
    its refresh token does: the sessions it issued may outlive it), once (then 400, revoked already)."""
    org = _org(runtime, refresh_token_policy="idle", refresh_token_ttl=3600)
    tokens = _approve(client, org)
    (row,) = _query(client, tokens["access_token"])["records"]
    runtime.clock.advance("2h")
    fresh = _approve(client, org)
    assert [r["DeleteToken"] for r in _query(client, fresh["access_token"])["records"]] != [row["DeleteToken"]]
    assert _revoke(client, row["DeleteToken"]).status_code == 200
    assert _revoke(client, row["DeleteToken"]).status_code == 400


def test_garbage_is_still_an_invalid_token(client: httpx.Client) -> None:
    response = _revoke(client, "not-a-delete-token")
    assert response.status_code == 400 and response.text.startswith("error=invalid_token&")  # urlencoded


# -- the approvals limit is a setting ------------------------------------------------------------------
def test_max_approvals_setting(clock: FrozenClock) -> None:
    app = create_app(Config().replace(salesforce={"max_approvals": 2}), clock=FrozenClock(T0))
    runtime: Runtime = app.state.runtime
    with in_process_client(app) as client:
        org = _org(runtime)
        approvals = []
        for _ in range(3):
            approvals.append(_approve(client, org))
            runtime.clock.advance(1)
        assert _refresh(client, org, approvals[0]["refresh_token"]).json() == EXPIRED
        assert all(_refresh(client, org, a["refresh_token"]).status_code == 200 for a in approvals[1:])
        assert _query(client, approvals[2]["access_token"])["totalSize"] == 2


def test_max_approvals_from_the_environment_and_checked() -> None:
    assert Config.load(env={"MOCKOWN_SALESFORCE__MAX_APPROVALS": "7"}).salesforce.max_approvals == 7
    assert Config().salesforce.max_approvals == 5
    with pytest.raises(ConfigError, match="max_approvals"):
        Config.load(env={"MOCKOWN_SALESFORCE__MAX_APPROVALS": "0"})


# -- state files written before the OauthToken fields existed ------------------------------------------
def test_a_state_file_from_before_still_loads_lists_and_revokes(tmp_path: Path) -> None:
    import sqlite3

    config = Config(state_file=str(tmp_path / "state.db"))
    first = create_app(config, clock=FrozenClock(T0))
    first_rt: Runtime = first.state.runtime
    with in_process_client(first) as client:
        org = _org(first_rt)
        tokens = _approve(client, org)
    first_rt.store.close()
    # make the file look as an older mockown wrote it: refresh tokens without the new fields nor index column
    db = sqlite3.connect(tmp_path / "state.db")
    rows = db.execute('SELECT key, data FROM "r_sf_refresh_tokens"').fetchall()
    assert rows
    for key, data in rows:
        record = json.loads(data)
        for name in ("hint", "use_count", "delete_hash"):
            record.pop(name)
        db.execute('UPDATE "r_sf_refresh_tokens" SET data = ? WHERE key = ?', (json.dumps(record), key))
    db.execute('DROP INDEX IF EXISTS "ix_sf_refresh_tokens_delete_hash"')
    db.execute('ALTER TABLE "r_sf_refresh_tokens" DROP COLUMN "i_delete_hash"')
    db.commit()
    db.close()
    second = create_app(config, clock=FrozenClock(T0))
    second_rt: Runtime = second.state.runtime
    try:
        with in_process_client(second) as client:
            (row,) = _query(client, tokens["access_token"])["records"]
            assert row["AccessToken"] is None and row["UseCount"] == 0  # what the old record did not keep
            assert _revoke(client, row["DeleteToken"]).status_code == 200
            assert _refresh(client, org, tokens["refresh_token"]).json() == EXPIRED
    finally:
        second_rt.store.close()


def test_a_new_key_files_the_new_delete_token(client: httpx.Client, runtime: Runtime) -> None:
    """The derivation key is the store's own (kept with the signing keys); state restored where the key differs (a
    snapshot taken elsewhere) shows other delete tokens, and those revoke (the stored hash is filed again)."""
    org = _org(runtime)
    tokens = _approve(client, org)
    (before,) = _query(client, tokens["access_token"])["records"]
    runtime.store.write_state("sf_oauth_token_delete_key", secrets.token_hex(32))
    (after,) = _query(client, tokens["access_token"])["records"]
    assert after["DeleteToken"] != before["DeleteToken"]
    assert _revoke(client, before["DeleteToken"]).status_code == 400
    assert _revoke(client, after["DeleteToken"]).status_code == 200
    assert _refresh(client, org, tokens["refresh_token"]).json() == EXPIRED

"""health, reset (all / org / account), seed and snapshot/restore over HTTP against a real `mockown serve`."""

from __future__ import annotations

import json

import httpx

from ..conftest import ORG
from .helpers import access_token, introspect, password_token, rest


def test_health_reports_store_and_clock(api: httpx.Client) -> None:
    body = api.get("/_mockown/health").json()
    assert body["status"] == "ok"
    assert body["store"] == "memory"
    assert body["clock"]["iso"] == "2026-01-01T00:00:00.000Z"
    assert body["clock"]["frozen"] is True


def test_full_reset_forgets_tokens_and_returns_the_clock(api: httpx.Client) -> None:
    token = access_token(api)
    api.post("/_mockown/clock", json={"advance": "1h"})
    body = api.post("/_mockown/reset").json()
    assert body["reset"] == "all"
    assert body["seeded"]["salesforce"]["orgs"][0]["id"] == ORG
    assert introspect(api, token) == {"active": False}
    assert rest(api, token).status_code == 401
    assert api.get("/_mockown/clock").json()["iso"] == "2026-01-01T00:00:00.000Z"
    assert access_token(api)  # the seeded credentials work again


def test_full_reset_without_seed_leaves_an_empty_server(api: httpx.Client) -> None:
    api.post("/_mockown/reset", json={"seed": False})
    assert password_token(api).json()["error"] == "invalid_client_id"


def test_reset_one_org_keeps_other_orgs(api: httpx.Client) -> None:
    other = api.post("/_mockown/seed", json={"salesforce": {"orgs": [{"name": "Other"}]}}).json()
    org2 = other["salesforce"]["orgs"][0]
    user2, app2 = org2["users"][0], org2["apps"][0]
    data = {"grant_type": "password", "client_id": app2["client_id"], "client_secret": app2["client_secret"]}
    data.update(username=user2["username"], password=user2["password"])
    token2 = api.post("/services/oauth2/token", data=data).json()["access_token"]
    token1 = access_token(api)
    assert rest(api, token1).headers["sforce-limit-info"] == "api-usage=1/15000"
    body = api.post("/_mockown/reset", json={"org": ORG[:15]}).json()
    assert body == {"reset": "org", "org": ORG, "deleted": False, "removed": {"sf_access_tokens": 1}}
    assert rest(api, token1).status_code == 401
    assert rest(api, token2).status_code == 200  # the other org's session lives on
    fresh = access_token(api)  # users and apps of the reset org stay
    assert rest(api, fresh).headers["sforce-limit-info"] == "api-usage=1/15000"  # usage starts over


def test_reset_org_with_delete_removes_it(api: httpx.Client) -> None:
    body = api.post("/_mockown/reset", json={"org": ORG, "delete": True}).json()
    assert body["removed"]["sf_orgs"] == 1 and body["removed"]["sf_users"] == 3
    assert password_token(api).json()["error"] == "invalid_client_id"
    missing = api.post("/_mockown/reset", json={"org": ORG})
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_reset_one_own_account(api: httpx.Client) -> None:
    created = api.post("/_mockown/seed", json={"own": {"accounts": [{"name": "Second"}]}}).json()
    second = str(created["own"]["accounts"][0]["id"])
    body = api.post("/_mockown/reset", json={"account": "1001"}).json()
    assert body["reset"] == "account" and body["account"] == "1001"
    again = api.post("/_mockown/reset", json={"account": "1001"})
    assert again.status_code == 404
    assert api.post("/_mockown/reset", json={"account": second}).status_code == 200


def test_reset_rejects_bad_requests(api: httpx.Client) -> None:
    assert api.post("/_mockown/reset", json={"bogus": 1}).status_code == 400
    assert api.post("/_mockown/reset", json={"org": "not-an-id"}).status_code == 400
    assert api.post("/_mockown/reset", json={"org": ORG, "account": "1"}).status_code == 400
    broken = api.post("/_mockown/reset", content=b"{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"] == "invalid_request"


def test_seed_yaml_document_returns_working_credentials(api: httpx.Client) -> None:
    document = """
salesforce:
  orgs:
    - name: Seeded By Test
      users:
        - username: seeded@example.test
          password: S33ded!pass
"""
    response = api.post("/_mockown/seed", content=document, headers={"Content-Type": "application/yaml"})
    assert response.status_code == 201, response.text
    org = response.json()["salesforce"]["orgs"][0]
    assert len(org["id"]) == 18 and org["id"].startswith("00D")
    app = org["apps"][0]
    data = {"grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"]}
    data.update(username="seeded@example.test", password="S33ded!pass")
    token = api.post("/services/oauth2/token", data=data).json()["access_token"]
    assert token.startswith(org["id"][:15] + "!")


def test_seed_defaults_create_an_org_and_an_own_account(api: httpx.Client) -> None:
    body = api.post("/_mockown/seed").json()
    assert len(body["salesforce"]["orgs"]) == 1
    assert body["salesforce"]["orgs"][0]["users"][0]["password"]
    assert body["own"]["accounts"], body["own"]


def test_seed_errors_are_400_with_the_reason(api: httpx.Client) -> None:
    taken = api.post("/_mockown/seed", json={"salesforce": {"orgs": [{"id": ORG}]}})
    assert taken.status_code == 400 and "exists already" in taken.json()["message"]
    unknown = api.post("/_mockown/seed", json={"nope": {}})
    assert unknown.status_code == 400 and "unknown seed section" in unknown.json()["message"]
    yaml_type = {"Content-Type": "application/yaml"}
    assert api.post("/_mockown/seed", content=b"- a list", headers=yaml_type).status_code == 400
    assert api.post("/_mockown/seed", content=b"\xff\xfe", headers=yaml_type).status_code == 400


def test_snapshot_and_restore_round_trip(api: httpx.Client) -> None:
    token = access_token(api)
    api.post("/_mockown/clock", json={"advance": "10m"})
    snap = api.get("/_mockown/snapshot").json()
    assert snap["format"] == "mockown-snapshot"
    assert snap["clock"]["iso"] == "2026-01-01T00:10:00.000Z"
    assert token not in json.dumps(snap)  # tokens are stored hashed: a snapshot holds no bearer secret
    api.post("/_mockown/reset")
    assert introspect(api, token) == {"active": False}
    restored = api.post("/_mockown/restore", json=snap)
    assert restored.status_code == 200, restored.text
    assert restored.json()["restored"]["sf_access_tokens"] == 1
    assert restored.json()["clock"]["iso"] == "2026-01-01T00:10:00.000Z"
    assert introspect(api, token)["active"] is True
    assert rest(api, token).status_code == 200


def test_restore_rejects_what_is_not_a_snapshot(api: httpx.Client) -> None:
    token = access_token(api)
    assert api.post("/_mockown/restore", json={"store": {}}).status_code == 400
    bad_table = {"format": "mockown-snapshot", "store": {"no_such_table": [{"id": "x"}]}}
    response = api.post("/_mockown/restore", json=bad_table)
    assert response.status_code == 400 and "no_such_table" in response.json()["message"]
    assert introspect(api, token)["active"] is True  # a failed restore changes nothing


def test_unknown_control_path_is_404_in_the_control_dialect(api: httpx.Client) -> None:
    response = api.get("/_mockown/nope")
    assert response.status_code == 404
    assert set(response.json()) == {"error", "message"}
    assert api.delete("/_mockown/health").status_code == 405

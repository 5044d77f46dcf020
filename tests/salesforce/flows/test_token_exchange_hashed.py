"""The token-exchange handler's opaque subject tokens are stored as SHA-256 hashes (`token_hashes`) and looked up
by the hash of the token presented: the raw tokens reach neither the store nor a snapshot."""

from __future__ import annotations

import copy
import json

import httpx
import pytest

from mockown import security
from mockown.runtime import Runtime
from tests.conftest import ADMIN, CID

from .support import new_org
from .test_token_exchange import exchange

DEMO = "mockown-demo-external-token"


def test_the_seeded_opaque_tokens_are_stored_as_hashes(client: httpx.Client, runtime: Runtime) -> None:
    app = runtime.salesforce.app_by_client_id(CID)
    assert app is not None and app.token_exchange is not None
    assert app.token_exchange["token_hashes"] == {security.token_hash(DEMO): ADMIN}
    assert "tokens" not in app.token_exchange
    snapshot = client.get("/_mockown/snapshot")
    assert snapshot.status_code == 200 and DEMO not in snapshot.text
    assert DEMO not in json.dumps(runtime.store.dump())
    assert exchange(client, DEMO, "access_token").status_code == 200  # still maps
    assert exchange(client, security.token_hash(DEMO), "access_token").status_code == 400  # the hash is no token


def test_a_seeded_app_maps_its_tokens_by_hash(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, token_exchange={"tokens": {"opaque-one": ADMIN, 12345: ADMIN}})
    app = runtime.salesforce.app_by_client_id(org["app"]["client_id"])
    assert app is not None and app.token_exchange is not None
    assert set(app.token_exchange["token_hashes"]) == {security.token_hash("opaque-one"), security.token_hash("12345")}
    assert "opaque-one" not in json.dumps(runtime.store.dump())


def test_a_handler_stored_before_with_raw_tokens_still_maps_them(client: httpx.Client, runtime: Runtime) -> None:
    """A state file or snapshot written before the tokens were hashed (`tokens`, raw): looked up by hash too."""
    app = runtime.salesforce.app_by_client_id(CID)
    assert app is not None and app.token_exchange is not None
    legacy = {k: v for k, v in app.token_exchange.items() if k != "token_hashes"}
    app.token_exchange = {**legacy, "tokens": {"legacy-opaque": ADMIN}}
    runtime.salesforce.apps.put(app)
    assert exchange(client, "legacy-opaque", "access_token").status_code == 200
    assert exchange(client, DEMO, "access_token").status_code == 400
    snapshot = client.get("/_mockown/snapshot").json()
    assert client.post("/_mockown/restore", json=snapshot).status_code == 200  # a snapshot of then restores
    assert exchange(client, "legacy-opaque", "access_token").status_code == 200


@pytest.mark.parametrize("key", ["not-a-hash", "A" * 64, "0" * 63])
def test_a_seeded_token_hash_must_be_a_sha256_hex_digest(client: httpx.Client, key: str) -> None:
    document = {
        "salesforce": {"orgs": [{"name": "Hashes", "apps": [{"token_exchange": {"token_hashes": {key: ADMIN}}}]}]}
    }
    response = client.post("/_mockown/seed", json=document)
    assert response.status_code == 400 and "token_hashes" in response.json()["message"], response.text


def test_a_seed_may_give_the_hashes_itself(client: httpx.Client) -> None:
    digest = security.token_hash("given-as-a-hash")
    user = {"username": "hashes@flows.test", "password": "Hashes-Passw0rd"}
    app = {"token_exchange": {"token_hashes": {digest: user["username"]}}}
    seeded = client.post(
        "/_mockown/seed", json={"salesforce": {"orgs": [{"name": "Hashes", "users": [user], "apps": [app]}]}}
    )
    assert seeded.status_code == 201, seeded.text
    created = seeded.json()["salesforce"]["orgs"][0]["apps"][0]
    data = {"client_id": created["client_id"], "client_secret": created["client_secret"]}
    r = exchange(client, "given-as-a-hash", "access_token", **data)
    assert r.status_code == 200, r.text


def test_a_restored_handler_keeps_its_hashes(client: httpx.Client) -> None:
    snapshot = client.get("/_mockown/snapshot").json()
    bad = copy.deepcopy(snapshot)
    for app in bad["store"]["sf_apps"]:
        if app.get("token_exchange"):
            app["token_exchange"]["token_hashes"] = {"raw-token-not-a-hash": ADMIN}
    refused = client.post("/_mockown/restore", json=bad)
    assert refused.status_code == 400 and "token_exchange" in refused.json()["message"]
    assert client.post("/_mockown/restore", json=snapshot).status_code == 200
    assert exchange(client, DEMO, "access_token").status_code == 200

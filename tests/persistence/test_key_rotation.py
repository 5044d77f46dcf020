"""Signing-key rotation on a state file: the rings persist across restarts, every runtime (worker) on the file
sees a rotation at its next request, and files written before rotation existed (`rsa_pem`/`ec_pem` only) load."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.keys import KeyRing
from mockown.runtime import Runtime
from mockown.store.sqlite import SqliteStore
from tests.conftest import ADMIN, CID, PASSWORD, SECRET, T0
from tests.persistence.servers import serve
from tests.persistence.test_workers import get, only, wait_for_workers

SLAS = "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2"


def runtime_of(app: Starlette) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt


def kids(client: httpx.Client, path: str = "/id/keys") -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return [k["kid"] for k in response.json()["keys"]]


def jwt_access_token(client: httpx.Client, runtime: Runtime) -> str:
    from mockown.salesforce.seed import seed_org

    user = f"jwt-{secrets.token_hex(4)}@keys.test"
    creds = seed_org(runtime, {"users": [{"username": user, "password": "Secret-1"}],
                               "apps": [{"jwt_access_tokens": True, "scopes": ["api"]}]})  # fmt: skip
    app = creds["apps"][0]
    data = {"grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"]}
    body = client.post("/services/oauth2/token", data={**data, "username": user, "password": "Secret-1"})
    assert body.status_code == 200 and body.json()["token_format"] == "jwt", body.text
    token: str = body.json()["access_token"]
    return token


def limits(client: httpx.Client, token: str) -> int:
    return client.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_rotation_in_one_runtime_shows_in_the_other(tmp_path: Path) -> None:
    config = Config(state_file=str(tmp_path / "state.db"))
    one, two = create_app(config, clock=FrozenClock(T0)), create_app(config, clock=FrozenClock(T0))
    with in_process_client(one) as a, in_process_client(two) as b:
        token = jwt_access_token(b, runtime_of(two))  # `two` makes the first RSA key
        assert kids(a) == kids(b) and len(kids(a)) == 1
        ec = kids(b, SLAS + "/jwks")
        assert a.post("/_mockown/keys/rotate").status_code == 200
        assert kids(b) == kids(a) and len(kids(b)) == 2  # no restart, no wait
        assert kids(b, SLAS + "/jwks") == kids(a, SLAS + "/jwks") == [*ec, kids(a, SLAS + "/jwks")[2]]
        assert limits(b, token) == 200  # the past key still counts
        newer = jwt_access_token(b, runtime_of(two))
        assert b.post("/_mockown/keys/rotate", json={"key": "rsa"}).status_code == 200
        assert limits(a, token) == 401 and limits(b, token) == 401  # two rotations old, in both runtimes
        assert limits(a, newer) == 200 and limits(b, newer) == 200
        assert b.get("/_mockown/keys").json() == a.get("/_mockown/keys").json()
    runtime_of(one).store.close()
    runtime_of(two).store.close()


def test_a_key_another_runtime_made_first_counts_in_this_one(tmp_path: Path) -> None:
    """`one` looked at its (empty) rings before `two` made the first keys: no rotation happened since, yet
    `one` must see them (it refused `two`'s JWT access tokens with 401 and listed no keys)."""
    config = Config(state_file=str(tmp_path / "state.db"))
    one, two = create_app(config, clock=FrozenClock(T0)), create_app(config, clock=FrozenClock(T0))
    with in_process_client(one) as a, in_process_client(two) as b:
        assert a.get("/_mockown/keys").json()["keys"]["rsa"]["current"] is None
        token = jwt_access_token(b, runtime_of(two))  # `two` makes the RSA key
        kids(b, SLAS + "/jwks")  # and the EC keys
        assert limits(a, token) == 200
        assert a.get("/_mockown/keys").json() == b.get("/_mockown/keys").json()
    runtime_of(one).store.close()
    runtime_of(two).store.close()


def test_the_rings_survive_a_restart(tmp_path: Path) -> None:
    config = Config(state_file=str(tmp_path / "state.db"))
    first = create_app(config, clock=FrozenClock(T0))
    with in_process_client(first) as client:
        kids(client)
        client.post("/_mockown/keys/rotate")
        ring = client.get("/_mockown/keys").json()
        published = (kids(client), kids(client, SLAS + "/jwks"))
    runtime_of(first).store.close()
    second = create_app(config, clock=FrozenClock(T0))
    with in_process_client(second) as client:
        assert client.get("/_mockown/keys").json() == ring
        assert (kids(client), kids(client, SLAS + "/jwks")) == published
        assert client.post("/_mockown/keys/rotate", json={"key": "rsa"}).json()["keys"]["rsa"]["past"] == \
            published[0][1]  # fmt: skip
    runtime_of(second).store.close()


def test_a_state_file_from_before_rotation_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = KeyRing()
    store = SqliteStore(path)  # what older versions wrote: the two current keys, nothing else
    store.write_state("rsa_pem", old.rsa.pem().decode("ascii"))
    store.write_state("ec_pem", old.ec.pem().decode("ascii"))
    store.close()
    app = create_app(Config(state_file=str(path)), clock=FrozenClock(T0))
    with in_process_client(app) as client:
        assert kids(client) == [old.rsa.kid]
        assert kids(client, SLAS + "/jwks")[0] == old.ec.kid  # plus a new future key
        ring = client.post("/_mockown/keys/rotate").json()["keys"]
        assert ring["rsa"]["past"] == old.rsa.kid and ring["ec"]["past"] == old.ec.kid
    runtime_of(app).store.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds worker pids in /proc")
def test_two_workers_see_one_rotation(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with serve(tmp_path, ["--workers", "2", "--state-file", str(state)]) as server:
        one, two = wait_for_workers(server, 2)
        with only(server, two):
            before: Any = get(server, "/id/keys")  # worker two makes the key and publishes it
        with only(server, one):
            assert get(server, "/id/keys") == before
            with server.client() as c:
                assert c.post("/_mockown/keys/rotate").status_code == 200
            after: Any = get(server, "/id/keys")
            slas = get(server, SLAS + "/jwks")
        with only(server, two):
            assert get(server, "/id/keys") == after and len(after["keys"]) == 2
            assert after["keys"][0] == before["keys"][0]
            assert get(server, SLAS + "/jwks") == slas
            data = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
            with server.client() as c:
                body = c.post("/services/oauth2/token", data={**data, "password": PASSWORD, "scope": "api openid"})
            assert body.status_code == 200, body.text

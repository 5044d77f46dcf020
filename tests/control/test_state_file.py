"""The control plane on the SQLite store (`--state-file`): reset, seed, snapshot/restore, org reset, clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..conftest import ORG
from .helpers import access_token, introspect, rest
from .serve import Server, serve


@pytest.fixture(scope="module")
def state_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("state") / "state.db"


@pytest.fixture(scope="module")
def server(state_file: Path) -> Iterator[Server]:
    with serve(["--state-file", str(state_file)]) as running:
        yield running


def test_reset_seed_snapshot_restore_on_sqlite(api: httpx.Client) -> None:
    assert api.get("/_mockown/health").json()["store"] == "sqlite"
    token = access_token(api)
    created = api.post("/_mockown/seed", json={"salesforce": {"orgs": [{"name": "On Disk"}]}})
    assert created.status_code == 201
    snap = api.get("/_mockown/snapshot").json()
    assert any(o["name"] == "On Disk" for o in snap["store"]["sf_orgs"])
    assert api.post("/_mockown/reset", json={"org": ORG}).json()["removed"] == {"sf_access_tokens": 1}
    assert rest(api, token).status_code == 401
    assert api.post("/_mockown/restore", json=snap).status_code == 200
    assert introspect(api, token)["active"] is True
    api.post("/_mockown/reset")
    assert introspect(api, token) == {"active": False}
    assert "On Disk" not in str(api.get("/_mockown/snapshot").json()["store"]["sf_orgs"])


def test_the_clock_and_state_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "restart.db"
    with serve(["--state-file", str(state)]) as first, first.client() as client:
        token = access_token(client)
        client.post("/_mockown/clock", json={"advance": "1h"})
    with serve(["--state-file", str(state)]) as again, again.client() as client:
        assert client.get("/_mockown/clock").json()["iso"] == "2026-01-01T01:00:00.000Z"
        assert introspect(client, token)["active"] is True

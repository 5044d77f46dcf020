"""The keys the runtime makes for itself besides the signing keys: the one that signs browser cookies (the `sid`
login session and every anti-CSRF token, `Runtime.ui_secret`) and the one `OauthToken.DeleteToken`s are derived
under. They are kept with the signing keys (`store.secret_key`), never among the meta values: a snapshot holds
neither (whoever holds one could otherwise sign a session cookie for any user), and a restore keeps the server's
own, so an older snapshot that still carries them restores, its keys ignored. On both stores, and shared by every
worker of a state file."""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from mockown.salesforce import oauth_tokens
from mockown.ui.session import SESSION_COOKIE, sign
from tests.conftest import ADMIN_ID, CALLBACK, CID

T0 = 1_767_225_600.0
KEYS = ("ui_secret", "sf_oauth_token_delete_key")
AUTHORIZE = "/services/oauth2/authorize"
QUERY = {"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK}


def _keys(runtime: Runtime) -> dict[str, bytes]:
    return {"ui_secret": runtime.ui_secret, "sf_oauth_token_delete_key": oauth_tokens.signing_key(runtime.salesforce)}


def _signed_in(client: httpx.Client, key: bytes, now: float) -> bool:
    """Whether a `sid` cookie signed with `key` is a session: authorize answers the demo app with a code."""
    client.cookies.set(SESSION_COOKIE, sign(key, {"u": ADMIN_ID, "exp": now + 3600, "n": "n-" + key.hex()[:8]}))
    try:
        answer = client.get(AUTHORIZE, params=QUERY)
    finally:
        client.cookies.clear()
    return answer.status_code == 302 and "code=" in answer.headers["location"]


class Server:
    def __init__(self, runtime: Runtime, client: httpx.Client) -> None:
        self.runtime, self.client = runtime, client

    def snapshot(self) -> dict[str, Any]:
        response = self.client.get("/_mockown/snapshot")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(params=["memory", "sqlite"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    config = Config() if request.param == "memory" else Config(state_file=str(tmp_path / "state.db"))
    app = create_app(config, clock=FrozenClock(T0))
    runtime: Runtime = app.state.runtime
    try:
        with in_process_client(app) as client:
            yield Server(runtime, client)
    finally:
        runtime.store.close()


def test_a_snapshot_holds_neither_key(server: Server) -> None:
    keys = _keys(server.runtime)  # both made
    snapshot = server.snapshot()
    assert not set(KEYS) & set(snapshot["store"].get("_meta", [{}])[0])
    text = json.dumps(snapshot).lower()
    assert not [name for name, key in keys.items() if key.hex() in text]


def test_a_restore_keeps_the_servers_keys_and_takes_an_older_snapshot_that_has_some(server: Server) -> None:
    keys, now = _keys(server.runtime), server.runtime.clock.now()
    assert _signed_in(server.client, keys["ui_secret"], now)
    older = copy.deepcopy(server.snapshot())  # as an earlier version wrote it: the keys among the meta values
    older["store"].setdefault("_meta", [{}])[0].update({"ui_secret": "00" * 32, "sf_oauth_token_delete_key": "11" * 32})
    restored = server.client.post("/_mockown/restore", json=older)
    assert restored.status_code == 200, restored.text
    assert _keys(server.runtime) == keys
    assert _signed_in(server.client, keys["ui_secret"], now)  # a restore ends no session
    assert not _signed_in(server.client, bytes(32), now)  # a snapshot's key signs none
    assert not set(KEYS) & set(server.snapshot()["store"]["_meta"][0])


@pytest.mark.parametrize("value", [None, "", "abc", "not hex", 7, ["ab"], "ab"])
def test_an_older_snapshots_key_of_any_value_is_ignored(server: Server, value: Any) -> None:
    keys = _keys(server.runtime)
    older = copy.deepcopy(server.snapshot())
    older["store"].setdefault("_meta", [{}])[0].update(dict.fromkeys(KEYS, value))
    assert server.client.post("/_mockown/restore", json=older).status_code == 200
    assert _keys(server.runtime) == keys


def test_workers_of_one_state_file_share_the_keys(tmp_path: Path) -> None:
    config = Config(state_file=str(tmp_path / "state.db"))
    first, second = create_app(config, clock=FrozenClock(T0)), create_app(config, clock=FrozenClock(T0))
    one, two = first.state.runtime, second.state.runtime
    try:
        keys = _keys(two)  # made by the second worker
        assert _keys(one) == keys
        with in_process_client(first) as client:
            assert _signed_in(client, keys["ui_secret"], T0)
            assert client.post("/_mockown/restore", json=client.get("/_mockown/snapshot").json()).status_code == 200
        assert _keys(one) == _keys(two) == keys
    finally:
        one.store.close()
        two.store.close()


def test_a_state_file_of_an_earlier_version_keeps_its_keys_out_of_the_meta_values(tmp_path: Path) -> None:
    """An earlier version kept both keys among the meta values: opened again, the file's keys are the same (its
    browser sessions live on), and a snapshot holds neither."""
    path = tmp_path / "state.db"
    config = Config(state_file=str(path))
    app = create_app(config, clock=FrozenClock(T0))
    runtime: Runtime = app.state.runtime
    keys = _keys(runtime)
    runtime.store.close()
    db = sqlite3.connect(path)
    with db:  # where an earlier version kept them
        for name in KEYS:
            db.execute("DELETE FROM mockown_state WHERE name = ?", (name,))
            db.execute("INSERT INTO meta (name, value) VALUES (?, ?)", (name, json.dumps(keys[name].hex())))
    db.close()
    again = create_app(config, clock=FrozenClock(T0))
    runtime = again.state.runtime
    try:
        with in_process_client(again) as client:
            assert not set(KEYS) & set(client.get("/_mockown/snapshot").json()["store"].get("_meta", [{}])[0])
            assert _keys(runtime) == keys
            assert _signed_in(client, keys["ui_secret"], T0)
    finally:
        runtime.store.close()


def test_a_full_reset_ends_browser_sessions(server: Server) -> None:
    """As it did when the key was a meta value: a reset starts the server afresh, logged-out sessions included."""
    before, now = server.runtime.ui_secret, server.runtime.clock.now()
    assert _signed_in(server.client, before, now)
    assert server.client.post("/_mockown/reset", json={"clock": False}).status_code == 200
    assert server.runtime.ui_secret != before
    assert not _signed_in(server.client, before, now)

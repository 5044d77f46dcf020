"""A Salesforce user row of a mockown before b6da40c held the raw `security_token`; this one stores its hash and
length. A restored snapshot's and a state file's raw token is hashed as the seed hashes it, so password + token
still signs the user in (it was dropped: refused, counted toward the lockout, while the bare password was taken),
and the raw token is in neither the state nor the next snapshot."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app, security
from mockown.http.inprocess import in_process_client
from mockown.salesforce.models import User
from mockown.store import from_dict
from mockown.store.decode import RowError
from tests.conftest import ADMIN, CID, PASSWORD, SECRET, T0

TOKEN = "AbCdEfGhIjKlM0"


def _grant(client: httpx.Client, password: str) -> httpx.Response:
    form = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    return client.post("/services/oauth2/token", data={**form, "password": password})


def _older(row: dict[str, Any], token: Any) -> dict[str, Any]:
    """`row` as a mockown before b6da40c wrote it."""
    out = {k: v for k, v in row.items() if k not in ("security_token_hash", "security_token_len")}
    out["security_token"] = token
    return out


def _hashed_in_the_snapshot(client: httpx.Client) -> None:
    users = client.get("/_mockown/snapshot").json()["store"]["sf_users"]
    admin = next(u for u in users if u["username"] == ADMIN)
    assert "security_token" not in admin and TOKEN not in json.dumps(users)
    assert admin["security_token_hash"] == security.token_hash(TOKEN)
    assert admin["security_token_len"] == len(TOKEN)


def _signs_in_with_the_token(client: httpx.Client) -> None:
    _hashed_in_the_snapshot(client)  # before any sign-in writes the user back
    assert _grant(client, PASSWORD + TOKEN).status_code == 200
    for wrong in (PASSWORD + TOKEN[:-1] + "x", PASSWORD + "x" * len(TOKEN)):
        assert _grant(client, wrong).status_code == 400
    _hashed_in_the_snapshot(client)


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_an_older_snapshots_raw_security_token_is_restored_hashed(store: str, tmp_path: Path) -> None:
    config = Config() if store == "memory" else Config(state_file=str(tmp_path / "state.db"))
    with in_process_client(create_app(config, clock=FrozenClock(T0))) as client:
        snap = client.get("/_mockown/snapshot").json()
        users = snap["store"]["sf_users"]
        index = next(i for i, u in enumerate(users) if u["username"] == ADMIN)
        users[index] = _older(users[index], TOKEN)
        restored = client.post("/_mockown/restore", json=snap)
        assert restored.status_code == 200, restored.text
        _signs_in_with_the_token(client)


def test_an_older_state_files_raw_security_token_is_read_hashed(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    create_app(Config(state_file=str(path)), clock=FrozenClock(T0)).state.runtime.store.close()
    db = sqlite3.connect(path)
    for key, data in db.execute('SELECT key, data FROM "r_sf_users"').fetchall():
        row = json.loads(data)
        if row["username"] == ADMIN:
            db.execute('UPDATE "r_sf_users" SET data = ? WHERE key = ?', (json.dumps(_older(row, TOKEN)), key))
    db.commit()
    db.close()
    app = create_app(Config(state_file=str(path)), clock=FrozenClock(T0))
    try:
        with in_process_client(app) as client:
            _signs_in_with_the_token(client)
    finally:
        app.state.runtime.store.close()


def test_an_older_row_without_a_token_has_none_and_a_non_string_is_refused() -> None:
    row = {"id": "005g000000Zzz9NAAR", "org_id": "00D5g000004MockEAC", "username": "u@x.test", "password_hash": "h",
           "salt": "s"}  # fmt: skip
    user = from_dict(User, _older(row, ""))
    assert (user.security_token_hash, user.security_token_len) == ("", 0)
    with pytest.raises(RowError, match="security_token: expected a string"):
        from_dict(User, _older(row, 12345))


@settings(max_examples=50, deadline=None)
@given(token=st.text(min_size=1, max_size=40))
def test_any_older_token_is_stored_as_the_seed_stores_it(token: str) -> None:
    row = {"id": "005g000000Zzz9NAAR", "org_id": "00D5g000004MockEAC", "username": "u@x.test", "password_hash": "h",
           "salt": "s"}  # fmt: skip
    user = from_dict(User, copy.deepcopy(_older(row, token)))
    assert user.security_token_hash == security.token_hash(token) and user.security_token_len == len(token)
    newer = from_dict(User, {**row, "security_token_hash": "kept", "security_token_len": 3, "security_token": token})
    assert (newer.security_token_hash, newer.security_token_len) == ("kept", 3)  # a newer row's hash stands

"""A state file mockown can read but not write is refused when it is opened, not at the first write (a 500 each)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mockown import Config
from mockown.config import ConfigError
from mockown.serving import build
from mockown.store.sqlite import SqliteStore, StateFileError


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite opens every file read-only, as it does a file its user may not write (permissions, a read-only mount).
    As root (CI containers) a file's mode does not stop writes, so the connection itself is read-only here: the
    same ``attempt to write a readonly database`` (SQLITE_READONLY) at the first write."""
    real = sqlite3.connect

    def connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        return real(f"file:{database}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    path = tmp_path / "state.db"
    SqliteStore(path).close()
    return path


def test_a_read_only_state_file_is_refused_when_opened(existing: Path, read_only: None) -> None:
    before = existing.read_bytes()
    with pytest.raises(StateFileError, match=r"state file .*state\.db is read-only"):
        SqliteStore(existing)
    assert existing.read_bytes() == before


def test_serve_refuses_it_as_a_configuration_error(existing: Path, read_only: None) -> None:
    with pytest.raises(ConfigError, match="read-only"):
        build(Config(state_file=str(existing)))

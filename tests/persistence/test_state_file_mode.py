"""The state file holds the signing keys: an existing one that others may read (and its -wal, -shm) is made its
owner's only when mockown opens it, as a new one is created, with a warning. `:memory:` (SQLite's in-memory database)
is refused before any file of that name is made."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from mockown import Config
from mockown.config import ConfigError
from mockown.serving import build
from mockown.store.sqlite import SqliteStore, StateFileError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o666])
def test_an_existing_file_others_may_read_is_made_private(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: int
) -> None:
    path = tmp_path / "s.db"
    SqliteStore(path).close()
    sides = [path.with_name("s.db-wal"), path.with_name("s.db-shm")]
    for side in sides:
        side.write_bytes(b"")  # left by a server that did not stop cleanly
    for each in (path, *sides):
        each.chmod(mode)
    with caplog.at_level(logging.WARNING, logger="mockown"):
        store = SqliteStore(path)
        try:  # read while open: a clean close merges and removes the -wal and -shm
            assert [_mode(each) for each in (path, *sides)] == [mode & 0o700] * 3
        finally:
            store.close()
    assert _mode(path) == mode & 0o700
    warned = [r.getMessage() for r in caplog.records if "readable by its owner only" in r.getMessage()]
    assert len(warned) == 1 and all(f"{name} ({mode:o})" in warned[0] for name in ("s.db", "s.db-wal", "s.db-shm"))


def test_a_private_file_is_opened_without_a_word(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "s.db"
    SqliteStore(path).close()
    assert _mode(path) == 0o600
    with caplog.at_level(logging.WARNING, logger="mockown"):
        SqliteStore(path).close()
    assert _mode(path) == 0o600
    assert not caplog.records


@pytest.mark.parametrize("name", [":memory:", "./:memory:"])
def test_memory_is_refused_before_a_file_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StateFileError, match="in-memory database, not a file"):
        SqliteStore(name)
    with pytest.raises(ConfigError, match="in-memory database, not a file"):
        build(Config(state_file=name))
    assert list(tmp_path.iterdir()) == []

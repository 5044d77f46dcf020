"""An SQLite database that is not a mockown state file (another application's) is refused, untouched: no tables
added, its journal mode kept. An empty file, and a mockown file, open as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from mockown import Config
from mockown.config import ConfigError
from mockown.serving import build
from mockown.store.sqlite import SqliteStore, StateFileError


def _foreign(path: Path, *schema: str) -> bytes:
    with sqlite3.connect(path) as db:
        for statement in schema:
            db.execute(statement)
    db.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    "schema",
    [
        ("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)", "INSERT INTO customers (name) VALUES ('Ada')"),
        ("CREATE VIEW answer AS SELECT 42",),
        ("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",),  # a name mockown uses too
    ],
    ids=["a table", "a view", "a table named as one of mockown's"],
)
def test_another_applications_database_is_refused_untouched(tmp_path: Path, schema: tuple[str, ...]) -> None:
    path = tmp_path / "app.db"
    before = _foreign(path, *schema)
    with pytest.raises(StateFileError, match=r"app\.db is not a mockown state file"):
        SqliteStore(path)
    assert path.read_bytes() == before
    assert not path.with_name("app.db-wal").exists()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert not db.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'mockown%' OR name LIKE 'r\\_%' ESCAPE '\\'"
        ).fetchall()
    db.close()


def test_serve_refuses_it_as_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    _foreign(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    with pytest.raises(ConfigError, match="not a mockown state file"):
        build(Config(state_file=str(path)))


def test_an_empty_file_and_a_mockown_file_open(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    SqliteStore(empty).close()
    SqliteStore(empty).close()  # the file it made: mockown's own
    with sqlite3.connect(empty) as db:
        assert db.execute("SELECT count(*) FROM mockown_state").fetchone()[0] >= 1
    db.close()

"""SQL exports quote every value and name by their dialect's rules. MySQL reads a backslash in a string as an
escape: a record rectified to `Acme\\` was exported as `'Acme\\'`, a string that never ends. Object names from a seed
were put between backquotes, [] or "" without doubling those characters inside."""

from __future__ import annotations

import sqlite3

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown.own import data
from tests.own.conftest import SALES

_MYSQL_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "%": "\\%", "_": "\\_"}
_IDENT_QUOTES = {"mysql": ("`", "`"), "mssql": ("[", "]"), "oracle": ('"', '"'), "postgresql": ('"', '"')}


def _string(dialect: str, sql: str, pos: int) -> tuple[str, int]:
    """The string literal at `pos` read by `dialect`'s rules (MySQL: backslash escapes, as the MySQL manual's
    table 11.1 has them; all: a doubled quote), and the position after it."""
    pos += 1
    out: list[str] = []
    while True:
        if pos >= len(sql):
            raise ValueError("unterminated string literal")
        ch = sql[pos]
        if dialect == "mysql" and ch == "\\":
            if pos + 1 >= len(sql):
                raise ValueError("unterminated string literal")
            nxt = sql[pos + 1]
            out.append(_MYSQL_ESCAPES.get(nxt, nxt))
            pos += 2
        elif ch == "'":
            if sql.startswith("''", pos):
                out.append("'")
                pos += 2
            else:
                return "".join(out), pos + 1
        else:
            out.append(ch)
            pos += 1


def _identifier(dialect: str, sql: str, pos: int) -> tuple[str, int]:
    close = _IDENT_QUOTES[dialect][1]
    pos += 1
    out: list[str] = []
    while True:
        end = sql.find(close, pos)
        if end < 0:
            raise ValueError("unterminated identifier")
        out.append(sql[pos:end])
        if sql.startswith(close * 2, end):
            out.append(close)
            pos = end + 2
        else:
            return "".join(out), end + 1


def _statements(dialect: str, sql: str) -> list[list[tuple[str, str]]]:
    """`sql` as statements of (kind, text) tokens: `id` (a quoted identifier's name), `str` (a literal's value),
    `word` and punctuation."""
    statements: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    pos = 0
    while pos < len(sql):
        ch = sql[pos]
        if ch.isspace():
            pos += 1
        elif sql.startswith("--", pos):
            pos = sql.index("\n", pos)
        elif ch == _IDENT_QUOTES[dialect][0]:
            name, pos = _identifier(dialect, sql, pos)
            current.append(("id", name))
        elif ch == "'" or (dialect == "mssql" and sql.startswith("N'", pos)):
            value, pos = _string(dialect, sql, pos + (ch == "N"))
            current.append(("str" if ch == "'" else "nstr", value))
        elif ch in "(),":
            current.append(("punct", ch))
            pos += 1
        elif ch == ";":
            statements.append(current)
            current = []
            pos += 1
        else:
            start = pos
            while pos < len(sql) and (sql[pos].isalnum() or sql[pos] == "_"):
                pos += 1
            if pos == start:
                raise ValueError(f"unexpected {ch!r} at {pos}")
            current.append(("word", sql[start:pos]))
    assert current == [], f"text after the last statement: {current}"
    return statements


def _record(obj: str, values: list[str]) -> dict[str, str]:
    """A record of `obj` (a known object such as `leads` has more fields than a custom one: values repeat)."""
    columns = data.fields(obj)
    return {name: values[i % len(values)] for i, name in enumerate(columns)}


# the characters each dialect treats specially, often; then any
CHARS = st.one_of(st.sampled_from("'\"`[]\\N\n\r\0\x1a%_ -;"), st.characters(exclude_categories=["Cs"]))
NAMES = st.text(CHARS, min_size=1, max_size=12).filter(lambda s: s.strip())
VALUES = st.lists(st.text(CHARS, max_size=12), min_size=4, max_size=4)


@settings(max_examples=150)
@given(dialect=st.sampled_from(data.SQL_DIALECTS), obj=NAMES, values=VALUES)
def test_every_name_and_value_reads_back_by_its_dialects_rules(dialect: str, obj: str, values: list[str]) -> None:
    record = _record(obj, values)
    create, insert = _statements(dialect, data.to_sql(dialect, [(obj, [record])]))
    table = obj.upper() if dialect == "oracle" else obj
    assert create[:3] == [("word", "CREATE"), ("word", "TABLE"), ("id", table)]
    columns = [name.upper() if dialect == "oracle" else name for name in record]
    literal = "nstr" if dialect == "mssql" else "str"
    expected = [("word", "INSERT"), ("word", "INTO"), ("id", table), ("punct", "(")]
    for i, name in enumerate(columns):
        expected += [("punct", ",")] * (i > 0) + [("id", name)]
    expected += [("punct", ")"), ("word", "VALUES"), ("punct", "(")]
    for i, value in enumerate(record.values()):
        expected += [("punct", ",")] * (i > 0) + [(literal, value)]
    assert insert == [*expected, ("punct", ")")]


NO_NUL = st.text(CHARS, max_size=12).filter(lambda s: "\0" not in s)  # SQLite (and PostgreSQL) hold no NUL


@settings(max_examples=100)
@given(obj=NAMES.filter(lambda s: "\0" not in s and not s.lower().startswith("sqlite_")),
       values=st.lists(NO_NUL, min_size=4, max_size=4))  # fmt: skip
def test_the_postgresql_export_loads_into_a_standard_sql_engine(obj: str, values: list[str]) -> None:
    """SQLite reads strings and double-quoted names as standard SQL (and PostgreSQL by default) does."""
    record = _record(obj, values)
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(data.to_sql("postgresql", [(obj, [record])]))
        table = '"' + obj.replace('"', '""') + '"'
        rows = db.execute(f"SELECT * FROM {table}").fetchall()
    finally:
        db.close()
    assert rows == [tuple(record.values())]


@pytest.mark.parametrize("dialect", data.SQL_DIALECTS)
def test_a_rectified_backslash_is_exported_as_a_backslash(
    client: httpx.Client, auth: dict[str, str], dialect: str
) -> None:
    base = f"/api/v1/services/{SALES}"
    csv_text = client.get(f"{base}/backups/last/objects/1/download", headers=auth).text
    record_id = csv_text.splitlines()[1].split(",")[0]
    rectify = {"table_name": "accounts", "record_id": record_id, "field": "Name", "value": "Acme\\"}
    assert client.post(f"{base}/gdpr/rectify", headers=auth, data=rectify).status_code == 200
    form = {"export_format": "sql", "sql_dialect": dialect, "objects": "Accounts"}
    job_id = client.post(f"{base}/backups/last/export", headers=auth, data=form).json()["job_id"]
    results = client.get(f"/api/v1/jobs/{job_id}", headers=auth).json()["results"]
    [url] = [u for u in results if u.startswith("http")]
    sql = client.get(url, headers=auth).text
    inserts = [s[s.index(("word", "VALUES")) :] for s in _statements(dialect, sql)[1:]]
    rows = {s[2][1]: s[4][1] for s in inserts}  # VALUES ( Id , Name
    assert rows[record_id] == "Acme\\"
    if dialect == "mysql":
        assert "'Acme\\\\'" in sql

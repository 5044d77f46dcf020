"""The records a service's backups hold: deterministic, faker-generated, evolving from backup to backup.

Nothing is stored per record. A backup stores, per object, ``record id -> version`` and what was added,
changed and removed since the previous backup of that object; the field values are generated from the
record id (stable fields) and the version (fields that change), so every download is reproducible.
GDPR requests apply at render time: forgotten ids vanish, rectified fields show their new value.
faker is imported only when a value is generated (never on the server's start-up path).
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import threading
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .. import ids
from ..clock import iso
from . import job_params
from .models import Snapshot

if TYPE_CHECKING:
    from faker import Faker

# fields per object: (API name, generator, changes with the version?)
_SCHEMAS: dict[str, list[tuple[str, str, bool]]] = {
    "accounts": [("Name", "company", False), ("Phone", "phone_number", True), ("BillingCity", "city", True),
                 ("BillingCountry", "country", False), ("Industry", "industry", True)],
    "contacts": [("FirstName", "first_name", False), ("LastName", "last_name", False), ("Email", "email", True),
                 ("Phone", "phone_number", True), ("Title", "job", True)],
    "opportunities": [("Name", "catch_phrase", False), ("StageName", "stage", True), ("Amount", "amount", True),
                      ("CloseDate", "date", True)],
    "leads": [("FirstName", "first_name", False), ("LastName", "last_name", False), ("Company", "company", False),
              ("Email", "email", True), ("Status", "lead_status", True)],
    "cases": [("Subject", "sentence", False), ("Status", "case_status", True), ("Priority", "priority", True)],
}  # fmt: skip
_CUSTOM = [("Name", "word", False), ("Description__c", "sentence", True)]
_PREFIXES = {"accounts": "001", "contacts": "003", "opportunities": "006", "leads": "00Q", "cases": "500"}
_CHOICES = {
    "industry": ["Agriculture", "Banking", "Biotechnology", "Education", "Energy", "Retail", "Technology"],
    "stage": ["Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review", "Closed Won"],
    "lead_status": ["Open - Not Contacted", "Working - Contacted", "Closed - Converted"],
    "case_status": ["New", "Working", "Escalated", "Closed"],
    "priority": ["Low", "Medium", "High"],
}
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_lock = threading.Lock()


def fields(obj: str) -> list[str]:
    """The CSV header of an object: ``Id`` then its fields, then ``LastModifiedDate``."""
    return ["Id", *(name for name, _, _ in _SCHEMAS.get(obj, _CUSTOM)), "LastModifiedDate"]


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()


# two base-62 digits at once, the lower one first: 62 * 62 entries
_B62_PAIRS = [_B62[n % 62] + _B62[n // 62] for n in range(62 * 62)]


def record_id(data_seed: str, obj: str, index: int) -> str:
    """A record's 18-character id: its prefix, ``5g``, then the first 8 bytes of the SHA-256 of
    (seed, object, index) as 10 base-62 digits, the lowest first, and the checksum."""
    raw = int.from_bytes(_digest(data_seed, obj, index)[:8], "big")
    pairs = _B62_PAIRS  # 10 digits = 5 pairs: the same digits as 10 steps of divmod(raw, 62)
    raw, a = divmod(raw, 3844)
    raw, b = divmod(raw, 3844)
    raw, c = divmod(raw, 3844)
    raw, d = divmod(raw, 3844)
    id15 = _PREFIXES.get(obj, "a00") + "5g" + pairs[a] + pairs[b] + pairs[c] + pairs[d] + pairs[raw % 3844]
    return id15 + ids.checksum(id15)  # an alphanumeric id15: to18 would add just this


# -- evolution ------------------------------------------------------------------------------------------
def first_snapshot(data_seed: str, obj: str, count: int) -> Snapshot:
    records = {record_id(data_seed, obj, i): 1 for i in range(count)}
    return Snapshot(name=obj, records=records, added=list(records), next_index=count)


def next_snapshot(data_seed: str, previous: Snapshot, generation: int) -> Snapshot:
    """The object's next state: a few records added, changed and removed, chosen by a seeded RNG."""
    rng = random.Random(_digest(data_seed, previous.name, "gen", generation))
    current = sorted(previous.records)
    removed_ids = rng.sample(current, k=min(len(current), rng.randint(0, 1)))
    remaining = [r for r in current if r not in removed_ids]
    changed_ids = rng.sample(remaining, k=min(len(remaining), rng.randint(0, 2)))
    records = {r: previous.records[r] + (1 if r in changed_ids else 0) for r in remaining}
    added: list[str] = []
    index = previous.next_index
    for _ in range(rng.randint(0, 2)):
        rid = record_id(data_seed, previous.name, index)
        index += 1
        records[rid] = 1
        added.append(rid)
    return Snapshot(
        name=previous.name,
        records=records,
        added=added,
        changed=sorted(changed_ids),
        removed={r: previous.records[r] for r in removed_ids},
        next_index=index,
    )


# -- values ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _faker() -> Faker:
    from faker import Faker

    return Faker("en_US")


def _value(fake: Faker, kind: str, rng: random.Random) -> str:
    if kind in _CHOICES:
        return rng.choice(_CHOICES[kind])
    if kind == "amount":
        return f"{rng.randint(1, 500) * 1000}.00"
    if kind == "date":
        return fake.date_between_dates(date_start=_D0, date_end=_D1).isoformat()
    if kind == "company":
        return fake.company()
    if kind == "email":
        return fake.email()
    if kind == "phone_number":
        return fake.phone_number()
    if kind == "first_name":
        return fake.first_name()
    if kind == "last_name":
        return fake.last_name()
    if kind == "city":
        return fake.city()
    if kind == "country":
        return fake.country()
    if kind == "job":
        return fake.job()
    if kind == "catch_phrase":
        return fake.catch_phrase()
    if kind == "word":
        return fake.word().capitalize() + " " + fake.word()
    return fake.sentence(nb_words=6)


_D0 = date(2025, 1, 1)
_D1 = date(2027, 12, 31)


def values(obj: str, rid: str, version: int, modified: float) -> dict[str, str]:
    """One record's fields: stable ones from its id, changing ones from (id, version); `LastModifiedDate` the
    instant `modified` (when the backup that first held this version started: `backups.introduced`)."""
    out = {"Id": rid}
    with _lock:
        fake = _faker()
        for name, kind, volatile in _SCHEMAS.get(obj, _CUSTOM):
            seed = int.from_bytes(_digest(rid, name, version if volatile else 0)[:8], "big")
            fake.seed_instance(seed)
            out[name] = _value(fake, kind, random.Random(seed))
    out["LastModifiedDate"] = iso(modified, millis=True)
    return out


def rows(
    obj: str,
    wanted: Iterable[tuple[str, int]],
    forgotten: set[str],
    overrides: dict[str, dict[str, str]],
    modified: Callable[[str, int], float],
) -> list[dict[str, str]]:
    """The CSV rows of the records `wanted` ((id, version)): forgotten ones left out, rectified fields replaced,
    each one's `LastModifiedDate` the instant `modified(id, version)`."""
    out = []
    for rid, version in sorted(wanted):
        if rid in forgotten:
            continue
        row = values(obj, rid, version, modified(rid, version))
        for name, value in overrides.get(rid, {}).items():
            if name in row:
                row[name] = value
        out.append(row)
    return out


def to_csv(obj: str, records: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields(obj), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


SQL_DIALECTS = job_params.SQL_DIALECTS


# MySQL reads a backslash in a string as an escape (unless NO_BACKSLASH_ESCAPES): `'Acme\'` never ends. Escaped as
# mysql_real_escape_string does (NUL, CR, LF and Ctrl-Z too: the mysql client turns a CR LF into LF, refuses a NUL)
_MYSQL_ESCAPES = str.maketrans({"\\": "\\\\", "'": "''", "\0": "\\0", "\r": "\\r", "\n": "\\n", "\x1a": "\\Z"})


def _literal(dialect: str, value: str) -> str:
    """`value` as a string literal of `dialect`: the quote doubled (standard SQL; PostgreSQL's default
    standard_conforming_strings keeps a backslash as it is), MySQL's escapes, and SQL Server's N prefix (a plain
    literal is in the database's code page: the NVARCHAR column would get `?` for what it cannot hold)."""
    if dialect == "mysql":
        return "'" + value.translate(_MYSQL_ESCAPES) + "'"
    quoted = "'" + value.replace("'", "''") + "'"
    return "N" + quoted if dialect == "mssql" else quoted


def _quote(dialect: str, name: str) -> str:
    """`name` as a quoted identifier of `dialect`, its closing quote character doubled inside (an object's name
    comes from a seed document)."""
    if dialect == "mysql":
        return "`" + name.replace("`", "``") + "`"
    if dialect == "mssql":
        return "[" + name.replace("]", "]]") + "]"
    if dialect == "oracle":
        name = name.upper()
    return '"' + name.replace('"', '""') + '"'


def to_sql(dialect: str, tables: list[tuple[str, list[dict[str, str]]]]) -> str:
    text_type = {"oracle": "VARCHAR2(4000)", "mssql": "NVARCHAR(4000)"}.get(dialect, "VARCHAR(4000)")
    lines = [f"-- Own export ({dialect})"]
    for obj, records in tables:
        columns = fields(obj)
        table = _quote(dialect, obj)
        cols = ", ".join(f"{_quote(dialect, c)} {'CHAR(18) PRIMARY KEY' if c == 'Id' else text_type}" for c in columns)
        lines.append(f"CREATE TABLE {table} ({cols});")
        names = ", ".join(_quote(dialect, c) for c in columns)
        for record in records:
            vals = ", ".join(_literal(dialect, record[c]) for c in columns)
            lines.append(f"INSERT INTO {table} ({names}) VALUES ({vals});")  # noqa: S608 - a file, not a query
    return "\n".join(lines) + "\n"


def snapshot_of(data: dict[str, Any]) -> Snapshot:
    return Snapshot(**data)

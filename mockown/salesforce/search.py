"""`GET /services/data/vXX.X/search?q=<SOSL>`: a small SOSL subset over the records the mock holds.

Supported: ``FIND {words}`` (or ``'words'``) ``[IN ALL|NAME|EMAIL|PHONE FIELDS] [RETURNING Obj[(f, ...)], ...]
[LIMIT n]``. Every word must match a word of one of the searched fields (case-insensitive; ``*`` any characters,
``?`` one; words split at non-alphanumeric characters, so an e-mail address is its words). Only searchable
objects (describe's ``searchable``: User) are searched. The answer is ``{"searchRecords": [...]}``; a record
carries its ``attributes`` and the RETURNING fields (``Id`` without a list). Boolean operators, quotes inside the
term, WHERE/ORDER BY inside RETURNING, an object named twice in RETURNING (which Salesforce does not allow; its
error code is not documented) and the other SOSL clauses are refused as MALFORMED_SEARCH rather than answered
wrongly.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from . import describe
from .errors import RestError
from .models import Org, User
from .service import SalesforceService
from .soql import bounded, is_name

_SOSL = re.compile(
    r"^\s*find\s+(?:\{(?P<braced>[^{}]*)\}|'(?P<quoted>[^'\\]*)')"
    r"(?:\s+in\s+(?P<scope>\w+)\s+fields)?"
    r"(?:\s+returning\s+(?P<returning>\w+(?:\s*\([^()]*\))?(?:\s*,\s*\w+(?:\s*\([^()]*\))?)*))?"
    r"(?:\s+limit\s+(?P<limit>[0-9]+))?\s*$",  # ASCII digits
    re.IGNORECASE | re.DOTALL,
)
_OBJECT = re.compile(r"(\w+)(?:\s*\(([^()]*)\))?")
_WORD = re.compile(r"[^\W_]+")
_OPERATORS = frozenset({"and", "or", "not"})
# the User fields each IN clause searches (SOSL: NAME = name fields, EMAIL = e-mail fields, PHONE = phone fields)
_FIELDS = {
    "all": ("Name", "FirstName", "LastName", "Username", "Email"),
    "name": ("Name", "FirstName", "LastName"),
    "email": ("Email",),
    "phone": (),
}
_MAX_LIMIT = 2000


def _malformed(message: str) -> RestError:
    return RestError(400, "MALFORMED_SEARCH", message)


@functools.lru_cache(maxsize=4096)
def _same_letter(a: str, b: str) -> bool:
    """Whether two letters are one ignoring case, as a regex with IGNORECASE reads them: letter by letter, so a
    capital dotted I (which lower-cases to two characters) is an i, and the final sigma a sigma."""
    return re.fullmatch(re.escape(a), b, re.IGNORECASE) is not None


def glob_match(pattern: str, word: str) -> bool:
    """Whether `word` is `pattern` (``*`` any characters, ``?`` one), ignoring case, by the greedy two-pointer
    match: at most len(pattern) * len(word) steps. A regex translation (``a[^\\W_]*a...``) backtracks exponentially
    in the number of ``*`` against a long word, which any caller of /search could send."""
    p = w = 0
    star, mark = -1, 0
    while w < len(word):
        if (
            p < len(pattern)
            and pattern[p] != "*"
            and (pattern[p] in ("?", word[w]) or _same_letter(pattern[p], word[w]))
        ):
            p, w = p + 1, w + 1
        elif p < len(pattern) and pattern[p] == "*":
            star, mark, p = p, w, p + 1
        elif star >= 0:
            p, mark = star + 1, mark + 1
            w = mark
        else:
            return False
    return all(c == "*" for c in pattern[p:])


def _patterns(term: str) -> list[str]:
    """Each word of the term as a glob over one field word (`adm*@mockown.test`: `adm*`, `mockown`,
    `test`)."""
    if re.search(r"[\"()&|!~^{}]", term):
        raise _malformed(f"mockown's SOSL takes plain words, not search operators: {term[:80]}")
    words = [w for w in re.split(r"[^\w*?]+|_", term) if w]
    if not words:
        raise _malformed("No search term found. The search term must be enclosed in braces.")
    if any(w.lower() in _OPERATORS for w in words):
        raise _malformed(f"mockown's SOSL takes plain words, not search operators: {term[:80]}")
    out = []
    for word in words:
        if len(word.replace("*", "").replace("?", "")) < 2:
            raise _malformed(f"search term must be longer than one character: {word[:80]}")
        out.append(word)
    return out


def _returning(org: Org, clause: str | None) -> list[tuple[describe.SObjectType, list[str] | None]]:
    if clause is None:
        return [(describe.USER, None)]
    out: list[tuple[describe.SObjectType, list[str] | None]] = []
    for match in _OBJECT.finditer(clause):
        name, fields = match.group(1), match.group(2)
        kind = describe.lookup(org, name)
        if kind is None:
            raise RestError(400, "INVALID_TYPE", f"sObject type '{name}' is not supported.")
        if not kind.searchable:
            raise RestError(400, "INVALID_TYPE", f"entity type {kind.name} does not support search")
        if any(seen.name == kind.name for seen, _ in out):  # the SOSL reference: "you can't repeat an ObjectTypeName"
            raise _malformed(f"duplicate object in RETURNING: {kind.name} (each object must be distinct)")
        wanted = None
        if fields is not None:
            wanted = [f.strip() for f in fields.split(",")]
            if not all(wanted):  # `User()`, `User(Id,)`: an empty item
                raise _malformed(f"unexpected token in RETURNING: {clause[:80]}")
            if re.search(r"\b(where|order|limit|offset|using)\b", fields, re.IGNORECASE):
                raise _malformed("mockown's SOSL takes a plain field list in RETURNING")
            for f in wanted:
                if not is_name(f):  # `User(Id Name)`: no field name (SOQL's select items alike)
                    raise _malformed(f"unexpected token in RETURNING: '{f[:80]}'")
                if kind.field(f) is None:
                    raise RestError(400, "INVALID_FIELD", f"No such column '{f}' on entity '{kind.name}'.")
        out.append((kind, wanted or None))
    return out


def search(service: SalesforceService, sosl: str | None, version: str, org: Org, rows: Any) -> dict[str, Any]:
    """The `searchRecords` of `sosl` in `org`; `rows(user)` renders a User's fields (rest's record shape)."""
    if not sosl:
        raise _malformed("No search term found. The search string must be provided as the q parameter.")
    match = _SOSL.match(sosl)
    if not match:
        raise _malformed(f"unexpected token in search: {sosl[:80]}")
    term = match.group("braced") if match.group("braced") is not None else match.group("quoted")
    patterns = _patterns(term or "")
    scope = (match.group("scope") or "all").lower()
    if scope not in _FIELDS:
        raise _malformed(f"unexpected token: {match.group('scope')[:40]} (IN ALL, NAME, EMAIL or PHONE FIELDS)")
    targets = _returning(org, match.group("returning"))
    limit = _MAX_LIMIT
    if match.group("limit") is not None:
        digits = match.group("limit")
        value = bounded(digits, _MAX_LIMIT)  # leading zeros do not count
        if value is None:
            raise _malformed(f"Invalid LIMIT {digits[:20]}: the limit must be at most {_MAX_LIMIT}")
        limit = value
    found: list[dict[str, Any]] = []
    for kind, wanted in targets:
        if kind is not describe.USER:  # no other searchable object is held
            continue
        users: list[User] = sorted(service.users.find("org_id", org.id), key=lambda u: u.id)
        for user in users:
            fields = rows(user)
            words = [w for name in _FIELDS[scope] for w in _WORD.findall(str(fields.get(name) or ""))]
            if all(any(glob_match(p, w) for w in words) for p in patterns):
                found.append(_record(kind.name, fields, version, wanted or ["Id"]))
    return {"searchRecords": found[:limit]}


def _record(kind: str, fields: dict[str, Any], version: str, wanted: list[str]) -> dict[str, Any]:
    url = f"/services/data/v{version}/sobjects/{kind}/{fields['Id']}"
    out: dict[str, Any] = {"attributes": {"type": kind, "url": url}}
    lookup = {k.lower(): k for k in fields}
    for name in wanted:
        out[lookup[name.lower()]] = fields[lookup[name.lower()]]
    return out

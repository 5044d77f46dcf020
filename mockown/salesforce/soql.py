"""The SOQL subset `GET /query` reads: ``SELECT f, ... FROM T [WHERE f = v] [LIMIT n]``, where ``=`` may be ``!=``
(or its other spelling ``<>``, which Salesforce takes too though its operator table lists only ``!=``) and ``v``
is a quoted string or one of the unquoted TRUE, FALSE and NULL (any case).

Parsed in steps, by patterns whose quantifiers never compete for the same characters (possessive ``++``/``*+``,
and the select list cut at the first `` FROM `` found by a plain search), so reading any query is linear in its
length: a single pattern ``select\\s+(.+?)\\s+from`` backtracked cubically over a run of spaces, and one query of
a few thousand characters held the event loop for minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..fieldwise import Value
from .errors import RestError

_SELECT = re.compile(r"\s*+select(?=\s)", re.IGNORECASE)
_FROM = re.compile(r"\sfrom\s", re.IGNORECASE)
# a select item the subset reads: a field name, or a dotted path (`Profile.Name`, a relationship the mock does not
# serve: INVALID_FIELD, as Salesforce answers a name that is no field); anything else (`COUNT()`, `FIELDS(ALL)`,
# `Id Username`, an alias, a subquery) is SOQL outside the subset, or no SOQL: MALFORMED_QUERY
_ITEM = re.compile(r"\w++(?:\.\w++)*+")
_TAIL = re.compile(
    r"\s*+(?P<object>\w++)"
    r"(?:\s++where\s++(?P<field>\w++)\s*+(?P<op>!=|<>|=)\s*+"
    r"(?:'(?P<value>(?:[^'\\]|\\.)*+)'|(?P<word>true|false|null)(?!\w)))?"
    r"(?:\s++limit\s++(?P<limit>[0-9]++))?\s*+",
    re.IGNORECASE | re.DOTALL,
)


# SOQL reference, "Quoted String Escape Sequences": \n \r \t \b \f (either case), \" \' \\ and \uXXXX; \_ and
# \% only in LIKE (which the subset has not); "a backslash character in any other context" is an error. \b is
# "Bell" in the English reference and backspace in its Japanese edition and in Java: backspace here.
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
# \uXXXX is a UTF-16 code unit (SOQL strings are Java strings): a high surrogate escaped just before a low one is
# the one character the pair encodes (`\uD83D\uDE00` is U+1F600); a surrogate escaped alone stands for no character
_ESCAPE = re.compile(r"\\(u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", re.DOTALL)


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Query(Value):
    fields: list[str]  # the select list, as written
    sobject: str
    field: str | None  # the WHERE field, if any
    value: str | bool | None  # what it is compared with: quoted text, TRUE/FALSE, or NULL (None)
    negated: bool  # the operator is `!=` or `<>` (else `=`)
    limit: str | None  # LIMIT's digits


def malformed(soql: str) -> RestError:
    return RestError(400, "MALFORMED_QUERY", f"unexpected token in query: {soql[:80]}")


def parse(soql: str) -> Query:
    """The parts of `soql`; 400 MALFORMED_QUERY if it is not of the subset."""
    select = _SELECT.match(soql)
    cut = _FROM.search(soql, select.end()) if select else None
    if select is None or cut is None or cut.start() == select.end():
        raise malformed(soql)
    tail = _TAIL.fullmatch(soql, cut.end())
    if tail is None:
        raise malformed(soql)
    fields = [f.strip() for f in soql[select.end() : cut.start()].split(",")]
    if not all(fields):  # `SELECT , FROM User`, `SELECT Id, FROM User`: an empty item
        raise malformed(soql)
    for item in fields:
        if not is_name(item):
            raise RestError(400, "MALFORMED_QUERY", f"unexpected token: '{item[:80]}' in query: {soql[:80]}")
    seen: set[str] = set()
    for name in fields:  # field names are case-insensitive: `Id, id` selects one twice
        if name.lower() in seen:
            raise RestError(400, "MALFORMED_QUERY", f"duplicate field selected: {name[:80]}")
        seen.add(name.lower())
    return Query(
        fields=fields,
        sobject=tail.group("object"),
        field=tail.group("field"),
        value=_literal(soql, tail.group("value"), tail.group("word")),
        negated=tail.group("op") != "=",
        limit=tail.group("limit"),
    )


def is_name(item: str) -> bool:
    """Whether a select item (or a SOSL RETURNING field) is a name: a field, or a dotted path of names."""
    return _ITEM.fullmatch(item) is not None


def bounded(digits: str, high: int) -> int | None:
    """The number ASCII `digits` spell (a LIMIT's), None when it is over `high`. Leading zeros do not count
    (`LIMIT 00000000001` is 1), and a long run of other digits is not converted (`int()` of thousands of digits
    is a ValueError, and slow before that)."""
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(high)) or int(significant) > high:
        return None
    return int(significant)


def _literal(soql: str, quoted: str | None, word: str | None) -> str | bool | None:
    """The WHERE value: a quoted string's text, or the unquoted TRUE/FALSE (a bool) or NULL (None)."""
    if quoted is not None:
        return _decode(soql, quoted)
    return None if word is None or word.lower() == "null" else word.lower() == "true"


def _decode(soql: str, quoted: str) -> str:
    """The string a quoted literal's text stands for (its escape sequences decoded). A `\\u` escape of a lone
    surrogate is 400 MALFORMED_QUERY: decoded, it was a str no UTF-8 can encode, and the first message or record
    that carried it was a plain-text 500."""

    def one(escape: re.Match[str]) -> str:
        code = escape.group(1)
        if len(code) == 11:  # a surrogate pair: `uD83D\uDE00`
            high, low = int(code[1:5], 16), int(code[7:], 16)
            return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        if len(code) == 5:
            unit = int(code[1:], 16)
            if 0xD800 <= unit <= 0xDFFF:
                raise RestError(
                    400,
                    "MALFORMED_QUERY",
                    f"Invalid string literal: \\{code} is a lone UTF-16 surrogate (no character) in {soql[:80]}",
                )
            return chr(unit)
        decoded = _ESCAPES.get(code if code in "\"'\\" else code.lower())
        if decoded is None:
            raise RestError(
                400, "MALFORMED_QUERY", f"Invalid string literal: unknown escape \\{code[:1]} in {soql[:80]}"
            )
        return decoded

    return _ESCAPE.sub(one, quoted)

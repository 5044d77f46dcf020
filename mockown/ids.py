"""Salesforce record ids: 15-character case-sensitive ids and their 18-character checksum form."""

from __future__ import annotations

import functools
import re
import secrets
import string

_SUFFIX = string.ascii_uppercase + "012345"
_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ID15 = re.compile(r"^[a-zA-Z0-9]{15}$")
ID18 = re.compile(r"^[a-zA-Z0-9]{18}$")

ORG, USER, CONNECTED_APP, PROFILE = "00D", "005", "0H4", "00e"


_CASE_BITS = str.maketrans({c: "1" if c.isupper() else "0" for c in _B62})


def checksum(id15: str) -> str:
    """The three-character suffix that makes a 15-character id case-insensitively unique: for each 5-character
    chunk, the bits of its upper-case letters (first character = lowest bit) index `_SUFFIX`."""
    flags = id15[:15].translate(_CASE_BITS)
    if len(flags) == 15 and flags.count("0") + flags.count("1") == 15:  # the usual case: an alphanumeric id
        return _SUFFIX[int(flags[4::-1], 2)] + _SUFFIX[int(flags[9:4:-1], 2)] + _SUFFIX[int(flags[14:9:-1], 2)]
    out = []
    for chunk in range(3):
        bits = 0
        for pos, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << pos
        out.append(_SUFFIX[bits])
    return "".join(out)


@functools.lru_cache(maxsize=8192)  # called several times per request (identity URLs, tokens, REST)
def to18(any_id: str) -> str:
    if ID18.match(any_id):
        if checksum(any_id[:15]) != any_id[15:]:
            raise ValueError(f"bad checksum in id {any_id!r}")
        return any_id
    if not ID15.match(any_id):
        raise ValueError(f"not a Salesforce id: {any_id!r}")
    return any_id + checksum(any_id)


def to15(any_id: str) -> str:
    return to18(any_id)[:15]


def is_valid(any_id: str) -> bool:
    try:
        to18(any_id)
    except ValueError:
        return False
    return True


def same(a: str, b: str) -> bool:
    """Whether two ids (15 or 18 characters) name the same record."""
    try:
        return to15(a) == to15(b)
    except ValueError:
        return False


def new_id(prefix: str) -> str:
    """A fresh 18-character id with a key prefix, e.g. ``new_id(ORG)``: ``00D`` + pod + random + checksum."""
    if len(prefix) != 3:
        raise ValueError("a key prefix has three characters")
    body = "5g" + "".join(secrets.choice(_B62) for _ in range(10))
    return to18(prefix + body)

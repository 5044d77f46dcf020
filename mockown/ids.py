"""Salesforce record ids: 15-character case-sensitive ids and their 18-character checksum form."""

from __future__ import annotations

import functools
import re
import string

from .security import random_b62

_SUFFIX = string.ascii_uppercase + "012345"
_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ID15 = re.compile(r"[a-zA-Z0-9]{15}")  # used with fullmatch: `$` would take a trailing newline
ID18 = re.compile(r"[a-zA-Z0-9]{18}")

ORG, USER, CONNECTED_APP, PROFILE = "00D", "005", "0H4", "00e"


_CASE_BITS = str.maketrans({c: "1" if c.isupper() else "0" for c in _B62})
# a chunk's upper-case flags, first character first ("10000": only the first is upper case) -> its suffix character
_CHUNK_SUFFIX = {format(bits, "05b")[::-1]: _SUFFIX[bits] for bits in range(32)}


def checksum(id15: str) -> str:
    """The three-character suffix that makes a 15-character id case-insensitively unique: for each 5-character
    chunk, the bits of its upper-case letters (first character = lowest bit) index `_SUFFIX`."""
    flags = id15[:15].translate(_CASE_BITS)
    if len(flags) == 15:  # the usual case, an alphanumeric id: every chunk's flags are five 0s and 1s
        try:
            return _CHUNK_SUFFIX[flags[:5]] + _CHUNK_SUFFIX[flags[5:10]] + _CHUNK_SUFFIX[flags[10:]]
        except KeyError:  # a character outside [A-Za-z0-9] was left as it was
            pass
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
    if ID18.fullmatch(any_id):
        if checksum(any_id[:15]) != any_id[15:]:
            raise ValueError(f"bad checksum in id {any_id!r}")
        return any_id
    if not ID15.fullmatch(any_id):
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
    return to18(prefix + "5g" + random_b62(10))  # uniform over the same 62 characters, one `os.urandom` call

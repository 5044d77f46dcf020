"""Reading Own request bodies the way real clients send them: forms, multipart or JSON; repeated keys,
comma lists or JSON arrays for lists; loose booleans (``true``, ``True``, ``1``, ``yes``). Errors name the field."""

from __future__ import annotations

from typing import Any

from ..http.forms import BadBody, Params, parse_json
from .errors import bad_request

_TRUE = ("true", "1", "yes", "on", "t", "y")
_FALSE = ("false", "0", "no", "off", "f", "n")


class BodyAndQuery(Params):
    """The body's fields and the query string's (S13 sends the legacy login in the query, S6 in the body). A field
    in both with the same values is read once; with different values it is in `conflicts`, and reading it is a 400
    (as ambiguous as a repeat: no precedence is documented), while a conflicting field the endpoint ignores is fine."""

    __slots__ = ("conflicts",)

    def __init__(self, body: Params, query: Params) -> None:
        super().__init__([*body.items(), *((k, v) for k, v in query.items() if k not in body)])
        given = query.keys()  # Params is not iterable
        self.conflicts = frozenset(k for k in given if k in body and body.getlist(k) != query.getlist(k))


def _agreed(params: Params, name: str) -> None:
    if isinstance(params, BodyAndQuery) and name in params.conflicts:
        raise bad_request(f"{name} is given in the body and the query string with different values")


def single(params: Params, name: str) -> str | None:
    """A field of one value, as sent; given several (repeated keys, a JSON array) it is refused, not read as the
    first."""
    _agreed(params, name)
    if len(params.getlist(name)) > 1:
        raise bad_request(f"{name} takes one value, not a list")
    return params.get(name)


def text(params: Params, name: str, *, required: bool = False) -> str | None:
    value = single(params, name)
    if value is None or not value.strip():
        if required:
            raise bad_request(f"{name} is required")
        return None
    return value.strip()


def boolean(params: Params, name: str, *, required: bool = False, default: bool = False) -> bool:
    value = text(params, name, required=required)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise bad_request(f"{name} must be a boolean (true or false)")


def integer(params: Params, name: str, *, required: bool = False) -> int | None:
    value = text(params, name, required=required)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise bad_request(f"{name} must be a positive integer")
    return int(value)


def choice(params: Params, name: str, options: tuple[str, ...], *, default: str | None = None) -> str | None:
    value = text(params, name, required=default is None)
    if value is None:
        return default
    if value.lower() not in options:
        raise bad_request(f"{name} must be one of {','.join(options)}")
    return value.lower()


def names(params: Params, name: str) -> list[str]:
    """A list field: repeated keys (``objects=a&objects=b``), ``objects[]``, comma lists or a JSON array."""
    _agreed(params, name)
    _agreed(params, name + "[]")
    out: list[str] = []
    for raw in params.getlist(name) + params.getlist(name + "[]"):
        raw = raw.strip()
        if raw.startswith("["):
            try:
                loaded: Any = parse_json(raw)
            except BadBody:
                raise bad_request(f"{name} must be a list of names") from None
            if not isinstance(loaded, list) or not all(isinstance(x, str) for x in loaded):
                raise bad_request(f"{name} must be a list of names")
            out.extend(x.strip() for x in loaded)
        else:
            out.extend(part.strip() for part in raw.split(","))
    return [x for x in dict.fromkeys(out) if x]

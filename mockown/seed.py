"""Seed data: YAML / JSON documents that create orgs, users, apps (and each API's own state).

A document has one section per API (`salesforce:`, `own:`, ...), each loaded by that API's seeder.
`seed_document()` returns the credentials it created, so a caller (control plane, pytest plugin, CLI
banner) can hand them to clients. Ids that a document leaves out are generated, valid and fresh.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import os
import pickle
import re
from collections.abc import Callable, Collection
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clock import parse_duration
from .config import ConfigError
from .http.headers import host_name

if TYPE_CHECKING:
    from .runtime import Runtime

Seeder = Callable[["Runtime", Any], Any]


class SeedError(ValueError):
    """A seed document that cannot be loaded; the message says where."""


# -- the types of seed values: each helper refuses a value of another JSON type (a SeedError naming `where`, the
# field) instead of coercing it (a string where a list belongs was taken character by character, a mapping where
# text belongs stored as its repr, `active: "false"` was true). None (null, or a key left out) is the default.
def _shown(value: Any) -> str:
    if value is None:
        return "null"
    kind = ("a boolean" if isinstance(value, bool) else "a number" if isinstance(value, int | float)
            else "a string" if isinstance(value, str) else "a list" if isinstance(value, list)
            else "a mapping" if isinstance(value, dict) else f"a {type(value).__name__}")  # fmt: skip
    shown = repr(value)
    return f"{kind} ({shown[:40]}{'...' if len(shown) > 40 else ''})"


def _refuse(where: str, expected: str, value: Any) -> SeedError:
    return SeedError(f"{where} must be {expected}, not {_shown(value)}")


def text(value: Any, where: str, default: str | None = None) -> str:
    """A string. A whole number is taken as its digits (YAML reads `password: 1234` or an id as a number) and a
    YAML date as its ISO text; None is `default` (refused without one)."""
    if value is None and default is not None:
        return default
    if isinstance(value, str):
        return value
    if (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, datetime.date):
        return str(value)
    raise _refuse(where, "a string", value)


def opt_text(value: Any, where: str) -> str | None:
    """`text`, or None for None (a field whose null means "none": a public client's secret, ...)."""
    return None if value is None else text(value, where)


_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")


def opt_host(value: Any, where: str) -> str | None:
    """A host name (``acme.my.salesforce.com``) as a request's `Host` is matched against it: lower-case, without
    the final dot (`http.headers.host_name`); None or "" for none. Refused: what no `Host` could name (a scheme,
    a port, a path, spaces, an empty label), which would never match a request."""
    name = opt_text(value, where)
    if not name:
        return name
    host = host_name(name)
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in host.split(".")):
        raise _refuse(where, "a host name such as acme.my.salesforce.com (no scheme, port, path or spaces)", value)
    return host


def text_list(value: Any, where: str, default: list[str] | None = None) -> list[str]:
    """A list of strings (`text` each); None is `default` (else an empty list)."""
    if value is None:
        return list(default or [])
    if not isinstance(value, list):
        raise _refuse(where, "a list of strings", value)
    return [text(item, f"{where}[{i}]") for i, item in enumerate(value)]


def flag(value: Any, where: str, default: bool) -> bool:
    """true or false (not "false", not 0); None is `default`."""
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _refuse(where, "true or false", value)
    return value


def whole(value: Any, where: str, default: int | None = None, *, digits: bool = False) -> int:
    """A whole number (not a boolean, not 2.5); with `digits`, also its digits as a string (ids: `id: "1001"`).
    None is `default` (refused without one)."""
    if value is None and default is not None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if digits and isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    raise _refuse(where, "a whole number (or its digits)" if digits else "a whole number", value)


def whole_between(value: Any, where: str, low: int, high: int, default: int | None = None) -> int:
    """`whole`, from `low` to `high` (both included)."""
    number = whole(value, where, default)
    if not low <= number <= high:
        raise SeedError(f"{where} must be between {low} and {high}, not {number}")
    return number


def unknown_fields(data: dict[Any, Any], allowed: Collection[str], where: str) -> list[str]:
    """The keys of the mapping `data` that `allowed` does not name, sorted. A key that is not text (YAML reads `1:`,
    `null:` or a `!!binary` key as another type) is refused first, naming `where`: sorting it with the text keys
    was a TypeError (a 500, or a message that did not say where)."""
    for key in data:
        if not isinstance(key, str):
            raise SeedError(f"{where}: a field name must be text, not {_shown(key)}")
    return sorted(set(data) - set(allowed))


def items(value: Any, where: str) -> list[Any]:
    """A list (of items each seeder checks); None is an empty list."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise _refuse(where, "a list", value)
    return value


def duration(value: Any, where: str, default: float) -> float:
    """Seconds, 0 or more: a number, or text such as "2h", "15m", "181d"; None is `default`."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _refuse(where, "a duration (seconds, or text such as '2h')", value)
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise SeedError(f"{where}: {exc}") from None
    if seconds < 0:  # a timeout or a TTL: "-5" made sessions and tokens dead at once, where "-5m" was refused
        raise SeedError(f"{where}: not a duration: {value!r} (a timeout or lifetime is 0 seconds or more)")
    return seconds


def _seeders() -> dict[str, Seeder]:
    from .salesforce.seed import seed_salesforce

    table: dict[str, Seeder] = {"salesforce": seed_salesforce}
    from .own.seed import seed_own

    table["own"] = seed_own
    from .b2c.seed import seed_b2c
    from .marketing.seed import seed_marketing

    table.update(marketing=seed_marketing, b2c=seed_b2c)
    return table


@functools.cache
def default_fixtures() -> Path:
    packaged = resources.files("mockown") / "_fixtures" / "default.yaml"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "fixtures" / "default.yaml"


_PARSED: dict[tuple[str, int, int], bytes] = {}  # (path, mtime, size) -> the parsed document, pickled

# The shipped default seed, parsed at development time (`make fixtures` writes it), so that a start-up does not
# load PyYAML (~13 ms of imports and parsing). It stands for the YAML file whose bytes have its SHA-256, and for
# no other: an edited default.yaml is parsed as YAML (`tests/core/test_seed_file.py` says when to remake it).
DEFAULT_TWIN = Path(__file__).with_name("_default_seed.json")


def _twin_document(data: bytes) -> Any:
    """The parsed document `DEFAULT_TWIN` holds, if it was made from exactly `data`; else None."""
    try:
        twin = json.loads(DEFAULT_TWIN.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(twin, dict) or twin.get("sha256") != hashlib.sha256(data).hexdigest():
        return None
    return twin.get("document")


def write_default_twin() -> Path:
    """Write `DEFAULT_TWIN` from the shipped default.yaml (`make fixtures`)."""
    data = default_fixtures().read_bytes()
    twin = {"sha256": hashlib.sha256(data).hexdigest(), "document": _parse_yaml(data.decode("utf-8"))}
    DEFAULT_TWIN.write_text(json.dumps(twin, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return DEFAULT_TWIN


def _parse_yaml(text: str) -> Any:
    """A YAML document, read by `yaml_loader()`; a YAML error as a ValueError."""
    import yaml

    try:
        return yaml.load(text, Loader=yaml_loader()) or {}  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from exc


_INT, _FLOAT, _TIMESTAMP = (f"tag:yaml.org,2002:{name}" for name in ("int", "float", "timestamp"))
# the plain decimal forms that stay numbers (a float has its point, as in YAML 1.1; an exponent its sign)
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_PLAIN_FLOAT = re.compile(
    r"(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
)


@functools.cache
def yaml_loader() -> Any:
    """The loader of seed documents (files and `POST /_mockown/seed`): YAML's safe loader (libyaml's when it is
    there, ~15x faster) whose implicit numbers and dates keep the text as written unless it is a plain decimal
    number: YAML 1.1 read `password: 0123` as the octal 83, `0000` as 0, `0x1F` as 31, `1:20` as the sexagesimal
    80 and `1_000` as 1000, and a text field then stored those digits; a timestamp became a `datetime` written
    back in another form. `5`, `-3`, `2.5`, `1.5e+3` and `.inf` are numbers as before (a numeric field refuses
    the text it now gets, naming it), `true`/`yes` booleans, and an explicit tag (`!!int x`) is read as before.
    Only the implicit resolvers change. PyYAML is imported here, on first need: a start-up that reads no YAML
    does not load it."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader: Any = type("SeedLoader", (base,), {})
    loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT, _TIMESTAMP)]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    loader.add_implicit_resolver(_INT, _PLAIN_INT, list("-+0123456789"))
    loader.add_implicit_resolver(_FLOAT, _PLAIN_FLOAT, list("-+0123456789."))
    return loader


def seed_file_key(path: str | Path | None) -> tuple[str, int, int] | None:
    """What identifies a version of a seed file (path, mtime, size); None when it cannot be read."""
    path = path or default_fixtures()
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (os.path.abspath(path), stat.st_mtime_ns, stat.st_size)


def read_document(path: str | Path) -> dict[str, Any]:
    """The seed file as a fresh document. Parsed once per process and file version (every `create_app()`
    of a test suite reads the same fixtures), then handed out as a new copy each time."""
    try:
        stat = os.stat(path)
        key = (os.path.abspath(path), stat.st_mtime_ns, stat.st_size)
        cached = _PARSED.get(key)
        if cached is not None:
            copy: dict[str, Any] = pickle.loads(cached)  # noqa: S301 - bytes this process pickled itself
            return copy
        raw = Path(path).read_bytes()
        data = _twin_document(raw)
        if data is None:
            data = _parse_yaml(raw.decode("utf-8"))
    except (OSError, ValueError) as exc:  # a YAML error, or text that is not UTF-8
        raise SeedError(f"cannot read seed file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise SeedError(f"seed file {path} must hold a mapping")
    if len(_PARSED) >= 32:
        _PARSED.clear()
    _PARSED[key] = pickle.dumps(data)
    return data


def seed_document(runtime: Runtime, document: dict[str, Any]) -> dict[str, Any]:
    seeders = _seeders()
    unknown = unknown_fields(document, seeders, "the seed document")
    if unknown:
        raise SeedError(f"unknown seed section {unknown[0]!r} (known: {', '.join(sorted(seeders))})")
    created: dict[str, Any] = {}
    with runtime.store.all_or_nothing():  # a document that fails part-way leaves nothing behind
        for section, body in document.items():
            try:
                created[section] = seeders[section](runtime, body)
            except (SeedError, ConfigError):  # a setting the section's service refuses stays a config error
                raise
            except (TypeError, ValueError, AttributeError) as exc:  # e.g. a number where a list belongs
                raise SeedError(f"{section}: a value of the wrong type or form ({exc})") from exc
    return created


def load_seed_file(runtime: Runtime, path: str | Path | None) -> dict[str, Any]:
    return seed_document(runtime, read_document(path or default_fixtures()))

"""Seed data: YAML / JSON documents that create orgs, users, apps (and each API's own state).

A document has one section per API (`salesforce:`, `own:`, ...), each loaded by that API's seeder.
`seed_document()` returns the credentials it created, so a caller (control plane, pytest plugin, CLI
banner) can hand them to clients. Ids that a document leaves out are generated, valid and fresh.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import ConfigError

if TYPE_CHECKING:
    from .runtime import Runtime

Seeder = Callable[["Runtime", Any], Any]


class SeedError(ValueError):
    """A seed document that cannot be loaded; the message says where."""


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
    """A YAML document, with libyaml's safe loader when it is there (~15x faster); a YAML error as a ValueError.
    PyYAML is imported here, on first need: a start-up that reads no YAML does not load it."""
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}  # noqa: S506 - safe
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from exc


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
    unknown = sorted(set(document) - set(seeders))
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

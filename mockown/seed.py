"""Seed data: YAML / JSON documents that create orgs, users, apps (and each API's own state).

A document has one section per API (`salesforce:`, `own:`, ...), each loaded by that API's seeder.
`seed_document()` returns the credentials it created, so a caller (control plane, pytest plugin, CLI
banner) can hand them to clients. Ids that a document leaves out are generated, valid and fresh.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

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


def default_fixtures() -> Path:
    packaged = resources.files("mockown") / "_fixtures" / "default.yaml"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "fixtures" / "default.yaml"


def read_document(path: str | Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"cannot read seed file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise SeedError(f"seed file {path} must hold a mapping")
    return data


def seed_document(runtime: Runtime, document: dict[str, Any]) -> dict[str, Any]:
    seeders = _seeders()
    unknown = sorted(set(document) - set(seeders))
    if unknown:
        raise SeedError(f"unknown seed section {unknown[0]!r} (known: {', '.join(sorted(seeders))})")
    created: dict[str, Any] = {}
    with runtime.store.atomic():
        for section, body in document.items():
            created[section] = seeders[section](runtime, body)
    return created


def load_seed_file(runtime: Runtime, path: str | Path | None) -> dict[str, Any]:
    return seed_document(runtime, read_document(path or default_fixtures()))

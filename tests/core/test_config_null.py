"""A YAML `null` (`~`, or nothing after the colon) or a Python None leaves a setting unset, at its default, as README
says ("every key is optional"; null "leaves a setting unset"), whatever its type. `_coerce` made `str(None)` of it:
`rest_www_authenticate: ~` sent `WWW-Authenticate: None` on every REST 401, `host: ~` listened on "None",
`log_level: ~` was refused as "not 'None'", which nobody wrote. A section whose keys are all commented out (YAML null)
stopped the start with "salesforce must be a mapping"."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

DEFAULT = Config()


def _leaves(section: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every setting, by dotted name, with its default value."""
    found: list[tuple[str, Any]] = []
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        if dataclasses.is_dataclass(value):
            found += _leaves(value, f"{prefix}{f.name}.")
        else:
            found.append((f"{prefix}{f.name}", value))
    return found


SETTINGS = _leaves(DEFAULT)
SECTIONS = [
    f"{p}{f.name}"
    for p, cls in [("", Config), ("salesforce.", type(DEFAULT.salesforce)), ("b2c.", type(DEFAULT.b2c))]
    for f in dataclasses.fields(cls)
    if dataclasses.is_dataclass(getattr(DEFAULT if not p else getattr(DEFAULT, p[:-1]), f.name))
]


def _read(config: Config, name: str) -> Any:
    value: Any = config
    for part in name.split("."):
        value = getattr(value, part)
    return value


def _nested(name: str, value: Any) -> dict[str, Any]:
    *sections, key = name.split(".")
    out: dict[str, Any] = {key: value}
    for section in reversed(sections):
        out = {section: out}
    return out


def _yaml_null(name: str, null: str) -> str:
    *sections, key = name.split(".")
    lines = [f"{'  ' * depth}{section}:" for depth, section in enumerate(sections)]
    lines.append(f"{'  ' * len(sections)}{key}:{null}")
    return "\n".join(lines) + "\n"


def test_every_setting_is_found() -> None:
    assert len(SETTINGS) > 150
    assert {"salesforce", "own", "marketing", "b2c", "salesforce.wording", "b2c.ocapi_faults"} <= set(SECTIONS)


@pytest.mark.parametrize(("name", "default"), SETTINGS)
@pytest.mark.parametrize("null", [" ~", " null", ""])
def test_a_yaml_null_leaves_every_setting_at_its_default(tmp_path: Path, name: str, default: Any, null: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(_yaml_null(name, null))
    assert _read(Config.load(file=path, env={}), name) == default


@pytest.mark.parametrize(("name", "default"), SETTINGS)
def test_a_none_override_leaves_every_setting_at_its_default(name: str, default: Any) -> None:
    assert _read(Config.load(env={}, overrides=_nested(name, None)), name) == default


@pytest.mark.parametrize("name", SECTIONS)
def test_a_section_with_every_key_commented_out_is_the_defaults(tmp_path: Path, name: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(_yaml_null(name, "") + "  # daily_api_limit: 5\nport: 9000\n")
    config = Config.load(file=path, env={})
    assert config.port == 9000
    assert _read(config, name) == _read(DEFAULT, name)


def test_an_empty_section_keeps_what_a_lower_layer_set(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("salesforce:\n")
    config = Config.load(file=path, env={}, defaults={"salesforce": {"daily_api_limit": 7}})
    assert config.salesforce.daily_api_limit == 7


def test_a_null_challenge_sends_no_www_authenticate(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("salesforce:\n  rest_www_authenticate: ~\n")
    app = create_app(Config.load(file=path, env={}), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as c:
        r = c.get("/services/data/v62.0/limits", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert "www-authenticate" not in r.headers

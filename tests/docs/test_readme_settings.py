"""Every setting of `Config` (and of each API's settings) is documented in the README."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mockown.config import Config

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _settings() -> list[str]:
    names = []
    for f in dataclasses.fields(Config):
        value = getattr(Config(), f.name)
        if dataclasses.is_dataclass(value):
            for g in dataclasses.fields(value):
                names.append(f"{f.name}.{g.name}")
                inner = getattr(value, g.name)
                if dataclasses.is_dataclass(inner):  # e.g. salesforce.wording.code_reused
                    names += [f"{f.name}.{g.name}.{h.name}" for h in dataclasses.fields(inner)]
        else:
            names.append(f.name)
    return names


def test_every_setting_is_documented() -> None:
    missing = [
        name
        for name in _settings()
        if f"`{name.rsplit('.', 1)[-1]}`" not in README and f"    {name.rsplit('.', 1)[-1]}: " not in README
    ]
    allowed_prefix_forms = {"b2c.slas_invalid_refresh_description", "b2c.slas_invalid_code_description"}
    missing = [m for m in missing if m not in allowed_prefix_forms or "`_description`" not in README]
    assert not missing, f"settings missing from README.md: {missing}"

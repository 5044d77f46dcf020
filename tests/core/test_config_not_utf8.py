"""A setting's text that is not UTF-8 is refused at start, as the command line's options are (exit 2). `os.environ`
hands over bytes that are not UTF-8 as lone surrogates (`MOCKOWN_BASE_URL=$'http://x.test/\\xff'`): they were
accepted, printed in the banner, and every answer carrying them was a 500 (UnicodeEncodeError). A YAML `"\\udcff"`
escape is the same text. A base URL with a control character or DEL is refused too."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mockown import Config
from mockown.cli import main
from mockown.config import ConfigError

BAD = "bad \udcff"  # the byte 0xff as os.environ decodes it (surrogateescape)


def _text_settings(section: Any, prefix: str = "") -> list[str]:
    found: list[str] = []
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        if dataclasses.is_dataclass(value):
            found += _text_settings(value, f"{prefix}{f.name}.")
        elif f.type in ("str", "str | None"):
            found.append(f"{prefix}{f.name}")
    return found


TEXT = _text_settings(Config())


def _env(name: str, value: str) -> dict[str, str]:
    return {"MOCKOWN_" + name.upper().replace(".", "__"): value}


def test_the_text_settings_are_found() -> None:
    assert {"base_url", "admin_token", "salesforce.wording.code_invalid", "b2c.ocapi_faults.session_message"} <= set(
        TEXT
    )
    assert len(TEXT) > 60


@pytest.mark.parametrize("name", TEXT)
def test_text_that_is_not_utf8_is_refused_naming_the_setting(name: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{re.escape(name)} is not UTF-8 text"):
        Config.load(env=_env(name, BAD))


def test_a_yaml_surrogate_escape_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text('salesforce:\n  wording:\n    code_invalid: "bad \\udcff"\n')
    with pytest.raises(ConfigError, match=r"^salesforce\.wording\.code_invalid is not UTF-8 text"):
        Config.load(file=path, env={})


def test_a_variable_name_that_is_not_utf8_is_refused_printably() -> None:
    with pytest.raises(ConfigError, match=r"^MOCKOWN_\\xff is not a setting") as refused:
        Config.load(env={"MOCKOWN_\udcff": "1"})
    str(refused.value).encode("utf-8")  # printable on any terminal


@pytest.mark.parametrize("url", ["http://x.test/p\x7f", "http://x.test/p\x01", "http://x.test/\u200f"])
def test_a_base_url_with_a_control_character_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match=r"^base_url must be scheme, host, port and path only"):
        Config.load(env={"MOCKOWN_BASE_URL": url})


def test_serve_refuses_them_with_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mockown.serving.uvicorn_serve", lambda app, sock, **options: None)  # never serves
    for env in ({"MOCKOWN_BASE_URL": "http://x.test/\udcff"}, {"MOCKOWN_SALESFORCE__WORDING__CODE_INVALID": BAD}):
        result = CliRunner().invoke(main, ["serve", "--port", "0"], env=env)
        assert result.exit_code == 2, result.output
        assert "is not UTF-8 text" in result.stderr
        assert "listening on" not in result.stdout

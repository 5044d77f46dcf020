"""Small rules of the configuration surface, each of which let a value through silently:
- `body_timeout` / `shutdown_timeout` had no upper bound (`inf`, `1e308`), though every duration is at most 1,000
  years;
- a key written twice in a config file was taken silently (the last one), and so was a setting written in two
  spellings (`log_level` and `log-level`), though "nothing is ignored";
- `-` was read as `_` at the top level only: `salesforce: {daily-api-limit: 5}` was an unknown setting;
- `admin_token: =` was "could not determine a constructor" (YAML's `value` tag), though values are read as written;
- a Python `True` for a float setting was 1.0, while int settings refuse a boolean."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockown import Config
from mockown.config import ConfigError


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", ["body_timeout", "shutdown_timeout"])
@pytest.mark.parametrize("value", ["inf", "1e308", "31557600001"])
def test_a_timeout_is_at_most_1000_years(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{name} must be at most 1000 years \(31557600000 seconds\), not "):
        Config.load(env={f"MOCKOWN_{name.upper()}": value})
    assert getattr(Config.load(env={f"MOCKOWN_{name.upper()}": "31557600000"}), name) == 31557600000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("port: 1\nport: 2\n", "'port' is given twice"),
        ("salesforce:\n  daily_api_limit: 1\n  daily_api_limit: 2\n", "'daily_api_limit' is given twice"),
        ("salesforce: {}\nsalesforce:\n  daily_api_limit: 2\n", "'salesforce' is given twice"),
    ],
)
def test_a_key_written_twice_in_a_config_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=rf"(?s)^cannot read config file .*{message}"):
        Config.load(file=_file(tmp_path, text), env={})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("log_level: debug\nlog-level: error\n", "log_level is given twice: as 'log_level' and as 'log-level'"),
        ("own:\n  token-conflict: replace\n  token_conflict: refuse\n", "own.token_conflict is given twice"),
    ],
)
def test_a_setting_in_two_spellings_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{message}"):
        Config.load(file=_file(tmp_path, text), env={})


def test_a_merge_key_may_still_be_overridden(tmp_path: Path) -> None:
    text = "salesforce: &sf\n  daily_api_limit: 9\nb2c:\n  <<: {am_code_ttl: 5}\n  am_code_ttl: 6\n"
    config = Config.load(file=_file(tmp_path, text), env={})
    assert (config.salesforce.daily_api_limit, config.b2c.am_code_ttl) == (9, 6)


def test_a_hyphen_is_an_underscore_at_every_depth(tmp_path: Path) -> None:
    text = "log-level: debug\nsalesforce:\n  daily-api-limit: 5\n  wording:\n    code-invalid: nope\n"
    config = Config.load(file=_file(tmp_path, text), env={})
    assert (config.log_level, config.salesforce.daily_api_limit) == ("debug", 5)
    assert config.salesforce.wording.code_invalid == "nope"
    overridden = Config.load(env={}, overrides={"b2c": {"ocapi-faults": {"auth-failed-status": 403}}})
    assert overridden.b2c.ocapi_faults.auth_failed_status == 403


@pytest.mark.parametrize("written", ["=", "'='"])
def test_an_equals_sign_is_text_as_written(tmp_path: Path, written: str) -> None:
    config = Config.load(file=_file(tmp_path, f"admin_token: {written}\n"), env={})
    assert config.admin_token == "="


@pytest.mark.parametrize("name", ["body_timeout", "shutdown_timeout"])
@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_no_float(name: str, value: bool) -> None:
    with pytest.raises(ConfigError, match=rf"^{name}: {value} is not a valid float$"):
        Config.load(env={}, overrides={name: value})

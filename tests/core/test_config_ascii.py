"""Settings are read in ASCII: a number in ASCII digits, without a Python literal's underscores, and a header-bound
text (`b2c.am_rate_limit`, `salesforce.rest_www_authenticate`) as one line of printable ASCII. `\\d` and `\\s`
(Unicode in a `str` pattern) and `int()` / `float()` read other scripts' digits and spaces: `am_rate_limit` "٤٠٠"
or "400,\\n400" started, then every Account Manager answer was a 500 or no answer at all (a line break in the
`x-ratelimit-limit` header); `MOCKOWN_PORT=٨٠٨٠` or `8_080` was port 8080, `polls:٣` three polls."""

from __future__ import annotations

import dataclasses
import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.cli import main
from mockown.config import ConfigError
from mockown.http.inprocess import in_process_client
from tests.b2c.test_account_manager import CID, SECRET, am_token, basic

# 400 in Arabic-Indic, Devanagari, full-width and mathematical digits
OTHER_DIGITS = ["\u0664\u0660\u0660", "\u096a\u0966\u0966", "\uff14\uff10\uff10", "\U0001d7d2\U0001d7ce\U0001d7ce"]
BAD_POLICIES = [*OTHER_DIGITS, "400,\n400", "400,\r\n400", "400,\x0b400", "400 ,\u2003400", "400,\x85400", "400\n"]


@pytest.mark.parametrize("value", BAD_POLICIES)
def test_a_rate_policy_beyond_ascii_is_refused_at_start(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^b2c\.am_rate_limit must be "):
        Config.load(env={"MOCKOWN_B2C__AM_RATE_LIMIT": value})
    with pytest.raises(ConfigError, match=r"^b2c\.am_rate_limit must be "):
        Config.load(overrides={"b2c": {"am_rate_limit": value}})


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789;w=, \t\r\n\x0b\x0c\x85\u2003\u0664\u096a"), max_size=20))
def test_every_rate_policy_accepted_is_a_header_value(value: str) -> None:
    try:
        config = Config.load(env={"MOCKOWN_B2C__AM_RATE_LIMIT": value})
    except ConfigError:
        return
    assert config.b2c.am_rate_limit.isascii() and config.b2c.am_rate_limit.isprintable()
    assert all(ch in "0123456789;w=, " for ch in value)


def test_an_accepted_policy_goes_out_as_the_header() -> None:
    config = Config.load(env={"MOCKOWN_B2C__AM_RATE_LIMIT": "400 , 400;w=60"})
    with in_process_client(create_app(config, clock=FrozenClock("2026-01-01T00:00:00Z"))) as c:
        r = am_token(c, {"grant_type": "client_credentials"}, basic(CID, SECRET))
    assert r.status_code == 200, r.text
    assert r.headers["x-ratelimit-limit"] == "400 , 400;w=60"


@pytest.mark.parametrize("name", ["salesforce.rest_www_authenticate", "b2c.am_rate_limit"])
@pytest.mark.parametrize("value", ["Bearer\nX-Injected: 1", "Bearer \x7f", "Bearer \u00e9"])
def test_every_header_bound_setting_is_one_line_of_printable_ascii(name: str, value: str) -> None:
    section, _, key = name.partition(".")
    with pytest.raises(ConfigError, match=rf"^{re.escape(name)} must be "):
        Config.load(overrides={section: {key: value}})


def _int_and_float_settings(cls: type = Config, prefix: str = "") -> list[tuple[str, type]]:
    found: list[tuple[str, type]] = []
    for f in dataclasses.fields(cls):
        default = getattr(cls(), f.name)
        if dataclasses.is_dataclass(default):
            found += _int_and_float_settings(type(default), f"{prefix}{f.name}.")
        elif f.type in ("int", "float"):
            found.append((f"{prefix}{f.name}", int if f.type == "int" else float))
    return found


NUMBERS = _int_and_float_settings()


def _env(name: str, value: str) -> dict[str, str]:
    return {"MOCKOWN_" + name.upper().replace(".", "__"): value}


def test_the_number_settings_are_found() -> None:
    names = [name for name, _ in NUMBERS]
    assert {"port", "body_timeout", "salesforce.daily_api_limit", "b2c.am_rate_limit_per_minute"} <= set(names)
    assert len(names) > 40


@pytest.mark.parametrize(("name", "kind"), NUMBERS)
@pytest.mark.parametrize("written", ["\u0663", "\uff13", "1_0", "\u20031"])
def test_a_number_setting_is_read_in_ascii_digits_only(name: str, kind: type, written: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{re.escape(name)}: .* is not a valid {kind.__name__}$"):
        Config.load(env=_env(name, written))


def test_a_number_in_ascii_with_spaces_around_it_is_still_read() -> None:
    assert Config.load(env={"MOCKOWN_PORT": " 8081 "}).port == 8081
    assert Config.load(env={"MOCKOWN_BODY_TIMEOUT": "2.5"}).body_timeout == 2.5


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MOCKOWN_OWN__JOB_MODE": "polls:\u0663"}, "own.job_mode"),
        ({"MOCKOWN_OWN__JOB_MODE": "polls:1_0"}, "own.job_mode"),
        ({"MOCKOWN_OWN__BACKUP_MODE": "seconds:1_0"}, "own.backup_mode"),
        ({"MOCKOWN_OWN__API_TOKEN_TTL": "1_000"}, "own.api_token_ttl"),
        ({"MOCKOWN_FROZEN_AT": "\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660"}, "frozen_at"),
        ({"MOCKOWN_FROZEN_AT": "1_700_000_000"}, "frozen_at"),
        ({"MOCKOWN_FROZEN_AT": "2026-01-01T00:00:00\u2003"}, "frozen_at"),
    ],
)
def test_job_modes_durations_and_instants_are_read_in_ascii(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{re.escape(message)}: "):
        Config.load(env=env)


@pytest.mark.parametrize("option", ["--port", "--workers"])
@pytest.mark.parametrize("written", ["\u0668\u0660\u0668\u0660", "8_080"])
def test_the_command_line_reads_numbers_in_ascii_digits(
    option: str, written: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mockown.serving.uvicorn_serve", lambda app, sock, **options: None)  # never serves
    result = CliRunner().invoke(main, ["serve", "--port", "0", option, written])
    assert result.exit_code == 2, result.output
    assert "is not a valid integer" in result.stderr

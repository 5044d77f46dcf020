"""Own settings out of their range stop the start with a message naming them (README §Configuration: "An unknown or
malformed setting stops the start"). They used to be accepted and break behaviour: `events_page_size` -1 dropped the
newest event and 0 gave empty pages forever; `access_token_ttl` 0 made every exchange `invalid_grant`; a NaN or
negative `propagation_delay`, a negative `profile_session_ttl` or `api_token_ttl` were taken as they were; an
`access_token_ttl` beyond the years a clock can show made a snapshot that `/_mockown/restore` refuses."""

from __future__ import annotations

import pytest

from mockown.config import Config, ConfigError

TOO_LONG = 1000 * 365.25 * 86400 + 1  # past the 1,000 years a duration may last (clock.LONGEST)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("events_page_size", "0", r"^own\.events_page_size must be at least 1, not 0"),
        ("events_page_size", "-1", r"^own\.events_page_size must be at least 1, not -1"),
        (
            "access_token_ttl",
            "0",
            r"^own\.access_token_ttl must be from 1 second to 1000 years \(31557600000 seconds\), not 0$",
        ),
        ("access_token_ttl", "-3600", r"^own\.access_token_ttl must be from 1 second"),
        ("access_token_ttl", str(int(TOO_LONG)), r"^own\.access_token_ttl must be from 1 second to 1000 years"),
        ("profile_session_ttl", "0", r"^own\.profile_session_ttl must be from 1 second"),
        ("profile_session_ttl", "-1", r"^own\.profile_session_ttl must be from 1 second"),
        ("profile_session_ttl", str(int(TOO_LONG)), r"^own\.profile_session_ttl must be from 1 second"),
        (
            "propagation_delay",
            "-1",
            r"^own\.propagation_delay must be a number of seconds from 0 to 1000 years, not -1",
        ),
        (
            "propagation_delay",
            "nan",
            r"^own\.propagation_delay must be a number of seconds from 0 to 1000 years, not nan",
        ),
        ("propagation_delay", "inf", r"^own\.propagation_delay must be a number of seconds from 0"),
        ("propagation_delay", "-inf", r"^own\.propagation_delay must be a number of seconds from 0"),
        ("propagation_delay", str(TOO_LONG), r"^own\.propagation_delay must be a number of seconds from 0"),
        ("api_token_ttl", "0", r"^own\.api_token_ttl must be at least 1 second, not '0'"),
        ("api_token_ttl", "-5", r"^own\.api_token_ttl must be at least 1 second, not '-5'"),
        ("api_token_ttl", "0.5", r"^own\.api_token_ttl must be at least 1 second"),
    ],
)
def test_an_own_setting_out_of_range_stops_the_start(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.load(env={f"MOCKOWN_OWN__{name.upper()}": value})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("events_page_size", -1),
        ("access_token_ttl", 0),
        ("propagation_delay", float("nan")),
        ("profile_session_ttl", -5),
    ],
)
def test_a_config_made_in_code_is_checked_too(name: str, value: object) -> None:
    with pytest.raises(ConfigError, match=rf"^own\.{name} "):
        Config().replace(own={name: value})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("events_page_size", 1),
        ("access_token_ttl", 1),
        ("access_token_ttl", int(TOO_LONG) - 1),
        ("profile_session_ttl", 1),
        ("propagation_delay", 0.0),
        ("propagation_delay", 0.5),
        ("api_token_ttl", "1s"),
        ("api_token_ttl", "1000w"),
    ],
)
def test_the_edges_of_each_range_are_accepted(name: str, value: object) -> None:
    assert getattr(Config().replace(own={name: value}).own, name) == value

"""Numeric settings outside Own out of their range stop the start with a ConfigError naming the setting and its
range (as `_check_own` does for Own's). They used to start and break behaviour: `api_version_min` 70 made
`/services/data` empty and every REST version a 404; negative TTLs issued tokens already expired; a NaN window
compared false with everything; `am_rate_limit` "garbage" went out as the `x-ratelimit-limit` header."""

from __future__ import annotations

import pytest

from mockown.config import Config, ConfigError

LONG = str(int(1000 * 365.25 * 86400) + 1)  # past the 1,000 years a duration may last (clock.LONGEST)

AT_LEAST_ONE = [
    "salesforce.device_code_ttl", "salesforce.asset_token_ttl", "salesforce.web_session_ttl",
    "marketing.access_token_ttl", "marketing.code_ttl", "marketing.legacy_expires_in",
    "b2c.am_expires_in", "b2c.am_implicit_expires_in", "b2c.am_code_ttl", "b2c.bm_expires_in", "b2c.ocapi_token_ttl",
    "b2c.slas_expires_in", "b2c.slas_guest_refresh_ttl", "b2c.slas_registered_refresh_ttl", "b2c.slas_code_ttl",
]  # fmt: skip
AT_LEAST_ZERO = [
    "salesforce.device_interval", "salesforce.jwt_skew", "salesforce.slo_redirect_delay",
    "marketing.refresh_token_ttl", "marketing.refresh_grace", "marketing.propagation_delay",
    "b2c.am_refresh_ttl", "b2c.slas_login_conflict_window",
]  # fmt: skip
COUNTS = [
    "b2c.am_rate_limit_per_minute",
    "b2c.slas_rate_limit_1m",
    "b2c.slas_rate_limit_5m",
    "b2c.slas_jwks_per_minute",
]


def _env(name: str, value: str) -> dict[str, str]:
    return {"MOCKOWN_" + name.upper().replace(".", "__"): value}


@pytest.mark.parametrize("name", AT_LEAST_ONE)
@pytest.mark.parametrize("value", ["0", "-1", LONG])
def test_a_lifetime_is_from_one_second_to_1000_years(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{name} must be from 1 second to 1000 years .*, not {value}(\.0)?$"):
        Config.load(env=_env(name, value))
    Config.load(env=_env(name, "1"))


@pytest.mark.parametrize("name", AT_LEAST_ZERO)
@pytest.mark.parametrize("value", ["-1", "-100", LONG])
def test_a_delay_is_from_zero_to_1000_years(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{name} must be from 0 seconds to 1000 years .*, not {value}(\.0)?$"):
        Config.load(env=_env(name, value))
    Config.load(env=_env(name, "0"))


def test_a_nan_window_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"^b2c\.slas_login_conflict_window must be from 0 seconds .*, not nan$"):
        Config.load(env=_env("b2c.slas_login_conflict_window", "nan"))


@pytest.mark.parametrize("name", COUNTS)
def test_a_count_is_not_negative(name: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{name} must not be negative, not -1$"):
        Config.load(env=_env(name, "-1"))
    Config.load(env=_env(name, "0"))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MOCKOWN_SALESFORCE__API_VERSION_MIN": "70"}, r"^salesforce\.api_version_min \(70\) must not be above"),
        ({"MOCKOWN_SALESFORCE__API_VERSION_MAX": "30"}, r"^salesforce\.api_version_min \(31\) must not be above"),
        ({"MOCKOWN_SALESFORCE__API_VERSION_MIN": "9"}, r"^salesforce\.api_version_min must be from 10 to 99, not 9$"),
        ({"MOCKOWN_SALESFORCE__API_VERSION_MAX": "100"}, r"^salesforce\.api_version_max must be from 10 to 99"),
        ({"MOCKOWN_SALESFORCE__SOAP_LOGIN_MAX_VERSION": "-1"}, r"^salesforce\.soap_login_max_version must be from"),
    ],
)
def test_api_versions_are_those_the_paths_take(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.load(env=env)


@pytest.mark.parametrize("value", ["garbage", "", "400;w=", "400, ", "-1", "400\r\nX: y"])
def test_am_rate_limit_is_a_ratelimit_policy(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^b2c\.am_rate_limit must be "):
        Config.load(env=_env("b2c.am_rate_limit", value))


@pytest.mark.parametrize("value", ["400", "400, 400;w=60, 5000;w=60", "10;w=1,20;w=2"])
def test_a_ratelimit_policy_is_accepted(value: str) -> None:
    assert Config.load(env=_env("b2c.am_rate_limit", value)).b2c.am_rate_limit == value

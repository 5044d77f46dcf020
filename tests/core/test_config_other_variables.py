"""`MOCKOWN_*` variables the README documents for other commands (the contract suite's `MOCKOWN_CONTRACT_*`,
`mockown token`'s `MOCKOWN_OWN_API_TOKEN` and `MOCKOWN_TOKEN_*`, the soak profile's `MOCKOWN_SOAK`, the benchmarks'
`MOCKOWN_BENCH_*`, the browser tests' `MOCKOWN_CHROMIUM`) are not settings: exported in the shell, they made every
`Config.load` (`mockown serve`, Docker, the in-process pytest server) refuse to start with "unknown setting". An
unknown `MOCKOWN_` setting is still an error."""

from __future__ import annotations

import pytest

from mockown.config import Config, ConfigError


@pytest.mark.parametrize(
    "name",
    [
        "MOCKOWN_CONTRACT_ADMIN_TOKEN",
        "MOCKOWN_CONTRACT_SF_CLIENT_ID",
        "MOCKOWN_CONTRACT_OWN_API_TOKEN",
        "MOCKOWN_CONTRACT_B2C_SLAS_URL",
        "MOCKOWN_OWN_API_TOKEN",
        "MOCKOWN_TOKEN_PASSWORD",
        "MOCKOWN_TOKEN_CLIENT_SECRET",
        "MOCKOWN_TOKEN_REFRESH_TOKEN",
        "MOCKOWN_SOAK",
        "MOCKOWN_BENCH_CACHE",
        "MOCKOWN_BENCH_PEER_VERSION",
        "MOCKOWN_CHROMIUM",
        "MOCKOWN_URL",
    ],
)
def test_variables_of_other_commands_are_not_settings(name: str) -> None:
    config = Config.load(env={name: "t", "MOCKOWN_PORT": "9001"})
    assert config.port == 9001 and config == Config.load(env={"MOCKOWN_PORT": "9001"})


@pytest.mark.parametrize(
    ("name", "setting"),
    [("MOCKOWN_CONTRACTS", "contracts"), ("MOCKOWN_OWN_API_TOKENS", "own_api_tokens"), ("MOCKOWN_BENCH", "bench")],
)
def test_an_unknown_setting_is_still_an_error(name: str, setting: str) -> None:
    with pytest.raises(ConfigError, match=f"^unknown setting {setting} "):
        Config.load(env={name: "1"})

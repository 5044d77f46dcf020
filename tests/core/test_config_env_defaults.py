"""`MOCKOWN_DEFAULTS`: settings (a YAML or JSON mapping) below every other source, as the Docker image gives its host,
port and tls_dir, so that a mounted config file and `-e MOCKOWN_*` both win over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockown.config import Config, ConfigError

DEFAULTS = {"MOCKOWN_DEFAULTS": "{host: 0.0.0.0, port: 8080, tls_dir: /data/tls, salesforce: {daily_api_limit: 7}}"}


def test_the_defaults_apply_when_nothing_else_sets_them() -> None:
    config = Config.load(env=DEFAULTS)
    assert (config.host, config.port, config.tls_dir, config.salesforce.daily_api_limit) == (
        "0.0.0.0", 8080, "/data/tls", 7
    )  # fmt: skip


def test_a_config_file_a_variable_and_a_flag_each_win_over_them(tmp_path: Path) -> None:
    conf = tmp_path / "c.yaml"
    conf.write_text("port: 9000\nsalesforce:\n  api_version_max: 60\n")
    assert Config.load(env={**DEFAULTS, "MOCKOWN_CONFIG": str(conf)}).port == 9000
    assert Config.load(file=conf, env=DEFAULTS).salesforce.daily_api_limit == 7  # a section merges
    assert Config.load(file=conf, env={**DEFAULTS, "MOCKOWN_PORT": "9001"}).port == 9001
    assert Config.load(file=conf, env=DEFAULTS, overrides={"port": 9002}).port == 9002
    assert Config.load(env=DEFAULTS, defaults={"port": 9003}).port == 9003  # a caller's defaults too


@pytest.mark.parametrize(
    ("value", "message"),
    [("[1, 2]", "MOCKOWN_DEFAULTS must hold a mapping"), ("{port", "cannot read MOCKOWN_DEFAULTS"),
     ("{prot: 1}", "unknown setting prot")],
)  # fmt: skip
def test_bad_defaults_stop_the_start_naming_the_variable(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.load(env={"MOCKOWN_DEFAULTS": value})

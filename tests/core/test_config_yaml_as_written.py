"""A config file's scalars are read as written, as environment variables are: YAML 1.1's implicit booleans, numbers
and dates no longer rewrite them first (`admin_token: 0123` was the token `83`, so the admin's own token was
refused; `yes` was `True`, `0x1F` was `31`, `1.50` was `1.5`). Numbers, booleans and instants still read as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockown import Config
from mockown.config import ConfigError


@pytest.mark.parametrize("written", ["0123", "yes", "0x1F", "1.50", "1_000", "2026-01-01", "on", ".inf"])
def test_a_text_setting_is_the_text_as_written(tmp_path: Path, written: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(f"admin_token: {written}\nsalesforce:\n  wording:\n    cc_no_user: {written}\n")
    config = Config.load(file=path, env={})
    assert config.admin_token == written
    assert config.salesforce.wording.cc_no_user == written


def test_numbers_booleans_instants_and_null_still_read_as_such(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "port: 9000\nbody_timeout: 0.5\nseed_defaults: no\nfrozen_at: 2026-01-01T00:00:00Z\nadmin_token: ~\n"
        "marketing:\n  pkce: off\n"
    )
    config = Config.load(file=path, env={})
    assert (config.port, config.body_timeout, config.seed_defaults) == (9000, 0.5, False)
    assert config.frozen_at is not None and "2026-01-01" in str(config.frozen_at)
    assert config.admin_token is None
    assert config.marketing.pkce == "off"


def test_a_hex_port_is_no_port(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("port: 0x1F90\n")
    with pytest.raises(ConfigError, match="port"):
        Config.load(file=path, env={})

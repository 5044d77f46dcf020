"""A text setting's value is taken as it is written: `MOCKOWN_ADMIN_TOKEN=null` (or `none`, `None`) is that token,
not "no token" (a control plane the user thought locked was open); only an empty value leaves an optional
setting unset, as a YAML `null` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockown.config import Config


@pytest.mark.parametrize("word", ["null", "none", "None", "NULL"])
def test_a_word_is_the_token_it_says(word: str, tmp_path: Path) -> None:
    assert Config.load(env={"MOCKOWN_ADMIN_TOKEN": word}).admin_token == word
    path = tmp_path / "c.yaml"
    path.write_text(f'admin_token: "{word}"\n')
    assert Config.load(file=path, env={}).admin_token == word
    assert Config.load(env={}, overrides={"admin_token": word}).admin_token == word


def test_empty_or_null_leaves_it_unset(tmp_path: Path) -> None:
    assert Config.load(env={"MOCKOWN_ADMIN_TOKEN": ""}).admin_token is None
    path = tmp_path / "c.yaml"
    path.write_text("admin_token: null\nseed: ~\n")
    config = Config.load(file=path, env={})
    assert config.admin_token is None and config.seed is None

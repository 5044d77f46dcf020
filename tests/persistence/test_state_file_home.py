"""`state_file: ~/h.db` (a config file, `MOCKOWN_STATE_FILE='~/h.db'`: no shell expands `~` there) is the file in
the home directory, as the TLS paths are: it made a literal `./~` directory. The seed file's path likewise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockown import Config, create_app
from mockown.config import ConfigError
from mockown.runtime import Runtime


def runtime_of_app(app: Any) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    return home


@pytest.mark.parametrize("source", ["env", "file", "code"])
def test_a_state_file_under_the_home_directory(home: Path, tmp_path: Path, source: str) -> None:
    if source == "env":
        config = Config.load(env={"MOCKOWN_STATE_FILE": "~/h.db"})
    elif source == "file":
        (tmp_path / "mockown.yaml").write_text("state_file: ~/h.db\n")
        config = Config.load(file=tmp_path / "mockown.yaml", env={})
    else:
        config = Config(state_file="~/h.db")
    assert config.state_file == str(home / "h.db")
    app = create_app(config)
    runtime_of_app(app).store.close()
    assert (home / "h.db").is_file()
    assert not (tmp_path / "work" / "~").exists()


@pytest.mark.parametrize("source", ["env", "file"])
def test_a_seed_file_under_the_home_directory(home: Path, tmp_path: Path, source: str) -> None:
    (home / "seed.yaml").write_text("salesforce:\n  orgs:\n    - name: From Home\n")
    if source == "env":
        config = Config.load(env={"MOCKOWN_SEED": "~/seed.yaml"})
    else:  # not beside the config file, as a relative seed there is
        (tmp_path / "conf").mkdir()
        (tmp_path / "conf" / "mockown.yaml").write_text("seed: ~/seed.yaml\n")
        config = Config.load(file=tmp_path / "conf" / "mockown.yaml", env={})
    assert config.seed == str(home / "seed.yaml")
    app = create_app(config)
    orgs = [org.name for org in runtime_of_app(app).salesforce.orgs.all()]
    assert orgs == ["From Home"]


def test_a_tilde_inside_a_path_is_a_name() -> None:
    assert Config(state_file="./~/h.db").state_file == "./~/h.db"
    with pytest.raises(ConfigError, match="workers"):  # still checked after the expansion
        Config(state_file="", workers=2)

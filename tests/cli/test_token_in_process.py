"""`mockown token` without --url: a fresh in-process server, shaped by the settings that shape its answers, not by
those of a server process (`serve`'s listening address, workers, state file, TLS, log level)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mockown.cli import main


def test_the_server_process_settings_are_not_read(tmp_path: Path) -> None:
    state = tmp_path / "x.db"
    env = {
        "MOCKOWN_STATE_FILE": str(state),
        "MOCKOWN_WORKERS": "4",
        "MOCKOWN_HOST": "0.0.0.0",
        "MOCKOWN_PORT": "abc",
        "MOCKOWN_TLS": "yes",
        "MOCKOWN_TLS_DIR": str(tmp_path / "tls"),
        "MOCKOWN_LOG_LEVEL": "loud",
    }
    result = CliRunner().invoke(main, ["token", "--field", "access_token"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("00D5g000004Mock!")
    assert not state.exists() and not (tmp_path / "tls").exists()


def test_the_settings_of_the_answer_are_read(tmp_path: Path) -> None:
    config = tmp_path / "mockown.yaml"
    config.write_text("state_file: " + str(tmp_path / "y.db") + "\nworkers: 2\n")
    env = {"MOCKOWN_BASE_URL": "https://mock.example.test:8443", "MOCKOWN_CONFIG": str(config)}
    result = CliRunner().invoke(main, ["token"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["instance_url"] == "https://mock.example.test:8443"
    assert not (tmp_path / "y.db").exists()  # a bad value of the others: tests/cli/test_bad_input.py

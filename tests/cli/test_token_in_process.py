"""`mockown token` without --url: a fresh in-process server, shaped by the settings that shape its answers, not by
those of a server process (`serve`'s listening address, workers, state file, TLS, log level)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockown.cli import DEMO_SECRET, main


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


@pytest.mark.parametrize(
    ("variable", "option", "right", "grant"),
    [
        ("MOCKOWN_TOKEN_PASSWORD", "--password", "Passw0rd!", "password"),
        ("MOCKOWN_TOKEN_CLIENT_SECRET", "--client-secret", DEMO_SECRET, "password"),
        ("MOCKOWN_TOKEN_REFRESH_TOKEN", "--refresh-token", None, "refresh_token"),
    ],
)
def test_the_secrets_come_from_the_environment_too(variable: str, option: str, right: str | None, grant: str) -> None:
    """As `--api-token` from MOCKOWN_OWN_API_TOKEN: a command line is visible to every user (`ps`), a process's
    environment only to its owner. The value from the environment is the one sent; the option wins over it."""
    env = {variable: "not-the-right-one"}
    sent = CliRunner().invoke(main, ["token", "--grant", grant], env=env)
    assert sent.exit_code == 1, sent.output  # the server refused that value (no option: 2, bad command line)
    assert json.loads(sent.stderr[sent.stderr.index("{") :])["error"] in ("invalid_grant", "invalid_client")
    if right is not None:
        chosen = CliRunner().invoke(main, ["token", "--grant", grant, option, right], env=env)
        assert chosen.exit_code == 0, chosen.output

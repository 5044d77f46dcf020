"""`mockown contract --help` tells a user what the exit codes mean and what each option picks."""

from __future__ import annotations

from click.testing import CliRunner

from mockown.cli import main


def test_help_names_the_exit_codes_and_the_apis() -> None:
    result = CliRunner().invoke(main, ["contract", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "0 = the backend conforms" in text
    assert "1 = a check failed" in text
    assert "2 = a bad command line or a target the suite cannot use" in text
    assert "Which contract to check" in text  # --api had no help of its own
    assert "MOCKOWN_CONTRACT_" in text

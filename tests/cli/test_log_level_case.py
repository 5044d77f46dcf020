"""`serve --log-level` takes a level in any case, as `MOCKOWN_LOG_LEVEL` and the config file do (`DEBUG` was a bad
command line, exit 2, on the flag alone)."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from mockown import serving
from mockown.cli import main
from mockown.config import Config


@pytest.mark.parametrize(("given", "level"), [("DEBUG", "debug"), ("Warning", "warning"), ("info", "info")])
def test_serve_takes_a_log_level_in_any_case(monkeypatch: pytest.MonkeyPatch, given: str, level: str) -> None:
    served: list[Config] = []

    def run(config: Config, **_: Any) -> None:  # the server itself is not what this checks
        served.append(config)

    monkeypatch.setattr(serving, "run", run)
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--log-level", given])
    assert result.exit_code == 0, result.output
    assert [c.log_level for c in served] == [level]


def test_serve_still_refuses_a_level_it_does_not_know(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serving, "run", lambda *a, **k: pytest.fail("served"))
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--log-level", "loud"])
    assert result.exit_code == 2 and "loud" in result.output

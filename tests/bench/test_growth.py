"""`python -m bench.growth` must not rot: a short run on both stores, every request answered as expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.growth import main, run


@pytest.mark.parametrize("sqlite", [False, True], ids=["memory", "sqlite"])
def test_growth_reports_every_table_before_and_after(tmp_path: Path, sqlite: bool) -> None:
    result = run(20, 60.0, tmp_path / "state.db" if sqlite else None)
    assert result["statuses"] == {200: result["requests"]} and result["requests"] == 20 * 9
    assert result["after"]["(journal entries)"] == result["requests"]  # control-plane calls are not journaled
    assert result["after"]["sf_access_tokens"] == 20 and result["before"]["sf_access_tokens"] == 0


def test_growth_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--rounds", "2", "--step", "1"])
    out = capsys.readouterr().out
    assert "18 requests" in out and "b2c_counters" in out and "(journal entries)" in out

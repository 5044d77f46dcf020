"""`python -m bench.interleaved` must not rot: a few calls of each app, every row printed (no timing checked)."""

from __future__ import annotations

import re

import pytest

from bench.interleaved import main


def test_interleaved_prints_every_app_with_a_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    variants = ["bare=bench.pipeline_variants:bare_token", "journaled=bench.pipeline_variants:journaled_token"]
    assert main(["--calls", "3", "--thrash", "4096", *[f"--variant={v}" for v in variants]]) == 0
    rows = capsys.readouterr().out.splitlines()
    names = [row.split()[0] for row in rows]
    assert names == ["mockown", "bare", "journaled", "ceiling"]
    assert all(re.search(r"ceiling / this \d+\.\d{3}$", row) for row in rows)


def test_a_variant_that_answers_an_error_stops_the_measurement() -> None:
    with pytest.raises(RuntimeError, match="broken: 4"):
        main(["--calls", "1", "--thrash", "0", "--variant", "broken=tests.bench.test_interleaved:_not_found"])


async def _not_found(pipeline: object, scope: dict[str, object], receive: object, send: object) -> None:
    assert callable(send)
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def test_settings_and_grown_apps_are_measured_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--calls", "2", "--thrash", "0", "--setting", "untimed=body_timeout=0", "--grown", "grown=5"]) == 0
    names = [row.split()[0] for row in capsys.readouterr().out.splitlines()]
    assert names == ["mockown", "untimed", "grown", "ceiling"]


def test_a_setting_the_config_does_not_have_stops_the_measurement() -> None:
    with pytest.raises(TypeError, match="no_such_setting"):
        main(["--calls", "1", "--thrash", "0", "--setting", "x=no_such_setting=1"])

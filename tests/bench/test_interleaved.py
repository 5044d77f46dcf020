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

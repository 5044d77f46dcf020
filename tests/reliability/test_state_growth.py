"""`make soak`: a long run of typical requests on one app (bench/growth.py), no reset, the clock moving on; the
tables README calls bounded stay bounded, whatever the number of requests. The report is printed (`-s`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.growth import report, run
from mockown.store.prune import DEAD_KEEP

from .support import SOAK

STEP = 300.0  # virtual seconds between rounds: 3000 rounds are ten days


@pytest.mark.soak
@pytest.mark.skipif(not SOAK, reason="the long profile: make soak (MOCKOWN_SOAK=1)")
@pytest.mark.parametrize(("sqlite", "rounds"), [(False, 3000), (True, 600)], ids=["memory", "sqlite"])
def test_a_long_run_keeps_the_pruned_tables_bounded(tmp_path: Path, sqlite: bool, rounds: int) -> None:
    result = run(rounds, STEP, tmp_path / "state.db" if sqlite else None)
    print(report(result))
    after = result["after"]
    assert result["statuses"] == {200: result["requests"]}
    # rate-limit rows: an hour of windows (3 a round) and what a pass every 256 additions leaves
    assert after["b2c_counters"] <= 3 * 3600 / STEP + 2 * 256
    # Marketing Cloud access tokens: those issued within a day and a token lifetime, and one pass's worth more
    assert after["mc_access_tokens"] <= 2 * max(256, (DEAD_KEEP + 1079) / STEP + 1)
    # tokens revoked or dead a day: those issued within a day and a lifetime (30 min at most), one pass's worth more
    dead = 2 * max(256, (DEAD_KEEP + 1800) / STEP + 1)
    assert after["b2c_slas_access"] <= 2 * dead  # two a round (the guest token and its refresh)
    assert after["b2c_am_tokens"] <= dead
    # the journal keeps its newest `journal_size` entries
    assert after["(journal entries)"] == min(10000, result["requests"])

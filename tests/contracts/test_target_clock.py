"""The contract suite judges a mock's tokens by the mock's clock: a conforming server whose clock was moved (README's
control-plane session advances it 181 days) or frozen (`frozen_at`) failed the SLAS JWKS check, which compared the
token's `iat`/`exp` with this machine's time."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockown import Config, create_app

from .support import run_suite, threaded_server


@pytest.mark.parametrize("frozen_at", ["2026-01-01T00:00:00Z", "2031-06-01T00:00:00Z"])
def test_slas_tokens_are_judged_by_the_targets_clock(tmp_path: Path, frozen_at: str) -> None:
    with threaded_server(create_app(Config(frozen_at=frozen_at))) as url:
        run = run_suite(url, ["-k", "slas_access_token_verifies_from_jwks"], tmp_path / "junit.xml")
    assert run.outcomes == {"test_slas_access_token_verifies_from_jwks": "passed"}, run.output[-3000:]
    assert run.returncode == 0

"""A `frozen_at` the clock cannot show (NaN, infinity, epoch seconds beyond the years 0001 to 9999) stops the start
with a ConfigError naming it; it used to start, and then every request was a 500 (ValueError, OverflowError)."""

from __future__ import annotations

import pytest

from mockown import create_app
from mockown.clock import FrozenClock
from mockown.config import Config, ConfigError


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e20", "-1e13", "garbage", "10000-01-01T00:00:00Z"])
def test_an_instant_the_clock_cannot_show_is_refused_at_load(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^frozen_at: "):
        Config.load(env={"MOCKOWN_FROZEN_AT": value})
    with pytest.raises(ConfigError, match=r"^frozen_at: "):
        Config(frozen_at=value)


@pytest.mark.parametrize("value", [float("nan"), 1e20, -1e13])
def test_a_frozen_clock_refuses_such_an_instant(value: float) -> None:
    with pytest.raises(ValueError, match="the clock cannot be at"):
        FrozenClock(value)


def test_an_instant_it_can_show_starts_frozen_there() -> None:
    app = create_app(Config(frozen_at="2026-01-01T00:00:00Z", seed_defaults=False))
    assert app.state.runtime.clock.now() == 1767225600.0

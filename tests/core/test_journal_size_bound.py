"""`journal_size` is a deque's length: one past what a C size holds was an OverflowError when the app was built,
not a ConfigError naming the setting."""

from __future__ import annotations

import pytest

from mockown import Config, create_app
from mockown.config import JOURNAL_SIZE_MAX, ConfigError


@pytest.mark.parametrize("size", [JOURNAL_SIZE_MAX + 1, 10**20, 2**63])
def test_a_journal_too_large_is_refused_naming_the_setting(size: int) -> None:
    with pytest.raises(ConfigError, match="journal_size must be at most"):
        Config.load(env={}, overrides={"journal_size": size})


def test_the_largest_journal_starts() -> None:
    create_app(Config.load(env={}, overrides={"journal_size": JOURNAL_SIZE_MAX}))

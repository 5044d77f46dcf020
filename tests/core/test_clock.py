from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockown.clock import LONGEST, FrozenClock, SystemClock, iso, parse_duration, parse_instant


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("15m", 900.0), ("2h", 7200.0), ("181d", 181 * 86400.0), ("1h30m", 5400.0), ("1w", 604800.0),
     ("250ms", 0.25), (45, 45.0), (1.5, 1.5)],
)  # fmt: skip
def test_parse_duration(text: str | int | float, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "abc", "15x", "m15", "15m junk", True])
def test_parse_duration_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", ["inf", "-inf", "nan", "Infinity", "1e300", 1e300, float("inf"), float("nan"), 10**400, "9" * 400 + "d",
            "1001y", str(LONGEST * 2), "400000w"],
)  # fmt: skip
def test_parse_duration_rejects_infinite_and_absurd(bad: object) -> None:
    """Stored, an infinite or astronomically long duration broke what is made from it (a TTL's ISO expiry, the
    snapshot's JSON): a duration is finite and at most 1,000 years."""
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(bad)  # type: ignore[arg-type]


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_parse_duration_of_any_number_is_bounded_or_refused(value: float) -> None:
    for spelled in (value, repr(value)):
        try:
            seconds = parse_duration(spelled)
        except ValueError:
            assert not (abs(value) <= LONGEST)  # refused: infinite, NaN or longer than 1,000 years
        else:
            assert seconds == value and abs(seconds) <= LONGEST


@given(st.integers(0, 10_000), st.sampled_from(["s", "m", "h", "d", "w"]))
def test_parse_duration_units(n: int, unit: str) -> None:
    factor = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
    assert parse_duration(f"{n}{unit}") == n * factor


def test_parse_instant_and_iso() -> None:
    assert parse_instant("2026-01-01T00:00:00Z") == 1767225600.0
    assert parse_instant("2026-01-01T00:00:00") == 1767225600.0
    assert parse_instant(5) == 5.0
    assert iso(1767225600.5, millis=True) == "2026-01-01T00:00:00.500Z"
    with pytest.raises(ValueError):
        parse_instant("yesterday")


def test_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock("2026-01-01T00:00:00Z")
    assert clock.now() == clock.now() == 1767225600.0
    clock.advance("181d")
    assert clock.now() == 1767225600.0 + 181 * 86400
    clock.set("2026-01-01T00:00:00Z")
    assert clock.now_ms() == 1767225600000
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_system_clock_offset_and_freeze_unfreeze() -> None:
    clock = SystemClock()
    assert abs(clock.now() - time.time()) < 1
    clock.advance("1d")
    assert abs(clock.now() - time.time() - 86400) < 1
    frozen_at = clock.freeze()
    assert clock.frozen and clock.now() == frozen_at
    clock.unfreeze()
    assert not clock.frozen and abs(clock.now() - frozen_at) < 1
    clock.set(0)
    assert clock.now() < 10


@given(st.text(st.characters(categories=["Nd"]).filter(lambda c: not c.isascii()), min_size=1, max_size=3),
       st.sampled_from(["", "s", "ms", "m", "h", "d", "w"]))  # fmt: skip
def test_parse_duration_reads_only_ascii_digits(digits: str, unit: str) -> None:
    """Other scripts' digits ('٣h', Arabic-Indic 3) are no duration: float() and the unit pattern's `\\d` read them."""
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(digits + unit)

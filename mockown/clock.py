"""The only reader of wall time. Every timestamp and expiry in mockown goes through a `Clock`.

A clock is either running (wall time plus an offset) or frozen (a fixed instant). Both can be moved:
`advance()` shifts it, `set()` jumps to an instant, `freeze()` / `unfreeze()` switch modes while keeping
the current reading, so a test can move time at runtime, in Python or over the control plane.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Protocol

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
# the instants anything stored may be at: those ISO 8601 can write (years 0001 to 9999), with a day to spare
EARLIEST = datetime(1, 1, 2, tzinfo=UTC).timestamp()  # `check_instant`
LATEST = datetime(9999, 12, 30, tzinfo=UTC).timestamp()


def check_instant(ts: float) -> float:
    """`ts` when it is an instant ISO 8601 can show (a finite instant in the years 0001 to 9999); ValueError
    otherwise. For stored instants (an expiry, a fault rule's window); where the clock itself may be: `check_clock`."""
    if not math.isfinite(ts) or not EARLIEST <= ts <= LATEST:
        raise ValueError(f"no date can show {ts!r} (epoch seconds from {iso(EARLIEST)} to {iso(LATEST)} only)")
    return ts


# the longest duration anything takes (a TTL, a timeout, a clock step): 1,000 years. Longer ones, infinity and NaN
# are refused where they are read: stored, they overflowed the ISO dates and JSON documents made from them (500s)
LONGEST = 1000 * 365.25 * 86400.0
# the last instant the clock may be at: what is issued then (lasting up to LONGEST) still ends by LATEST. At the
# year 9999 itself a 180-day Own API token expired in the year 10000, which no date can show (the dashboard, the
# Edit Profile page and the token's e-mail were 500s)
CLOCK_LATEST = LATEST - LONGEST


def check_clock(ts: float) -> float:
    """`ts` when the clock may be at it: from the year 0001 to 1,000 years before the end of the year 9999 (late in
    the year 8999), so that every expiry it computes is an instant `check_instant` takes; ValueError otherwise."""
    if not math.isfinite(ts) or not EARLIEST <= ts <= CLOCK_LATEST:
        raise ValueError(
            f"the clock cannot be at {ts!r} (epoch seconds from {iso(EARLIEST)} to {iso(CLOCK_LATEST)}: what is"
            " issued lasts up to 1,000 years and must end by the year 9999)"
        )
    return ts


def _too_long(value: object) -> ValueError:
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    return ValueError(f"not a duration: {shown} (a finite number of seconds, at most 1000 years)")


def _bounded(seconds: float, value: object) -> float:
    if not math.isfinite(seconds) or abs(seconds) > LONGEST:
        raise _too_long(value)
    return seconds


def plain_number(text: str) -> bool:
    """Whether `int()` / `float()` read `text` as a client means it: ASCII only (both also read other scripts'
    digits, '٨٠٨٠' is 8080, and Unicode spaces around them) and without the underscores of Python literals
    ('8_080'). The one rule of every number a setting, a job mode or an instant is written as."""
    return text.isascii() and "_" not in text


def parse_duration(value: str | int | float) -> float:
    """Seconds in `value`: a number of seconds, or text such as ``"181d"``, ``"1h30m"``, ``"90s"``; finite and at
    most 1,000 years either way (`LONGEST`), else ValueError."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text such as '15m'")
    if isinstance(value, int | float):
        try:
            return _bounded(float(value), value)
        except OverflowError:  # an int too large for a float
            raise _too_long(value) from None
    if not plain_number(value):  # float() and `\d` also read other scripts' digits ('٣h'), which no client means
        raise ValueError(f"not a duration: {value!r} (use seconds or e.g. '15m', '2h', '181d')")
    text = value.strip().lower()
    try:
        number: float | None = float(text)
    except ValueError:
        number = None  # text with units
    if number is not None:
        return _bounded(number, value)
    pos, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if text[pos : match.start()].strip():
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos == 0 or text[pos:].strip():
        raise ValueError(f"not a duration: {value!r} (use seconds or e.g. '15m', '2h', '181d')")
    return _bounded(total, value)


def parse_instant(value: str | int | float) -> float:
    """Epoch seconds from a number or an ISO 8601 text (``Z`` allowed; naive means UTC)."""
    if isinstance(value, bool):
        raise ValueError("an instant is epoch seconds or ISO 8601 text")
    if isinstance(value, int | float):
        return float(value)
    if not plain_number(value):  # Arabic-Indic digits and '1_700_000_000' were epoch seconds to float()
        raise ValueError(f"not an instant: {value!r} (use epoch seconds or ISO 8601, in ASCII digits)")
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not an instant: {value!r} (use epoch seconds or ISO 8601)") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def iso(ts: float, *, millis: bool = False) -> str:
    """UTC ISO 8601 text for epoch seconds, e.g. ``2026-01-01T00:00:00Z``."""
    dt = datetime.fromtimestamp(ts, tz=UTC)
    year = f"{dt.year:04d}"  # strftime's %Y does not pad a year before 1000 ("1-01-02"): ISO 8601 has four digits
    if millis:
        return year + dt.strftime("-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    return year + dt.strftime("-%m-%dT%H:%M:%SZ")


class SharedClock(Protocol):
    """Where a clock shared by several processes keeps its state (the SQLite store of ``--state-file``)."""

    def atomic(self) -> AbstractContextManager[None]: ...
    def clock_changed(self) -> bool: ...
    def read_clock(self) -> dict[str, float | None] | None: ...
    def write_clock(self, state: dict[str, float | None]) -> None: ...


class Clock:
    """A movable clock. Use `SystemClock()` or `FrozenClock(instant)` to make one."""

    def __init__(self, *, frozen_at: float | None = None, offset: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._frozen_at = frozen_at
        self._offset = offset
        self._shared: SharedClock | None = None

    def share(self, shared: SharedClock) -> None:
        """Keep this clock's state in `shared`: a state already there wins (a restart, another worker)."""
        with shared.atomic():
            state = shared.read_clock()
            if state is None:
                shared.write_clock(self._snapshot())
            else:
                self._apply(state)
            shared.clock_changed()
        self._shared = shared

    def _snapshot(self) -> dict[str, float | None]:
        with self._lock:
            return {"frozen_at": self._frozen_at, "offset": self._offset}

    def _apply(self, state: dict[str, float | None]) -> None:
        with self._lock:
            self._frozen_at = state.get("frozen_at")
            self._offset = float(state.get("offset") or 0.0)

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """A change: on a shared clock, made on the latest shared state and written back atomically."""
        shared = self._shared
        if shared is None:
            yield
            return
        with shared.atomic():
            state = shared.read_clock()
            if state is not None:
                self._apply(state)
            yield
            shared.write_clock(self._snapshot())

    def now(self) -> float:
        """Epoch seconds."""
        shared = self._shared
        if shared is not None and shared.clock_changed():
            state = shared.read_clock()
            if state is not None:
                self._apply(state)
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        return time.time() + self._offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    @property
    def offset(self) -> float:
        """Seconds between this clock and wall time (what a restart must restore)."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at - time.time()
            return self._offset

    def advance(self, seconds: str | float) -> float:
        delta = parse_duration(seconds)
        if delta < 0:
            raise ValueError("the clock only moves forward with advance(); use set() to go back")
        with self._changing(), self._lock:
            if self._frozen_at is not None:
                self._frozen_at = check_clock(self._frozen_at + delta)
            else:
                check_clock(time.time() + self._offset + delta)
                self._offset += delta
        return self.now()

    def set(self, instant: str | float) -> float:
        target = check_clock(parse_instant(instant))
        with self._changing(), self._lock:
            if self._frozen_at is not None:
                self._frozen_at = target
            else:
                self._offset = target - time.time()
        return self.now()

    def freeze(self, instant: str | float | None = None) -> float:
        target = None if instant is None else check_clock(parse_instant(instant))
        with self._changing():
            current = self.now() if target is None else target
            with self._lock:
                self._frozen_at = current
        return self.now()

    def unfreeze(self) -> float:
        with self._changing(), self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - time.time()
                self._frozen_at = None
        return self.now()

    def state(self) -> dict[str, object]:
        now = self.now()
        return {"now": now, "iso": iso(now, millis=True), "frozen": self.frozen, "offset": self.offset}

    def restore(self, *, frozen: bool, now: float | None = None, offset: float = 0.0) -> None:
        check_clock(now if frozen and now is not None else time.time() + offset)
        with self._changing(), self._lock:
            if frozen:
                self._frozen_at = now if now is not None else time.time() + offset
            else:
                self._frozen_at = None
                self._offset = offset


class SystemClock(Clock):
    """Wall time, movable by an offset."""

    def __init__(self, offset: float = 0.0) -> None:
        super().__init__(offset=offset)


class FrozenClock(Clock):
    """A clock that stands still until advanced. `FrozenClock("2026-01-01T00:00:00Z").advance("15m")`."""

    def __init__(self, now: str | float | None = None) -> None:
        super().__init__(frozen_at=time.time() if now is None else check_clock(parse_instant(now)))

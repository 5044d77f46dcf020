"""Moto-style progression of long-running things (backups, exports, GDPR jobs, seeds), computed lazily.

A progression is ``immediate``, ``seconds:N`` (done N seconds of virtual time after it started) or
``polls:N`` (done on the N-th read of the thing). Nothing runs in the background: every read computes the
state from the clock and the poll count, and the first read that sees it done records the completion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from ..clock import LONGEST, parse_duration, plain_number
from ..config import ConfigError
from ..fieldwise import Fieldwise

if TYPE_CHECKING:
    from ..store import Store, Table

KINDS = ("backup", "export", "gdpr", "seed")
MODES = ("immediate", "seconds", "polls")


@dataclass(slots=True, repr=False, eq=False)
class Progression(Fieldwise):
    """The keys of a progression dict (records keep the dict): what a restored snapshot's is checked against."""

    mode: Literal["immediate", "seconds", "polls"]
    n: int | float
    polls: int = 0

    def __post_init__(self) -> None:
        """Only what `parse` makes (and `count_poll` counts): ``polls`` n 0 with a negative count divided by zero,
        a ``seconds`` n past `LONGEST` overflowed the completion instant."""
        if self.polls < 0:
            raise ValueError("polls: expected a count from 0")
        n = self.n
        if self.mode == "polls" and not (type(n) is int and n >= 1):
            raise ValueError("n: expected a whole number of polls from 1")
        if self.mode == "seconds" and not (0 < n <= LONGEST):
            raise ValueError(f"n: expected seconds above 0 and at most {LONGEST:.0f}")


def parse(text: str) -> dict[str, Any]:
    """``"immediate"``, ``"seconds:30"`` (or ``"seconds:2m"``), ``"polls:3"`` -> a fresh progression."""
    raw = (text or "").strip().lower()
    if raw in ("immediate", "immediately", "0"):
        return {"mode": "immediate", "n": 0, "polls": 0}
    mode, sep, amount = raw.partition(":")
    if not sep or mode not in ("seconds", "polls"):
        raise ConfigError(f"job mode {text!r}: use immediate, seconds:N or polls:N")
    try:
        if not plain_number(amount):  # int() read 'polls:٣' and 'polls:1_0'
            raise ValueError(amount)
        n = parse_duration(amount) if mode == "seconds" else int(amount)
    except ValueError:
        raise ConfigError(f"job mode {text!r}: N must be a number") from None
    if n < 0:
        raise ConfigError(f"job mode {text!r}: N must not be negative")
    if n == 0:
        return {"mode": "immediate", "n": 0, "polls": 0}
    return {"mode": mode, "n": n, "polls": 0}


def describe(progression: dict[str, Any]) -> str:
    mode = progression["mode"]
    if mode == "immediate":
        return "immediate"
    n = progression["n"]
    return f"{mode}:{int(n) if float(n).is_integer() else n}"


def percent(progression: dict[str, Any], started: float, now: float) -> int:
    """0..100 without counting a poll."""
    mode, n = progression["mode"], progression["n"]
    if mode == "immediate":
        return 100
    if mode == "seconds":
        elapsed = max(0.0, now - started)
        return 100 if elapsed >= n else min(99, int(100 * elapsed / n))
    polls = int(progression.get("polls", 0))
    return 100 if polls >= n else min(99, int(100 * polls / n))


def finished_at(progression: dict[str, Any], started: float, now: float) -> float | None:
    """When it completed, if it has by `now` (polls mode: the current instant of the completing read)."""
    mode, n = progression["mode"], progression["n"]
    if mode == "immediate":
        return started
    if mode == "seconds":
        end: float = started + float(n)
        return end if now >= end else None
    return now if int(progression.get("polls", 0)) >= n else None


def count_poll(progression: dict[str, Any]) -> None:
    if progression["mode"] == "polls":
        progression["polls"] = int(progression.get("polls", 0)) + 1


class _Running(Protocol):
    """A record with a progression: a backup or a job."""

    @property
    def id(self) -> str: ...
    @property
    def completed_at(self) -> float | None: ...


Running = TypeVar("Running", bound=_Running)


def settle(store: Store, table: Table[Running], record: Running, advance: Callable[[Running], bool]) -> Running:
    """The stored `record` brought up to date by `advance` (which says whether it changed it); the record as it is
    now. An unfinished one is read again in the transaction that writes it back whole: a copy read earlier would
    undo the polls other workers counted meanwhile (a finished one back in progress) or bring a deleted one back
    (then it is not written)."""
    if record.completed_at is not None:  # finished for good
        return record
    with store.atomic():
        current = table.get(record.id)
        if current is None:
            return record
        if advance(current):
            table.put(current)
        return current

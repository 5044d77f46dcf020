"""Every meta value mockown reads (`Store.get_meta`) and the shape its reader needs: a restored snapshot's
``_meta`` is checked against these (`store.decode.checked_meta`), so a hand-edited or old one is a 400 naming
``_meta.<key>`` instead of a state whose requests fail later. Imported by the runtime: the checks are in place
before any store is restored. A key added to mockown gets its check here (tests/control/test_restore_meta.py
lists the readers' keys). The keys the runtime makes for itself are no meta values (`store.secret_key`): an older
snapshot's are ignored (`store.RUNTIME_SECRETS`)."""

from __future__ import annotations

from typing import Any

from .clock import check_instant
from .config import ConfigError
from .own import progress
from .own.models import MAX_OWN_ID
from .store.decode import META_CHECKS


def sequence(value: Any) -> None:
    """An Own id counter (`OwnService.next_num` / `next_global`): the last number handed out, or null. At most
    `MAX_OWN_ID`, as the seed's ids are (`own.seed._int`): a larger one would hand out ids no path can name."""
    if value is None:
        return
    if type(value) is not int or not 0 <= value <= MAX_OWN_ID:
        raise ValueError(f"expected a whole number from 0 to {MAX_OWN_ID} or null")


def event_sequence(value: Any) -> None:
    """The audit event id counter, and the outbox's sequence number: no upper bound (`own.service._event_id`)."""
    if value is None:
        return
    if type(value) is not int or value < 0:
        raise ValueError("expected a whole number from 0 or null")


def stamp(value: Any) -> None:
    """The outbox's last id stamp: milliseconds of an instant the clock can show, or null."""
    if value is None:
        return
    try:
        if type(value) is not int:
            raise ValueError
        check_instant(value / 1000)
    except (ValueError, OverflowError):  # an int too large for a float overflows the division
        raise ValueError("expected a whole number of milliseconds in the years 0001 to 9999 or null") from None


def modes(value: Any) -> None:
    """`OwnService.set_progression`'s overrides: kind -> a mode `progress.parse` takes, or null (none)."""
    if value is None:
        return
    if type(value) is not dict:
        raise ValueError("expected an object of kind: mode or null")
    for kind, mode in value.items():
        if kind not in progress.KINDS:
            raise ValueError(f"expected kinds among {', '.join(progress.KINDS)}, not {kind!r}")
        if type(mode) is not str:
            raise ValueError(f"expected {kind}: immediate, seconds:N or polls:N")
        try:
            progress.parse(mode)
        except ConfigError as exc:
            raise ValueError(f"expected {kind}: immediate, seconds:N or polls:N ({exc})") from None


META_CHECKS.update(
    {
        "outbox.last_stamp": stamp,  # outbox._LAST_STAMP
        "outbox.last_seq": event_sequence,  # outbox._LAST_SEQ (no upper bound either)
        "own.progression": modes,  # own.service._MODES
        "own.seq.event": event_sequence,  # own.service.OwnService.record_event
        "own.seq.*": sequence,  # own.service: own.seq.<region>.<kind>, own.seq.<kind>
    }
)

"""E-mails the emulated services send (the Own API on API-token creation and revocation, ...).

Nothing leaves the process: each message is a record in the store, read back through the control plane
(`/_mockown/outbox`) and the pytest plugin.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .store import record
from .store.base import Record

if TYPE_CHECKING:
    from .runtime import Runtime

_LAST_STAMP = "outbox.last_stamp"
_LAST_SEQ = "outbox.last_seq"
# An id is `<milliseconds>-<sequence>-<random>`, the milliseconds in 15 digits (the clock's last instant, in 9999, has
# 15; 13 held them only up to 2286, and the ids of older versions have 13): the outbox orders ids by their numbers.
_STAMP_DIGITS = 15


@record("outbox", indexes=("to", "account_id"))
@dataclass(slots=True, repr=False, eq=False)
class Email(Record):
    """An e-mail the mock would have sent (API token created or revoked), kept in the outbox."""

    id: str
    to: str
    subject: str
    body: str
    sent_at: float
    account_id: str | None = None  # the Own account (or org) the message belongs to
    kind: str = ""  # e.g. own.api_token.created


def send(runtime: Runtime, *, to: str, subject: str, body: str, account_id: str | None = None, kind: str = "") -> Email:
    now = runtime.clock.now()
    table = runtime.store.table(Email)
    with runtime.store.atomic():
        # ids sort in sending order: the stamp is never below the last one, even after the clock was moved back,
        # and the sequence number goes up by one per e-mail of the store, whichever worker sends it and across
        # restarts (a frozen clock gives every e-mail the same stamp). Both are meta values, read and written in
        # this transaction (cleared by a reset, carried by snapshots); a store without them (an older mockown's
        # state file or snapshot) is read once
        store = runtime.store
        last, last_seq = store.get_meta(_LAST_STAMP), store.get_meta(_LAST_SEQ)
        if last is None or last_seq is None:
            orders = [_sent_order(e) for e in table.all()]
            last = max((o[0] for o in orders), default=0) if last is None else last
            last_seq = max((o[1] for o in orders), default=0) if last_seq is None else last_seq
        stamp = max(int(now * 1000), int(last), 0)  # before 1970 the sequence number alone orders them
        seq = int(last_seq) + 1
        store.set_meta(_LAST_STAMP, stamp)
        store.set_meta(_LAST_SEQ, seq)
        email = Email(
            id=f"{stamp:0{_STAMP_DIGITS}d}-{seq:06d}-{secrets.token_hex(3)}",
            to=to,
            subject=subject,
            body=body,
            sent_at=now,
            account_id=account_id,
            kind=kind,
        )
        table.put(email)
    return email


def _number(text: str) -> int:
    return int(text) if text.isascii() and text.isdigit() else 0


def _sent_order(email: Email) -> tuple[int, int, str]:
    """Where an e-mail sorts: by the milliseconds and the sequence number of its id, as numbers (whatever their
    width), then by the id."""
    stamp, _, rest = email.id.partition("-")
    sequence, _, _ = rest.partition("-")
    return _number(stamp), _number(sequence), email.id


def messages(runtime: Runtime) -> list[Email]:
    """The outbox in sending order, the oldest first."""
    return sorted(runtime.store.table(Email).all(), key=_sent_order)

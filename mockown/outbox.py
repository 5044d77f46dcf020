"""E-mails the emulated services send (the Own API on API-token creation and revocation, ...).

Nothing leaves the process: each message is a record in the store, read back through the control plane
(`/_mockown/outbox`) and the pytest plugin.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .store import record
from .store.base import Record

if TYPE_CHECKING:
    from .runtime import Runtime

_seq = itertools.count(1)
_LAST_STAMP = "outbox.last_stamp"


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
        # ids sort in sending order: never below the last one, even after the clock was moved back. The last
        # stamp is a meta value (cleared by a reset, carried by snapshots); a store without it (an older
        # mockown's state file or snapshot) is read once
        last = runtime.store.get_meta(_LAST_STAMP)
        if last is None:
            last = max((int(e.id[:13]) for e in table.all()), default=0)
        stamp = max(int(now * 1000), int(last))
        runtime.store.set_meta(_LAST_STAMP, stamp)
        email = Email(
            id=f"{stamp:013d}-{next(_seq):06d}-{secrets.token_hex(3)}",  # unique across workers
            to=to,
            subject=subject,
            body=body,
            sent_at=now,
            account_id=account_id,
            kind=kind,
        )
        table.put(email)
    return email


def messages(runtime: Runtime) -> list[Email]:
    return sorted(runtime.store.table(Email).all(), key=lambda e: e.id)

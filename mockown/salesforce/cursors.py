"""Query locators: a query answers one batch of records and keeps the rest behind `nextRecordsUrl`.

REST API rules: a batch is 2000 records by default, or the `batchSize` of `Sforce-Query-Options` (at least 200 and
at most 2000: the mock clamps a value outside, *mock choice*, and ignores one that is not a number); the locator is
`/services/data/vXX.X/query/<01g id>-<offset of the next record>`. A cursor belongs to the user who opened it; a
user has at most 10 open (opening an 11th releases the oldest) and a cursor unused for 15 minutes is released. An
unknown, released, foreign or out-of-range locator is `400 INVALID_QUERY_LOCATOR`. The cursor holds the records as
the query found them (a snapshot: later changes do not move the batches), sealed: an `OauthToken.DeleteToken`, a
bearer secret, is kept as the approval it is derived from and derived again when its batch is served, so that no
cursor puts a secret in a snapshot or the state file.
"""

from __future__ import annotations

import re
from typing import Any

from .. import ids
from . import oauth_tokens
from .errors import RestError
from .models import Org, QueryCursor, User
from .service import SalesforceService

DEFAULT_BATCH = 2000
MIN_BATCH, MAX_BATCH = 200, 2000
MAX_OPEN_PER_USER = 10
IDLE_SECONDS = 15 * 60
LOCATOR_PREFIX = "01g"
_OPTION = re.compile(r"(?:^|[;,\s])batchSize\s*=\s*([0-9]{1,9})\s*(?:$|[;,\s])", re.IGNORECASE)
_LOCATOR = re.compile(r"(01g[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?)-([0-9]{1,9})")  # ASCII: `\d` reads any digit


def batch_size(option: str | None) -> int:
    """The batch `Sforce-Query-Options: batchSize=N` asks for, within 200..2000; the default without one."""
    match = _OPTION.search(f" {option} ") if option else None
    if match is None:
        return DEFAULT_BATCH
    return min(max(int(match.group(1)), MIN_BATCH), MAX_BATCH)


def _invalid() -> RestError:
    return RestError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")


def _release_stale(service: SalesforceService, user: User) -> int:
    """Release the user's idle cursors, and their oldest beyond the 9 a new one joins; the new one's serial. Only
    the user's own (at most 10) are read: every cursor holds its snapshot, so other users' idle ones go in the
    amortized pass of `opened`, not in a scan of every cursor per query."""
    table = service.runtime.store.table(QueryCursor)
    now = service.clock.now()
    mine = sorted(table.find("user_id", user.id), key=lambda c: c.serial)
    serial = mine[-1].serial + 1 if mine else 1
    live = []
    for cursor in mine:
        if now - cursor.last_used > IDLE_SECONDS:
            table.delete(cursor.id)
        else:
            live.append(cursor)
    for cursor in live[: max(len(live) - (MAX_OPEN_PER_USER - 1), 0)]:
        table.delete(cursor.id)
    return serial


def first_batch(
    service: SalesforceService,
    records: list[dict[str, Any]],
    version: str,
    org: Org,
    user: User,
    resource: str,
    batch: int,
) -> dict[str, Any]:
    """The answer to a query that found `records`: all of them, or the first batch and a locator for the rest."""
    if len(records) <= batch:
        return {"totalSize": len(records), "done": True, "records": records}
    with service.runtime.store.atomic():
        serial = _release_stale(service, user)
        cursor = QueryCursor(
            id=ids.new_id(LOCATOR_PREFIX),
            org_id=org.id,
            user_id=user.id,
            resource=resource,
            records=[oauth_tokens.seal(r) for r in records],
            last_used=service.clock.now(),
            serial=serial,
        )
        table = service.runtime.store.table(QueryCursor)
        table.put(cursor)
        now = cursor.last_used
        service.cursor_pruner.added(service.runtime.store, table, lambda c: now - c.last_used > IDLE_SECONDS)
    return _page(service, cursor, 0, batch, version)


def next_batch(
    service: SalesforceService, locator: str, version: str, org: Org, user: User, batch: int
) -> dict[str, Any]:
    """`GET /query/<locator>-<offset>`: the batch from `offset` of a cursor the user holds."""
    match = _LOCATOR.fullmatch(locator)
    if match is None or not ids.is_valid(match.group(1)):
        raise _invalid()
    table = service.runtime.store.table(QueryCursor)
    now = service.clock.now()
    # read and touched in one transaction: a copy read outside it, written back, would bring back a cursor another
    # worker released meanwhile (its user's 11th query, a reset)
    with service.runtime.store.atomic():
        cursor = table.get(ids.to18(match.group(1)))
        if cursor is None or cursor.user_id != user.id or cursor.org_id != org.id:
            raise _invalid()
        offset = int(match.group(2))
        if now - cursor.last_used > IDLE_SECONDS or not 0 < offset < len(cursor.records):
            raise _invalid()
        cursor.last_used = now
        table.put(cursor)
    return _page(service, cursor, offset, batch, version)


def _page(service: SalesforceService, cursor: QueryCursor, offset: int, batch: int, version: str) -> dict[str, Any]:
    end = offset + batch
    out: dict[str, Any] = {"totalSize": len(cursor.records), "done": end >= len(cursor.records)}
    if not out["done"]:
        out["nextRecordsUrl"] = f"/services/data/v{version}/{cursor.resource}/{cursor.id}-{end}"
    out["records"] = oauth_tokens.unseal(service, cursor.records[offset:end])
    return out

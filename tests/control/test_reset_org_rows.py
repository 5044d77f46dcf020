"""`reset_org` removes exactly the org's rows: those a full scan of every Salesforce table (and the outbox) finds
for it, whether the table has an ``org_id`` index or not; other orgs' rows stay."""

from __future__ import annotations

from typing import Any

import pytest

from mockown import Config, create_app
from mockown.http.control import reset_org
from mockown.outbox import Email
from mockown.store import RECORD_TYPES
from mockown.testing.handle import Mockown
from mockown.testing.target import LocalTarget


def _rows(runtime: Any) -> dict[str, set[tuple[str, str | None]]]:
    """Every row of the Salesforce tables and the outbox: (key, the org it belongs to)."""
    out: dict[str, set[tuple[str, str | None]]] = {}
    for meta in RECORD_TYPES.values():
        if not (meta.table.startswith("sf_") or meta.cls is Email):
            continue
        field = "account_id" if meta.cls is Email else "org_id"
        out[meta.table] = {(getattr(r, meta.key), getattr(r, field, None)) for r in runtime.store.table(meta.cls).all()}
    return out


@pytest.mark.parametrize("delete", [False, True])
def test_reset_org_removes_what_a_full_scan_finds(delete: bool) -> None:
    target = LocalTarget(create_app(Config(seed_defaults=False)))
    try:
        one, two = Mockown(target, label="one").start(), Mockown(target, label="two").start()
        for handle in (one, two):
            handle.issue_token()
            handle.issue_token("client_credentials")
            handle.issue_token("authorization_code", scope="api refresh_token")
            handle.client.post(handle.urls.token, data={"response_type": "device_code",
                                                          "client_id": handle.app["client_id"]})  # fmt: skip
        runtime = target.runtime
        before = _rows(runtime)
        for table in ("sf_codes", "sf_device_codes", "sf_access_tokens", "sf_refresh_tokens"):  # with and without
            assert {org for _, org in before[table]} == {one.org_id, two.org_id}, table  # an org_id index
        body = reset_org(runtime, one.org_id, delete=delete)
        after = _rows(runtime)
        kept = ("sf_users", "sf_apps", "sf_orgs") if not delete else ()
        for table, rows in before.items():
            expected = {r for r in rows if r[1] != one.org_id or table in kept}
            if table == "sf_orgs" and delete:
                expected = {r for r in rows if r[0] != one.org_id}
            assert after[table] == expected, table
        removed = {t: len(before[t] - after[t]) for t in before if before[t] - after[t]}
        assert body["removed"] == removed
        two.issue_token()  # the other org works on
    finally:
        target.close()

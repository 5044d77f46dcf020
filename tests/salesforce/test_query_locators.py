"""Query paging (REST API: a query answers at most one batch, 2000 records by default, or the `batchSize` of
`Sforce-Query-Options` between 200 and 2000; the rest through `nextRecordsUrl`, a query locator
`/services/data/vXX.X/query/01g...-<offset>`). jsforce's `autoFetch` / `queryMore` follow it. Cursors belong to the
user who opened them, at most 10 open per user (the oldest is released), released after 15 minutes unused."""

from __future__ import annotations

import re

import httpx
import pytest

from mockown.clock import FrozenClock
from mockown.runtime import Runtime
from mockown.salesforce.models import User
from tests.conftest import ORG
from tests.salesforce.helpers import code_tokens, rest

V = "/services/data/v62.0"
LOCATOR = re.compile(r"^/services/data/v62\.0/(query|queryAll)/01g\w{15}-(\d+)$")
INVALID_LOCATOR = "INVALID_QUERY_LOCATOR"


def _many_users(runtime: Runtime, n: int) -> int:
    users = runtime.salesforce.users
    for i in range(n):
        users.put(User(id=f"005g{i:011d}AAA", org_id=ORG, username=f"bulk{i}@mockown.test", password_hash="", salt=""))
    return len(users.find("org_id", ORG))


def _get(client: httpx.Client, token: str, path: str, batch: int | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if batch is not None:
        headers["Sforce-Query-Options"] = f"batchSize={batch}"
    return client.get(path, headers=headers)


def _follow(client: httpx.Client, token: str, first: httpx.Response, batch: int | None = None) -> list[list[str]]:
    batches, body = [], first.json()
    while True:
        assert first.status_code == 200, first.text
        batches.append([r["Id"] for r in body["records"]])
        if body["done"]:
            assert "nextRecordsUrl" not in body
            return batches
        first = _get(client, token, body["nextRecordsUrl"], batch)
        body = first.json()


@pytest.mark.parametrize("resource", ["query", "queryAll"])
def test_a_large_result_pages_by_2000(client: httpx.Client, runtime: Runtime, resource: str) -> None:
    total = _many_users(runtime, 2100)
    token = code_tokens(client)["access_token"]
    first = _get(client, token, f"{V}/{resource}?q=SELECT Id FROM User")
    body = first.json()
    assert (body["totalSize"], body["done"], len(body["records"])) == (total, False, 2000)
    match = LOCATOR.match(body["nextRecordsUrl"])
    assert match is not None and match.groups() == (resource, "2000"), body["nextRecordsUrl"]
    batches = _follow(client, token, first)
    assert [len(b) for b in batches] == [2000, total - 2000]
    ids = [i for b in batches for i in b]
    assert len(set(ids)) == total == len(ids)


def test_batch_size_option_and_its_bounds(client: httpx.Client, runtime: Runtime) -> None:
    total = _many_users(runtime, 700)
    token = code_tokens(client)["access_token"]
    q = f"{V}/query?q=SELECT Id, Username FROM User"
    assert [len(b) for b in _follow(client, token, _get(client, token, q, 300), 300)] == [300, 300, total - 600]
    # below the minimum is the minimum (200); above the maximum, the maximum; nonsense, the default
    assert len(_get(client, token, q, 10).json()["records"]) == 200
    assert len(_get(client, token, q, 5000).json()["records"]) == total
    r = client.get(q, headers={"Authorization": f"Bearer {token}", "Sforce-Query-Options": "batchSize=x"})
    assert r.json()["done"] is True


def test_small_results_open_no_cursor(client: httpx.Client, runtime: Runtime) -> None:
    token = code_tokens(client)["access_token"]
    body = rest(client, token, f"{V}/query?q=SELECT Id FROM User").json()
    assert body["done"] is True and "nextRecordsUrl" not in body
    from mockown.salesforce.cursors import QueryCursor

    assert len(runtime.store.table(QueryCursor)) == 0


def test_a_cursor_is_a_snapshot(client: httpx.Client, runtime: Runtime) -> None:
    total = _many_users(runtime, 2100)
    token = code_tokens(client)["access_token"]
    first = _get(client, token, f"{V}/query?q=SELECT Id FROM User")
    _many_users(runtime, 2200)  # 100 more users after the query: not in its later batches
    assert sum(len(b) for b in _follow(client, token, first)) == total


def _next_url(client: httpx.Client, token: str) -> str:
    url: str = _get(client, token, f"{V}/query?q=SELECT Id FROM User", 200).json()["nextRecordsUrl"]
    return url


@pytest.mark.parametrize(
    "path",
    ["query/01g5g0000000000AAA-200", "query/nonsense", "query/01g5g0000000000AAA", "query/01g5g0000000000AAA-x",
     "queryAll/nonsense-1"],
)  # fmt: skip
def test_unknown_locators_are_invalid(client: httpx.Client, runtime: Runtime, path: str) -> None:
    _many_users(runtime, 300)
    token = code_tokens(client)["access_token"]
    r = _get(client, token, f"{V}/{path}")
    assert r.status_code == 400 and r.json()[0]["errorCode"] == INVALID_LOCATOR
    assert "Sforce-Limit-Info" in r.headers


def test_a_locator_past_its_records_or_of_another_user_is_invalid(client: httpx.Client, runtime: Runtime) -> None:
    _many_users(runtime, 300)
    token = code_tokens(client)["access_token"]
    url = _next_url(client, token)
    beyond = url.rsplit("-", 1)[0] + "-999999"
    assert _get(client, token, beyond).json()[0]["errorCode"] == INVALID_LOCATOR
    other = code_tokens(client, login_hint="integration@mockown.test")["access_token"]
    assert _get(client, other, url).json()[0]["errorCode"] == INVALID_LOCATOR
    assert _get(client, token, url).status_code == 200  # its own user still reads it


def test_cursors_expire_after_15_idle_minutes(client: httpx.Client, runtime: Runtime, clock: FrozenClock) -> None:
    _many_users(runtime, 300)
    token = code_tokens(client)["access_token"]
    url = _next_url(client, token)
    clock.advance(14 * 60)
    assert _get(client, token, url).status_code == 200  # a use restarts the 15 minutes
    clock.advance(14 * 60)
    assert _get(client, token, url).status_code == 200
    clock.advance(15 * 60 + 1)
    assert _get(client, token, url).json()[0]["errorCode"] == INVALID_LOCATOR


def test_at_most_10_cursors_per_user(client: httpx.Client, runtime: Runtime) -> None:
    from mockown.salesforce.cursors import QueryCursor

    _many_users(runtime, 300)
    token = code_tokens(client)["access_token"]
    urls = [_next_url(client, token) for _ in range(11)]
    assert _get(client, token, urls[0]).json()[0]["errorCode"] == INVALID_LOCATOR  # the oldest was released
    assert all(_get(client, token, u).status_code == 200 for u in urls[1:])
    assert len(runtime.store.table(QueryCursor)) == 10


def test_a_locator_with_a_dead_token_is_invalid_session(client: httpx.Client, runtime: Runtime) -> None:
    _many_users(runtime, 300)
    token = code_tokens(client)["access_token"]
    url = _next_url(client, token)
    r = _get(client, "00D000000000001!nope", url)
    assert r.status_code == 401 and r.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_opening_a_cursor_does_not_list_every_cursor(
    client: httpx.Client, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each cursor holds its snapshot (SQLite decodes it on every read): opening one reads the user's own cursors
    (at most 10), and others' idle ones go in an amortized pass, not a scan of every cursor per query."""
    from typing import Any

    from mockown.salesforce.cursors import QueryCursor

    _many_users(runtime, 300)
    token = code_tokens(client)["access_token"]
    _next_url(client, token)
    table = runtime.store.table(QueryCursor)

    def no_scan(*_: Any) -> Any:
        raise AssertionError("opening a cursor listed every cursor")

    monkeypatch.setattr(type(table), "all", no_scan)
    monkeypatch.setattr(type(table), "__iter__", no_scan)
    assert _get(client, token, _next_url(client, token)).status_code == 200


def test_another_users_idle_cursor_is_released_by_a_pass(
    client: httpx.Client, runtime: Runtime, clock: FrozenClock
) -> None:
    from mockown.salesforce.cursors import QueryCursor

    _many_users(runtime, 300)
    runtime.salesforce.cursor_pruner.every = 1
    mine = _next_url(client, code_tokens(client)["access_token"])
    clock.advance(15 * 60 + 1)
    other = code_tokens(client, login_hint="integration@mockown.test")["access_token"]
    _next_url(client, other)
    assert len(runtime.store.table(QueryCursor)) == 1
    assert runtime.store.table(QueryCursor).get(mine.rsplit("/", 1)[1].split("-")[0]) is None

"""The journal's ids rise in the order its entries are added: a `since=` cursor misses nothing, even when a slow
request is answered after quicker ones that came later, and `limit=1` (the plugin's `journal.mark()`) is the newest.

Each request is driven straight through the ASGI app; its `send` holds the answer's start until the test lets it
go, so which request is answered first is decided by the test, not by timing."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.types import Message

from mockown import Config, create_app
from mockown.http.journal import JournalFilter

PATHS = ("/services/data", "/.well-known/openid-configuration", "/id/keys", "/services/oauth2/userinfo")


def _scope(path: str) -> dict[str, object]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }


async def _held(app: Starlette, path: str, go: asyncio.Event) -> None:
    """One request whose answer does not start until `go` is set."""

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            await go.wait()

    await app(_scope(path), receive, send)


async def _started(app: Starlette, paths: list[str]) -> tuple[list[asyncio.Task[None]], list[asyncio.Event]]:
    """Every request in flight, in this order, none answered yet."""
    gates = [asyncio.Event() for _ in paths]
    tasks = [asyncio.ensure_future(_held(app, path, gate)) for path, gate in zip(paths, gates, strict=True)]
    for _ in range(50):  # each request runs up to its held answer
        await asyncio.sleep(0)
    assert len(app.state.runtime.control.journal) == 0
    return tasks, gates


def test_a_cursor_past_a_quicker_later_request_still_sees_the_slow_one(app: Starlette) -> None:
    journal = app.state.runtime.control.journal

    async def main() -> None:
        tasks, (slow, quick) = await _started(app, ["/services/oauth2/userinfo", "/.well-known/openid-configuration"])
        quick.set()
        await tasks[1]
        seen = journal.entries(JournalFilter(since=0))
        assert [e.path for e in seen] == ["/.well-known/openid-configuration"]
        cursor = seen[-1].id
        mark = journal.entries(None, 1)[-1].id  # the plugin's journal.mark(): "from now on"
        slow.set()
        await tasks[0]
        later = journal.entries(JournalFilter(since=cursor))
        assert [e.path for e in later] == ["/services/oauth2/userinfo"]  # the slow request is not lost
        assert [e.path for e in journal.entries(JournalFilter(since=mark))] == ["/services/oauth2/userinfo"]
        assert journal.entries(None, 1)[-1].path == "/services/oauth2/userinfo"  # the newest is the one added last

    asyncio.run(main())


_APP: list[Starlette] = []


def _shared_app() -> Starlette:
    if not _APP:
        _APP.append(create_app(Config()))
    return _APP[0]


@settings(max_examples=40, deadline=None)
@given(order=st.permutations(range(len(PATHS))), polls=st.lists(st.booleans(), min_size=4, max_size=4))
def test_polling_with_since_sees_every_entry_once_in_journal_order(order: list[int], polls: list[bool]) -> None:
    """Requests answered in any order: a poller that passes the last id it saw as `since` (after any of the
    answers) sees every request exactly once, in the journal's order, and the ids rise along the journal."""
    app = _shared_app()
    journal = app.state.runtime.control.journal
    journal.clear()

    async def main() -> None:
        tasks, gates = await _started(app, list(PATHS))
        cursor, seen = 0, []
        for index, poll in zip(order, polls, strict=True):
            gates[index].set()
            await tasks[index]
            if poll:
                found = journal.entries(JournalFilter(since=cursor))
                seen += found
                cursor = found[-1].id if found else cursor
        seen += journal.entries(JournalFilter(since=cursor))
        everything = journal.entries()
        assert [e.path for e in seen] == [e.path for e in everything] == [PATHS[i] for i in order]
        ids = [e.id for e in everything]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        assert journal.entries(None, 1)[-1].id == max(ids)

    asyncio.run(main())

"""Request-pipeline rules (mockown/http/pipeline.py) that the third hand-driven mutation audit showed no test would
miss if broken: each test names the mutant it kills and passes on the real code."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.types import Message


def test_the_entry_is_in_the_journal_before_the_last_part_of_the_answer_goes_out(app: Starlette) -> None:
    """A client that has its whole answer finds its request in the journal: the entry is recorded before the last
    body message is handed to the server (kills the recording moved after `send`: a test that read the journal
    right after its answer could miss its own request)."""
    journal = app.state.runtime.control.journal
    seen: list[tuple[bool, int]] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            seen.append((any(e.path == "/services/data" for e in journal.entries()), len(journal)))

    scope: dict[str, object] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/services/data",
        "raw_path": b"/services/data",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    assert seen == [(True, 1)]


def test_the_journal_shows_the_query_and_the_body_parameters_together(client: httpx.Client) -> None:
    """A POST with parameters in both the query and the body (1.2: a token request's parameters may come in the
    query) is journaled with both, and names its grant type (kills the query replacing the body's parameters)."""
    client.delete("/_mockown/journal")
    client.post("/services/oauth2/token?format=json", data={"grant_type": "password", "username": "u@x.test"})
    (entry,) = client.get("/_mockown/journal").json()["entries"]
    assert entry["params"] == {"grant_type": "password", "username": "u@x.test", "format": "json"}
    assert entry["grant_type"] == "password"

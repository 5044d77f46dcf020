"""The pipeline reads a body only when there is one, and the app and the journal see the same request either way."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.conftest import CID, SECRET


async def _echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse({"body": body.decode(), "method": request.method})


def _with_echo(app: Starlette) -> Starlette:
    app.router.routes.append(Route("/services/data/v62.0/echo", _echo, methods=["GET", "POST", "DELETE"]))
    return app


def test_a_request_without_a_body_still_reads_an_empty_one(app: Starlette, client: httpx.Client) -> None:
    _with_echo(app)
    assert client.get("/services/data/v62.0/echo").json() == {"body": "", "method": "GET"}
    assert client.delete("/services/data/v62.0/echo", headers={"Content-Length": "0"}).json()["body"] == ""


def test_a_body_on_any_method_reaches_the_app_and_the_journal(app: Starlette, client: httpx.Client) -> None:
    _with_echo(app)
    r = client.request("GET", "/services/data/v62.0/echo", content=b"a=1&b=2",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.json() == {"body": "a=1&b=2", "method": "GET"}
    entry = app.state.runtime.control.journal.entries(limit=1)[0]
    assert entry.params == {"a": "1", "b": "2"}


def test_a_chunked_body_is_read_replayed_and_journaled(app: Starlette, client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"grant_type=client_"
        yield b"credentials"

    r = client.post("/services/oauth2/token", content=chunks(), auth=(CID, SECRET),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.status_code == 200 and r.json()["token_type"] == "Bearer"
    entry = app.state.runtime.control.journal.entries(limit=1)[0]
    assert entry.grant_type == "client_credentials" and entry.client_id == CID

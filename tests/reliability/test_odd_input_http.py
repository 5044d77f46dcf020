"""Odd input at the HTTP layer, on every API: odd header values, odd bodies, odd paths and methods get an answer in
the dialect of the API they hit (never a 500, never a traceback), and nothing already stored is lost.

In-process here (the route table enumerated, the ASGI scope built by hand so that any byte can go in a header);
`test_odd_input_socket.py` sends what only a real socket can carry (chunked bodies, lying lengths, Expect).
After each batch `invariants()` checks the state: a known token still introspects active, the seeded users still
log in.
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.conftest import ADMIN, CID, PASSWORD, SECRET

APP = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
RUNTIME = APP.state.runtime
CLIENT = in_process_client(APP)
FORM = b"application/x-www-form-urlencoded"


class Answer:
    def __init__(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:200]!r}>"


async def _call(
    method: str, path: str, headers: Sequence[tuple[bytes, bytes]], body: bytes, query: bytes, raw_path: bytes | None
) -> Answer:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "headers": [(k.lower(), v) for k, v in headers],
        "scheme": "http",
        "path": path,
        "raw_path": raw_path if raw_path is not None else path.encode("utf-8", "surrogateescape"),
        "query_string": query,
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client stays connected until the answer is out
        return {"type": "http.disconnect"}

    answer = Answer()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await APP(scope, receive, send)
    return answer


def call(
    method: str,
    path: str,
    headers: Sequence[tuple[bytes, bytes]] = (),
    body: bytes = b"",
    query: bytes = b"",
    raw_path: bytes | None = None,
) -> Answer:
    """One request with exactly these header bytes (a Host of `testserver` unless one is given, a Content-Length for
    a body unless one is given); an exception inside the app fails the test with its traceback."""
    names = {k.lower() for k, _ in headers}
    extra: list[tuple[bytes, bytes]] = [] if b"host" in names else [(b"host", b"testserver")]
    if body and b"content-length" not in names and b"transfer-encoding" not in names:
        extra.append((b"content-length", str(len(body)).encode()))
    return asyncio.run(_call(method, path, [*extra, *headers], body, query, raw_path))


def basic(user: str, secret: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{user}:{secret}".encode())


def form(**fields: str) -> bytes:
    return urlencode(fields).encode()


PASSWORD_GRANT = form(grant_type="password", client_id=CID, client_secret=SECRET, username=ADMIN, password=PASSWORD)


def invariants() -> None:
    """What no odd request may break: the seeded admin still logs in, a token issued before still introspects
    active, the seeded Own owner still gets an access token."""
    r = CLIENT.post("/services/oauth2/token", content=PASSWORD_GRANT, headers={"Content-Type": FORM.decode()})
    assert r.status_code == 200, r.text
    r = CLIENT.post("/services/oauth2/introspect", data={"token": KNOWN_TOKEN}, auth=(CID, SECRET))
    assert r.status_code == 200 and r.json()["active"] is True, r.text
    r = CLIENT.post("/api/auth/v1/login", data={"email": "owner@own.mockown.test", "password": "0wnerPassw0rd!"})
    assert r.status_code == 200, r.text


def _issue() -> str:
    r = CLIENT.post("/services/oauth2/token", content=PASSWORD_GRANT, headers={"Content-Type": FORM.decode()})
    token: str = r.json()["access_token"]
    return token


KNOWN_TOKEN = _issue()


def control_error(answer: Answer) -> str:
    """The control plane's dialect: `{"error", "message"}`; the error code."""
    import json

    data = json.loads(answer.body)
    assert sorted(data) == ["error", "message"], answer
    return str(data["error"])


# -- the control plane's seed document ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "document",
    [
        pytest.param(b"[" * 50_000, id="JSON nested past the parser's depth"),
        pytest.param(b'{"salesforce": {"orgs": ' + b"[" * 2000 + b"]" * 2000 + b"}}", id="deep but well-formed JSON"),
        pytest.param(b'{"salesforce": ' + b"1" * 5000 + b"}", id="JSON integer of 5000 digits"),
        pytest.param(b"salesforce: " + b"1" * 5000, id="YAML integer of 5000 digits"),
        pytest.param(b"salesforce: 2001-13-45", id="YAML date with a 13th month"),
        pytest.param(b"salesforce: 2001-12-14t21:59:43.10-99:00", id="YAML timestamp with a -99h offset"),
        pytest.param(b"salesforce: !!int x", id="YAML !!int of no number"),
        pytest.param(b"salesforce: !!float x", id="YAML !!float of no number"),
    ],
)
def test_a_seed_document_no_parser_can_read_is_a_400(document: bytes) -> None:
    before = len(CLIENT.get("/_mockown/snapshot").json()["store"])
    answer = call("POST", "/_mockown/seed", [(b"content-type", b"application/json")], document)
    assert answer.status == 400, answer
    assert control_error(answer) == "invalid_request"
    assert len(CLIENT.get("/_mockown/snapshot").json()["store"]) == before
    invariants()


def test_the_invariants_hold_on_a_fresh_app() -> None:
    invariants()
    assert re.fullmatch(r"00D\w+![\w.]+", KNOWN_TOKEN)

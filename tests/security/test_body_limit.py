"""Request bodies over the limit (`max_body_bytes`, 1 MiB by default) get 413 in the endpoint's own dialect, on
every route of every API, whatever else is wrong with the request (no credential, unknown tenant, ...)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from mockown import Config, FrozenClock, create_app
from mockown.errors import dialect_for
from mockown.http.control import BIG_BODY
from mockown.http.inprocess import in_process_client

LIMIT = 1024 * 1024
APP = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))


def shape(status: int, content_type: str, body: bytes) -> tuple[int, str, Any]:
    """What a dialect's error looks like: status, media type and the keys of its JSON (or the kind of text)."""
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        data = json.loads(body)
    except ValueError:
        return status, media, "text"
    if isinstance(data, list):
        return status, media, ["list", *sorted(data[0])] if data and isinstance(data[0], dict) else "list"
    if isinstance(data, dict):
        return status, media, sorted(data)
    return status, media, type(data).__name__


def expected(path: str, status: int = 413) -> tuple[int, str, Any]:
    error = dialect_for(APP.state.dialects, path)(status, "Payload Too Large", "x").response()
    return shape(error.status_code, error.headers.get("content-type", ""), bytes(error.body))


def body_routes() -> list[Any]:
    """Every (method, path) of the app that can take a body, outside the control plane."""
    out = []
    for route in APP.routes:
        if not isinstance(route, Route) or route.path.startswith("/_mockown"):
            continue
        for method in sorted((route.methods or set()) - {"GET", "HEAD"}):
            path = re.sub(r"\{[^}]+\}", "x1", route.path)
            out.append(pytest.param(method, path, id=f"{method} {route.path}"))
    return out


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with in_process_client(APP) as c:
        yield c


@pytest.mark.parametrize(("method", "path"), body_routes())
def test_a_declared_body_over_the_limit_is_413_in_the_dialect(client: httpx.Client, method: str, path: str) -> None:
    for content_type in ("application/x-www-form-urlencoded", "application/json"):
        r = client.request(method, path, content=b"a" * (LIMIT + 1), headers={"Content-Type": content_type})
        assert shape(r.status_code, r.headers.get("content-type", ""), r.content) == expected(path), r.text[:300]


STREAMING = [
    "/services/oauth2/token",
    "/services/oauth2/introspect",
    "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token",
    "/own/profile",
    "/mc/mcmockowndemo000000000000000/v2/token",
    "/dwsso/oauth2/access_token",
    "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2/token",
]


@pytest.mark.parametrize("path", STREAMING)
def test_a_streamed_body_over_the_limit_is_413_too(client: httpx.Client, path: str) -> None:
    """Without a Content-Length (chunked), the endpoint stops reading at the limit."""

    def chunks() -> Iterator[bytes]:
        yield b"grant_type=password&x="
        for _ in range(LIMIT // 65536 + 1):
            yield b"a" * 65536

    r = client.post(path, content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert shape(r.status_code, r.headers.get("content-type", ""), r.content) == expected(path), r.text[:300]


@pytest.mark.parametrize("path", STREAMING)
def test_a_body_at_the_limit_is_read(client: httpx.Client, path: str) -> None:
    body = b"grant_type=password&x=" + b"a" * (LIMIT - 22)
    assert len(body) == LIMIT
    r = client.post(path, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code != 413 and r.status_code < 500, r.text[:300]


def test_the_limit_is_a_setting() -> None:
    small = create_app(Config(max_body_bytes=100), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(small) as c:
        r = c.post("/services/oauth2/token", content=b"x" * 101, headers={"Content-Type": "text/plain"})
        assert r.status_code == 413 and set(r.json()) >= {"error", "error_description"}
        assert c.post("/services/oauth2/token", content=b"x" * 100).status_code == 400


def test_the_control_plane_takes_big_documents_up_to_its_own_limit(client: httpx.Client) -> None:
    r = client.post("/_mockown/seed", content=b" " * (LIMIT + 1), headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text  # a blank document: the default seed sections, not a 413

    async def declared(size: int) -> tuple[int, bytes]:
        """An ASGI request that declares `size` bytes (the refusal must come before any is read)."""
        sent: list[Any] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"{}", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": "/_mockown/seed", "raw_path": b"/_mockown/seed", "query_string": b"", "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), (b"content-length", str(size).encode())],
            "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8080),
        }  # fmt: skip
        await APP(scope, receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    status, body = asyncio.run(declared(BIG_BODY + 1))
    assert status == 413 and json.loads(body)["error"] == "payload_too_large"

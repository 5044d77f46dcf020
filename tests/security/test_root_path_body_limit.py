"""Under a root path the control plane keeps its own body limit (`guards.limit_for`: at least `BIG_BODY`, a
snapshot to restore is big): the limit was chosen by ASGI's `path`, which then carries the prefix
(`/x/_mockown/restore`), so a restore or seed over `max_body_bytes` was 413 under a root path and 200 without."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import InProcessTransport, in_process_client

from ..conftest import T0

SMALL = 4096  # a snapshot of the default seed is larger


def _client(prefix: str) -> httpx.Client:
    app = create_app(Config(max_body_bytes=SMALL), clock=FrozenClock(T0))
    if prefix == "/x":
        transport = InProcessTransport(app, root_path="/x")
    else:
        transport = InProcessTransport(Starlette(routes=[Mount(prefix, app=app)]))
    return httpx.Client(transport=transport, base_url="http://127.0.0.1")


@pytest.mark.parametrize("prefix", ["", "/x", "/mock"])
def test_a_snapshot_over_max_body_bytes_restores_under_a_root_path(prefix: str) -> None:
    if prefix:
        client = _client(prefix)
    else:
        client = in_process_client(create_app(Config(max_body_bytes=SMALL), clock=FrozenClock(T0)))
    with client:
        snapshot = client.get(prefix + "/_mockown/snapshot")
        assert snapshot.status_code == 200 and len(snapshot.content) > SMALL
        restored = client.post(
            prefix + "/_mockown/restore", content=snapshot.content, headers={"Content-Type": "application/json"}
        )
        assert restored.status_code == 200, restored.text[:200]


@pytest.mark.parametrize("path", ["/services/oauth2/token", "/api/v1/services", "/services/data/%01"])
def test_a_refusal_under_a_root_path_speaks_the_endpoints_dialect(path: str) -> None:
    """The body limit's 413 and the path guard's 404 in the dialect of the path the router routes, as without
    a root path (ASGI's `path` chose the control plane's dialect under `/x`)."""
    headers = {"Content-Length": str(SMALL + 1)}
    with in_process_client(create_app(Config(max_body_bytes=SMALL), clock=FrozenClock(T0))) as plain:
        expected = plain.post(path, headers=headers, content=b"")
    with _client("/x") as client:
        answer = client.post("/x" + path, headers=headers, content=b"")
    assert (answer.status_code, answer.text) == (expected.status_code, expected.text)

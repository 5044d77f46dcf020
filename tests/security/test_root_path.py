"""The control plane's lock holds when the app is served under a root path: `uvicorn --root-path /x` (the usual
set-up behind a proxy that strips a prefix) or the app mounted in a bigger ASGI app (`Mount("/mock", app)`). ASGI's
`path` then carries the root path (`/x/_mockown/snapshot`) and the router strips it; the guard must read the path
the router routes (Starlette's `get_route_path`), else the admin token and the loopback rule are skipped for every
control-plane route (found over a real socket: `uvicorn --factory mockown:create_app --root-path /x` with
`MOCKOWN_ADMIN_TOKEN` set answered `GET /_mockown/snapshot` with 200 and no token)."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from mockown import Config, create_app
from mockown.http.inprocess import InProcessTransport

ADMIN = "root-path-admin-token"
PATHS = ["/_mockown/health", "/_mockown/snapshot", "/_mockown/journal", "/_mockown/ui"]


def _client(app: Starlette, root_path: str = "") -> httpx.Client:
    return httpx.Client(transport=InProcessTransport(app, root_path=root_path), base_url="http://127.0.0.1")


@pytest.mark.parametrize("path", PATHS)
def test_under_a_root_path_the_admin_token_is_still_needed(path: str) -> None:
    app = create_app(Config(admin_token=ADMIN))
    with _client(app, root_path="/x") as client:
        assert client.get("/x" + path).status_code == 401
        assert client.post("/x/_mockown/reset").status_code == 401
        assert client.get("/x" + path, headers={"Authorization": f"Bearer {ADMIN}"}).status_code != 401


@pytest.mark.parametrize("path", PATHS)
def test_a_mounted_app_keeps_its_control_plane_locked(path: str) -> None:
    outer = Starlette(routes=[Mount("/mock", app=create_app(Config(admin_token=ADMIN)))])
    with _client(outer) as client:
        assert client.get("/mock" + path).status_code == 401


def test_beyond_loopback_without_a_token_a_root_path_does_not_open_it() -> None:
    app = create_app(Config(host="0.0.0.0"))
    with _client(app, root_path="/x") as client:
        assert client.get("/x/_mockown/snapshot").status_code == 403
        assert client.post("/x/_mockown/reset").status_code == 403


def test_control_requests_under_a_root_path_are_not_journaled() -> None:
    app = create_app(Config(admin_token=ADMIN))
    auth = {"Authorization": f"Bearer {ADMIN}"}
    with _client(app, root_path="/x") as client:
        client.get("/x/_mockown/health", headers=auth)
        assert client.get("/x/_mockown/journal", headers=auth).json()["count"] == 0

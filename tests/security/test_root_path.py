"""The control plane's lock holds when the app is served under a root path: `uvicorn --root-path /x` (the usual
set-up behind a proxy that strips a prefix) or the app mounted in a bigger ASGI app (`Mount("/mock", app)`). ASGI's
`path` then carries the root path (`/x/_mockown/snapshot`) and the router strips it; the guard must read the path
the router routes (Starlette's `get_route_path`), else the admin token and the loopback rule are skipped for every
control-plane route (found over a real socket: `uvicorn --factory mockown:create_app --root-path /x` with
`MOCKOWN_ADMIN_TOKEN` set answered `GET /_mockown/snapshot` with 200 and no token)."""

from __future__ import annotations

import re
from urllib.parse import unquote

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


# -- what the client sent in a mount's path parameter becomes part of the root path: handed out encoded ----------
HOSTILE = ["a;%20Domain=evil.test;%20SameSite=None", "a%0D%0AX-Evil:%201", "a%3Fq=1%23f"]


@pytest.mark.parametrize("segment", HOSTILE)
def test_a_root_path_from_the_client_is_handed_out_percent_encoded(segment: str) -> None:
    """Under `Mount("/t/{tenant}", app)` ASGI's root path holds the decoded segment: a `;` there added attributes
    to the Own profile cookie (`Path=/t/a; Domain=evil.test; ...`), a CR LF broke the response head (uvicorn:
    "Invalid HTTP header value", no answer), a `?` cut the URLs the mock hands out short."""
    outer = Starlette(routes=[Mount("/t/{tenant}", app=create_app(Config()))])
    with _client(outer) as client:
        page = client.get(f"/t/{segment}/own/profile")
        assert page.status_code in (200, 401), page.text
        token = re.search(r"name='_csrf' value='([^']*)'", page.text)
        assert token is not None
        out = client.post(f"/t/{segment}/own/profile/logout", data={"_csrf": token.group(1)},
                          headers={"Origin": "http://127.0.0.1"})  # fmt: skip
        cookie = out.headers["set-cookie"]
        attributes = [a.strip().split("=", 1)[0].lower() for a in cookie.split(";")[1:]]
        assert "domain" not in attributes and "\r" not in cookie and "\n" not in cookie, cookie
        assert re.search(r"Path=/t/[A-Za-z0-9%=:@!$&'()*+,._~-]+/own/", cookie), cookie
        issuer = client.get(f"/t/{segment}/.well-known/openid-configuration").json()["issuer"]
        assert issuer.startswith("http://127.0.0.1/t/a%") and "?" not in issuer and "#" not in issuer, issuer
        assert httpx.URL(issuer).path == "/t/" + unquote(segment), issuer  # the same path, encoded


def test_under_the_root_path_slash_the_dashboard_stays_on_this_host() -> None:
    """`--root-path /` (uvicorn passes it on): the dashboard's links were `//_mockown/...`, a URL of host `_mockown`."""
    with _client(create_app(Config()), root_path="/") as client:
        page = client.get("/_mockown/ui")
        links = set(re.findall(r"(?:action|href)='([^']*)'", page.text))
        assert links and all(link.startswith("/_mockown/") for link in links), links
        back = client.post("/_mockown/ui/reset", headers={"Origin": "http://127.0.0.1"})
        assert back.status_code == 303 and back.headers["location"].startswith("/_mockown/ui?"), back.headers

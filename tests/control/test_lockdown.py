"""Who may use the control plane: admin token, loopback, --insecure-control-plane, same origin."""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from mockown import Config, FrozenClock, MockownServer, create_app
from mockown.http.inprocess import in_process_client
from tests.server_support import non_loopback_address

from .serve import Server, serve

ADMIN_TOKEN = "s3cret-admin-token-for-tests"
CONTROL_PATHS = [
    ("GET", "/_mockown/health"),
    ("GET", "/_mockown/journal"),
    ("POST", "/_mockown/reset"),
    ("GET", "/_mockown/ui"),
    ("GET", "/_mockown/openapi.yaml"),
    ("POST", "/_mockown/salesforce/device/approve"),  # another API's route under /_mockown is covered too
    ("GET", "/_mockown/no-such-thing"),
]


def _client(**config: object) -> httpx.Client:
    app = create_app(Config(**config), clock=FrozenClock("2026-01-01T00:00:00Z"))  # type: ignore[arg-type]
    return in_process_client(app)


@pytest.mark.parametrize(("method", "path"), CONTROL_PATHS)
def test_public_address_without_token_closes_the_control_plane(method: str, path: str) -> None:
    with _client(host="0.0.0.0") as client:
        response = client.request(method, path)
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"
        assert "admin token" in response.json()["message"]
        assert client.get("/services/data").status_code == 200  # the emulated APIs are not affected


def test_insecure_control_plane_opens_it_on_a_public_address() -> None:
    with _client(host="0.0.0.0", insecure_control_plane=True) as client:
        assert client.get("/_mockown/health").status_code == 200


@pytest.mark.parametrize(("method", "path"), CONTROL_PATHS)
def test_admin_token_is_required_everywhere_under_mockown(method: str, path: str) -> None:
    with _client(host="0.0.0.0", admin_token=ADMIN_TOKEN) as client:
        missing = client.request(method, path)
        assert missing.status_code == 401
        assert missing.json()["error"] == "unauthorized"
        assert missing.headers["www-authenticate"].split()[0] in ("Bearer", "Basic")
        wrong = client.request(method, path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}x"})
        assert wrong.status_code == 401
        right = client.request(method, path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert right.status_code not in (401, 403)


def test_basic_auth_with_the_token_as_password_only_for_the_dashboard() -> None:
    basic = "Basic " + base64.b64encode(f"admin:{ADMIN_TOKEN}".encode()).decode()
    with _client(admin_token=ADMIN_TOKEN) as client:
        page = client.get("/_mockown/ui", headers={"Authorization": basic})
        assert page.status_code == 200 and "mockown" in page.text
        challenge = client.get("/_mockown/ui")
        assert challenge.status_code == 401 and challenge.headers["www-authenticate"].startswith("Basic")
        assert client.get("/_mockown/health", headers={"Authorization": basic}).status_code == 401
        wrong = "Basic " + base64.b64encode(b"admin:nope").decode()
        assert client.get("/_mockown/ui", headers={"Authorization": wrong}).status_code == 401


def test_cross_origin_changes_are_refused() -> None:
    with _client() as client:
        evil = client.post("/_mockown/reset", headers={"Origin": "https://evil.example"})
        assert evil.status_code == 403 and "cross-origin" in evil.json()["message"]
        fetch = client.post("/_mockown/reset", headers={"Sec-Fetch-Site": "cross-site"})
        assert fetch.status_code == 403
        same = client.post("/_mockown/reset", headers={"Origin": "http://testserver"})
        assert same.status_code == 200
        assert client.get("/_mockown/health", headers={"Origin": "https://evil.example"}).status_code == 200


# -- a real server -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def locked() -> Iterator[Server]:
    with serve(["--admin-token", ADMIN_TOKEN], health_token=ADMIN_TOKEN) as running:
        yield running


def test_a_served_control_plane_with_a_token(locked: Server) -> None:
    with locked.client() as anonymous:
        assert anonymous.get("/_mockown/health").status_code == 401
        live = anonymous.get("/_mockown/live")  # the liveness probe alone, and nothing more (no version, clock)
        assert (live.status_code, live.json()) == (200, {"status": "ok"})
        assert anonymous.post("/_mockown/clock", json={"advance": "1d"}).status_code == 401
        assert anonymous.get("/services/data").status_code == 200
    with locked.client(admin_token=ADMIN_TOKEN) as admin:
        assert admin.post("/_mockown/clock", json={"advance": "1d"}).json()["iso"] == "2026-01-02T00:00:00.000Z"
    with locked.client(admin_token="MOCKOWN") as wrong:
        assert wrong.get("/_mockown/clock").status_code == 401
    assert ADMIN_TOKEN not in locked.logs() + locked.output()


def test_env_admin_token_locks_it_too() -> None:
    with serve(env={"MOCKOWN_ADMIN_TOKEN": ADMIN_TOKEN}, health_token=ADMIN_TOKEN) as running:
        assert httpx.get(running.url + "/_mockown/health").status_code == 401


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])
def test_serve_refuses_a_public_address_with_an_open_control_plane(host: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockown", "serve", "--host", host, "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "refusing to listen" in result.stderr and "--admin-token" in result.stderr


# -- the address a connection came in on ------------------------------------------------------------------
@pytest.mark.parametrize("base_url", ["http://192.0.2.10:8080", "http://[2001:db8::1]", "https://10.1.2.3"])
def test_an_app_reached_on_a_non_loopback_ip_closes_the_control_plane(base_url: str) -> None:
    """ASGI's `server` is the address the request came in on: a non-loopback IP means the app is reachable from
    the network there, whatever its config's `host` says (`uvicorn --factory mockown:create_app --host 0.0.0.0`)."""
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app, base_url=base_url) as client:
        for method, path in CONTROL_PATHS:
            response = client.request(method, path)
            assert response.status_code == 403, (method, path)
            assert "admin token" in response.json()["message"]
        assert client.get("/services/data").status_code == 200
    with in_process_client(app, base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        assert client.get("/_mockown/health").status_code == 403  # no admin token configured: none opens it
    locked = create_app(Config(admin_token=ADMIN_TOKEN), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(locked, base_url=base_url) as client:
        assert client.get("/_mockown/health").status_code == 401
        assert client.get("/_mockown/health", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status_code == 200
    insecure = create_app(Config(insecure_control_plane=True), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(insecure, base_url=base_url) as client:
        assert client.get("/_mockown/health").status_code == 200


@pytest.mark.parametrize(
    "base_url", ["http://testserver", "http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]", "http://mock"]
)
def test_loopback_and_names_keep_the_control_plane_open(base_url: str) -> None:
    with in_process_client(create_app(Config()), base_url=base_url) as client:
        assert client.get("/_mockown/health").status_code == 200
        assert client.post("/_mockown/reset").status_code == 200


def test_a_server_built_for_every_interface_locks_its_control_plane() -> None:
    """`MockownServer(host=...)` builds its app for the address it listens on."""
    with MockownServer(host="0.0.0.0") as server:
        assert server.runtime.config.host == "0.0.0.0"
        local = httpx.get(f"http://127.0.0.1:{server.port}/_mockown/snapshot", timeout=10)
        assert local.status_code == 403 and "admin token" in local.json()["message"]
        assert httpx.get(f"http://127.0.0.1:{server.port}/services/data", timeout=10).status_code == 200
    with MockownServer(config=Config(seed_defaults=False), host="0.0.0.0") as server:
        assert httpx.get(f"http://127.0.0.1:{server.port}/_mockown/health", timeout=10).status_code == 403
    with MockownServer() as server:
        assert httpx.get(server.url + "/_mockown/health", timeout=10).status_code == 200


def test_a_loopback_app_served_on_every_interface_answers_only_loopback_connections() -> None:
    """An app built for 127.0.0.1 but served on 0.0.0.0: a connection that came in on a network interface gets
    403, one over loopback is local and gets the control plane."""
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    with MockownServer(create_app(Config()), host="0.0.0.0") as server:
        remote = httpx.get(f"http://{address}:{server.port}/_mockown/snapshot", timeout=10)
        assert remote.status_code == 403 and "admin token" in remote.json()["message"]
        assert httpx.post(f"http://{address}:{server.port}/_mockown/reset", timeout=10).status_code == 403
        assert httpx.get(f"http://{address}:{server.port}/services/data", timeout=10).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{server.port}/_mockown/health", timeout=10).status_code == 200

"""The control plane refuses unauthenticated calls when the server listens beyond loopback: every route under
`/_mockown` (also those other APIs add there), whatever the method, but the liveness probe (`GET /_mockown/live`:
`{"status": "ok"}` and nothing else, what a health check needs without the admin token).
`tests/control/test_lockdown.py` covers the served process and the CLI's refusal; this covers every route and what
counts as loopback."""

from __future__ import annotations

import re

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.config import is_loopback
from mockown.http.inprocess import in_process_client

TOKEN = "control-plane-token-for-the-security-tests"


LIVENESS = ("GET", "/_mockown/live")  # the one route the lock leaves open (test_the_liveness_probe_is_open_...)


def control_routes() -> list[tuple[str, str]]:
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    out = []
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/_mockown"):
            for method in sorted(set(getattr(route, "methods", None) or {"GET"}) - {"HEAD"}):
                out.append((method, re.sub(r"\{[^}]+\}", "x", path)))
    assert len(out) > 15
    assert LIVENESS in out
    return [route for route in out if route != LIVENESS]


ROUTES = control_routes()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "127.example.com", "127.0.0.1.nip.io"])
def test_beyond_loopback_without_a_token_every_route_is_closed(host: str) -> None:
    app = create_app(Config(host=host), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        for method, path in ROUTES:
            r = client.request(method, path, json={})
            assert r.status_code == 403, (method, path, r.status_code)
            assert r.json()["error"] == "forbidden"
        assert client.get("/services/data").status_code == 200  # the APIs themselves stay open


def test_with_a_token_every_route_needs_it() -> None:
    app = create_app(Config(host="0.0.0.0", admin_token=TOKEN), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        for method, path in ROUTES:
            for auth in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {TOKEN}x"}):
                r = client.request(method, path, json={}, headers=auth)
                assert r.status_code == 401, (method, path, auth, r.status_code)
        r = client.get("/_mockown/health", headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200


@pytest.mark.parametrize(
    ("config", "headers"),
    [
        ({"host": "0.0.0.0"}, {}),  # closed beyond loopback without a token: 403 elsewhere
        ({"host": "::", "admin_token": TOKEN}, {}),  # a token and none given: 401 elsewhere
        ({"host": "0.0.0.0", "admin_token": TOKEN}, {"Authorization": "Bearer wrong"}),
        ({}, {"Host": "evil.example", "Origin": "http://evil.example"}),  # DNS rebinding: 403 elsewhere
    ],
)
def test_the_liveness_probe_is_open_and_says_nothing_more(config: dict[str, str], headers: dict[str, str]) -> None:
    """A health check (the Docker image's, `python -m mockown.healthcheck`) has no admin token when the server got
    it on its command line: `GET /_mockown/live` answers it wherever the rest of the control plane is closed, with
    no more than any emulated API tells anyone (no version, store, clock). Its other methods stay locked."""
    app = create_app(Config(**config), clock=FrozenClock("2026-01-01T00:00:00Z"))  # type: ignore[arg-type]
    with in_process_client(app) as client:
        r = client.get("/_mockown/live", headers=headers)
        assert (r.status_code, r.json()) == (200, {"status": "ok"})
        assert client.head("/_mockown/live", headers=headers).status_code == 200
        locked = client.get("/_mockown/health", headers=headers).status_code
        assert locked in (401, 403)
        assert client.post("/_mockown/live", json={}, headers=headers).status_code == locked


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0:0:0:0:0:0:0:1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("127.example.com", False),
        ("127.0.0.1.nip.io", False),
        ("10.0.0.1", False),
        ("", False),
    ],
)
def test_what_counts_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# -- DNS rebinding: a web page whose name the attacker points at 127.0.0.1 is "same origin" with itself ----------
REBOUND = ["evil.example", "evil.example:8080", "127.0.0.1.nip.io:8080", "login.evil.example"]


@pytest.mark.parametrize("host", REBOUND)
def test_an_open_loopback_control_plane_refuses_a_dns_name_it_was_not_asked_by(host: str) -> None:
    """Without an admin token, a loopback server's control plane answers only requests addressed to a loopback
    name: a page of evil.example rebound to 127.0.0.1 sends Host and Origin evil.example, which pass the
    same-origin check, and could read the snapshot (client secrets) or reset everything."""
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        headers = {"Host": host, "Origin": f"http://{host}"}
        for method, path in ROUTES:
            r = client.request(method, path, json={}, headers=headers)
            assert r.status_code == 403, (method, path, r.status_code)
            assert r.json()["error"] == "forbidden"
        assert client.get("/services/data", headers=headers).status_code == 200  # the APIs stay open


LOCAL = ["127.0.0.1:8080", "localhost:8080", "[::1]:9", "app.localhost", "testserver", "mockown"]


@pytest.mark.parametrize("host", LOCAL)
def test_an_open_loopback_control_plane_answers_loopback_and_local_names(host: str) -> None:
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        assert client.get("/_mockown/health", headers={"Host": host}).status_code == 200
        r = client.post("/_mockown/clock", json={"advance": "1s"}, headers={"Host": host, "Origin": f"http://{host}"})
        assert r.status_code == 200, r.text


def test_with_an_admin_token_any_host_name_is_fine() -> None:
    app = create_app(Config(admin_token=TOKEN), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        headers = {"Host": "mockown.ci.example", "Authorization": f"Bearer {TOKEN}"}
        assert client.get("/_mockown/health", headers=headers).status_code == 200


def test_the_dashboard_cannot_be_framed() -> None:
    """Clickjacking: the dashboard's buttons (Reset everything, Approve a device) post same-origin from a frame."""
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        for path in ("/_mockown/ui", "/_mockown/ui/"):
            r = client.get(path)
            assert r.status_code == 200
            assert r.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_the_configured_base_url_names_the_server_too() -> None:
    """`base_url` (e.g. an /etc/hosts name the tests use) is the name the server was told it has: its control
    plane answers requests for it, as it answers localhost; another dotted name is still refused."""
    config = Config(base_url="http://mock.example.test:8080")
    app = create_app(config, clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        assert client.get("/_mockown/health", headers={"Host": "mock.example.test:8080"}).status_code == 200
        assert client.get("/_mockown/health", headers={"Host": "MOCK.example.test"}).status_code == 200
        assert client.get("/_mockown/health", headers={"Host": "evil.example.test"}).status_code == 403

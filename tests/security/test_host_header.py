"""A `Host` header that is not `host[:port]` (RFC 9110 7.2, RFC 3986 3.2.2-3.2.3) gets 400 in the dialect of the
API it hits, as RFC 9112 3.2 requires of a server, and nothing happens: the mock builds the URLs it hands out
(`instance_url`, `id`, the discovery document's) from that header, so it used to hand out `http://[::1/...`. Every
well-formed host (a name, an IPv4 or bracketed IPv6 address, a port or none) is served and echoed as before."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import string

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from mockown import Config, create_app
from mockown.clock import FrozenClock
from mockown.errors import dialect_for
from mockown.http import pipeline
from mockown.http.guards import valid_host
from mockown.http.inprocess import call_app, in_process_client
from mockown.runtime import Runtime
from mockown.server import MockownServer

from ..conftest import CID, SECRET

DISCOVERY = "/.well-known/openid-configuration"
BAD = ["[::1", "::1]", "a[b", "[", "]", "[::1]x", "[zz]", "127.0.0.1:abc", "a b", "a:1:2", "a%zz", "a/b", "a@b",
       "é.example.com", "a\tb"]  # fmt: skip
NAME_CHARS = string.ascii_letters + string.digits + "-._~!$&'()*+,;="

names = st.text(NAME_CHARS, max_size=30)
ipv4 = st.ip_addresses(v=4).map(str)
ipv6 = st.ip_addresses(v=6).map(lambda a: f"[{a}]")
ports = st.one_of(st.just(""), st.integers(0, 65535).map(lambda p: f":{p}"))
good_hosts = st.builds(lambda host, port: host + port, st.one_of(names, ipv4, ipv6), ports)
# a good host with one character no host has (space, brackets in the wrong place, '/', '@', '#', '?', non-ASCII)
bad_hosts = st.builds(
    lambda host, at, bad: host[:at] + bad + host[at:],
    st.one_of(names, ipv4),
    st.integers(0, 40),
    st.sampled_from([" ", "\t", "/", "@", "#", "?", "[", "]", "é", "\\", '"', "<", ">", "^", "`", "{", "|", "}"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(good_hosts)
def test_a_well_formed_host_is_served_and_echoed(client: httpx.Client, host: str) -> None:
    response = client.get(DISCOVERY, headers={"Host": host})
    assert response.status_code == 200
    if host:  # empty (a target without an authority): the server's own address
        assert response.json()["issuer"] == f"http://{host}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad_hosts)
def test_a_malformed_host_is_400_in_the_dialect(client: httpx.Client, host: str) -> None:
    response = client.get(DISCOVERY, headers={"Host": host.encode("utf-8")})  # type: ignore[dict-item]
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "the Host header is not a host[:port]"}


@pytest.mark.parametrize("host", BAD)
@pytest.mark.parametrize(
    "path",
    [DISCOVERY, "/services/data/v62.0/limits", "/regions/app1/api/v1/services", "/v2/token", "/services/Soap/u/60.0"],
)
def test_every_api_answers_a_malformed_host_in_its_own_dialect(
    app: Starlette, client: httpx.Client, host: str, path: str
) -> None:
    response = client.get(path, headers={"Host": host.encode("utf-8")})  # type: ignore[dict-item]
    made = dialect_for(app.state.dialects, path)(400, "Bad Request", "the Host header is not a host[:port]").response()
    assert response.status_code == 400
    assert response.headers["content-type"] == made.headers["content-type"]
    assert response.content == made.body


@pytest.mark.parametrize("host", BAD)
def test_a_token_request_with_a_malformed_host_issues_nothing(
    client: httpx.Client, runtime: Runtime, host: str
) -> None:
    before = len(runtime.salesforce.access_tokens.all())
    response = client.post(
        "/services/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": CID, "client_secret": SECRET},
        headers={"Host": host.encode("utf-8")},  # type: ignore[dict-item]
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert len(runtime.salesforce.access_tokens.all()) == before


def test_the_check_takes_the_forms_rfc_3986_names() -> None:
    for host in ["", "a", "x:", "a_b-c.example.com:8080", "[::1]:80", "[fe80::1%25eth0]", "[v1.fe]", "a%20b",
                 "acme--dev.sandbox.my.salesforce.com"]:  # fmt: skip
        assert valid_host(host.encode()), host
    for host in BAD:
        assert not valid_host(host.encode()), host
    assert all(valid_host(f"[{a}]".encode()) for a in (ipaddress.IPv6Address(2**128 - 1), ipaddress.IPv6Address(1)))


# -- more than one Host line (RFC 9112 3.2: 400), and the control plane ------------------------------------------
TWO_HOSTS = [("127.0.0.1:8080", "127.0.0.1:8080"), ("127.0.0.1:8080", "evil.example"), ("a", "b:1")]
TWO = "more than one Host header"


@pytest.mark.parametrize("hosts", TWO_HOSTS)
@pytest.mark.parametrize(
    "path",
    [DISCOVERY, "/services/data/v62.0/limits", "/regions/app1/api/v1/services", "/v2/token", "/services/Soap/u/60.0",
     "/_mockown/health", "/_mockown/nope"],
)  # fmt: skip
def test_two_host_lines_are_400_in_the_dialect(
    app: Starlette, client: httpx.Client, hosts: tuple[str, str], path: str
) -> None:
    response = client.get(path, headers=[("Host", hosts[0]), ("Host", hosts[1])])
    made = dialect_for(app.state.dialects, path)(400, "Bad Request", TWO).response()
    assert response.status_code == 400
    assert response.headers["content-type"] == made.headers["content-type"]
    assert response.content == made.body


def test_one_host_line_among_other_repeated_headers_is_served(client: httpx.Client) -> None:
    response = client.get(DISCOVERY, headers=[("Accept", "a/b"), ("Accept", "*/*"), ("Host", "example.test")])
    assert response.status_code == 200 and response.json()["issuer"] == "http://example.test"


@pytest.mark.parametrize("hosts", TWO_HOSTS)
def test_a_token_request_with_two_host_lines_issues_nothing(
    client: httpx.Client, runtime: Runtime, hosts: tuple[str, str]
) -> None:
    before = len(runtime.salesforce.access_tokens.all())
    response = client.post(
        "/services/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": CID, "client_secret": SECRET},
        headers=[("Host", hosts[0]), ("Host", hosts[1])],
    )
    assert response.status_code == 400 and response.json()["error_description"] == TWO
    assert len(runtime.salesforce.access_tokens.all()) == before


@pytest.mark.parametrize("admin_token", [None, "s3cret-admin-token"])
@pytest.mark.parametrize("headers", [[("Host", "[::1")], [("Host", "127.0.0.1"), ("Host", "evil.example")]])
def test_the_control_plane_answers_a_bad_host_field_400_before_its_own_rules(
    admin_token: str | None, headers: list[tuple[str, str]]
) -> None:
    """Without an admin token a name that is not local was 403 (DNS rebinding), without the token 401: the Host
    field is refused first, as on every other path, and nothing changes."""
    app = create_app(Config(admin_token=admin_token), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        before = client.get("/_mockown/clock", headers=_admin(admin_token)).json()["now"]
        for method, path in [("GET", "/_mockown/health"), ("POST", "/_mockown/clock"), ("POST", "/_mockown/reset")]:
            r = client.request(method, path, json={"advance": "1h"}, headers=headers)
            assert r.status_code == 400, (method, path, r.status_code, r.text)
            problem = TWO if len(headers) > 1 else "the Host header is not a host[:port]"
            assert r.content == dialect_for(app.state.dialects, path)(400, "Bad Request", problem).response().body
        assert client.get("/_mockown/clock", headers=_admin(admin_token)).json()["now"] == before


@pytest.mark.parametrize(("method", "path"), [("GET", "/_mockown/health"), ("GET", "/_mockown/journal"),
                                            ("POST", "/_mockown/reset"), ("GET", DISCOVERY)])  # fmt: skip
def test_each_request_has_its_host_field_checked_once(monkeypatch: pytest.MonkeyPatch, method: str, path: str) -> None:
    """The control plane checks the Host field before its own rules; the guards behind them do not again."""
    seen: list[str] = []
    real = pipeline.host_problem

    def counting(headers: list[tuple[bytes, bytes]], index: dict[bytes, bytes], version: str | None) -> str | None:
        seen.append(path)
        return real(headers, index, version)

    monkeypatch.setattr(pipeline, "host_problem", counting)
    with in_process_client(create_app(Config())) as client:
        assert client.request(method, path).status_code == 200
    assert seen == [path]


def _admin(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def test_over_a_socket_two_host_lines_are_400() -> None:
    """uvicorn's HTTP/1.1 parser passes both lines on: the pipeline refuses them (one Host line is served)."""
    with MockownServer(create_app(Config())) as server:
        port = int(server.url.rsplit(":", 1)[1])
        answers = []
        for hosts in ([b"127.0.0.1"], [b"127.0.0.1", b"evil.example"]):
            lines = b"".join(b"Host: " + h + b"\r\n" for h in hosts)
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"GET " + DISCOVERY.encode() + b" HTTP/1.1\r\n" + lines + b"Connection: close\r\n\r\n")
                answers.append(_read_all(sock).split(b"\r\n", 1)[0])
    assert answers == [b"HTTP/1.1 200 OK", b"HTTP/1.1 400 Bad Request"]


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


# -- no Host at all (RFC 9112 3.2: an HTTP/1.1 request without one is 400; HTTP/1.0 may omit it) -------------------
NO_HOST = "an HTTP/1.1 request needs a Host header"
FORM = (b"content-type", b"application/x-www-form-urlencoded")


def _without_host(app: Starlette, method: str, path: str, version: str | None, body: bytes = b"") -> tuple[int, bytes]:
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": b"", "headers": [FORM, (b"content-length", str(len(body)).encode())],
             "scheme": "http", "server": ("127.0.0.1", 8080), "client": ("127.0.0.1", 5000)}  # fmt: skip
    if version is not None:
        scope["http_version"] = version
    status, _, parts = asyncio.run(call_app(app, scope, body))
    return status, b"".join(parts)


@pytest.mark.parametrize(
    "path",
    [DISCOVERY, "/services/data/v62.0/limits", "/regions/app1/api/v1/services", "/v2/token", "/services/Soap/u/60.0",
     "/_mockown/health", "/_mockown/nope"],
)  # fmt: skip
def test_an_http_1_1_request_without_host_is_400_in_the_dialect(app: Starlette, path: str) -> None:
    made = dialect_for(app.state.dialects, path)(400, "Bad Request", NO_HOST).response()
    assert _without_host(app, "GET", path, "1.1") == (400, made.body)


@pytest.mark.parametrize("version", ["1.0", None])
def test_an_http_1_0_request_or_a_scope_naming_no_version_may_omit_host(app: Starlette, version: str | None) -> None:
    status, body = _without_host(app, "GET", DISCOVERY, version)
    assert status == 200 and json.loads(body)["issuer"] == "http://127.0.0.1:8080"  # the server's own address


def test_a_token_request_without_host_issues_nothing(app: Starlette, runtime: Runtime) -> None:
    before = len(runtime.salesforce.access_tokens.all())
    form = f"grant_type=client_credentials&client_id={CID}&client_secret={SECRET}".encode()
    status, body = _without_host(app, "POST", "/services/oauth2/token", "1.1", form)
    assert (status, json.loads(body)["error_description"]) == (400, NO_HOST)
    assert len(runtime.salesforce.access_tokens.all()) == before
    assert _without_host(app, "POST", "/services/oauth2/token", "1.0", form)[0] == 200


def test_over_a_socket_an_http_1_1_request_without_host_is_400() -> None:
    """uvicorn's httptools parser passes it on (h11 would refuse it itself); HTTP/1.0 may omit Host."""
    with MockownServer(create_app(Config())) as server:
        port = int(server.url.rsplit(":", 1)[1])
        answers = []
        for version in (b"1.1", b"1.0"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"GET " + DISCOVERY.encode() + b" HTTP/" + version + b"\r\nConnection: close\r\n\r\n")
                head, _, body = _read_all(sock).partition(b"\r\n\r\n")
                answers.append((head.split(b"\r\n", 1)[0], json.loads(body).get("error_description")))
    assert answers == [(b"HTTP/1.1 400 Bad Request", NO_HOST), (b"HTTP/1.1 200 OK", None)]

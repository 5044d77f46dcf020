"""`mockown serve | token | seed`: help, banner, logs, exit codes, against a real server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from mockown.cli import EXIT_REFUSED, EXIT_UNREACHABLE, main

from ..conftest import CID, SECRET
from ..control.serve import Server, serve
from ..server_support import refused_url


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", [[], ["serve"], ["token"], ["seed"]])
def test_every_command_has_help(command: list[str]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert "Usage:" in out


def test_the_installed_entry_point_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "mockown", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "serve" in result.stdout and "token" in result.stdout


def test_banner_has_the_urls_and_the_demo_credentials(server: Server) -> None:
    banner = server.output()
    assert f"mockown listening on {server.url}" in banner
    for path in ("/services/oauth2/token", "/_mockown/ui", "/_mockown/openapi.yaml", "/oauth2/aus4c3z3l8FqrbqDU4h7/"):
        assert server.url + path in banner
    assert "admin@mockown.test password Passw0rd!" in banner
    assert f"client_id {CID} client_secret {SECRET}" in banner
    assert "Own account 1001" in banner


def test_every_url_of_the_banner_answers() -> None:
    """The banner printed `control plane http://…/_mockown/`, a 404: each URL it names is a route (a GET of an
    endpoint that only takes POST may answer 405 or an error of its API, never 404). A server of its own: the
    module's keeps its logs for the test of their lines."""
    with serve() as server, httpx.Client(timeout=10) as client:
        listed = server.output().split("seeded demo credentials:")[0].splitlines()[1:]  # after `listening on <base>`
        urls = [url.rstrip(")") for line in listed for url in re.findall(r"https?://\S+", line)]
        assert len(urls) == 8 and all(url.startswith(server.url + "/") for url in urls)
        for url in urls:
            assert client.get(url).status_code != 404, url


def test_logs_are_logfmt_one_liners_without_secrets(server: Server) -> None:
    _, out, _ = run("token", "--url", server.url)
    token = json.loads(out)["access_token"]
    with httpx.Client(base_url=server.url) as client:
        client.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {token}"})
    deadline = time.monotonic() + 5
    while "/services/data/v62.0/limits" not in server.logs() and time.monotonic() < deadline:
        time.sleep(0.05)
    logs = server.logs()
    lines = [line for line in logs.splitlines() if line]
    assert lines and all(re.match(r"^ts=\S+ level=(debug|info|warning|error) logger=\S+ msg=", line) for line in lines)
    request = next(line for line in lines if "path=/services/oauth2/token" in line)
    assert "status=200" in request and "grant_type=password" in request and "org=00D5g000004MockEAC" in request
    for secret in (token, "Passw0rd!", SECRET):
        assert secret not in logs


def test_token_prints_json(server: Server) -> None:
    code, out, _ = run("token", "--url", server.url)
    assert code == 0
    body = json.loads(out)
    assert body["token_type"] == "Bearer" and body["instance_url"] == server.url
    code, out, _ = run("token", "--url", server.url, "--grant", "client_credentials", "--field", "access_token")
    assert code == 0 and out.strip().startswith("00D5g000004Mock!")


def test_token_field_is_usable_in_a_shell(server: Server) -> None:
    code, out, _ = run("token", "--url", server.url, "--field", "access_token")
    token = out.strip()
    assert code == 0 and "\n" not in token
    response = httpx.get(server.url + "/services/data/v62.0/limits", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_token_refresh_grant(server: Server) -> None:
    code, out, _ = run("token", "--url", server.url, "--grant", "client_credentials")
    # the demo app gives no refresh token to client credentials; get one from a refresh-capable flow
    assert code == 0 and "refresh_token" not in json.loads(out)
    code, _, err = run("token", "--url", server.url, "--grant", "refresh_token", "--refresh-token", "5Aep861bogus")
    assert code == EXIT_REFUSED and "invalid_grant" in err


def test_token_exit_codes(server: Server) -> None:
    code, out, err = run("token", "--url", server.url, "--password", "wrong")
    assert code == EXIT_REFUSED and out == "" and "authentication failure" in err
    with refused_url() as nowhere:
        code, _, err = run("token", "--url", nowhere)
    assert code == EXIT_UNREACHABLE and "cannot reach" in err
    code, _, err = run("token", "--url", server.url, "--grant", "refresh_token")
    assert code == 2 and "--refresh-token" in err
    code, _, _ = run("token", "--grant", "magic")
    assert code == 2
    code, _, err = run("token", "--url", server.url, "--field", "nope")
    assert code == 2 and "nope" in err  # a bad command line, though the server gave a token


def test_token_in_process_without_a_server() -> None:
    code, out, _ = run("token", "--field", "access_token")
    assert code == 0 and out.startswith("00D5g000004Mock!")


def test_token_for_the_own_api(server: Server) -> None:
    doc = {"own": {"accounts": [{"name": "CLI", "users": [{"email": "cli@cli.test", "api_token": True}]}]}}
    created = httpx.post(server.url + "/_mockown/seed", json=doc).json()
    api_token = created["own"]["accounts"][0]["users"][0]["api_token"]
    code, out, _ = run("token", "--url", server.url, "--grant", "own", "--api-token", api_token)
    assert code == 0
    body = json.loads(out)
    assert body["scope"] == "api:access" and body["access_token"]
    code, _, err = run("token", "--url", server.url, "--grant", "own")
    assert code == 2 and "--api-token" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"salesforce: [unclosed\n", "cannot read seed file"),
        (b"salesforce:\n  orgs: 5\n", "salesforce.orgs must be a list"),
        (b"\xff\xfe\n", "cannot read seed file"),
    ],
)
def test_serve_refuses_a_bad_seed_file_without_a_traceback(tmp_path: Path, content: bytes, message: str) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_bytes(content)
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--seed", str(seed)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert isinstance(result.exception, SystemExit)  # a usage error, not a crash with a traceback


def test_seed_a_running_server_from_a_file(server: Server, tmp_path: Path) -> None:
    doc = tmp_path / "org.yaml"
    doc.write_text("salesforce:\n  orgs:\n    - name: From The CLI\n      users:\n        - username: cli@seed.test\n")
    code, out, _ = run("seed", str(doc), "--url", server.url)
    assert code == 0
    org = json.loads(out)["salesforce"]["orgs"][0]
    app, user = org["apps"][0], org["users"][0]
    code, out, _ = run("token", "--url", server.url, "--client-id", app["client_id"], "--client-secret",
                       app["client_secret"], "--username", "cli@seed.test", "--password", user["password"])  # fmt: skip
    assert code == 0 and json.loads(out)["access_token"].startswith(org["id"][:15])


def test_seed_json_from_stdin(server: Server) -> None:
    result = CliRunner().invoke(
        main, ["seed", "-", "--url", server.url], input='{"salesforce": {"orgs": [{"name": "From stdin"}]}}'
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["salesforce"]["orgs"][0]["name"] == "From stdin"


def test_seed_without_a_file_makes_what_its_help_says(server: Server) -> None:
    code, out, _ = run("seed", "--url", server.url)
    assert code == 0
    created = json.loads(out)
    assert [len(created[k][v]) for k, v in [("salesforce", "orgs"), ("own", "accounts"), ("marketing", "tenants"),
                                            ("b2c", "instances")]] == [1, 1, 0, 0]  # fmt: skip
    _, help_text, _ = run("seed", "--help")
    assert "none: one org and one Own account with defaults" in " ".join(help_text.split())


def test_seed_exit_codes(server: Server, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("nonsense: {}\n")
    code, _, err = run("seed", str(bad), "--url", server.url)
    assert code == EXIT_REFUSED and "unknown seed section" in err
    code, _, err = run("seed", str(tmp_path / "missing.yaml"), "--url", server.url)
    assert code == 2 and "cannot read" in err
    code, _, _ = run("seed", str(bad))
    assert code == 2  # --url (or MOCKOWN_URL) is required
    with refused_url() as nowhere:
        code, _, _ = run("seed", str(bad), "--url", nowhere)
    assert code == EXIT_UNREACHABLE


def test_seed_sends_the_admin_token() -> None:
    with serve(["--admin-token", "tok-123"], health_token="tok-123") as locked:
        code, _, err = run("seed", "--url", locked.url)
        assert code == EXIT_REFUSED and "401" in err
        code, out, _ = run("seed", "--url", locked.url, "--admin-token", "tok-123")
        assert code == 0 and json.loads(out)["salesforce"]["orgs"]
        assert "the control plane needs: Authorization: Bearer" in locked.output()


LAZY = (
    "hypothesis",
    "schemathesis",
    "playwright",
    "faker",  # a runtime dependency, imported with the first Own record generated (a backup download, an export)
    "pytest",
    "jwt",
    "cryptography",
    "yaml",
    "xml.sax.saxutils",
    "urllib.request",
    "pyexpat",  # the XML of the SOAP API and identity service: ~4 ms
    # the modules of the less used endpoints load with their first request (issue #9)
    "mockown.salesforce.authorize",
    "mockown.salesforce.describe",
    "mockown.salesforce.soap",
    "mockown.salesforce.identity",
    "mockown.salesforce.web",
    "mockown.salesforce.cursors",
    "mockown.salesforce.search",
    "mockown.salesforce.rest",
    "mockown.salesforce.oauth_usage",
    "mockown.salesforce.device",
    "mockown.salesforce.register",
    "mockown.ui.login",
    "mockown.ui.session",
    "mockown.ui.frontdoor",
    "mockown.ui.dashboard",
)


def test_startup_is_fast_and_light() -> None:
    """No key generation on the start-up path; no test-only package, neither PyJWT nor cryptography (loaded with
    the first key or the first JWT: ~40 ms of every start otherwise), nor faker (loaded with the first Own record
    generated), no PyYAML for the default seed, and none of the modules that only the less used endpoints need
    (the login pages, SOAP, describe, ...: issue #9)."""
    script = (
        "import sys, time; t = time.process_time()\n"
        "from mockown.http.app import create_app\n"
        "app = create_app()\n"
        "print(round(time.process_time() - t, 3))\n"
        f"heavy = [m for m in {LAZY!r} if m in sys.modules]\n"
        "print(heavy)\n"
        "print(all(k is None for slots in app.state.runtime.keys.describe().values() for k in slots.values()))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    seconds, heavy, no_key = result.stdout.split("\n")[:3]
    assert heavy == "[]"
    assert no_key == "True"
    assert float(seconds) < 1.5  # CPU seconds (about 0.25 on a quiet machine): wall time depends on the load


# `mockown serve` up to uvicorn (stubbed: it prints what it was given and which libraries are loaded)
_SERVE_STUB = """
import sys
from mockown import serving
from mockown.cli import main

def run(app, sock, **options):
    print(sorted(m for m in ("jwt", "cryptography", "yaml") if m in sys.modules), "ssl_certfile" in options)

serving.uvicorn_serve = run
sys.argv = ["mockown", "serve", "--port", "0", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize(
    ("args", "env", "loaded"),
    [
        ((), {}, "[] False"),  # the default seed from its parsed twin; no crypto without TLS
        ((), {"MOCKOWN_SEED_DEFAULTS": "false"}, "[] False"),
        (("--tls",), {}, "['cryptography'] True"),  # the certificate code when TLS is asked for
    ],
)
def test_serve_loads_crypto_only_for_tls(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], loaded: str
) -> None:
    env = {"PATH": "/usr/bin:/bin", "MOCKOWN_TLS_DIR": str(tmp_path / "tls"), **env}
    done = subprocess.run(
        [sys.executable, "-c", _SERVE_STUB, *args], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == loaded


def test_port_zero_picks_a_free_port_and_says_which() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockown", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.match(r"mockown listening on (http://127\.0\.0\.1:(\d+))$", first.strip())
        assert match and match.group(2) != "0", first
        deadline = time.monotonic() + 20
        while True:
            try:
                assert httpx.get(match.group(1) + "/_mockown/health").status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_hands_the_port_it_bound_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, workers: int
) -> None:
    """`serve --port 0` binds once: the socket that picked the port stays bound and listening and uvicorn is given
    it, so no other process can take the port between the choice (shown in the banner) and the serving. It is
    given the socket object, of its real family (a descriptor, uvicorn's `fd`, is served as AF_UNIX: no
    TCP_NODELAY on its connections, tests/cli/test_serve_socket.py), to the server or to the workers' supervisor."""
    import os
    import socket

    import uvicorn
    import uvicorn.supervisors

    seen: dict[str, object] = {}

    def check(sockets: list[socket.socket]) -> None:
        (handed,) = sockets
        assert handed.family == socket.AF_INET and handed.type == socket.SOCK_STREAM
        # not inherited by a program the server might start (uvicorn's workers get it pickled, not inherited)
        assert not os.get_inheritable(handed.fileno())
        seen["port"] = handed.getsockname()[1]
        with socket.socket() as intruder, pytest.raises(OSError):  # the port is taken: by this server
            intruder.bind(("127.0.0.1", handed.getsockname()[1]))
        with socket.create_connection(("127.0.0.1", handed.getsockname()[1]), timeout=5):
            pass  # and already listening (a client's connection waits for uvicorn in the backlog)

    class FakeSupervisor:
        def __init__(self, config: object, **kwargs: list[socket.socket]) -> None:
            check(kwargs["sockets"])

        def run(self) -> None:
            seen["supervised"] = True

    def fake_server_run(self: uvicorn.Server, sockets: list[socket.socket] | None = None) -> None:
        assert sockets is not None
        check(sockets)
        self.started = True

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("uvicorn.run binds or wraps a descriptor"))
    monkeypatch.setattr(uvicorn.Server, "run", fake_server_run)
    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", FakeSupervisor)
    args = ["serve", "--port", "0"]
    if workers > 1:
        args += ["--workers", str(workers), "--state-file", str(tmp_path / "state.db")]
    # with workers the CLI hands its settings to them through os.environ (serving.export_env): here this pytest
    # process's environment, which every later `mockown serve` subprocess of it inherited (MOCKOWN_WORKERS=2: a
    # server of two workers, each with half the journal, made tests/security/test_no_secrets.py flaky)
    saved = dict(os.environ)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert result.exit_code == 0, result.output
    match = re.match(r"mockown listening on http://127\.0\.0\.1:(\d+)$", result.stdout.splitlines()[0])
    assert match and int(match.group(1)) == seen["port"] != 0
    assert seen.get("supervised", False) is (workers > 1)


def test_serve_refuses_a_port_in_use() -> None:
    import socket

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        result = CliRunner().invoke(main, ["serve", "--port", str(held.getsockname()[1])])
    assert result.exit_code == 2 and "cannot listen on 127.0.0.1 port" in result.stderr


@pytest.mark.parametrize(
    ("host", "shown"), [("::1", "[::1]"), ("[::1]", "[::1]"), ("::", "[::]"), ("0.0.0.0", "0.0.0.0")]
)
def test_the_banner_s_listening_line_is_a_url_for_ipv6_too(host: str, shown: str) -> None:
    """`--host ::1` printed `listening on http://::1:8080`, no URL (RFC 3986 §3.2.2: an IPv6 literal in brackets)."""
    from mockown.cli import banner
    from mockown.config import Config

    first = banner(Config(host=host, port=8080), None, "http").splitlines()[0]
    assert first == f"mockown listening on http://{shown}:8080"

"""sfcc-ci, the B2C Commerce CLI (SalesforceCommerceCloud/sfcc-ci), unmodified, against a real `mockown serve --tls`
(`make soak`): its Account Manager authentication as CI jobs and developers run it.

sfcc-ci builds every Account Manager URL as `https://` + the host in `SFCC_LOGIN_URL` (its own setting for another
Account Manager; `lib/auth.js` `getAMHost`) with `strictSSL`, so the server runs with `--tls` and the CLI trusts its
local CA through `NODE_EXTRA_CA_CERTS`; `SFCC_LOGIN_URL` is `127.0.0.1:<port>` (mockown answers `/dwsso/*` on any
host). Each test runs `node --require tests/interop/sfcc_ci/no_dns.js cli.js <command>` with its own home (the
CLI's `conf` store, `~/.config/sfcc-ci-nodejs/config.json`) and an environment of only what it needs; the preload
makes every name lookup other than localhost fail (ENOTFOUND) and records it, so nothing leaves the machine. What
the CLI sent is read from the server's journal, what it kept from its config file.

Checked: `client:auth` with the client credentials grant (Basic, the secret URL-encoded by the CLI and
form-decoded by the mock, also with a secret full of reserved characters), from env vars, with a wrong secret;
the password grant (`client:auth client secret user password`: `SFCC_USER` from the `id_token`); `--renew` and
`client:auth:renew` (refresh grant, rotation, the old refresh token then refused; client credentials again for a
client-only login); `client:auth:token`; `auth:logout` (local only); `auth:login`, the implicit flow, with the
test as the browser (the CLI's loopback page and its `?access_token=` redirect); a `dw.json` naming the Account
Manager, after which `client:auth:renew` goes to account.demandware.com (the CLI's own gap); and the Account
Manager REST API (`user:list`, `role:list`, `org:list`, `client:list`) and OCAPI's Data API (`code:list`), which
mockown does not emulate (404).

The newer official B2C CLI of SalesforceCommerceCloud/b2c-developer-tooling (`@salesforce/b2c-cli`,
`@salesforce/b2c-tooling-sdk`) is not tried: both packages declare `engines: node >=22.16.0` (this suite's machine
has Node 20), and the npm registry answered 404 for both names when this was written.

Pinned to 2.13.0 (the latest release; no `engines`, runs on Node 20). Run only this:
`make soak SOAK_TESTS=tests/interop/test_sfcc_ci.py`.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.interop.npm_support import install, require_node
from tests.reliability.support import SOAK
from tests.server_support import free_port, serve_process

pytestmark = [pytest.mark.soak, pytest.mark.skipif(not SOAK, reason="the long profile: make soak (MOCKOWN_SOAK=1)")]

SFCC_CI_VERSION = "2.13.0"
GUARD = Path(__file__).with_name("sfcc_ci") / "no_dns.js"
TOKEN_PATH = "/dwsso/oauth2/access_token"
CLIENT, SECRET = "mockown-am-client-000000000001", "MockownAmSecret0001"  # the default seed's API client
USER, PASSWORD = "am-admin@mockown.test", "AmPassw0rd!"
ODD_CLIENT, ODD_SECRET = "sfcc-ci-odd-secret-0000000001", "Se+cret&=/%?#~ 01"  # every char URL-encoding changes
COLON_CLIENT, COLON_SECRET = "sfcc-ci-colon-secret-00000001", "Colon:Secret:01"
IMPLICIT_CLIENT = "sfcc-ci-implicit-000000000001"
DEFAULT_SCOPES = ["mail", "roles", "tenantFilter", "profile"]
BAD_CLIENT = "Error: Authentication failed: Client authentication failed"


@dataclass
class Server:
    url: str  # https://127.0.0.1:<port>
    ca: str
    oauth_port: int  # the CLI's loopback port for auth:login (SFCC_OAUTH_LOCAL_PORT)

    @property
    def host(self) -> str:
        return self.url.removeprefix("https://")

    def trust(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, verify=self.trust(), timeout=10)

    def journal_mark(self) -> int:
        with self.client() as c:
            entries = c.get("/_mockown/journal", params={"limit": 1}).json()["entries"]
        return int(entries[-1]["id"]) if entries else 0

    def journal_since(self, mark: int) -> list[dict[str, Any]]:
        """What reached the server after `mark`: method, path (with its query), grant type, client, status, the
        parameter names and the Authorization scheme."""
        with self.client() as c:
            entries = c.get("/_mockown/journal", params={"limit": 1000}).json()["entries"]
        return [
            {
                "method": e["method"],
                "path": e["path"] + (f"?{e['query']}" if e["query"] else ""),
                "grant_type": e["grant_type"],
                "client_id": e["client_id"],
                "status": e["status"],
                "params": sorted(e["params"]),
                "auth": (e["headers"].get("authorization") or "").split(" ")[0],
            }
            for e in entries
            if e["id"] > mark
        ]


@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    config: dict[str, Any]
    lookups: list[str]
    sent: list[dict[str, Any]] = field(default_factory=list)


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


class SfccCi:
    """The released CLI with a home of its own: `run(*args)` one command, as a shell would."""

    def __init__(self, package: Path, server: Server, home: Path, **env: str) -> None:
        self.cli = package / "node_modules" / "sfcc-ci" / "cli.js"
        self.server = server
        self.home = home
        self.lookup_log = home / "lookups.txt"
        self.extra = env

    def env(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "NODE_EXTRA_CA_CERTS": self.server.ca,
            "SFCC_LOGIN_URL": self.server.host,
            "INTEROP_LOOKUP_LOG": str(self.lookup_log),
            "BROWSER": "true",  # auth:login opens the login URL with xdg-open: nothing opens, the test browses
        }
        env.update(self.extra)
        return {k: v for k, v in env.items() if v}  # an empty value removes a name (e.g. SFCC_LOGIN_URL="")

    def command(self, *args: str) -> list[str]:
        node = shutil.which("node") or "node"
        return [node, "--require", str(GUARD), str(self.cli), *args]

    def config(self) -> dict[str, Any]:
        path = self.home / ".config" / "sfcc-ci-nodejs" / "config.json"
        return json.loads(path.read_text()) if path.is_file() else {}

    def lookups(self) -> list[str]:
        return self.lookup_log.read_text().splitlines() if self.lookup_log.is_file() else []

    def run(self, *args: str, cwd: Path | None = None) -> Run:
        mark = self.server.journal_mark()
        self.lookup_log.unlink(missing_ok=True)
        done = subprocess.run(
            self.command(*args), env=self.env(), cwd=cwd or self.home, capture_output=True, text=True, timeout=60,
            check=False,
        )  # fmt: skip
        sent = self.server.journal_since(mark)
        return Run(done.returncode, done.stdout, done.stderr, self.config(), self.lookups(), sent)


@pytest.fixture(scope="module")
def package() -> Path:
    require_node()
    return install("sfcc-ci", SFCC_CI_VERSION)


def _answers_https(url: str) -> bool:
    httpx.get(url.replace("http://", "https://", 1) + "/_mockown/health", timeout=1.0, verify=False)  # any answer
    return True


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, package: Path) -> Iterator[Server]:
    tls = tmp_path_factory.mktemp("tls")
    env = {**os.environ, "MOCKOWN_TLS_DIR": str(tls)}
    with serve_process(["--tls"], env, _answers_https) as proc:
        server = Server(proc.url.replace("http://", "https://", 1), str(tls / "ca.pem"), free_port())
        clients = [
            {"client_id": ODD_CLIENT, "client_secret": ODD_SECRET, "name": "sfcc-ci odd secret"},
            {"client_id": COLON_CLIENT, "client_secret": COLON_SECRET, "name": "sfcc-ci colon secret"},
            {
                "client_id": IMPLICIT_CLIENT,
                "client_secret": "SfccCiImplicitSecret01",
                "name": "sfcc-ci auth:login",
                "redirect_urls": [f"http://localhost:{server.oauth_port}"],  # the CLI's OAUTH_REDIRECT_URL
            },
        ]
        with server.client() as c:
            seeded = c.post("/_mockown/seed", json={"b2c": {"account_manager": {"clients": clients}}})
        assert seeded.status_code == 201, seeded.text
        yield server


@pytest.fixture
def cli(package: Path, server: Server, tmp_path: Path) -> SfccCi:
    return SfccCi(package, server, tmp_path)


def _token_call(grant: str, params: list[str], status: int = 200, client: str = CLIENT) -> dict[str, Any]:
    return {
        "method": "POST",
        "path": TOKEN_PATH,
        "grant_type": grant,
        "client_id": client,
        "status": status,
        "params": params,
        "auth": "Basic",
    }


def test_client_credentials(cli: SfccCi) -> None:
    run = cli.run("client:auth", CLIENT, SECRET)
    assert (run.rc, run.stdout, run.stderr, run.lookups) == (0, "Authentication succeeded\n", "", [])
    assert run.sent == [_token_call("client_credentials", ["grant_type"])]
    token = run.config["SFCC_CLIENT_TOKEN"]
    assert run.config == {
        "SFCC_CLIENT_ID": CLIENT,
        "SFCC_CLIENT_TOKEN": token,
        "SFCC_CLIENT_RENEW_BASE": None,  # no --renew
        "SFCC_USER": None,  # no id_token for a client
    }
    claims = _claims(token)
    assert (claims["sub"], claims["cid"], claims["grant_type"], claims["scope"]) == (
        CLIENT,
        CLIENT,
        "client_credentials",
        DEFAULT_SCOPES,
    )
    assert claims["exp"] - claims["iat"] == 1799
    printed = cli.run("client:auth:token")
    assert (printed.rc, printed.stdout, printed.sent) == (0, token + "\n", [])


def test_client_credentials_from_env_vars(package: Path, server: Server, tmp_path: Path) -> None:
    """A CI job's way: `sfcc-ci client:auth -t client_credentials` with SFCC_OAUTH_CLIENT_ID/_SECRET."""
    cli = SfccCi(package, server, tmp_path, SFCC_OAUTH_CLIENT_ID=CLIENT, SFCC_OAUTH_CLIENT_SECRET=SECRET)
    run = cli.run("client:auth", "-t", "client_credentials")
    assert (run.rc, run.stdout, run.lookups) == (0, "Authentication succeeded\n", [])
    assert run.sent == [_token_call("client_credentials", ["grant_type"])]
    assert run.config["SFCC_CLIENT_ID"] == CLIENT


def test_a_wrong_secret_is_reported_with_account_manager_s_description(cli: SfccCi) -> None:
    run = cli.run("client:auth", CLIENT, "not-the-secret")
    assert (run.rc, run.stdout, run.stderr.strip(), run.config) == (1, "", BAD_CLIENT, {})
    assert run.sent == [_token_call("client_credentials", ["grant_type"], 401)]


def test_a_secret_with_reserved_characters(cli: SfccCi) -> None:
    """sfcc-ci sends `encodeURIComponent(secret)` in Basic; Account Manager form-decodes it (spec 2a)."""
    run = cli.run("client:auth", ODD_CLIENT, ODD_SECRET, "-r")
    assert (run.rc, run.stdout, run.stderr) == (0, "Authentication succeeded Auto-renewal enabled.\n", "")
    assert run.sent == [_token_call("client_credentials", ["grant_type"], client=ODD_CLIENT)]
    renewed = cli.run("client:auth:renew")
    assert (renewed.rc, renewed.stdout, renewed.stderr) == (0, "Authentication renewal succeeded\n", "")
    assert renewed.sent == [_token_call("client_credentials", ["grant_type", "response_type"], client=ODD_CLIENT)]


def test_a_secret_with_a_colon_logs_in_but_cannot_renew(cli: SfccCi) -> None:
    """The login sends the colon URL-encoded (%3A) and Account Manager splits Basic at the first raw colon, so it
    succeeds; sfcc-ci's renew() splits its stored `client:secret` on every colon and sends `Colon` as the secret:
    a 401 the CLI reports without the server's description (a gap of the CLI, not of the mock)."""
    run = cli.run("client:auth", COLON_CLIENT, COLON_SECRET, "-r")
    assert (run.rc, run.stdout, [s["status"] for s in run.sent]) == (
        0,
        "Authentication succeeded Auto-renewal enabled.\n",
        [200],
    )
    renewed = cli.run("client:auth:renew")
    assert (renewed.rc, renewed.stdout, renewed.stderr.strip()) == (1, "", "Error: Authentication renewal failed: null")
    assert renewed.sent == [
        _token_call("client_credentials", ["grant_type", "response_type"], 401, client=COLON_CLIENT)
    ]


def test_password_grant_and_renewal_with_the_rotated_refresh_token(cli: SfccCi, server: Server) -> None:
    run = cli.run("client:auth", CLIENT, SECRET, USER, PASSWORD, "-r")
    assert (run.rc, run.stdout, run.stderr) == (0, "Authentication succeeded Auto-renewal enabled.\n", "")
    assert run.sent == [_token_call("password", ["grant_type", "password", "username"])]
    first = run.config
    assert sorted(first) == [
        "SFCC_CLIENT_ID",
        "SFCC_CLIENT_RENEW_BASE",
        "SFCC_CLIENT_TOKEN",
        "SFCC_REFRESH_TOKEN",
        "SFCC_USER",
    ]
    assert first["SFCC_USER"] == USER  # the id_token's sub
    assert base64.b64decode(first["SFCC_CLIENT_RENEW_BASE"]).decode() == f"{CLIENT}:{SECRET}"
    claims = _claims(first["SFCC_CLIENT_TOKEN"])
    assert (claims["sub"], claims["cid"], claims["grant_type"]) == (USER, CLIENT, "password")

    renewed = cli.run("client:auth:renew")
    assert (renewed.rc, renewed.stdout, renewed.stderr) == (0, "Authentication renewal succeeded\n", "")
    assert renewed.sent == [_token_call("refresh_token", ["grant_type", "refresh_token"])]
    second = renewed.config
    assert second["SFCC_CLIENT_TOKEN"] != first["SFCC_CLIENT_TOKEN"]
    assert second["SFCC_REFRESH_TOKEN"] != first["SFCC_REFRESH_TOKEN"]  # rotated, and the CLI kept the new one
    assert _claims(second["SFCC_CLIENT_TOKEN"])["sub"] == USER

    with server.client() as c:  # the replaced refresh token is spent
        replay = c.post(
            TOKEN_PATH,
            auth=(CLIENT, SECRET),
            data={"grant_type": "refresh_token", "refresh_token": first["SFCC_REFRESH_TOKEN"]},
        )
    assert (replay.status_code, replay.json()) == (
        400,
        {"error_description": "Invalid refresh token", "error": "invalid_grant"},
    )
    again = cli.run("client:auth:renew")  # the kept one renews once more
    assert (again.rc, again.stdout, [s["status"] for s in again.sent]) == (
        0,
        "Authentication renewal succeeded\n",
        [200],
    )


def test_a_wrong_user_password_is_reported(cli: SfccCi) -> None:
    run = cli.run("client:auth", CLIENT, SECRET, USER, "not-the-password")
    assert (run.rc, run.stderr.strip(), run.config) == (
        1,
        "Error: Authentication failed: Resource owner authentication failed",
        {},
    )
    assert run.sent == [_token_call("password", ["grant_type", "password", "username"], 400)]


def test_logout_is_local_and_leaves_the_renewal_credentials(cli: SfccCi, server: Server) -> None:
    login = cli.run("client:auth", CLIENT, SECRET, USER, PASSWORD, "-r")
    assert login.rc == 0
    out = cli.run("auth:logout")
    assert (out.rc, out.stdout, out.sent) == (0, "Client configuration cleared.\n", [])  # no request at all
    # sfcc-ci's clear() deletes only the client id and the access token: the refresh token, the Basic pair
    # for renewals and the user stay in its config, and `client:auth:renew` still works after a logout
    assert out.config == {
        "SFCC_CLIENT_RENEW_BASE": login.config["SFCC_CLIENT_RENEW_BASE"],
        "SFCC_REFRESH_TOKEN": login.config["SFCC_REFRESH_TOKEN"],
        "SFCC_USER": USER,
    }
    renewed = cli.run("client:auth:renew")
    assert (renewed.rc, renewed.stdout, [s["status"] for s in renewed.sent]) == (
        0,
        "Authentication renewal succeeded\n",
        [200],
    )


def _lines(stream: Any, sink: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):
        sink.put(line)


def test_auth_login_implicit_flow_with_the_test_as_the_browser(cli: SfccCi, server: Server) -> None:
    """`sfcc-ci auth:login <client>`: it prints (and asks xdg-open to open) the authorize URL and waits on its
    loopback port; the 'browser' here follows the redirect, loads the CLI's page and does what its script does
    (the fragment's access_token moved into the query of a second request)."""
    cli.extra["SFCC_OAUTH_LOCAL_PORT"] = str(server.oauth_port)
    mark = server.journal_mark()
    proc = subprocess.Popen(
        cli.command("auth:login", IMPLICIT_CLIENT), env=cli.env(), cwd=cli.home, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    try:
        printed: list[str] = []
        while not any("Waiting for user to authenticate" in line for line in printed):
            printed.append(lines.get(timeout=20))
        login_url = next(line for line in printed if line.startswith("Login url: ")).split(" ", 2)[2].strip()
        redirect = f"http://localhost:{server.oauth_port}"
        assert login_url == (
            f"{server.url}/dwsso/oauth2/authorize?client_id={IMPLICIT_CLIENT}&redirect_uri={redirect}"
            "&response_type=token"
        )
        with httpx.Client(verify=server.trust(), timeout=10) as browser:
            answer = browser.get(login_url)
            assert answer.status_code == 302
            location = answer.headers["location"]
            assert location.startswith(redirect + "#")
            fragment = parse_qs(urlsplit(location).fragment)
            assert sorted(fragment) == ["access_token", "expires_in", "scope", "token_type"]
            assert (fragment["expires_in"], fragment["token_type"]) == (["1800"], ["Bearer"])
            page = browser.get(redirect)  # a browser sends no fragment
            assert page.status_code == 200 and "window.location.hash" in page.text
            access_token = fragment["access_token"][0]
            done = browser.get(redirect + "/", params={"access_token": access_token})
            assert (done.status_code, done.text) == (
                200,
                "Successfully authenticated. You can close this page and return to the console.",
            )
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    printed.append(_drain(lines))
    stderr = proc.stderr.read() if proc.stderr else ""
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()
    assert "Authentication succeeded. You may close the browser." in "".join(printed)
    assert stderr == "" and cli.lookups() == []
    assert cli.config() == {
        "SFCC_CLIENT_ID": IMPLICIT_CLIENT,
        "SFCC_CLIENT_TOKEN": access_token,
        "SFCC_CLIENT_RENEW_BASE": False,  # no renewal after an implicit login
        "SFCC_USER": None,  # Account Manager's implicit redirect has no id_token (spec 2a)
    }
    claims = _claims(access_token)
    assert (claims["sub"], claims["cid"], claims["scope"]) == (USER, IMPLICIT_CLIENT, DEFAULT_SCOPES)
    assert fragment["scope"] == [" ".join(DEFAULT_SCOPES)]  # the client's default scopes: the CLI asks for none
    sent = server.journal_since(mark)
    assert [(s["method"], s["path"].split("?")[0], s["status"]) for s in sent] == [
        ("GET", "/dwsso/oauth2/authorize", 302)
    ]


def _drain(lines: queue.Queue[str]) -> str:
    out = []
    while True:
        try:
            out.append(lines.get(timeout=2))
        except queue.Empty:
            return "".join(out)


def test_a_dw_json_account_manager_and_the_renewal_that_ignores_it(cli: SfccCi) -> None:
    """`account-manager` in dw.json is used by `client:auth`, but `client:auth:renew` asks `getAMHost()` (only
    SFCC_LOGIN_URL, else account.demandware.com): the renewal goes to the production host, here a refused lookup."""
    cli.extra["SFCC_LOGIN_URL"] = ""
    project = cli.home / "project"
    project.mkdir()
    dw = {"client-id": CLIENT, "client-secret": SECRET, "account-manager": cli.server.host}
    (project / "dw.json").write_text(json.dumps(dw))
    run = cli.run("client:auth", "-r", cwd=project)
    assert (run.rc, run.stdout, run.lookups) == (0, "Authentication succeeded Auto-renewal enabled.\n", [])
    assert run.stderr.strip() == f"Warning: Use alternative Account Manager {cli.server.host} as authorization server"
    assert run.sent == [_token_call("client_credentials", ["grant_type"])]
    renewed = cli.run("client:auth:renew", cwd=project)
    assert (renewed.rc, renewed.sent, renewed.lookups) == (1, [], ["account.demandware.com"])
    assert "Authentication renewal failed: Error: getaddrinfo ENOTFOUND account.demandware.com" in renewed.stderr


def test_the_account_manager_rest_api_is_not_emulated(cli: SfccCi) -> None:
    """user:list, role:list, org:list and client:list call AM's REST API (`/dw/rest/v1/...` on the AM host)
    with the token; mockown emulates AM's OAuth only, so each is a plain 404 and the CLI says so; so is
    `code:list -i <instance>` (OCAPI's Data API: an OCAPI fault, ResourcePathNotFoundException). sandbox:list
    and slas:tenant:list go to hosts the CLI hard-codes (the sandbox API's, SLAS Admin's): refused lookups."""
    assert cli.run("client:auth", CLIENT, SECRET).rc == 0
    expected = {
        "user:list": ("/dw/rest/v1/users?page=0&size=25", "Error: Searching users failed: 404"),
        "role:list": ("/dw/rest/v1/roles?page=0&size=25", "Error: Searching roles failed: 404"),
        "org:list": ("/dw/rest/v1/organizations?page=0&size=25", "Error: Operation failed. Error code 404"),
        "client:list": ("/dw/rest/v1/apiclients/?size=25&page=0", "Error: No Oauth clients found"),
    }
    for command, (path, message) in expected.items():
        run = cli.run(command)
        assert (run.rc, run.stderr.strip(), run.lookups) == (1, message, []), command
        assert [(s["method"], s["path"], s["status"], s["auth"]) for s in run.sent] == [("GET", path, 404, "Bearer")], (
            command
        )
    # code:list on an instance uses OCAPI's Data API with the AM token: not emulated either, a fault the CLI shows
    code = cli.run("code:list", "-i", cli.server.host, "-j")
    assert (code.rc, json.loads(code.stdout), code.lookups) == (
        1,
        {
            "error": "Cannot read code versions",
            "fault": {
                "type": "ResourcePathNotFoundException",
                "message": "no such resource: /s/-/dw/data/v19_5/code_versions",
            },
        },
        [],
    )
    assert [(s["path"], s["status"], s["auth"]) for s in code.sent] == [
        ("/s/-/dw/data/v19_5/code_versions", 404, "Bearer")
    ]
    sandboxes = cli.run("sandbox:list")
    assert (sandboxes.rc, sandboxes.sent, sandboxes.lookups) == (1, [], ["admin.dx.commercecloud.salesforce.com"])
    # SLAS Admin API: https://<short code>.api.commercecloud.salesforce.com/shopper/auth-admin/v1/..., built in
    slas = cli.run("slas:tenant:list", "--shortcode", "kv7kzm78", "-j")
    assert (slas.sent, slas.lookups) == ([], ["kv7kzm78.api.commercecloud.salesforce.com"])

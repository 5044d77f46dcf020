"""The `mockown` command."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import sys
from pathlib import Path
from typing import Any

import click

from .config import Config, ConfigError, is_base_url, is_header_token, is_http_url, is_loopback, is_utf8


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mockown")
def main() -> None:
    """mockown: a stateful emulator of Salesforce OAuth/OIDC and the Own API."""


class _PlainInt(click.types.IntParamType):
    """A whole number in ASCII digits, as the settings read one (`clock.plain_number`): click's `int` read
    `--port ٨٠٨٠` and `--port 8_080` as 8080."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from .clock import plain_number

        if isinstance(value, str) and not plain_number(value):
            self.fail(f"{value!r} is not a valid integer (ASCII digits).", param, ctx)
        return super().convert(value, param, ctx)


PLAIN_INT = _PlainInt()
# any case, as MOCKOWN_LOG_LEVEL and the config file take it (`DEBUG` was a bad command line only on the flag)
LOG_LEVEL = click.Choice(["debug", "info", "warning", "error"], case_sensitive=False)


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=PLAIN_INT, default=None, help="Port (default 8080; 0 picks a free one).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None, help="YAML config file.")
@click.option("--seed", type=click.Path(exists=True, dir_okay=False), default=None, help="Seed data file.")
@click.option("--base-url", default=None, help="Base URL the mock puts in responses.")
@click.option("--admin-token", default=None, help="Bearer token for the control plane.")
@click.option("--log-level", default=None, type=LOG_LEVEL)
@click.option("--state-file", default=None, help="Keep the state in this SQLite file (survives restarts).")
@click.option("--workers", type=PLAIN_INT, default=None, help="Server processes (more than 1 needs --state-file).")
@click.option("--tls", is_flag=True, default=None, help="Serve HTTPS with a certificate from a local CA.")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), default=None, help="Your certificate.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), default=None, help="Your certificate's key.")
@click.option(
    "--insecure-control-plane",
    is_flag=True,
    default=None,
    help="Allow an open control plane (/_mockown) on a non-loopback address, without --admin-token.",
)
def serve(**options: Any) -> None:
    """Run the server (in-memory state seeded with demo data by default)."""
    config_file = options.pop("config_file")
    overrides = {k: v for k, v in options.items() if v is not None}
    try:
        config = Config.load(file=config_file, overrides=overrides)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    if not is_loopback(config.host) and not (config.admin_token or config.insecure_control_plane):
        click.echo(
            f"refusing to listen on {config.host} with an open control plane: "
            "set --admin-token (or MOCKOWN_ADMIN_TOKEN), or --insecure-control-plane",
            err=True,
        )
        sys.exit(2)
    from . import serving

    try:
        # bind once, now, and serve on that very socket: a port in use or a host that is not this machine's is a
        # usage error before the banner, port 0 becomes the free port the banner shows, and no other process can
        # take the port between this check and uvicorn (it gets the socket rather than binding again)
        with _listening_socket(config.host, config.port) as listener:
            port = listener.getsockname()[1]
            if port != config.port:
                config = config.replace(port=port)
                overrides["port"] = port
            tls = serving.tls_files(config)
            app = serving.build(config)  # with workers: migrates and seeds the state file once, before them
            click.echo(banner(config, app, serving.scheme(config)))
            serving.run(
                config, config_file=config_file, overrides=overrides, echo=click.echo, app=app, tls=tls, sock=listener
            )
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def _listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on `host` at `port` (a free one for 0), else a `ConfigError`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)  # uvicorn's default backlog; from now on the port is this server's alone
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None
    # not inheritable (Python's default): uvicorn's workers receive a duplicate pickled by multiprocessing, so no
    # program the server starts may inherit the listening socket
    return sock


# -- start-up banner -----------------------------------------------------------------------------------
def banner(config: Config, app: Any, scheme: str) -> str:
    """The URLs of the server and the credentials the start-up seed created (demo data: not secrets)."""
    host = config.host
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "[::]") else host  # noqa: S104 - a display name
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    base = (config.base_url or f"{scheme}://{shown}:{config.port}").rstrip("/")
    listening = f"[{host}]" if ":" in host and not host.startswith("[") else host  # an IPv6 literal, bracketed
    lines = [f"mockown listening on {scheme}://{listening}:{config.port}"]
    lines += [
        f"  Salesforce token      {base}/services/oauth2/token",
        f"  OpenID discovery      {base}/.well-known/openid-configuration",
        f"  REST API              {base}/services/data",
        f"  Own auth host         {base}/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token",
        f"  Own API (region app1) {base}/regions/app1/api/v1/services",
        # URLs that answer (a GET of the bare /_mockown/ prefix is a 404): health, and the OpenAPI document of the
        # control plane, which lists every route under /_mockown/
        f"  control plane         {base}/_mockown/health  (every route: {base}/_mockown/openapi.yaml)",
        f"  dashboard             {base}/_mockown/ui",
    ]
    if config.admin_token:
        lines.append("  the control plane needs: Authorization: Bearer <the admin token>")
    seeded: dict[str, Any] = getattr(getattr(getattr(app, "state", None), "runtime", None), "seeded", {}) or {}
    creds = _credential_lines(seeded, _declared(config) if seeded else {})
    if creds:
        lines.append("seeded demo credentials:")
        lines += creds
        if any(GENERATED in line for line in creds):
            lines.append(f"  {GENERATED}: made by the server, never printed; declare them in the seed file, or seed")
            lines.append("  with `mockown seed FILE` (POST /_mockown/seed), whose answer has them")
    return "\n".join(lines)


GENERATED = "<generated>"  # what the banner shows for a credential the seed document did not declare
_CREDENTIAL_FIELDS = ("password", "security_token", "client_secret", "api_token")


def _declared(config: Config) -> dict[str, set[str]]:
    """The credentials the start-up seed document itself declares, by field name (wherever they appear in it): the
    banner repeats those (the demo passwords), never one the server generated (a password or consumer secret left
    out, `api_token: true`), which would land on stdout and in container logs. An unreadable file declares none."""
    from .seed import SeedError, default_fixtures, read_document

    try:
        document = read_document(config.seed or default_fixtures())
    except SeedError:
        return {}
    found: dict[str, set[str]] = {name: set() for name in _CREDENTIAL_FIELDS}
    pending: list[Any] = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in found and isinstance(value, str | int) and not isinstance(value, bool):
                    found[key].add(str(value))  # a YAML number is seeded as its digits
                else:
                    pending.append(value)
    return found


def _credential_lines(seeded: dict[str, Any], declared: dict[str, set[str]]) -> list[str]:
    def shown(field: str, value: Any) -> str:
        return str(value) if str(value) in declared.get(field, ()) else GENERATED

    lines: list[str] = []
    for org in (seeded.get("salesforce") or {}).get("orgs", []):
        lines.append(f"  Salesforce org {org.get('id')} ({org.get('name')})")
        for user in org.get("users", []):
            if not user.get("active", True):
                continue
            token = user.get("security_token")
            token_text = f" security token {shown('security_token', token)}" if token else ""
            lines.append(
                f"    user {user.get('username')} password {shown('password', user.get('password'))}{token_text}"
            )
        for app in org.get("apps", []):
            secret = app.get("client_secret")
            secret_text = shown("client_secret", secret) if secret else "(public app, no secret)"
            lines.append(f"    app {app.get('name')}: client_id {app.get('client_id')} client_secret {secret_text}")
    own = seeded.get("own") or {}
    for account in own.get("accounts", []) if isinstance(own, dict) else []:
        lines.append(f"  Own account {account.get('id')} ({account.get('name')})")
        for user in account.get("users", []):
            api = f" API token {shown('api_token', user['api_token'])}" if user.get("api_token") else ""
            lines.append(f"    user {user.get('email')} password {shown('password', user.get('password'))}{api}")
    return lines


# -- talking to a server -------------------------------------------------------------------------------
EXIT_REFUSED = 1  # the server answered with an error
EXIT_USAGE = 2  # bad command line (click's own code)
EXIT_UNREACHABLE = 3  # no server at the URL, or no answer

DEMO_CLIENT_ID = "3MVG9MockownDemoConsumerKey0000000000000000000000000000000000000000000000000000000"
DEMO_SECRET = "MOCKOWNDEMOSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
OWN_AUTH_PATH = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
OWN_CLIENT_ID = "0oa4c413eq8wwcEzP4h7"


class _Fail(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


# The settings of a server process, not of its answers: the in-process server of `token` (no --url) takes their
# defaults whatever the environment or MOCKOWN_CONFIG say (no state file written, no --workers rule); the others
# (base_url, frozen_at, the sections, ...) shape its answers as they would a server's.
SERVE_ONLY = ("host", "port", "workers", "state_file", "tls", "tls_cert", "tls_key", "tls_dir", "log_level")


def _client(url: str | None, admin_token: str | None, seed_file: str | None) -> Any:
    """An httpx client for the server at `url`, or for a fresh in-process app when `url` is None."""
    import httpx

    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    if url is not None:  # given, even empty: "" is no server to talk to, not a cue for an in-process one
        problem = url_problem(url)
        if problem:
            raise _Fail(EXIT_USAGE, f"--url '{_shown(url)}' {problem}")
        verify = _trust() if url.lower().startswith("https:") else True
        return httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=30.0, verify=verify)
    from . import serving
    from .http.inprocess import in_process_client

    defaults = Config()
    overrides: dict[str, Any] = {name: getattr(defaults, name) for name in SERVE_ONLY}
    if seed_file:
        overrides["seed"] = seed_file
    try:  # the in-process server's settings and seed: a bad one is a bad command line, as for `serve`
        app = serving.build(Config.load(overrides=overrides))
    except ConfigError as exc:
        raise _Fail(EXIT_USAGE, str(exc)) from None
    return in_process_client(app, base_url="http://127.0.0.1:8080", headers=headers)


def _trust() -> Any:
    """What an https server's certificate is checked against: the usual roots (certifi's, as httpx's), the local CA
    of `mockown serve --tls` when it has been made, and the bundles the serve banner suggests (SSL_CERT_FILE,
    REQUESTS_CA_BUNDLE)."""
    import ssl

    import httpx

    context = httpx.create_ssl_context()  # what httpx verifies with by default (certifi's roots)
    for bundle in (str(_local_ca()), os.environ.get("SSL_CERT_FILE"), os.environ.get("REQUESTS_CA_BUNDLE")):
        if bundle and Path(bundle).is_file():
            try:
                context.load_verify_locations(cafile=bundle)
            except (OSError, ssl.SSLError) as exc:
                raise _Fail(EXIT_USAGE, f"cannot use the CA certificates in {bundle}: {exc}") from None
    return context


def _local_ca() -> Path:
    from .config import tls_dir

    return tls_dir() / "ca.pem"


def url_problem(url: str) -> str | None:
    """Why `url` cannot be the base URL of a server the command line talks to (`--url`, `--target`), or None: an
    http(s) URL with a host that httpx can use (a valid IDNA name), and nothing but scheme, host, port and path (a
    query would be spliced into every path, a fragment cut them off, user info is no way to log in)."""
    import httpx

    try:
        parsed = httpx.URL(url)
        host = parsed.host  # an IDNA name is decoded here (xn--a.example is none)
    except (httpx.InvalidURL, ValueError) as exc:  # ValueError: a bad IDNA name, text that is not UTF-8
        return f"is not a URL: {exc}"
    if parsed.scheme not in ("http", "https") or not host or not is_http_url(url):
        return "is not an http:// or https:// URL"
    if not is_base_url(url):
        return "must be scheme, host, port and path only (no query, fragment, user info or whitespace)"
    return None


def _shown(url: str) -> str:
    """`url` fit for a message: without its user info (a password), and without text that is not UTF-8."""
    shown = re.sub(r"(?<=//)[^/?#]*@", "***@", url)
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")


def _send(client: Any, method: str, path: str, **kwargs: Any) -> Any:
    import httpx

    try:
        return client.request(method, path, **kwargs)
    except httpx.TransportError as exc:
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):  # it answered, with a certificate no CA we trust signed
            raise _Fail(
                EXIT_UNREACHABLE,
                f"the certificate of {client.base_url} is not trusted: {exc} (trusted: the usual roots, mockown's "
                f"local CA {_local_ca()} when it exists, and SSL_CERT_FILE or REQUESTS_CA_BUNDLE)",
            ) from None
        raise _Fail(EXIT_UNREACHABLE, f"cannot reach {client.base_url}: {exc}") from None
    except httpx.HTTPError as exc:  # an answer httpx cannot read: a body that is not what its Content-Encoding says
        raise _Fail(EXIT_REFUSED, f"not a mockown answer from {client.base_url}: {exc}") from None


def _finish(response: Any, expected: int, what: str, field: str | None = None) -> None:
    """Print the JSON object mockown answers with `expected` (its status for a success), or only its `field`; an
    error status is the server's refusal, and any other answer (a redirect, an HTML page, JSON that is no object) is
    not mockown's: a proxy, an ingress that redirects to https, another program on the port."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400:
        text = response.text if body is None else json.dumps(body)
        raise _Fail(EXIT_REFUSED, f"the server answered {response.status_code}: {text}")
    if response.status_code != expected or not isinstance(body, dict):
        raise _Fail(EXIT_REFUSED, f"not a mockown answer: {_described(response)}")
    if field:
        if field not in body:  # a mistyped name; the answer itself (an access token) stays off the terminal
            raise _Fail(EXIT_USAGE, f"--field {field!r} is not in the answer; it has: {', '.join(map(str, body))}")
        value = body[field]
        _print(value if isinstance(value, str) else json.dumps(value), what)
    else:
        _print(json.dumps(body, indent=2), what)


def _print(text: str, what: str) -> None:
    """Print the answer; stdout that takes no more (a full disk, a closed pipe) fails the command after the server
    did what it was asked: say so, without a traceback, and so that nothing tries to write it again at exit."""
    try:
        click.echo(text)
    except OSError as exc:
        with contextlib.suppress(OSError, ValueError, AttributeError):  # not a file (a test's), or no stdout at all
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # what Python's docs do for a broken pipe: the unflushed rest goes
            os.close(devnull)
        raise _Fail(EXIT_REFUSED, f"{what} could not be written to stdout: {exc.strerror or exc}") from None


def _described(response: Any) -> str:
    """An answer in one line: its status, where it redirects, its type and the start of its body."""
    text = f"{response.status_code} {response.reason_phrase}".rstrip()
    if response.headers.get("location"):
        text += f" -> Location {response.headers['location']}"
    if response.headers.get("content-type"):
        text += f", {response.headers['content-type']}"
    body = " ".join(response.text.split())
    return f"{text}: {body[:200]}{'...' if len(body) > 200 else ''}" if body else text


def _run(action: Any) -> None:
    try:
        action()
    except _Fail as exc:
        click.echo(f"mockown: {exc.message}", err=True)
        sys.exit(exc.code)


def _utf8(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A text option, refused (exit 2) when it holds bytes that are not UTF-8 (a shell hands them over as they are):
    its form field could not be sent."""
    if value is not None and not is_utf8(value):
        raise click.BadParameter(f"is not UTF-8 text{_from_env(param)}")
    return value


def _header_token(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The admin token, sent in an Authorization header: printable ASCII, as the server's `admin_token` must be."""
    if value is not None and not is_header_token(value):
        raise click.BadParameter(f"must be printable ASCII without spaces around it{_from_env(param)}")
    return value


def _from_env(param: click.Parameter) -> str:
    envvar = getattr(param, "envvar", None)
    return f" (given as the option or in {envvar})" if isinstance(envvar, str) else ""


_URL_HELP = "Base URL of a running server (env MOCKOWN_URL). Without it, a fresh in-process server is used."


@main.command()
@click.option("--url", envvar="MOCKOWN_URL", default=None, help=_URL_HELP)
@click.option(
    "--grant",
    type=click.Choice(["password", "client_credentials", "refresh_token", "own"]),
    default="password",
    show_default=True,
    help="The grant to use; 'own' exchanges an Own API token on the Own auth host.",
)
@click.option("--client-id", default=DEMO_CLIENT_ID, callback=_utf8, help="Connected app (default: the demo app).")
# the secrets also come from the environment (MOCKOWN_TOKEN_*, as --api-token from MOCKOWN_OWN_API_TOKEN): a command
# line is visible to every user of the machine (`ps`), a process's environment only to its owner
@click.option("--client-secret", envvar="MOCKOWN_TOKEN_CLIENT_SECRET", default=DEMO_SECRET, callback=_utf8,
              help="Its consumer secret (default: the demo app's; env MOCKOWN_TOKEN_CLIENT_SECRET).")  # fmt: skip
@click.option(
    "--username", default="admin@mockown.test", show_default=True, callback=_utf8, help="User for the password grant."
)
@click.option("--password", envvar="MOCKOWN_TOKEN_PASSWORD", default="Passw0rd!", show_default=True, callback=_utf8,
              help="Password (+ security token; env MOCKOWN_TOKEN_PASSWORD).")  # fmt: skip
@click.option("--refresh-token", envvar="MOCKOWN_TOKEN_REFRESH_TOKEN", default=None, callback=_utf8,
              help="Refresh token for --grant refresh_token (env MOCKOWN_TOKEN_REFRESH_TOKEN).")  # fmt: skip
@click.option("--api-token", envvar="MOCKOWN_OWN_API_TOKEN", default=None, callback=_utf8,
              help="Own API token for --grant own (env MOCKOWN_OWN_API_TOKEN).")  # fmt: skip
@click.option("--scope", default=None, callback=_utf8, help="Scopes to ask for.")
@click.option("--seed", "seed_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Seed file of the in-process server (ignored with --url).")  # fmt: skip
@click.option("--field", default=None, help="Print only this field of the answer (e.g. access_token).")
def token(**o: Any) -> None:
    """Get a token from a running server (--url) or an in-process one, and print it as JSON.

    \b
    Exit codes: 0 a token was printed; 1 the server refused (its answer is on stderr), or what answered is not
    mockown; 2 bad command line (a --field the answer lacks, too); 3 the server could not be reached.
    \b
    Examples:
      mockown token --url http://127.0.0.1:8080
      TOKEN=$(mockown token --url http://127.0.0.1:8080 --field access_token)
      mockown token --url http://127.0.0.1:8080 --grant client_credentials
    """

    def act() -> None:
        grant = o["grant"]
        with _client(o["url"], None, o["seed_file"]) as client:
            if grant == "own":
                api_token = o["api_token"]
                if not api_token:
                    raise _Fail(EXIT_USAGE, "--grant own needs --api-token (or MOCKOWN_OWN_API_TOKEN)")
                data = {"grant_type": "refresh_token", "refresh_token": api_token, "scope": o["scope"] or "api:access",
                        "client_id": OWN_CLIENT_ID}  # fmt: skip
                _finish(_send(client, "POST", OWN_AUTH_PATH, data=data), 200, "the token", o["field"])
                return
            data = {"grant_type": grant, "client_id": o["client_id"]}
            if o["client_secret"]:
                data["client_secret"] = o["client_secret"]
            if grant == "password":
                data.update(username=o["username"], password=o["password"])
            elif grant == "refresh_token":
                if not o["refresh_token"]:
                    raise _Fail(
                        EXIT_USAGE, "--grant refresh_token needs --refresh-token (or MOCKOWN_TOKEN_REFRESH_TOKEN)"
                    )
                data["refresh_token"] = o["refresh_token"]
            if o["scope"]:
                data["scope"] = o["scope"]
            _finish(_send(client, "POST", "/services/oauth2/token", data=data), 200, "the token", o["field"])

    _run(act)


@main.command()
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False), required=False)
@click.option("--url", envvar="MOCKOWN_URL", required=True, help="Base URL of the running server (env MOCKOWN_URL).")
@click.option("--admin-token", envvar="MOCKOWN_ADMIN_TOKEN", default=None, callback=_header_token,
              help="Control-plane token, if it has one.")  # fmt: skip
def seed(file: str | None, url: str, admin_token: str | None) -> None:
    """Seed a running server from FILE (YAML or JSON; '-' reads stdin; none: one org and one Own account with
    defaults).

    Prints the credentials the server created (client ids and secrets, users and passwords) as JSON.

    \b
    Exit codes: 0 seeded; 1 the server refused the document (why is on stderr), or what answered is not mockown;
    2 bad command line or unreadable file; 3 the server could not be reached.
    """

    def act() -> None:
        body = b""
        if file == "-" and sys.stdin is None:  # started with its standard input closed (`<&-`)
            raise _Fail(EXIT_USAGE, "cannot read -: there is no standard input")
        if file:
            try:
                body = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
            except (OSError, ValueError) as exc:  # ValueError: a closed stream
                raise _Fail(EXIT_USAGE, f"cannot read {file}: {exc}") from None
        kind = "application/json" if file and file.endswith(".json") else "application/yaml"
        with _client(url, admin_token, None) as client:
            _finish(
                _send(client, "POST", "/_mockown/seed", content=body, headers={"Content-Type": kind}),
                201,
                "the server seeded, but the credentials it created (its answer)",
            )

    _run(act)


@main.command("rotate-keys")
@click.option("--url", envvar="MOCKOWN_URL", required=True, help="Base URL of the running server (env MOCKOWN_URL).")
@click.option("--key", type=click.Choice(["rsa", "ec", "own", "am", "ocapi"]), default=None,
              help="rsa: Salesforce /id/keys; ec: SLAS /jwks; own: Own's Okta server; am: Account Manager; "
                   "ocapi: OCAPI customer JWTs. Default: every ring.")  # fmt: skip
@click.option("--admin-token", envvar="MOCKOWN_ADMIN_TOKEN", default=None, callback=_header_token,
              help="Control-plane token, if it has one.")  # fmt: skip
def rotate_keys(url: str, key: str | None, admin_token: str | None) -> None:
    """Rotate a running server's signing keys (past := current, current := next key) and print the kids.

    \b
    Exit codes: 0 rotated; 1 the server refused, or what answered is not mockown; 2 bad command line; 3 the server
    could not be reached.
    """

    def act() -> None:
        with _client(url, admin_token, None) as client:
            _finish(
                _send(client, "POST", "/_mockown/keys/rotate", json={"key": key} if key else {}),
                200,
                "the keys were rotated, but their kids",
            )

    _run(act)


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--target", required=True, help="Base URL of the backend to check (this mock, or a real login host).")
@click.option(
    "--profile",
    type=click.Choice(["mock", "real"]),
    default="mock",
    show_default=True,
    help="mock: also use the control plane (clock, seeding); real: read-only unless --allow-writes.",
)
@click.option(
    "--api",
    type=click.Choice(["salesforce", "own", "marketing", "b2c", "all"]),
    default="all",
    show_default=True,
    help="Which contract to check (marketing: Marketing Cloud; b2c: Account Manager, OCAPI, SLAS).",
)
@click.option("--allow-writes", is_flag=True, help="Real profile: also run checks that change state.")
@click.option("--junit-xml", type=click.Path(dir_okay=False), default=None, help="Write a JUnit XML report here.")
@click.option("--max-examples", type=click.IntRange(min=1), default=None,
              help="Generated examples per operation (schema runs).")  # fmt: skip
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def contract(**o: Any) -> None:
    """Check a backend against the contracts (OpenAPI + behaviour): runs the shipped pytest suite.

    Credentials for a real target come from MOCKOWN_CONTRACT_* variables (see the README, "Contract testing").
    Extra arguments go to pytest (e.g. `-k revoke`, `-x`). Exit code: 0 = the backend conforms, 1 = a check
    failed, 2 = a bad command line or a target the suite cannot use (unreachable; with --profile mock, no mockown
    control plane there, or one that wants MOCKOWN_CONTRACT_ADMIN_TOKEN); other codes are pytest's.
    """
    import importlib.util
    import subprocess

    from . import contracts

    if importlib.util.find_spec("pytest") is None or importlib.util.find_spec("schemathesis") is None:
        raise click.UsageError("the contract suite needs the test extras: pip install 'mockown[test]'")
    if url_problem(o["target"]):  # else every check fails as if the backend did not conform
        raise click.UsageError(
            "--target must be an http:// or https:// URL of scheme, host, port and path only (no query, fragment, "
            f"user info or whitespace), not '{_shown(o['target'])}'"
        )
    if o["junit_xml"]:
        try:
            Path(o["junit_xml"]).resolve().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.UsageError(f"cannot write --junit-xml {o['junit_xml']}: {exc}") from None
    root = contracts.root()
    args = [sys.executable, "-m", "pytest", str(contracts.suite_path()), "-c", str(root / "pytest.ini")]
    args += ["--rootdir", str(root), "-v"]
    args += ["--target", o["target"], "--profile", o["profile"], "--api", o["api"]]
    if o["allow_writes"]:
        args.append("--allow-writes")
    if o["max_examples"] is not None:
        args += ["--max-examples", str(o["max_examples"])]
    if o["junit_xml"]:
        args += ["--junit-xml", o["junit_xml"]]
    # a fresh interpreter: pytest must import (and rewrite) the suite before anything else is loaded
    env = dict(os.environ)
    env.setdefault("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # the suite needs no plugin (`-p xdist` to add one)
    sys.exit(subprocess.call([*args, *o["pytest_args"]], env=env))  # noqa: S603 - our interpreter, our suite


if __name__ == "__main__":  # pragma: no cover - `python -m mockown.cli`
    main()

"""Bad input to the command line, the config file, `MOCKOWN_*`, seed, state and TLS files: a one-line reason
and exit 2 (a usage error), before the banner, never a traceback; and the files given are left as they were."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization

from mockown.cli import main
from mockown.tls import ensure_certificates


@pytest.fixture(autouse=True)
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """uvicorn never runs here: a start that gets that far is recorded (and the command returns)."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("mockown.serving.uvicorn_serve", lambda app, sock, **options: calls.append(options))
    yield calls


def refused(args: list[str], message: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a usage error, not a crash with a traceback
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert "listening on" not in result.stdout  # refused before the banner, which would say it is serving
    return result


def test_a_config_file_that_is_not_utf8(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_bytes(b"port: \xff\xfe\n")
    refused(["serve", "--config", str(config)], "cannot read config file")
    refused(["serve"], "cannot read config file", env={"MOCKOWN_CONFIG": str(config)})


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--port", "-1"], {}), (["--port", "65536"], {}), ([], {"MOCKOWN_PORT": "70000"})],
)
def test_a_port_out_of_range(args: list[str], env: dict[str, str]) -> None:
    refused(["serve", *args], "port must be from 0 to 65535", env=env)


def test_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused(["serve", "--port", str(port)], f"cannot listen on 127.0.0.1 port {port}")


@pytest.mark.parametrize("port", ["0", "8080"])
def test_a_host_that_is_not_this_machines(port: str) -> None:
    # 192.0.2.1 (TEST-NET-1) is nobody's interface; 999.1.1.1 is no address and no name
    refused(["serve", "--host", "192.0.2.1", "--port", port, "--admin-token", "t"], "cannot listen on 192.0.2.1")
    refused(["serve", "--host", "999.1.1.1", "--port", port, "--admin-token", "t"], "cannot listen on 999.1.1.1")


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6")
def test_an_ipv6_host_in_brackets_reaches_uvicorn_without_them(served: list[dict[str, Any]]) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback")
    result = CliRunner().invoke(main, ["serve", "--host", "[::1]", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert served[-1]["host"] == "::1"
    assert "mockown listening on http://[::1]:" in result.stdout


@pytest.mark.parametrize("env", [{"MOCKOWN_LOG_LEVEL": "bogus"}, {"MOCKOWN_LOG_LEVEL": "verbose"}])
def test_an_unknown_log_level_from_the_environment(env: dict[str, str]) -> None:
    refused(["serve", "--port", "0"], "log_level must be one of debug, info, warning, error", env=env)


def test_a_frozen_instant_that_is_no_instant() -> None:
    refused(["serve", "--port", "0"], "frozen_at: not an instant: 'soon'", env={"MOCKOWN_FROZEN_AT": "soon"})


def test_a_state_file_path_that_cannot_be_made(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_bytes(b"mine")
    refused(["serve", "--port", "0", "--state-file", str(plain / "state.db")], "cannot use state file")
    assert plain.read_bytes() == b"mine"


def test_a_state_file_with_an_unreadable_schema_version(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "state.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE mockown_state (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO mockown_state VALUES ('schema_version', '\"two\"')")
    db.close()
    refused(["serve", "--port", "0", "--state-file", str(path)], "unreadable schema version")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name, value FROM mockown_state").fetchall() == [("schema_version", '"two"')]
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'r_%'").fetchone() == (0,)
    db.close()


def test_workers_refuse_a_junk_state_file_before_the_banner(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database\n")
    refused(["serve", "--port", "0", "--workers", "2", "--state-file", str(junk)], "file is not a database")
    assert junk.read_bytes() == b"not a database\n"


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pairs")
    one, two = ensure_certificates(root / "one"), ensure_certificates(root / "two")
    key = serialization.load_pem_private_key(one.key.read_bytes(), password=None)
    encrypted = root / "encrypted.pem"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    junk = root / "junk.pem"
    junk.write_text("not PEM at all\n")
    return {"cert": one.cert, "key": one.key, "other_key": two.key, "encrypted": encrypted, "junk": junk}


@pytest.mark.parametrize(
    ("cert", "key", "message"),
    [
        ("cert", "other_key", "do not go together"),
        ("junk", "key", "not a PEM certificate"),
        ("key", "cert", "not a PEM certificate"),
        ("cert", "junk", "not a PEM private key"),
        ("cert", "encrypted", "encrypted (mockown needs an unencrypted key)"),
    ],
)
def test_a_certificate_and_key_that_cannot_serve(pairs: dict[str, Path], cert: str, key: str, message: str) -> None:
    refused(["serve", "--port", "0", "--tls-cert", str(pairs[cert]), "--tls-key", str(pairs[key])], message)


def test_a_usable_certificate_and_key_still_serve(pairs: dict[str, Path], served: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--tls-cert", str(pairs["cert"]), "--tls-key",
                                       str(pairs["key"])])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert served[-1]["ssl_certfile"] == str(pairs["cert"])


def test_a_tls_setting_from_the_environment_is_checked_before_the_banner(pairs: dict[str, Path]) -> None:
    refused(["serve", "--port", "0"], "go together", env={"MOCKOWN_TLS_CERT": str(pairs["cert"])})


def test_a_tls_directory_that_cannot_be_made(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_bytes(b"mine")
    refused(["serve", "--port", "0", "--tls"], "cannot keep the TLS certificates", env={"MOCKOWN_TLS_DIR": str(plain)})
    assert plain.read_bytes() == b"mine"


WRONG_TYPES = [  # (document, what the refusal says: the field and what it expected)
    ("salesforce:\n  orgs:\n    - name: X\n      apps:\n        - name: A\n          callback_urls: 5\n",
     "callback_urls must be a list of strings, not a number (5)"),
    ("salesforce:\n  orgs:\n    - name: X\n      users: 5\n", "salesforce org users must be a list, not a number (5)"),
    ("own:\n  accounts:\n    - name: A\n      users: 5\n", "own account users must be a list, not a number (5)"),
    ("marketing:\n  tenants:\n    - business_units: 5\n", "marketing tenant business_units must be a list of MIDs"),
    ("1: a\nfoo: b\n", "the seed document: a field name must be text, not a number (1)"),  # was a TypeError
    ("null: 1\nsalesforce: {}\n", "the seed document: a field name must be text, not null"),
]  # fmt: skip


@pytest.mark.parametrize(("document", "message"), WRONG_TYPES)
def test_a_seed_file_with_a_value_of_the_wrong_type(tmp_path: Path, document: str, message: str) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(document)
    refused(["serve", "--port", "0", "--seed", str(seed)], message)
    result = CliRunner().invoke(main, ["token", "--seed", str(seed)])  # the in-process server of `token`
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert message in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MOCKOWN_MAX_BODY_BYTES": "abc"}, "max_body_bytes: 'abc' is not a valid int"),
        ({"MOCKOWN_FROZEN_AT": "soon"}, "frozen_at: not an instant"),
        ({"MOCKOWN_SEED": "/nonexistent/seed.yaml"}, "cannot read seed file"),
    ],
)
def test_token_in_process_with_bad_settings(env: dict[str, str], message: str) -> None:
    result = CliRunner().invoke(main, ["token"], env=env)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert message in result.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://[::1", "is not a URL"),
        ("localhost:8080", "is not an http:// or https:// URL"),
        ("not a url", "is not an http:// or https:// URL"),
        ("ftp://127.0.0.1", "is not an http:// or https:// URL"),
        # given but empty: no server to talk to (not the in-process one, whose credentials would exist nowhere)
        ("", "is not an http:// or https:// URL"),
        (" ", "is not an http:// or https:// URL"),
        ("http://xn--a.example", "is not a URL"),  # no valid IDNA name
        ("http://127.0.0.1:1/\udcff", "is not a URL"),  # a byte that is not UTF-8, as a shell hands it over
        ("http://127.0.0.1:1/?x=1", "no query, fragment, user info or whitespace"),  # spliced into every path
        ("http://127.0.0.1:1/#top", "no query, fragment, user info or whitespace"),
        ("http://bob:s3cret@127.0.0.1:1", "no query, fragment, user info or whitespace"),
    ],
)
@pytest.mark.parametrize("command", [["token"], ["seed"], ["rotate-keys"]])
def test_a_malformed_url_is_a_bad_command_line(command: list[str], url: str, message: str) -> None:
    result = CliRunner().invoke(main, [*command, "--url", url])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert message in result.stderr
    assert "s3cret" not in result.output  # a password in the URL is not repeated
    assert "listening" not in result.output and result.stdout == ""  # nothing was asked of any server


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--base-url", "not a url"], {}, "base_url must be an http:// or https:// URL, not 'not a url'"),
        (["--base-url", "ftp://mock.test"], {}, "base_url must be an http:// or https:// URL"),
        ([], {"MOCKOWN_BASE_URL": "http://mock.test:port"}, "base_url must be an http:// or https:// URL"),
        (["--host", "", "--admin-token", "t"], {}, "host must not be empty"),
        ([], {"MOCKOWN_MAX_BODY_BYTES": "-1"}, "max_body_bytes must not be negative"),
        ([], {"MOCKOWN_JOURNAL_SIZE": "-5"}, "journal_size must not be negative"),
        ([], {"MOCKOWN_SHUTDOWN_TIMEOUT": "-1"}, "shutdown_timeout must not be negative"),
        ([], {"MOCKOWN_SHUTDOWN_TIMEOUT": "nan"}, "shutdown_timeout must be a number of seconds, not NaN"),
    ],
)
def test_settings_that_would_start_a_broken_server(args: list[str], env: dict[str, str], message: str) -> None:
    refused(["serve", "--port", "0", *args], message, env=env)


@pytest.mark.parametrize(("env", "seconds"), [({}, 5.0), ({"MOCKOWN_SHUTDOWN_TIMEOUT": "2.5"}, 2.5)])
def test_a_stop_waits_for_requests_at_most_shutdown_timeout(
    served: list[dict[str, Any]], env: dict[str, str], seconds: float, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvicorn cancels what still runs `shutdown_timeout` after SIGTERM/SIGINT (tests/cli/test_shutdown.py): by
    default well within the 10 s `docker stop` gives before SIGKILL."""
    monkeypatch.setattr(os, "environ", os.environ.copy())  # with workers, the settings are exported to it
    for workers in ([], ["--workers", "2", "--state-file", str(tmp_path / "state.db")]):
        served.clear()
        result = CliRunner().invoke(main, ["serve", "--port", "0", *workers], env=env)
        assert result.exit_code == 0, result.output
        assert [options["timeout_graceful_shutdown"] for options in served] == [seconds]


def test_a_good_base_url_still_serves(served: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--base-url", "https://mock.example.test:8443/x"])
    assert result.exit_code == 0, result.output
    assert "https://mock.example.test:8443/x/services/oauth2/token" in result.stdout


def test_a_fractional_number_for_a_whole_number_setting(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("port: 8080.5\n")
    refused(["serve", "--config", str(config)], "port: '8080.5' is not a valid int")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "127.0.0.1:8080"], "--target must be an http:// or https:// URL"),
        (["--target", "http://[::1"], "--target must be an http:// or https:// URL"),
        (["--target", "http://127.0.0.1:1/#x"], "--target must be an http:// or https:// URL"),
        (["--target", "http://127.0.0.1:1/?x=1"], "--target must be an http:// or https:// URL"),
        (["--target", "http://xn--a.example"], "--target must be an http:// or https:// URL"),
        (["--target", "http://bob:s3cret@127.0.0.1:1"], "not 'http://***@127.0.0.1:1'"),
        (["--target", "http://127.0.0.1:1", "--max-examples", "0"], "--max-examples"),
        (["--target", "http://127.0.0.1:1", "--junit-xml", "{file}/report.xml"], "cannot write --junit-xml"),
    ],
)
def test_contract_refuses_a_bad_command_line_before_running_the_suite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.setattr("subprocess.call", lambda *a, **k: pytest.fail("the suite ran"))
    plain = tmp_path / "plain"
    plain.write_bytes(b"mine")
    result = CliRunner().invoke(main, ["contract", *[a.replace("{file}", str(plain)) for a in args]])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert message in result.stderr
    assert plain.read_bytes() == b"mine"
    assert "s3cret" not in result.output


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["seed", "--url", "http://127.0.0.1:1", "--admin-token", "é"], {}, "'--admin-token': must be printable ASCII"),
        (["rotate-keys", "--url", "http://127.0.0.1:1"], {"MOCKOWN_ADMIN_TOKEN": "tøken"}, "MOCKOWN_ADMIN_TOKEN"),
        (["seed", "--url", "http://127.0.0.1:1", "--admin-token", "tok\n"], {}, "must be printable ASCII"),
        # bytes that are not UTF-8, as a shell hands them over (os.fsdecode's surrogates)
        (["token", "--password", "\udcff"], {}, "'--password': is not UTF-8 text"),
        (["token", "--username", "me\udcff@x.test"], {}, "'--username': is not UTF-8 text"),
        (["token", "--client-secret", "\udcff"], {}, "'--client-secret': is not UTF-8 text"),
        (["token", "--grant", "own"], {"MOCKOWN_OWN_API_TOKEN": "\udcff"}, "MOCKOWN_OWN_API_TOKEN"),
    ],
)
def test_a_value_the_client_cannot_send_is_a_bad_command_line(
    args: list[str], env: dict[str, str], message: str
) -> None:
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert message in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(("args", "env"), [(["--admin-token", "tøken"], {}), ([], {"MOCKOWN_ADMIN_TOKEN": " tok"})])
def test_an_admin_token_no_client_could_present(args: list[str], env: dict[str, str]) -> None:
    # a header value beyond ASCII is Latin-1 to the server and UTF-8 to most clients: no match; spaces around it go
    refused(["serve", "--port", "0", *args], "admin_token must be printable ASCII", env=env)


def test_a_non_ascii_password_is_sent(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "salesforce:\n  orgs:\n    - name: U\n"
        "      users:\n        - {username: u@u.test, password: pässwörd}\n"
        "      apps:\n        - {name: A, client_id: cid-u, client_secret: sec-u}\n"
    )
    args = ["token", "--seed", str(seed), "--client-id", "cid-u", "--client-secret", "sec-u", "--username", "u@u.test"]
    assert CliRunner().invoke(main, [*args, "--password", "pässwörd"]).exit_code == 0
    assert CliRunner().invoke(main, [*args, "--password", "passwörd"]).exit_code == 1

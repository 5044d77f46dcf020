"""`mockown serve --tls`: a local CA made once, a server certificate for loopback and the intercepted hosts,
and an https client that trusts the printed CA completes a token request."""

from __future__ import annotations

import re
import socket
import ssl
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from mockown.config import Config, ConfigError
from mockown.tls import CA_CERT, CERT, ensure_certificates, prepare
from tests.conftest import ADMIN, CID, PASSWORD, SECRET
from tests.persistence.servers import serve


def test_the_ca_is_made_once_and_the_certificate_covers_the_hosts(tmp_path: Path) -> None:
    first = ensure_certificates(tmp_path)
    ca_bytes, cert_bytes = (tmp_path / CA_CERT).read_bytes(), (tmp_path / CERT).read_bytes()
    again = ensure_certificates(tmp_path)
    assert again == first
    assert (tmp_path / CA_CERT).read_bytes() == ca_bytes and (tmp_path / CERT).read_bytes() == cert_bytes
    assert (tmp_path / "ca-key.pem").stat().st_mode & 0o077 == 0
    cert = x509.load_pem_x509_certificate(cert_bytes)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns = set(san.get_values_for_type(x509.DNSName))
    ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    assert {"localhost", "login.salesforce.com", "*.my.salesforce.com", "auth.owndata.com", "*.owndata.com"} <= dns
    assert {"127.0.0.1", "::1"} <= ips
    # other names: a new server certificate from the same CA
    other = ensure_certificates(tmp_path, ["localhost", "login.salesforce.com"])
    assert (tmp_path / CA_CERT).read_bytes() == ca_bytes
    assert other.cert.read_bytes() != cert_bytes


def test_user_certificates_and_errors(tmp_path: Path) -> None:
    own = ensure_certificates(tmp_path / "own")
    files = prepare(Config(tls_cert=str(own.cert), tls_key=str(own.key)))
    assert files is not None and files.ca is None and files.cert == own.cert
    assert prepare(Config()) is None
    with pytest.raises(ConfigError, match="go together"):
        prepare(Config(tls_cert=str(own.cert)))
    with pytest.raises(ConfigError, match="not found"):
        prepare(Config(tls_cert=str(tmp_path / "nope.pem"), tls_key=str(own.key)))


def test_https_client_with_the_printed_ca_gets_a_token(tmp_path: Path) -> None:
    env = {"MOCKOWN_TLS_DIR": str(tmp_path / "tlsdir")}
    with serve(tmp_path, ["--tls"], env, https=True) as server:
        printed = re.search(r"TLS CA certificate: (\S+)", server.output())
        assert printed, server.output()
        ca = printed.group(1)
        assert ca == str(tmp_path / "tlsdir" / CA_CERT)
        assert f"REQUESTS_CA_BUNDLE={ca}" in server.output()
        context = ssl.create_default_context(cafile=ca)
        with httpx.Client(base_url=server.base, verify=context) as client:
            data = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
            r = client.post("/services/oauth2/token", data={**data, "password": PASSWORD})
            assert r.status_code == 200, r.text
            assert r.json()["id"].startswith(server.base + "/id/")  # URLs in answers are https
            discovery = client.get("/.well-known/openid-configuration").json()
            assert discovery["token_endpoint"] == server.base + "/services/oauth2/token"
        port = int(server.base.rsplit(":", 1)[1])
        # the certificate also holds for the host names intercept mode sends here ...
        for host in ("login.salesforce.com", "acme.my.salesforce.com", "auth.owndata.com", "app1.owndata.com"):
            with (
                socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
                context.wrap_socket(raw, server_hostname=host) as tls,
            ):
                assert tls.version() is not None
        # ... and for no other
        with (
            pytest.raises(ssl.SSLCertVerificationError),
            socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="example.com"),
        ):
            pass
        # a client that does not trust the CA is refused
        with pytest.raises(httpx.ConnectError), httpx.Client(verify=ssl.create_default_context(cafile=None)) as c:
            c.get(server.base + "/id/keys")


def test_user_supplied_certificate(tmp_path: Path) -> None:
    own = ensure_certificates(tmp_path / "mine")
    args = ["--tls-cert", str(own.cert), "--tls-key", str(own.key)]
    context = ssl.create_default_context(cafile=str(own.ca))
    with serve(tmp_path, args, https=True) as server, httpx.Client(verify=context) as client:
        assert client.get(server.base + "/id/keys").status_code == 200
        assert "TLS CA certificate" not in server.output()


def test_the_command_line_trusts_the_local_ca(tmp_path: Path) -> None:
    """`mockown token --url https://...` checks the certificate against mockown's local CA where `serve --tls` made
    it (MOCKOWN_TLS_DIR here), and against the bundles the banner suggests; a certificate it cannot trust is said
    to be one, not a server that is not there."""
    from click.testing import CliRunner

    from mockown.cli import EXIT_UNREACHABLE, main

    env = {"MOCKOWN_TLS_DIR": str(tmp_path / "tlsdir")}
    with serve(tmp_path, ["--tls"], env, https=True) as server:
        ca = str(tmp_path / "tlsdir" / CA_CERT)
        args = ["token", "--url", server.base, "--field", "access_token"]
        clean: dict[str, str | None] = {"SSL_CERT_FILE": None, "REQUESTS_CA_BUNDLE": None, "SSL_CERT_DIR": None}
        trusted = CliRunner().invoke(main, args, env={**clean, **env})
        assert trusted.exit_code == 0, trusted.output
        assert trusted.stdout.startswith("00D5g000004Mock!")
        elsewhere = {**clean, "MOCKOWN_TLS_DIR": str(tmp_path / "no-ca-here")}
        untrusted = CliRunner().invoke(main, args, env=elsewhere)
        assert untrusted.exit_code == EXIT_UNREACHABLE, untrusted.output
        assert "is not trusted" in untrusted.stderr and "cannot reach" not in untrusted.stderr
        for variable in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
            named = CliRunner().invoke(main, args, env={**elsewhere, variable: ca})
            assert named.exit_code == 0, (variable, named.output)

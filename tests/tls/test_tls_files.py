"""Where `serve --tls` keeps its keys (mockown/tls.py): private keys are written only to new files of the user's
(mode 0600, never through a link someone planted), in a directory of the user's no one else may write; a key file
others may read, or a directory its group may write to, is made private with a warning, as a state file is; a
directory everyone may write to (a shared one such as /tmp) is refused and left as it is. The local CA may sign
only for the names mockown serves (a critical NameConstraints): a certificate its key signs for another host is
refused by a client that trusts the CA (OpenSSL, as httpx, requests and Node use it)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mockown import tls
from mockown.config import Config, ConfigError
from mockown.tls import CA_CERT, CA_KEY, CERT, HOST_NAMES, KEY, ensure_certificates, prepare


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_key_others_may_read_is_made_private_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    directory = tmp_path / "tls"
    first = ensure_certificates(directory)
    ca = (directory / CA_CERT).read_bytes()
    for name in (CA_KEY, KEY):
        (directory / name).chmod(0o644)
    directory.chmod(0o775)
    with caplog.at_level(logging.WARNING, logger="mockown"):
        again = ensure_certificates(directory)
    assert again == first and (directory / CA_CERT).read_bytes() == ca  # the same CA: clients still trust it
    assert (_mode(directory / CA_KEY), _mode(directory / KEY)) == (0o600, 0o600)
    assert _mode(directory) & 0o022 == 0
    warned = "\n".join(r.getMessage() for r in caplog.records)
    assert str(directory / CA_KEY) in warned and str(directory / KEY) in warned and "(644)" in warned
    assert f"TLS directory {directory}" in warned and "it was 775" in warned


def test_a_directory_everyone_may_write_to_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    directory.mkdir()
    directory.chmod(0o1777)  # as /tmp: its mode is not mockown's to change
    with pytest.raises(ConfigError, match="writable by everyone"):
        prepare(Config(tls=True, tls_dir=str(directory)))
    assert _mode(directory) == 0o1777 and not (directory / CA_KEY).exists()


def test_a_directory_of_another_user_its_group_may_write_to_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp_path.chmod(0o775)
    monkeypatch.setattr(tls, "_uid", lambda: os.stat(tmp_path).st_uid + 1, raising=False)
    with pytest.raises(ConfigError, match="belongs to another user and its group may write"):
        prepare(Config(tls=True, tls_dir=str(tmp_path)))
    assert not (tmp_path / CA_KEY).exists() and _mode(tmp_path) == 0o775


def test_keys_handed_over_by_another_user_are_used_as_they_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A directory only its owner (another user) may write to, holding keys (a mounted secret, read-only): the
    same CA is used, nothing is made again, no mode is changed."""
    directory = tmp_path / "tls"
    first = ensure_certificates(directory)
    ca = (directory / CA_CERT).read_bytes()
    directory.chmod(0o755)
    monkeypatch.setattr(tls, "_uid", lambda: os.stat(directory).st_uid + 1, raising=False)
    assert ensure_certificates(directory) == first and (directory / CA_CERT).read_bytes() == ca
    assert _mode(directory) == 0o755 and _mode(directory / CA_KEY) == 0o600


def test_a_ca_key_that_is_a_link_is_used_not_replaced(tmp_path: Path) -> None:
    """Keys kept behind links (a secret volume, a CA shared between projects): replacing the CA's key would make
    every client that trusts its ca.pem refuse the server."""
    directory = tmp_path / "tls"
    ensure_certificates(directory)
    ca = (directory / CA_CERT).read_bytes()
    kept = tmp_path / "kept-ca-key.pem"
    (directory / CA_KEY).rename(kept)
    (directory / CA_KEY).symlink_to(kept)
    (directory / CERT).unlink()  # the server certificate is made again, signed by the same CA
    ensure_certificates(directory)
    assert (directory / CA_CERT).read_bytes() == ca and (directory / CA_KEY).is_symlink()


def test_keys_are_never_written_through_a_planted_link(tmp_path: Path) -> None:
    directory = tmp_path / "tls"
    ensure_certificates(directory)
    (directory / CERT).unlink()  # the server certificate is made again
    planted = tmp_path / "planted.pem"
    planted.write_bytes(b"")
    planted.chmod(0o666)
    for pid in {os.getpid(), os.getppid()}:  # the names a temporary file had
        for name in (KEY, CERT, CA_KEY):
            (directory / f".{name}.{pid}.tmp").symlink_to(planted)
    ensure_certificates(directory)
    assert planted.read_bytes() == b""
    assert not (directory / KEY).is_symlink() and _mode(directory / KEY) == 0o600
    # a server key that is a link, when the server certificate is made again: the new key replaces the link, and
    # nothing is written through it
    before = (directory / KEY).read_bytes()
    (directory / KEY).unlink()
    (directory / CERT).unlink()
    planted.write_bytes(before)
    (directory / KEY).symlink_to(planted)
    ensure_certificates(directory)
    assert not (directory / KEY).is_symlink() and (directory / KEY).read_bytes() != before
    assert planted.read_bytes() == before and _mode(directory / KEY) == 0o600


def _handshake(ca: Path, chain: bytes, key: bytes, host: str, tmp_path: Path) -> None:
    """A TLS handshake in memory: a server with `chain` and `key`, a client trusting only `ca` asking for `host`."""
    (tmp_path / "chain.pem").write_bytes(chain)
    (tmp_path / "key.pem").write_bytes(key)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "chain.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cafile=str(ca))
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    c = client.wrap_bio(c_in, c_out, server_hostname=host)
    s = server.wrap_bio(s_in, s_out, server_side=True)
    done = {"c": False, "s": False}
    for _ in range(10):
        for name, side, out, peer_in in (("c", c, c_out, s_in), ("s", s, s_out, c_in)):
            if not done[name]:
                try:
                    side.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
            peer_in.write(out.read())
        if all(done.values()):
            return
    raise AssertionError("no handshake")


def _signed_by_the_ca(directory: Path, host: str) -> tuple[bytes, bytes]:
    """A server certificate for `host` signed with the CA's key, as someone holding the key could make one."""
    ca = x509.load_pem_x509_certificate((directory / CA_CERT).read_bytes())
    ca_key = serialization.load_pem_private_key((directory / CA_KEY).read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), pem


def test_the_ca_signs_only_for_the_names_mockown_serves(tmp_path: Path) -> None:
    directory = tmp_path / "tls"
    files = ensure_certificates(directory)
    ca = x509.load_pem_x509_certificate((directory / CA_CERT).read_bytes())
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical and constraints.value.excluded_subtrees is None
    # the server certificate holds for every name it has (OpenSSL checks each against the constraints)
    for name in HOST_NAMES:
        host = name.replace("*", "acme") if ":" not in name else name
        _handshake(files.ca, files.cert.read_bytes(), files.key.read_bytes(), host, tmp_path)  # type: ignore[arg-type]
    for host in ("evil.salesforce.com", "x.sandbox.my.salesforce.com", "a.b.owndata.com"):
        _handshake(files.ca, *_signed_by_the_ca(directory, host), host, tmp_path)  # type: ignore[arg-type]
    for host in ("example.com", "salesforce.com.evil.test", "bank.test", "notsalesforce.com"):
        with pytest.raises(ssl.SSLCertVerificationError, match=r"(?i)name constraint|permitted subtree"):
            _handshake(files.ca, *_signed_by_the_ca(directory, host), host, tmp_path)  # type: ignore[arg-type]

"""HTTPS for `mockown serve --tls`: a local CA made once, and a server certificate it signs.

Some real clients insist on ``https://`` (simple-salesforce builds ``https://{instance}`` itself). The CA
lives in a config directory (``MOCKOWN_TLS_DIR``, else ``$XDG_CONFIG_HOME/mockown/tls``, else
``~/.config/mockown/tls``) and is made once, so a client trusts it once (``REQUESTS_CA_BUNDLE``,
``NODE_EXTRA_CA_CERTS``, ``SSL_CERT_FILE``). The server certificate covers localhost, 127.0.0.1, ::1 and
the Salesforce / Own host names that intercept mode routes to the mock; it is remade when it is missing,
near its end, made by another CA or for other names. ``--tls-cert/--tls-key`` take the user's own pair.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .clock import SystemClock
from .config import Config, ConfigError, tls_dir
from .fieldwise import Value
from .testing.hosts import INTERCEPTED_HOSTS

# The names the server certificate is for: loopback, every host intercept mode sends to the mock (one list, in
# `testing.hosts`), and wider wildcards: a certificate wildcard covers one label only, so a sandbox My Domain
# (`x.sandbox.my.salesforce.com`) needs its own, and `*.salesforce.com` / `*.force.com` cover the other hosts a
# client may be pointed at.
HOST_NAMES: tuple[str, ...] = (
    "localhost",
    "127.0.0.1",
    "::1",
    *INTERCEPTED_HOSTS,
    "*.salesforce.com",
    "*.sandbox.my.salesforce.com",
    "*.force.com",
)

CA_DAYS = 3650
LEAF_DAYS = 397  # the longest validity browsers and Apple's TLS stack accept
RENEW_DAYS = 30
CA_CERT, CA_KEY, CERT, KEY = "ca.pem", "ca-key.pem", "server.pem", "server-key.pem"


@dataclass(frozen=True, repr=False, eq=False)
class TlsFiles(Value):
    cert: Path
    key: Path
    ca: Path | None  # None: the user's own certificate (its CA is theirs to hand out)


def prepare(config: Config) -> TlsFiles | None:
    """The certificate and key the server uses, making them if needed; None when TLS is off."""
    if config.tls_cert or config.tls_key:
        if not (config.tls_cert and config.tls_key):
            raise ConfigError("tls_cert and tls_key go together (--tls-cert and --tls-key)")
        cert, key = Path(config.tls_cert).expanduser(), Path(config.tls_key).expanduser()
        for path in (cert, key):
            if not path.is_file():
                raise ConfigError(f"TLS file not found: {path}")
        _check_pair(cert, key)
        return TlsFiles(cert, key, None)
    if not config.tls:
        return None
    directory = tls_dir(config)
    try:
        return ensure_certificates(directory)
    except OSError as exc:
        raise ConfigError(f"cannot keep the TLS certificates in {directory}: {exc}") from exc


def _check_pair(cert: Path, key: Path) -> None:
    """The user's certificate and key can serve TLS (PEM, an unencrypted key, the certificate's key), or a
    `ConfigError` that says which file is wrong (uvicorn would fail with a traceback and "PEM lib")."""
    import ssl

    try:
        x509.load_pem_x509_certificates(cert.read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot read TLS certificate {cert}: {exc}") from exc
    except ValueError:
        raise ConfigError(f"TLS certificate {cert}: not a PEM certificate") from None
    try:
        serialization.load_pem_private_key(key.read_bytes(), password=None)
    except OSError as exc:
        raise ConfigError(f"cannot read TLS key {key}: {exc}") from exc
    except TypeError:
        raise ConfigError(f"TLS key {key}: encrypted (mockown needs an unencrypted key)") from None
    except (ValueError, UnsupportedAlgorithm):
        raise ConfigError(f"TLS key {key}: not a PEM private key") from None
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key, password=lambda: b"")
    except ssl.SSLError as exc:
        raise ConfigError(f"TLS certificate {cert} and key {key} do not go together: {exc.reason or exc}") from None


def ensure_certificates(directory: Path, names: Sequence[str] = HOST_NAMES) -> TlsFiles:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _locked(directory / ".lock"):
        ca_cert, ca_key = _ensure_ca(directory)
        cert_path, key_path = directory / CERT, directory / KEY
        if not _leaf_ok(cert_path, key_path, ca_cert, names):
            cert, key = _make_leaf(ca_cert, ca_key, names)
            _write(key_path, _key_pem(key), private=True)
            _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return TlsFiles(cert_path, key_path, directory / CA_CERT)


# --- internals ------------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.fromtimestamp(SystemClock().now(), tz=dt.UTC)  # wall time: certificates live in it


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One process at a time makes the files (parallel test workers may start servers together)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, the writes are still atomic renames
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path}: not an EC private key")
    return key


def _ensure_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert_path, key_path = directory / CA_CERT, directory / CA_KEY
    if cert_path.is_file() and key_path.is_file():
        try:
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            key = _load_key(key_path)
            if cert.not_valid_after_utc > _now() + dt.timedelta(days=RENEW_DAYS) and (
                cert.public_key().public_numbers() == key.public_key().public_numbers()  # type: ignore[union-attr]
            ):
                return cert, key
        except ValueError:
            pass  # unreadable: make a new one
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mockown"),
            x509.NameAttribute(NameOID.COMMON_NAME, "mockown local CA"),
        ]
    )
    now = _now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            _key_usage(ca=True),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(key_path, _key_pem(key), private=True)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """Signing only; a CA also signs certificates and revocation lists."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _general_names(names: Sequence[str]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for name in names:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            out.append(x509.DNSName(name))
    return out


def _leaf_ok(cert_path: Path, key_path: Path, ca: x509.Certificate, names: Sequence[str]) -> bool:
    if not (cert_path.is_file() and key_path.is_file()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = _load_key(key_path)
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, x509.ExtensionNotFound, InvalidSignature):
        return False
    return (
        set(san) == set(_general_names(names))
        and cert.not_valid_after_utc > _now() + dt.timedelta(days=RENEW_DAYS)
        and cert.public_key().public_numbers() == key.public_key().public_numbers()  # type: ignore[union-attr]
    )


def _make_leaf(
    ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, names: Sequence[str]
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
        .add_extension(x509.SubjectAlternativeName(_general_names(names)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            _key_usage(ca=False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def banner(files: TlsFiles) -> str:
    """What `mockown serve` prints so a user can hand the CA to clients."""
    if files.ca is None:
        return f"TLS with your certificate {files.cert}"
    ca = files.ca
    return f"TLS CA certificate: {ca}\n  trust it: REQUESTS_CA_BUNDLE={ca} SSL_CERT_FILE={ca} NODE_EXTRA_CA_CERTS={ca}"


__all__ = ["HOST_NAMES", "TlsFiles", "banner", "ensure_certificates", "prepare", "tls_dir"]

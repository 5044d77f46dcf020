"""HTTPS for `mockown serve --tls`: a local CA made once, and a server certificate it signs.

Some real clients insist on ``https://`` (simple-salesforce builds ``https://{instance}`` itself). The CA
lives in a config directory (``MOCKOWN_TLS_DIR``, else ``$XDG_CONFIG_HOME/mockown/tls``, else
``~/.config/mockown/tls``) and is made once, so a client trusts it once (``REQUESTS_CA_BUNDLE``,
``NODE_EXTRA_CA_CERTS``, ``SSL_CERT_FILE``). The server certificate covers localhost, 127.0.0.1, ::1 and
the Salesforce / Own host names that intercept mode routes to the mock; it is remade when it is missing,
near its end, made by another CA or for other names. ``--tls-cert/--tls-key`` take the user's own pair.

The CA can sign for those names only (a critical ``NameConstraints``: their domains and the loopback addresses), so
a client that trusts it trusts nothing else it might sign. Its key and the server's are written only to new files
of the user's (mode 0600, never through a link), in a directory of the user's that no one else may write; an
existing key file others may read, or such a directory, is made private with a warning, as a state file is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import logging
import os
import stat
import tempfile
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

log = logging.getLogger("mockown")

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


# What the CA may sign (RFC 5280 4.2.1.10): a DNS name constraint permits the name and every name under it, so the
# domains of `HOST_NAMES` (a wildcard's without its `*.`, none under another), and the loopback networks.
def _permitted(names: Sequence[str]) -> list[x509.GeneralName]:
    domains = {n.lower().removeprefix("*.") for n in names if not _is_ip(n)}
    kept = sorted(d for d in domains if not any(d.endswith("." + other) for other in domains))
    return [
        *(x509.DNSName(d) for d in kept),
        x509.IPAddress(ipaddress.ip_network("127.0.0.0/8")),
        x509.IPAddress(ipaddress.ip_network("::1/128")),
    ]


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


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
    """The CA and a server certificate for `names` in `directory`, made when missing (or not usable any more). The
    CA signs for `HOST_NAMES`' domains only: a client trusting it refuses a certificate for other `names`."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    _private_directory(directory)
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


def _private_directory(directory: Path) -> None:
    """The directory keeps private keys: no one but its owner may write to it (another could swap a file or plant a
    link where a key is written). One everyone may write to (a shared scratch directory such as /tmp, whose mode is
    not mockown's to change), or another user's that its group may write to, is refused (`OSError`); one of the
    user's that its group may write to is made writable by its owner only, with a warning. Another user's that
    only they may write to (keys handed over read-only, a mounted secret) is used as it is."""
    info = directory.stat()
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o002:
        raise OSError(f"{directory} is writable by everyone (a shared directory): the TLS keys need one of your own")
    if not mode & 0o020:
        return
    uid = _uid()
    if uid is not None and info.st_uid != uid:
        raise OSError(
            f"{directory} belongs to another user and its group may write to it: the TLS keys need a"
            " directory only its owner may write to"
        )
    directory.chmod(mode & ~0o022)
    log.warning("TLS directory %s holds private keys: made writable by its owner only (it was %o)", directory, mode)


def _private_key(path: Path) -> bool:
    """Whether there is a key at `path` to use. A file of the user's that others may read is made readable by its
    owner only, with a warning (as a state file is). A link, or another user's file, is used as it is (the directory
    is writable by its owner only, so whoever put it there chose it; replacing a CA's key would make every client
    that trusts its `ca.pem` refuse the server); nothing is ever written through a link (`_write`)."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    uid = _uid()
    if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
        return path.exists()  # a dangling link: no key
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        try:
            path.chmod(0o600)
        except OSError as exc:  # a read-only mount
            log.warning("TLS key %s is readable by others (%o) and cannot be made private: %s", path, mode, exc)
        else:
            log.warning(
                "TLS key %s was readable by others (%o): made readable by its owner only (delete the directory's"
                " files for new keys)",
                path,
                mode,
            )
    return True


def _uid() -> int | None:
    geteuid = getattr(os, "geteuid", None)  # None on Windows: no owners to compare
    return geteuid() if geteuid is not None else None


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write `path` whole (a rename), through a new file of a random name (`mkstemp`: created exclusively, never
    through a link, mode 0600); a certificate is then made readable by all."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if not private:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
    if cert_path.is_file() and _private_key(key_path):
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
            x509.NameConstraints(permitted_subtrees=_permitted(HOST_NAMES), excluded_subtrees=None), critical=True
        )
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
    if not (cert_path.is_file() and _private_key(key_path)):
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

"""How `mockown serve` runs uvicorn: one process or ``--workers N``, plain HTTP or ``--tls``.

With workers, uvicorn imports the app in each worker process from ``mockown.http.app:app_from_env``; the
resolved settings reach them as ``MOCKOWN_*`` environment variables (and ``MOCKOWN_CONFIG``), and the
state through the SQLite state file, which every worker reads and writes (no per-process state).
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from .config import ENV_PREFIX, Config, ConfigError

if TYPE_CHECKING:
    from .tls import TlsFiles

APP_FACTORY = "mockown.http.app:app_from_env"


def scheme(config: Config) -> str:
    return "https" if (config.tls or config.tls_cert) else "http"


def build(config: Config) -> Any:
    """`create_app(config)`, with a seed file that cannot be loaded or an unusable state file (one another process
    kept locked all through the start-up's wait too) reported as a configuration error (the CLI prints it, without
    a traceback)."""
    from .http.app import create_app
    from .seed import SeedError

    refused: tuple[type[Exception], ...] = (SeedError,)
    if config.state_file:  # SQLite only with a state file
        from .store import StoreBusy
        from .store.sqlite import StateFileError

        refused += (StateFileError, StoreBusy)
    try:
        return create_app(config)
    except refused as exc:
        raise ConfigError(str(exc)) from exc


def tls_files(config: Config) -> TlsFiles | None:
    """The certificate and key to serve (`mockown.tls.TlsFiles`), made or checked now; None without TLS."""
    if not (config.tls or config.tls_cert or config.tls_key):  # the certificate code (cryptography) only when asked
        return None
    from .tls import prepare

    return prepare(config)


def export_env(
    config_file: str | None, overrides: Mapping[str, Any], env: MutableMapping[str, str] | None = None
) -> None:
    """Hand the command line's settings to worker processes, which read only the environment."""
    if env is None:
        env = os.environ
    if config_file:
        env[ENV_PREFIX + "CONFIG"] = os.path.abspath(config_file)
    for key, value in overrides.items():
        if value is None or isinstance(value, Mapping):
            continue
        env[ENV_PREFIX + key.upper()] = str(value).lower() if isinstance(value, bool) else str(value)


def run(
    config: Config,
    *,
    config_file: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    echo: Callable[[str], None] = print,
    app: Any = None,
    tls: TlsFiles | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve `config` (or the given `app` when there is one process; `tls`: what `tls_files` gave) until
    interrupted. `sock`: a socket already bound and listening (the CLI's), served on instead of binding
    `config.host`/`config.port` again."""

    from .logs import uvicorn_log_config
    from .wire import OneWriteProtocol

    if tls is None:
        tls = tls_files(config)
    options: dict[str, Any] = {
        "host": config.host.strip("[]"),  # an IPv6 literal may come in brackets, as in a URL
        "port": config.port,
        "log_level": config.log_level,
        "access_log": False,
        "log_config": uvicorn_log_config(config.log_level),  # logfmt one-liners, secrets redacted
        "http": OneWriteProtocol,  # uvicorn's own HTTP/1.1 protocol, each response in one write (mockown/wire.py)
        # SIGTERM/SIGINT: requests still running (a latency fault, a body that stalls) are cancelled after this,
        # so a stop ends within it (docker stop SIGKILLs after 10 s) rather than when the last client lets go
        "timeout_graceful_shutdown": config.shutdown_timeout,
    }
    if tls is not None:
        from .tls import banner

        options.update(ssl_certfile=str(tls.cert), ssl_keyfile=str(tls.key))
        echo(banner(tls))
    if config.state_file:
        echo(f"state file: {os.path.abspath(config.state_file)}")
    if config.workers > 1:
        # migrate and seed the file once, before the workers (the app the CLI built for its banner did)
        (app if app is not None else build(config)).state.runtime.store.close()
        export_env(config_file, dict(overrides or {}))
        echo(f"{config.workers} workers")
        uvicorn_serve(APP_FACTORY, sock, factory=True, workers=config.workers, **options)
        return
    if app is None:
        app = build(config)
    uvicorn_serve(app, sock, **options)


# uvicorn's exit status when the server did not start (uvicorn.main.STARTUP_FAILURE; uvicorn.config has it only in
# releases after 0.36, and uvicorn.main does not export it to mypy)
_STARTUP_FAILURE = 3


def uvicorn_serve(app: Any, sock: socket.socket | None, **options: Any) -> None:
    """`uvicorn.run(app, **options)`; with `sock`, what it does on that socket itself rather than on its file
    descriptor (uvicorn's ``fd=``).

    uvicorn wraps a descriptor as an ``AF_UNIX`` socket (`socket.fromfd`), so asyncio did not set
    ``TCP_NODELAY`` on the connections it accepted: Nagle's algorithm with the client's delayed ACK held every
    response back ~40 ms. The socket object keeps its real family; with workers it is pickled to each worker
    with it."""
    import inspect

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if sock is None:
        uvicorn.run(app, **options)
        return
    config = uvicorn.Config(app, **options)
    server = uvicorn.Server(config)
    try:
        if config.workers > 1:
            kwargs: dict[str, Any] = {"sockets": [sock]}
            if "target" in inspect.signature(Multiprocess).parameters:  # older uvicorn releases take it too
                kwargs["target"] = server.run
            Multiprocess(config, **kwargs).run()
        else:
            server.run(sockets=[sock])
    except KeyboardInterrupt:  # as uvicorn.run
        pass
    if config.workers == 1 and not server.started:
        sys.exit(_STARTUP_FAILURE)  # as uvicorn.run exits when the app's start-up failed


__all__ = ["APP_FACTORY", "build", "export_env", "run", "scheme", "tls_files", "uvicorn_serve"]

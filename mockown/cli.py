"""The `mockown` command."""

from __future__ import annotations

import sys
from typing import Any

import click

from .config import Config, ConfigError, is_loopback


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mockown")
def main() -> None:
    """mockown: a stateful emulator of Salesforce OAuth/OIDC and the Own API."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8080; 0 picks a free one).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None, help="YAML config file.")
@click.option("--seed", type=click.Path(exists=True, dir_okay=False), default=None, help="Seed data file.")
@click.option("--base-url", default=None, help="Base URL the mock puts in responses.")
@click.option("--admin-token", default=None, help="Bearer token for the control plane.")
@click.option("--log-level", default=None, type=click.Choice(["debug", "info", "warning", "error"]))
@click.option("--state-file", default=None, help="Keep the state in this SQLite file (survives restarts).")
@click.option("--workers", type=int, default=None, help="Server processes (more than 1 needs --state-file).")
@click.option("--tls", is_flag=True, default=None, help="Serve HTTPS with a certificate from a local CA.")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), default=None, help="Your certificate.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), default=None, help="Your certificate's key.")
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
        serving.check(config)
        app = None if config.workers > 1 else serving.build(config)
        click.echo(f"mockown listening on {serving.scheme(config)}://{config.host}:{config.port}")
        serving.run(config, config_file=config_file, overrides=overrides, echo=click.echo, app=app)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc

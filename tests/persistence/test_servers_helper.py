"""tests/persistence/servers.serve: a free port another process takes before the server binds it costs a retry on
another free port, not the test."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from tests.persistence import servers
from tests.server_support import free_port


def test_a_port_taken_before_the_server_binds_it_is_retried_on_another(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with socket.socket() as squatter:  # bound, not listening: connections are refused and the child cannot bind
        squatter.bind(("127.0.0.1", 0))
        taken = squatter.getsockname()[1]
        free = free_port()
        ports = [free, taken]  # popped from the end: the taken port first
        monkeypatch.setattr(servers, "free_port", ports.pop)
        with servers.serve(tmp_path) as server:
            assert server.base == f"http://127.0.0.1:{free}" and ports == []
            assert httpx.get(server.base + "/.well-known/openid-configuration").status_code == 200
        assert "address already in use" in (tmp_path / f"serve-{taken}.log").read_text().lower()


def test_a_port_the_caller_chose_is_not_changed(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        taken = squatter.getsockname()[1]
        with pytest.raises(RuntimeError, match=r"(?i)address already in use"), servers.serve(tmp_path, port=taken):
            pass

"""An app built for an IPv4-mapped loopback host (`::ffff:127.0.0.1`, a dual-stack socket's IPv4 loopback) opens the
control plane as one built for 127.0.0.1: a request that arrived on that address was already local
(`arrived_beyond_loopback`), but the app's own host was "closed on ::ffff:127.0.0.1" (403)."""

from __future__ import annotations

import pytest

from mockown import Config, create_app
from mockown.config import is_loopback
from mockown.http.inprocess import in_process_client


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("::ffff:127.0.0.1", True), ("[::ffff:127.0.0.2]", True), ("::ffff:7f00:1", True), ("127.0.0.1", True),
     ("::1", True), ("::ffff:10.0.0.1", False), ("::ffff:0.0.0.0", False), ("::", False), ("0.0.0.0", False)],
)  # fmt: skip
def test_is_loopback_reads_mapped_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_an_app_on_the_mapped_loopback_opens_the_control_plane() -> None:
    app = create_app(Config(host="::ffff:127.0.0.1"), seed=False)
    with in_process_client(app) as client:
        assert client.get("/_mockown/health").status_code == 200

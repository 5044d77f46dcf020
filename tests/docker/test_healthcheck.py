"""`python -m mockown.healthcheck` asks the liveness probe where the server listens: every interface on its
loopback address, a given address or name as it is (the image listens on 0.0.0.0; MOCKOWN_HOST may say `::`,
`::1` or the container's own address)."""

from __future__ import annotations

import pytest

from mockown.config import Config
from mockown.healthcheck import probe_url


@pytest.mark.parametrize(
    ("settings", "url"),
    [
        ({}, "http://127.0.0.1:8080/_mockown/live"),
        ({"host": "0.0.0.0"}, "http://127.0.0.1:8080/_mockown/live"),
        ({"host": "::"}, "http://[::1]:8080/_mockown/live"),
        ({"host": "[::]"}, "http://[::1]:8080/_mockown/live"),
        ({"host": "0:0:0:0:0:0:0:0"}, "http://[::1]:8080/_mockown/live"),
        ({"host": "::1"}, "http://[::1]:8080/_mockown/live"),
        ({"host": "[::1]"}, "http://[::1]:8080/_mockown/live"),
        ({"host": "192.0.2.10", "port": 9000}, "http://192.0.2.10:9000/_mockown/live"),
        ({"host": "2001:db8::7"}, "http://[2001:db8::7]:8080/_mockown/live"),
        ({"host": "localhost", "tls": True}, "https://localhost:8080/_mockown/live"),
    ],
)
def test_the_probe_asks_where_the_server_listens(settings: dict[str, object], url: str) -> None:
    config = Config(insecure_control_plane=True, **settings)  # type: ignore[arg-type]
    assert probe_url(config) == url

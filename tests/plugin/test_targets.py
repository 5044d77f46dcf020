"""`Target.client()` / `async_client()`: the base URL is parsed once per target, and a client made from it is
the client `base_url=<text>` would make."""

from __future__ import annotations

import asyncio

import httpx

from mockown import Config, create_app
from mockown.testing.target import LocalTarget, RemoteTarget


def test_clients_get_the_base_url_as_text_would_give_it() -> None:
    local = LocalTarget(create_app(Config(seed_defaults=False)))
    try:
        for target in (local, RemoteTarget("http://127.0.0.1:9/prefix/"), RemoteTarget("https://h.example:8443")):
            with target.client() as client, httpx.Client(base_url=target.base_url) as reference:
                assert client.base_url == reference.base_url
                assert client.base_url.raw_path == reference.base_url.raw_path
                assert client.build_request("GET", "/a/b?x=1").url == reference.build_request("GET", "/a/b?x=1").url
            with target.client(base_url="http://other.test/p") as client:
                assert str(client.base_url) == "http://other.test/p/"
    finally:
        local.close()


def test_a_changed_base_url_is_honoured_and_clients_work_in_process() -> None:
    target = LocalTarget(create_app(Config(seed_defaults=False)))
    try:
        with target.client() as client:
            assert client.get("/.well-known/openid-configuration").status_code == 200
        target.base_url = "http://login.example"
        with target.client() as client:
            assert str(client.base_url) == "http://login.example"
            assert client.build_request("GET", "/x").url.host == "login.example"

        async def run() -> str:
            async with target.async_client() as client:
                return str(client.base_url)

        assert asyncio.run(run()) == "http://login.example"
    finally:
        target.close()

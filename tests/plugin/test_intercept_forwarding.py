"""Intercept mode against a server on a socket (external mode): what the forwarded request keeps of the client's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import requests

from mockown import Config, MockownServer, create_app
from mockown.testing import intercept
from tests.plugin.support import run_async

TOKEN_URL = "https://login.salesforce.com/services/oauth2/token"
FORM = (
    b"grant_type=password&client_id=3MVG9MockownDemoConsumerKey0000000000000000000000000000000000000000000000000000000"
    b"&client_secret=MOCKOWNDEMOSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
    b"&username=admin%40mockown.test&password=Passw0rd%21"
)
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}


def chunks() -> Iterator[bytes]:
    yield FORM[:40]
    yield FORM[40:]


async def async_chunks() -> AsyncIterator[bytes]:
    yield FORM[:40]
    yield FORM[40:]


def test_streamed_request_bodies_are_forwarded() -> None:
    """A streamed httpx body is sent chunked (`Transfer-Encoding: chunked`); the interceptor buffers it and sends it
    with a Content-Length, so it must not forward the chunked header too (a server refuses both: 400, or the
    connection closed)."""

    async def via_async() -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.post(TOKEN_URL, content=async_chunks(), headers=FORM_TYPE)

    with MockownServer(create_app(Config())) as server, intercept(server.url):
        sync = httpx.post(TOKEN_URL, content=chunks(), headers=FORM_TYPE)
        asynchronous = run_async(via_async())
        via_requests = requests.post(TOKEN_URL, data=chunks(), headers=FORM_TYPE)
    for answer in (sync, asynchronous, via_requests):
        assert answer.status_code == 200, answer.text
        assert answer.json()["instance_url"] == "https://login.salesforce.com"

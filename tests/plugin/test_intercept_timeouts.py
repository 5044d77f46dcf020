"""Intercept mode keeps the client's read timeout: a slow answer (a latency fault) ends in the client library's own
timeout exception, in-process as against a server on a socket, as it would against the real host."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import requests

from mockown import Config, MockownServer, create_app
from mockown.testing import intercept
from tests.plugin.support import run_async

KEYS = "https://login.salesforce.com/id/keys"
SLOW = {"path": "/id/keys", "latency": "3s", "times": 1}  # one slow answer; the next is at once


@pytest.fixture(params=["in-process", "external"])
def mock(request: pytest.FixtureRequest) -> Iterator[intercept]:
    if request.param == "in-process":
        with intercept() as active:
            yield active
        return
    with MockownServer(create_app(Config())) as server, intercept(server.url) as active:
        yield active


def test_requests_read_timeout(mock: intercept) -> None:
    mock.control.post("faults", SLOW)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(KEYS, timeout=0.3)
    assert requests.get(KEYS, timeout=(5, 5)).status_code == 200


def test_httpx_read_timeout(mock: intercept) -> None:
    mock.control.post("faults", SLOW)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(KEYS, timeout=httpx.Timeout(5, read=0.3))
    assert httpx.get(KEYS, timeout=5).status_code == 200


def test_async_httpx_read_timeout(mock: intercept) -> None:
    mock.control.post("faults", SLOW)

    async def get(timeout: float) -> int:
        async with httpx.AsyncClient(timeout=timeout) as client:
            return (await client.get(KEYS)).status_code

    with pytest.raises(httpx.ReadTimeout):
        run_async(get(0.3))
    assert run_async(get(5)) == 200


def test_requests_timeout_kinds_read_as_requests_reads_them(mock: intercept) -> None:
    """A urllib3 `Timeout` with only `total` (requests takes it) was a TimeoutStateError in-process; a 1-tuple an
    IndexError where requests says which timeout it refuses."""
    import urllib3

    assert requests.get(KEYS, timeout=urllib3.Timeout(total=5)).status_code == 200
    assert requests.get(KEYS, timeout=urllib3.Timeout(connect=5, read=5)).status_code == 200
    with pytest.raises(ValueError, match="Invalid timeout"):
        requests.get(KEYS, timeout=(1,))  # type: ignore[arg-type]


def test_an_in_process_call_that_timed_out_is_journaled_as_499() -> None:
    """The caller stopped waiting: nobody got an answer; the journal said 500, an error no client saw."""
    with intercept() as mock:
        mock.control.post("faults", SLOW)
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(KEYS, timeout=0.3)
        entries = mock.control.get("journal", path="/id/keys")["entries"]
        assert [e["status"] for e in entries] == [499]

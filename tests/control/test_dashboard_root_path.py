"""The dashboard under a root path (`uvicorn --root-path /x` behind a proxy that strips `/x`, or the app in a
`Mount`): its forms post, its links point and its redirects go under that root path. They were absolute
(`action='/_mockown/ui/clock'`, `Location: /_mockown/ui?notice=...`): the browser left the prefix, so behind the
proxy (or outside the Mount) every button and the way back from it reached no mockown."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import InProcessTransport

from ..conftest import T0


def _client(prefix: str) -> httpx.Client:
    if prefix == "/x":
        transport = InProcessTransport(create_app(Config(), clock=FrozenClock(T0)), root_path="/x")
    else:
        transport = InProcessTransport(
            Starlette(routes=[Mount(prefix, app=create_app(Config(), clock=FrozenClock(T0)))])
        )
    return httpx.Client(transport=transport, base_url="http://127.0.0.1")


@pytest.mark.parametrize("prefix", ["/x", "/mock"])
def test_the_dashboards_forms_and_links_stay_under_the_root_path(prefix: str) -> None:
    with _client(prefix) as client:
        page = client.get(prefix + "/_mockown/ui")
        assert page.status_code == 200
        urls = re.findall(r"(?:action|href)='([^']*)'", page.text)
        assert urls and all(u.startswith(prefix + "/_mockown/") for u in urls), urls
        assert prefix + "/_mockown/ui/clock" in urls


@pytest.mark.parametrize("prefix", ["/x", "/mock"])
def test_a_button_redirects_back_under_the_root_path(prefix: str) -> None:
    with _client(prefix) as client:
        origin = {"Origin": "http://127.0.0.1"}
        answer = client.post(prefix + "/_mockown/ui/clock", data={"advance": "1h"}, headers=origin)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith(prefix + "/_mockown/ui?notice=clock%20advanced")
        assert client.get(answer.headers["location"]).status_code == 200
        failed = client.post(prefix + "/_mockown/ui/clock", data={}, headers=origin)
        assert failed.headers["location"].startswith(prefix + "/_mockown/ui?notice=")


def test_without_a_root_path_the_urls_are_as_before(client: httpx.Client) -> None:
    urls = re.findall(r"(?:action|href)='([^']*)'", client.get("/_mockown/ui").text)
    assert urls and all(u.startswith("/_mockown/") for u in urls)
    answer = client.post("/_mockown/ui/clock", data={"advance": "1h"}, headers={"Origin": "http://testserver"})
    assert answer.headers["location"].startswith("/_mockown/ui?notice=")

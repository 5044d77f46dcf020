"""Marketing Cloud's sign-in page (auto_consent off) in real headless Chromium: it signs in, another site's form
post is refused, and another site cannot frame it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from mockown import Config, create_app
from mockown.server import MockownServer
from tests.browser_support import intercept

pytestmark = pytest.mark.browser

SUB = "mcmockowndemo000000000000000"
CALLBACK = "http://localhost:8080/callback"  # seeded for the web integration; the page routes it (no network)
QUERY = {"response_type": "code", "client_id": "mockowndemoweb00000000000", "redirect_uri": CALLBACK, "state": "s1"}
EVIL = "http://evil.test/"
REFUSED = "This sign-in form expired or was posted from another site."


@pytest.fixture
def mc_server() -> Iterator[MockownServer]:
    with MockownServer(create_app(Config().replace(marketing={"auto_consent": False}))) as server:
        yield server


def authorize_url(server: MockownServer) -> str:
    return f"{server.url}/mc/{SUB}/v2/authorize?{urlencode(QUERY)}"


def evil_page(page: Any, body: str) -> None:
    """Serve `body` as another site's page at EVIL (routed by Chromium, no network)."""

    def fulfill(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html", body=f"<!doctype html><title>evil</title>{body}")

    page.route(EVIL + "**", fulfill)


def test_sign_in_on_the_page(page: Any, mc_server: MockownServer) -> None:
    intercept(page, CALLBACK)
    page.goto(authorize_url(mc_server))
    page.fill("#username", "mc-admin@mockown.test")
    page.fill("#password", "McPassw0rd!")
    page.click("#Login")
    page.wait_for_url(CALLBACK + "**", wait_until="commit")
    found = parse_qs(urlsplit(page.url).query)
    assert found["state"] == ["s1"] and found["tssd"] == [SUB] and found["code"][0]


def test_another_sites_form_post_is_refused(page: Any, mc_server: MockownServer) -> None:
    """Even with the page's own token (the test reads it; a real attacker cannot) and the browser cookie set."""
    page.goto(authorize_url(mc_server))
    token = page.input_value("input[name=_csrf]")
    intercept(page, CALLBACK)
    fields = {"username": "mc-admin@mockown.test", "password": "McPassw0rd!", "_csrf": token}
    inputs = "".join(f"<input type='hidden' name='{k}' value='{v}'>" for k, v in fields.items())
    evil_page(page, f"<form id='f' method='post' action='{authorize_url(mc_server)}'>{inputs}</form>")
    page.goto(EVIL)
    with page.expect_navigation(url=authorize_url(mc_server)) as navigation:
        page.evaluate("document.getElementById('f').submit()")
    assert navigation.value.status == 403
    assert REFUSED in page.inner_text("#error")


@pytest.fixture
def framer(mc_server: MockownServer) -> Iterator[str]:
    """Another site's page that frames the sign-in page, served for real from 127.0.0.1 on another port (a page
    Playwright fulfils counts as public, and Chromium blocks a public page's frame of a local server anyway)."""
    body = f"<!doctype html><title>framer</title><iframe id='victim' src='{authorize_url(mc_server)}'></iframe>"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_another_site_cannot_frame_the_page(page: Any, mc_server: MockownServer, framer: str) -> None:
    with page.expect_response(lambda r: r.url.startswith(mc_server.url)) as framed:
        page.goto(framer)
    assert framed.value.status == 200  # the server answered the frame's request ...
    page.wait_for_load_state("load")
    frames = [frame for frame in page.frames if frame != page.main_frame]
    assert frames, "no iframe at all"
    # ... and Chromium shows its error page instead: X-Frame-Options / frame-ancestors
    assert all(frame.query_selector("input[name=password]") is None for frame in frames)
    assert all(not frame.url.startswith(mc_server.url) for frame in frames), [f.url for f in frames]

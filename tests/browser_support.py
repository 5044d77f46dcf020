"""Real headless Chromium for tests: Debian's `chromium` driven by Playwright, against a real server.

Reuse it from any test directory's conftest.py:

    from tests.browser_support import browser, live_server, page  # noqa: F401  (pytest fixtures)

* `browser` (module scope; the fixture says why): `/usr/bin/chromium`, headless, with flags that keep it
  off the network.
  A missing browser or Playwright skips the test on a developer machine and **fails** it in CI (`CI=true`),
  so a CI run can never pass without having driven the browser. `.ci/run` installs Chromium.
* `live_server` (function): a fresh app (default seed, the real clock) served by uvicorn in a thread on a
  free 127.0.0.1 port (`MockownServer`); `live_server.app.state.runtime` is its state.
* `page` (function): a new browser context (no cookies shared between tests) and a page in it.
* `intercept(page, url_prefix)`: answer requests to a callback URL with a small page, without network,
  so a test can read where the authorize flow redirected (`page.url`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockown import Config, create_app
from mockown.server import MockownServer

CHROMIUM = os.environ.get("MOCKOWN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def unavailable(reason: str) -> None:
    """Skip locally; in CI a browser test that cannot run is a failure, never a silent skip."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope, not session: while Playwright's sync API is open, the main thread has a running event
    # loop, so `asyncio.run()` in any other test on the same xdist worker would fail. Pytest tears a module
    # fixture down as soon as the worker moves to a test of another module.
    if not Path(CHROMIUM).is_file():
        unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is missing (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def live_server() -> Iterator[MockownServer]:
    with MockownServer(create_app(Config())) as server:
        yield server


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def intercept(page: Any, url_prefix: str) -> None:
    """Requests to `url_prefix...` get a tiny page instead of going to the network."""

    def fulfill(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>callback</title><p>ok</p>")

    page.route(url_prefix + "**", fulfill)

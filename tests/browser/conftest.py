"""The browser fixtures (`tests/browser_support.py`), for every test under tests/browser."""

from tests.browser_support import browser, live_server, page  # noqa: F401

"""The shared form-page protection (`ui/csrf.py`) rule the second hand-driven mutation audit showed no test would
miss if broken."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import CALLBACK, CID

AUTHORIZE = "/services/oauth2/authorize"


@pytest.mark.parametrize("planted", ["short", "x" * 65, "not-alnum-value-0123"])
def test_a_browser_id_cookie_of_the_wrong_shape_is_replaced(client: httpx.Client, planted: str) -> None:
    """Kills the shape check dropped from csrf.browser_id: only a 16..64 character alphanumeric `mockown_bid` is
    taken as the browser id (the page sets a fresh one otherwise, as on a first visit)."""
    query = {"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK}
    client.cookies.set("mockown_bid", "a" * 32)
    kept = client.get(AUTHORIZE, params=query)
    assert kept.status_code == 200 and "mockown_bid" not in kept.headers.get("set-cookie", "")
    client.cookies.set("mockown_bid", planted)
    page = client.get(AUTHORIZE, params=query)
    assert page.status_code == 200
    fresh = page.cookies.get("mockown_bid")
    assert fresh is not None and fresh != planted and 16 <= len(fresh) <= 64 and fresh.isalnum()

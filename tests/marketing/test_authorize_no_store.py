"""Every `/v2/authorize` redirect carries `Cache-Control: no-store`, as Salesforce's authorize redirect does: its
`Location` holds a code (or an error for the client), and no browser or proxy cache may keep it. It was a bare
302 (or the `authorize_status` redirect) with no `Cache-Control`."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.marketing.test_login_page import QUERY, USER, code_of, open_page, post
from tests.marketing.test_marketing import BASE, CALLBACK, HOST_BASE, WEB


@pytest.fixture
def browser(clock: FrozenClock) -> Iterator[httpx.Client]:
    """A client of a server that shows the sign-in page (auto_consent off), keeping its cookies."""
    app = create_app(Config().replace(marketing={"auto_consent": False}), clock=clock)
    with in_process_client(app) as c:
        yield c


@pytest.mark.parametrize("base", [BASE, HOST_BASE])
@pytest.mark.parametrize(
    "extra", [{}, {"response_type": "token"}, {"scope": "not_a_scope"}], ids=["code", "refused", "bad-scope"]
)
def test_an_auto_consent_redirect_is_not_stored(client: httpx.Client, base: str, extra: dict[str, str]) -> None:
    query = {"response_type": "code", "client_id": WEB["client_id"], "redirect_uri": CALLBACK, "state": "s", **extra}
    response = client.get(f"{base}/v2/authorize", params=query)
    assert response.status_code == 302 and response.headers["location"].startswith(CALLBACK), response.text
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("status", [301, 303, 307])
def test_any_authorize_status_is_not_stored(clock: FrozenClock, status: int) -> None:
    app = create_app(Config().replace(marketing={"authorize_status": status}), clock=clock)
    with in_process_client(app) as c:
        response = c.get(f"{BASE}/v2/authorize", params=QUERY)
    assert response.status_code == status and "code=" in response.headers["location"]
    assert response.headers["cache-control"] == "no-store"


def test_the_redirect_after_the_sign_in_page_is_not_stored(browser: httpx.Client) -> None:
    _, csrf = open_page(browser)
    response = post(browser, {**USER, "_csrf": csrf})
    assert code_of(response)
    assert response.headers["cache-control"] == "no-store"

"""Under a root path an unknown URL (404) and a wrong method (405) are answered in the dialect of the path the
router routes, as without one: the app's error handlers chose the dialect by `request.url.path`, which carries the
root path (`/x/services/...`), so the REST API's `NOT_FOUND` list became the control plane's JSON there."""

from __future__ import annotations

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import InProcessTransport, in_process_client

from ..conftest import T0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/services/data/v62.0/nothing"),
        ("GET", "/services/oauth2/nothing"),
        ("PATCH", "/services/oauth2/token"),
        ("GET", "/id/nothing"),
        ("GET", "/api/v1/nothing"),
        ("GET", "/v2/nothing"),
    ],
)
def test_a_404_or_405_under_a_root_path_speaks_the_endpoints_dialect(method: str, path: str) -> None:
    with in_process_client(create_app(Config(), clock=FrozenClock(T0))) as plain:
        expected = plain.request(method, path)
    app = create_app(Config(), clock=FrozenClock(T0))
    with httpx.Client(transport=InProcessTransport(app, root_path="/x"), base_url="http://127.0.0.1") as client:
        answer = client.request(method, "/x" + path)
    assert answer.status_code == expected.status_code
    assert answer.headers["content-type"] == expected.headers["content-type"]
    assert answer.text.replace("/x/", "/") == expected.text

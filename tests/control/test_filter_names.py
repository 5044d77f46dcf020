"""The journal's and the outbox's filters are the documented ones: an unknown name (`statsu=500`, a typo) is a 400
naming it, as reset, the clock and the fault rules refuse an unknown field; before, it was ignored and the answer
held everything (a typo in `assert_called(..., stauts=200)` passed). A negative `limit` is refused too (it gave
every entry). An outbox DELETE with an unknown filter deletes nothing."""

from __future__ import annotations

import httpx
import pytest

from .helpers import access_token


@pytest.mark.parametrize("endpoint", ["/_mockown/journal", "/_mockown/journal/counts"])
@pytest.mark.parametrize("query", ["statsu=500", "grant=password", "path=/services/data&stauts=404", "Status=200"])
def test_an_unknown_journal_filter_is_a_400_naming_it(client: httpx.Client, endpoint: str, query: str) -> None:
    access_token(client)
    response = client.get(f"{endpoint}?{query}")
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_request"
    unknown = next(part.split("=")[0] for part in query.split("&") if part.split("=")[0] not in ("path",))
    assert repr(unknown) in body["message"], body


@pytest.mark.parametrize("limit", ["-1", "-2", "x", "1.5"])
def test_a_limit_that_is_no_count_is_refused(client: httpx.Client, limit: str) -> None:
    access_token(client)
    response = client.get(f"/_mockown/journal?limit={limit}")
    assert response.status_code == 400, response.text
    assert "limit" in response.json()["message"]


def test_the_documented_filters_still_work(client: httpx.Client) -> None:
    access_token(client)
    access_token(client)
    query = "path=/services/oauth2/token&method=post&status=200&grant_type=password&since=0&org=&account=&client_id="
    found = client.get(f"/_mockown/journal?{query}&limit=1").json()
    assert found["count"] == 1
    assert client.get("/_mockown/journal?limit=0").json()["count"] == 0
    assert client.get(f"/_mockown/journal/counts?{query}").json()["count"] == 2


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_an_unknown_outbox_filter_is_a_400_naming_it(client: httpx.Client, method: str) -> None:
    response = client.request(method, "/_mockown/outbox?tO=x")
    assert response.status_code == 400, response.text
    assert "'tO'" in response.json()["message"]
    documented = client.request(method, "/_mockown/outbox?to=x&account=1&kind=k&subject=s")
    assert documented.status_code == 200, documented.text

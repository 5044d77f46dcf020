"""A seeded callback URL with a fragment (`https://app.example.com/cb#frag`) was stored, and the authorization
code then came back as `cb?code=...#frag`; RFC 6749 §3.1.2 says a redirection URI has no fragment, and dynamic
registration refuses one. The seed refuses it too, naming the item."""

from __future__ import annotations

from typing import Any

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client


def _seed(callbacks: list[str]) -> Any:
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    doc = {"salesforce": {"orgs": [{"users": [], "apps": [{"client_id": "FragApp", "callback_urls": callbacks}]}]}}
    with in_process_client(app) as client:
        return client.post("/_mockown/seed", json=doc)


@pytest.mark.parametrize("url", ["https://app.example.com/cb#frag", "https://app.example.com/cb#", "myapp://done#x"])
def test_a_callback_url_with_a_fragment_is_refused(url: str) -> None:
    answer = _seed(["https://ok.example.com/cb", url])
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == (
        f"app FragApp: callback_urls[1] must be a URL without a fragment (#...), not {url!r}"
    )


def test_callback_urls_without_a_fragment_are_kept() -> None:
    urls = ["https://app.example.com/cb?x=1", "myapp://done", "http://localhost:8080/callback"]
    answer = _seed(urls)
    assert answer.status_code == 201, answer.text
    assert answer.json()["salesforce"]["orgs"][0]["apps"][0]["callback_urls"] == urls

"""What an Own customer's scripts trip on, found by driving the API end to end as a user of the README would."""

from __future__ import annotations

import httpx
import pytest


# -- events: `from` past the newest event (spec §10 U17: "[] with HTTP 200") ----------------------------------
@pytest.mark.parametrize("value", ["9" * 19, "1" + "0" * 30, "9" * 5000])
def test_events_from_beyond_the_newest_is_an_empty_page(client: httpx.Client, auth: dict[str, str], value: str) -> None:
    """An event id of any length is an event id: one past the newest gives the last (empty) page, not a 400 that
    says "must be a positive integer" of a positive integer (5,000 digits too: no int() conversion limit)."""
    r = client.get("/api/v1/events", params={"from": value}, headers=auth)
    assert (r.status_code, r.json()) == (200, [])

"""The journal keeps `journal_size` entries, the oldest dropping off: `GET /_mockown/journal` says how many dropped
since it was last cleared, so a test that counts requests there knows when the count is not the whole story."""

from __future__ import annotations

from mockown import Config, create_app
from mockown.http.inprocess import in_process_client


def test_the_journal_says_how_many_entries_dropped_off() -> None:
    with in_process_client(create_app(Config.load(overrides={"journal_size": 3}))) as client:
        assert client.get("/_mockown/journal").json()["dropped"] == 0
        for _ in range(5):
            client.get("/.well-known/openid-configuration")
        body = client.get("/_mockown/journal").json()
        assert (body["count"], body["dropped"]) == (3, 2)
        page = client.get("/_mockown/journal", params={"limit": 1}).json()
        assert page["dropped"] == 2  # the journal's, not the page's
        client.delete("/_mockown/journal")
        assert client.get("/_mockown/journal").json()["dropped"] == 0

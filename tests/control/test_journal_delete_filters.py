"""`DELETE /_mockown/journal` takes the journal's filters (contracts/control.yaml lists them on the path, for GET and
DELETE alike): with filters it removes only the entries they match; without, it clears everything. Numbers in the
filters are ASCII digits (`int()` also read Arabic-Indic digits, `1_0` and `+5`). `journal_size: 0` keeps no entry."""

from __future__ import annotations

import pytest

from mockown import Config, create_app
from mockown.http.inprocess import in_process_client

DISCOVERY = "/.well-known/openid-configuration"


def _paths(client: object) -> list[str]:
    return [e["path"] for e in client.get("/_mockown/journal").json()["entries"]]  # type: ignore[attr-defined]


def test_delete_with_a_filter_removes_only_what_it_matches() -> None:
    with in_process_client(create_app(Config.load(env={}))) as client:
        client.get(DISCOVERY)
        client.get("/services/data")
        client.get(DISCOVERY)
        client.get("/nowhere")
        answer = client.delete("/_mockown/journal", params={"path": DISCOVERY})
        assert answer.status_code == 200
        assert answer.json()["deleted"] == 2
        assert _paths(client) == ["/services/data", "/nowhere"]
        assert client.delete("/_mockown/journal", params={"status": "404"}).json()["deleted"] == 1
        assert _paths(client) == ["/services/data"]
        assert client.delete("/_mockown/journal").json()["deleted"] == 1  # no filter: everything
        assert _paths(client) == []


@pytest.mark.parametrize("params", [{"stauts": "200"}, {"limit": "1"}, {"status": "x"}])
def test_delete_with_a_bad_filter_is_a_400_and_removes_nothing(params: dict[str, str]) -> None:
    with in_process_client(create_app(Config.load(env={}))) as client:
        client.get(DISCOVERY)
        answer = client.delete("/_mockown/journal", params=params)
        assert answer.status_code == 400
        assert _paths(client) == [DISCOVERY]


@pytest.mark.parametrize("text", ["\u0662\u0660\u0660", "2_00", "+200", " 200"])
@pytest.mark.parametrize("name", ["status", "since", "limit"])
def test_numbers_in_the_query_are_ascii_digits(name: str, text: str) -> None:
    with in_process_client(create_app(Config.load(env={}))) as client:
        client.get(DISCOVERY)
        answer = client.get("/_mockown/journal", params={name: text})
        assert answer.status_code == 400, answer.text
        if name != "limit":
            assert client.get("/_mockown/journal/counts", params={name: text}).status_code == 400


def test_journal_size_zero_keeps_no_entry() -> None:
    with in_process_client(create_app(Config.load(env={}, overrides={"journal_size": 0}))) as client:
        client.get(DISCOVERY)
        client.get(DISCOVERY)
        body = client.get("/_mockown/journal").json()
        assert (body["count"], body["dropped"]) == (0, 2)


def test_delete_with_only_empty_filters_clears_as_a_plain_delete() -> None:
    """`?path=` names no filter: everything goes and `dropped` starts again, as a DELETE without a query."""
    with in_process_client(create_app(Config.load(env={}, overrides={"journal_size": 1}))) as client:
        client.get(DISCOVERY)
        client.get(DISCOVERY)
        assert client.get("/_mockown/journal").json()["dropped"] == 1
        assert client.delete("/_mockown/journal", params={"path": "", "status": ""}).json()["deleted"] == 1
        body = client.get("/_mockown/journal").json()
        assert (body["count"], body["dropped"]) == (0, 0)

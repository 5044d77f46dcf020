"""Journal redaction rules (mockown/http/journal.py) that the third hand-driven mutation audit showed no test would
miss if broken: each test names the mutant it kills and passes on the real code."""

from __future__ import annotations

import json

import httpx
import pytest

SECRET = "zQ9xSecretValue0123"


def _journal(client: httpx.Client) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = client.get("/_mockown/journal").json()["entries"]
    return entries


@pytest.mark.parametrize("name", ["lightning_sid", "visualforce_sid", "content_sid", "parent_sid"])
def test_a_session_id_named_like_the_hybrid_flows_is_redacted(client: httpx.Client, name: str) -> None:
    """The hybrid flow's session ids (`lightning_sid`, `visualforce_sid`, `content_sid`, `parent_sid`) are secrets
    wherever a client sends them back (kills `(^|_)sid$` narrowed to `^sid$`: only a bare `sid` was tested)."""
    client.delete("/_mockown/journal")
    client.post("/services/oauth2/token", data={"grant_type": "password", name: SECRET})
    client.get("/services/oauth2/userinfo", params={name: SECRET})
    form, query = _journal(client)
    assert form["params"] == {"grant_type": "password", name: "[redacted]"}
    assert query["query"] == f"{name}=[redacted]"
    assert SECRET not in json.dumps(_journal(client))

"""A seed document is loaded whole or not at all, on either store: one that fails part-way (any section, after
other sections and items went in) leaves the state exactly as it was, so the corrected document can be sent
again (it used to fail on the memory store with "username ... is taken", its first part left behind)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockown import Config, create_app
from mockown.http.inprocess import in_process_client

GOOD: dict[str, Any] = {
    "salesforce": {"orgs": [{"name": "Good", "users": [{"username": "good@all-or-nothing.test"}]}]},
    "own": {"accounts": [{"users": [{"email": "good@own.all-or-nothing.test", "api_token": True}]}]},
    "marketing": {"tenants": [{}]},
    "b2c": {"instances": [{"host": "good.all-or-nothing.test"}]},
}
# what goes wrong, after the good items of every section before it (and of its own section)
BAD: dict[str, Any] = {
    "salesforce": {"name": "Bad", "users": 5},
    "own": {"users": 5},
    "marketing": {"users": 5},
    "b2c": {"sites": 5},
}
LIST = {"salesforce": "orgs", "own": "accounts", "marketing": "tenants", "b2c": "instances"}


def _document(failing: str) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for section, body in GOOD.items():
        items = list(body[LIST[section]])
        if section == failing:
            items.append(BAD[section])
        doc[section] = {LIST[section]: items}
        if section == failing:
            break
    return doc


@pytest.mark.parametrize("failing", list(GOOD))
@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_a_document_that_fails_part_way_leaves_nothing(tmp_path: Path, store: str, failing: str) -> None:
    config = Config(state_file=str(tmp_path / "state.db")) if store == "sqlite" else Config()
    app = create_app(config)
    runtime = app.state.runtime
    with in_process_client(app) as client:
        before = runtime.store.dump()
        outbox = client.get("/_mockown/outbox").json()
        refused = client.post("/_mockown/seed", json=_document(failing))
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"] == "invalid_seed"
        assert runtime.store.dump() == before
        assert client.get("/_mockown/outbox").json() == outbox  # the good Own user's API token e-mail went too
        again = client.post("/_mockown/seed", json=GOOD)  # the corrected document
        assert again.status_code == 201, again.text
    runtime.store.close()

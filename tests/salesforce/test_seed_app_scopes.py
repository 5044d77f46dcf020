"""A seeded connected app's scopes are Salesforce scopes, as dynamic registration takes them: `bogus`, or two in one
item (`"api web"`), was stored; introspection then showed `scope: "bogus api web"`, yet no token could use it (REST
401 "not valid for use with the REST API"). The seed refuses such a scope, naming its item."""

from __future__ import annotations

from typing import Any

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.salesforce.discovery import SCOPES


def _seed(scopes: Any) -> Any:
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    doc = {"salesforce": {"orgs": [{"users": [], "apps": [{"client_id": "ScApp", "scopes": scopes}]}]}}
    with in_process_client(app) as client:
        return client.post("/_mockown/seed", json=doc), app


@pytest.mark.parametrize(
    ("scopes", "index", "bad"),
    [(["bogus", "api"], 0, "bogus"), (["api", "api web"], 1, "api web"), (["API"], 0, "API"), ([""], 0, ""),
     (["refresh_token\t"], 0, "refresh_token\t")],
)  # fmt: skip
def test_a_scope_salesforce_does_not_have_is_refused(scopes: list[str], index: int, bad: str) -> None:
    answer, _ = _seed(scopes)
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == (
        f"app ScApp: scopes[{index}] {bad!r} names no Salesforce scope (one scope per item)"
    )


@pytest.mark.parametrize("scopes", [None, [], SCOPES, ["cdp_ingest_api", "api"]])
def test_salesforce_scopes_are_kept(scopes: list[str] | None) -> None:
    answer, app = _seed(scopes)
    assert answer.status_code == 201, answer.text
    stored = app.state.runtime.salesforce.app_by_client_id("ScApp").scopes
    assert stored == (["api", "refresh_token", "openid", "id", "web"] if scopes is None else scopes)

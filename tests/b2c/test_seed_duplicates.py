"""B2C records keyed within their parent (a BM user by instance and login, a site by instance and id, a customer's
login on its site, a SLAS client by tenant and client_id, a shopper by tenant and login) were stored with no check:
twice in one document, the second replaced the first (a site's client_ids and customers were lost) or both were
stored, while the answer listed both credentials, one of which did not work. The seed refuses the second, as it
refuses an existing Account Manager client or user."""

from __future__ import annotations

from typing import Any

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

HOST = "abcd-003.dx.commercecloud.salesforce.com"
ORG = "f_ecom_abcd_003"


def _instance(**fields: Any) -> dict[str, Any]:
    return {"b2c": {"instances": [{"host": HOST, **fields}]}}


def _tenant(**fields: Any) -> dict[str, Any]:
    return {"b2c": {"slas": {"tenants": [{"org_id": ORG, "short_code": "abcd0003", **fields}]}}}


CASES = [
    (_instance(bm_users=[{"login": "bm-x", "password": "P1"}, {"login": "BM-X", "password": "P2"}]),
     f"BM user BM-X exists already on instance {HOST}"),
    (_instance(sites=[{"id": "S1", "client_ids": ["a" * 30]}, {"id": "S1", "client_ids": ["x"]}]),
     f"site S1 exists already on instance {HOST}"),
    (_instance(sites=[{"id": "S1", "customers": [{"login": "a@x", "password": "P1"}, {"login": "A@x"}]}]),
     "customer a@x exists already on site S1"),
    (_tenant(clients=[{"client_id": "dup", "client_secret": "A1"}, {"client_id": "dup"}]),
     f"SLAS client dup exists already in tenant {ORG}"),
    (_tenant(shoppers=[{"login": "s@x", "password": "P1"}, {"login": "S@x", "password": "P2"}]),
     f"shopper s@x exists already in tenant {ORG}"),
]  # fmt: skip


@pytest.mark.parametrize(("document", "message"), CASES)
def test_a_record_twice_in_a_document_is_refused_and_nothing_is_stored(document: Any, message: str) -> None:
    with in_process_client(create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))) as client:
        before = client.get("/_mockown/snapshot").json()["store"]
        answer = client.post("/_mockown/seed", json=document)
        assert answer.status_code == 400, answer.text
        assert answer.json() == {"error": "invalid_seed", "message": message}
        assert client.get("/_mockown/snapshot").json()["store"] == before


def test_distinct_records_and_the_same_names_under_other_parents_are_seeded() -> None:
    sites = [{"id": "S1", "customers": [{"login": "a@x"}]}, {"id": "S2", "customers": [{"login": "a@x"}]}]
    document = _instance(bm_users=[{"login": "bm-x"}, {"login": "bm-y"}], sites=sites)
    tenant = {"org_id": ORG, "short_code": "abcd0003", "clients": [{"client_id": "one"}, {"client_id": "two"}]}
    document["b2c"]["slas"] = {"tenants": [tenant]}
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        answer = client.post("/_mockown/seed", json=document)
    assert answer.status_code == 201, answer.text
    b2c = app.state.runtime.b2c
    assert {s.id for s in b2c.ocapi.sites.all()} >= {f"{HOST}|S1", f"{HOST}|S2"}
    assert {c.id for c in b2c.slas.clients.all() if c.org == ORG} == {f"{ORG}|one", f"{ORG}|two"}

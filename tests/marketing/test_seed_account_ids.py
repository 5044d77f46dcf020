"""A Marketing Cloud account id, an EID or a MID (business unit), is a whole number from 1 to 2^31-1: a request's
`account_id` names one by its ASCII digits and clients keep it in a 32-bit integer. The seed took any integer
(`eid: -5`, 0, 10^25): a token without `account_id` worked, one naming that business unit never did. The seed
refuses it, naming the field, nothing stored; a restore takes the same rule."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

MAX = 2**31 - 1
SUB = "acctids00000000000000000000x"
OUT = [-5, 0, MAX + 1, 10**25, "0", "2147483648"]  # "-5" is no digits: "must be an integer"


def _tenant(**fields: Any) -> dict[str, Any]:
    tenant = {"subdomain": SUB, "users": [], "integrations": [], **fields}
    return {"marketing": {"tenants": [tenant]}}


def _cases(value: object) -> list[tuple[dict[str, Any], str]]:
    return [
        (_tenant(eid=value), "marketing tenant eid"),
        (_tenant(eid=1001, business_units=[1001, value]), "marketing tenant business_units"),
        (_tenant(eid=1001, users=[{"username": "u@x.test", "mid": value}]), "marketing user u@x.test: mid"),
        (_tenant(eid=1001, integrations=[{"client_id": "acctidsapp", "home_mid": value}]),
         "marketing integration acctidsapp: home_mid"),
        (_tenant(eid=1001, integrations=[{"client_id": "acctidsapp", "accessible_mids": [value]}]),
         "marketing integration acctidsapp: accessible_mids"),
    ]  # fmt: skip


@pytest.mark.parametrize("value", OUT)
def test_an_account_id_outside_1_to_2_31_is_refused_and_nothing_is_stored(client: httpx.Client, value: object) -> None:
    before = client.get("/_mockown/snapshot").json()["store"]
    for document, where in _cases(value):
        answer = client.post("/_mockown/seed", json=document)
        assert answer.status_code == 400, answer.text
        assert answer.json() == {
            "error": "invalid_seed",
            "message": f"{where} must be an account id (EID/MID) from 1 to {MAX}, not {int(value)}",
        }
        assert client.get("/_mockown/snapshot").json()["store"] == before


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(eid=st.integers(1, MAX), as_text=st.booleans())
def test_an_account_id_from_1_to_2_31_is_seeded_and_asked_for(eid: int, as_text: bool) -> None:
    app = create_app(Config(seed_defaults=False), clock=FrozenClock("2026-01-01T00:00:00Z"))
    app_def = {"client_id": "acctidsapp", "client_secret": "AcctIdsSecret1", "type": "server"}
    with in_process_client(app) as client:
        seeded = client.post("/_mockown/seed", json=_tenant(eid=str(eid) if as_text else eid, integrations=[app_def]))
        assert seeded.status_code == 201, seeded.text
        body = {"grant_type": "client_credentials", "client_id": "acctidsapp", "client_secret": "AcctIdsSecret1"}
        token = client.post(f"/mc/{SUB}/v2/token", json={**body, "account_id": str(eid)})
        assert token.status_code == 200, token.text
        info = client.get(f"/mc/{SUB}/v2/userinfo", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        assert info.json()["organization"]["enterprise_id"] == eid


def _restore_with(client: httpx.Client, table: str, field: str, value: object) -> httpx.Response:
    snapshot = client.get("/_mockown/snapshot").json()
    row = next(r for r in snapshot["store"][table] if field in r)
    row[field] = value
    return client.post("/_mockown/restore", json=snapshot)


@pytest.mark.parametrize(
    ("table", "field", "value"),
    [
        ("mc_tenants", "business_units", [10123456, -5]),
        ("mc_tenants", "business_units", [10123456, MAX + 1]),
        ("mc_integrations", "home_mid", 0),
        ("mc_integrations", "accessible_mids", [10123456, 10**25]),
        ("mc_users", "default_mid", -1),
    ],
)
def test_a_restore_refuses_a_mid_outside_1_to_2_31(client: httpx.Client, table: str, field: str, value: Any) -> None:
    before = client.get("/_mockown/snapshot").json()["store"]
    refused = _restore_with(client, table, field, value)
    assert refused.status_code == 400, refused.text
    assert table in refused.json()["message"] and field in refused.json()["message"]
    assert "from 1 to 2147483647" in refused.json()["message"]
    assert client.get("/_mockown/snapshot").json()["store"] == before

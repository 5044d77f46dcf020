"""A Marketing Cloud user's id is global to the server (tokens and `/v2/userinfo` find the user by it). A seed that
named an existing id, in another tenant, replaced that user: the demo tenant's token then showed the newcomer, and
the other tenant's reset left the demo tenant without its user. The seed refuses such an id (`exists already`), and a
random id that happens to be taken is drawn again."""

from __future__ import annotations

from typing import Any

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.marketing import seed as mc_seed

DEMO_USER_ID = 700123456
OTHER_SUBDOMAIN = "other0000000000000000000000x"


@pytest.fixture
def app() -> Any:
    return create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))


def _tenant(users: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    tenant = {"subdomain": OTHER_SUBDOMAIN, "users": users, "integrations": [], **extra}
    return {"marketing": {"tenants": [tenant]}}


@pytest.mark.parametrize("given", [DEMO_USER_ID, str(DEMO_USER_ID), "0700123456"])
def test_an_existing_user_id_of_another_tenant_is_refused(app: Any, given: object) -> None:
    with in_process_client(app) as client:
        before = client.get("/_mockown/snapshot").json()["store"]
        user = {"id": given, "username": "evil@x.test", "password": "Passw0rd-1"}
        answer = client.post("/_mockown/seed", json=_tenant([user]))
        assert answer.status_code == 400, answer.text
        assert answer.json()["message"] == f"marketing user id {DEMO_USER_ID} exists already"
        assert client.get("/_mockown/snapshot").json()["store"] == before
    assert app.state.runtime.marketing.users.get(str(DEMO_USER_ID)).username == "mc-admin@mockown.test"


def test_one_user_id_twice_in_a_document_is_refused(app: Any) -> None:
    users = [{"id": 42, "username": f"{n}@x.test"} for n in ("one", "two")]
    with in_process_client(app) as client:
        answer = client.post("/_mockown/seed", json=_tenant(users))
    assert answer.status_code == 400 and answer.json()["message"] == "marketing user id 42 exists already"


def test_a_random_id_that_is_taken_is_drawn_again(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The draws below give the demo user's id, the demo tenant's EID, then free ones: the seed takes those."""
    demo_eid = int(next(iter(app.state.runtime.marketing.tenants)).id)
    draws = iter([demo_eid - 10000000, 10000001 - 10000000, DEMO_USER_ID - 10000000, 20000002 - 10000000])
    monkeypatch.setattr(mc_seed.secrets, "randbelow", lambda _bound: next(draws))
    with in_process_client(app) as client:
        answer = client.post("/_mockown/seed", json=_tenant([{"username": "fresh@x.test"}]))
    assert answer.status_code == 201, answer.text
    tenant = answer.json()["marketing"]["tenants"][0]
    assert (tenant["eid"], tenant["users"][0]["id"]) == (10000001, "20000002")
    assert app.state.runtime.marketing.users.get(str(DEMO_USER_ID)).username == "mc-admin@mockown.test"

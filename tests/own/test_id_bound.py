"""One bound for every Own id (models.MAX_OWN_ID, int32 as the spec types a service_id): what the seed, a restore
or a counter makes can always be named in a path. A seeded service 1234567890123 was listed by `/services` but
every by-id route answered 404, and services seeded after it got unreachable ids too."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown.runtime import Runtime
from tests.own.conftest import TOKEN_URL, exchange_form

MAX_OWN_ID = 2**31 - 1  # int32: the spec types a service_id so (own-api.md §3)
TOKEN = "tok-id-bound"


def _seed(client: httpx.Client, account: dict[str, Any]) -> httpx.Response:
    return client.post("/_mockown/seed", json={"own": {"accounts": [account]}})


def _account(**extra: Any) -> dict[str, Any]:
    user = {"email": "bound@x.test", "password": "Pw123456!", "role": "master_admin", "api_token": TOKEN}
    return {"users": [user], **extra}


def _bearer(client: httpx.Client) -> dict[str, str]:
    r = client.post(TOKEN_URL, data=exchange_form(TOKEN))
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _state(runtime: Runtime) -> str:
    return json.dumps(runtime.store.dump(), sort_keys=True, default=str)


@pytest.mark.parametrize("big", [MAX_OWN_ID + 1, 1234567890123, 10**20, str(10**20), "9" * 5000])
@pytest.mark.parametrize("where", ["account", "user", "service", "template", "source service"])
def test_a_seeded_id_beyond_the_bound_is_refused_and_changes_nothing(
    client: httpx.Client, runtime: Runtime, where: str, big: Any
) -> None:
    account = _account(id=7001, services=[{"id": 5, "backups": 1}], templates=[{"id": 9, "source_service_id": 5}])
    if where == "account":
        account["id"] = big
    elif where == "user":
        account["users"][0]["id"] = big
    elif where == "service":
        account["services"][0]["id"] = big
    elif where == "template":
        account["templates"][0]["id"] = big
    else:
        account["templates"][0]["source_service_id"] = big
    before = _state(runtime)
    r = _seed(client, account)
    assert r.status_code == 400, r.text
    assert f"id must be a positive integer up to {MAX_OWN_ID} (Own ids are int32)" in r.json()["message"]
    assert _state(runtime) == before


def test_ids_at_the_bound_are_reachable_and_nothing_is_numbered_past_it(client: httpx.Client, runtime: Runtime) -> None:
    services = [{"id": MAX_OWN_ID - 1, "backups": 1}, {"id": MAX_OWN_ID, "backups": 1}]
    r = _seed(client, _account(services=services, templates=[{"id": MAX_OWN_ID, "source_service_id": MAX_OWN_ID}]))
    assert r.status_code == 201, r.text
    auth = _bearer(client)
    for num in (MAX_OWN_ID - 1, MAX_OWN_ID):
        assert client.get(f"/api/v1/services/{num}", headers=auth).json()["id"] == num
        assert client.get(f"/api/v1/services/{num}/backups", headers=auth).status_code == 200
    seeded = {"destination": str(MAX_OWN_ID - 1), "disable_automations": "false"}
    started = client.post(f"/api/v1/seeding/templates/{MAX_OWN_ID}/seed", headers=auth, data=seeded)
    assert started.status_code == 200, started.text
    # the counter stands at the bound: a service seeded without an id gets none past it, the seed is refused whole
    before = _state(runtime)
    r = _seed(client, {"id": 7002, "services": [{"backups": 0}]})
    assert r.status_code == 400, r.text
    assert r.json()["message"] == f"own: no service in app1 id is left: Own ids stop at {MAX_OWN_ID}"
    assert _state(runtime) == before
    listed = client.get("/api/v1/services", headers=auth).json()
    assert all(client.get(f"/api/v1/services/{s['id']}", headers=auth).status_code == 200 for s in listed)


def test_a_job_counter_at_the_bound_refuses_the_next_job_in_the_own_dialect(
    client: httpx.Client, runtime: Runtime, auth: dict[str, str]
) -> None:
    runtime.store.set_meta("own.seq.app1.job", MAX_OWN_ID)
    before = _state(runtime)
    r = client.post("/api/v1/services/300001/backups/last/export", headers=auth, data={"export_format": "csv"})
    assert r.status_code == 409, r.text
    assert r.json() == {"error": "Conflict", "message": f"no job in app1 id is left: Own ids stop at {MAX_OWN_ID}"}
    assert _state(runtime) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(num=st.integers(1, 10**15) | st.sampled_from([MAX_OWN_ID, MAX_OWN_ID + 1]))
def test_whatever_the_seed_accepts_a_path_can_name(client: httpx.Client, runtime: Runtime, num: int) -> None:
    """The property: a seeded service id is refused, or its by-id routes answer it (never listed-but-404)."""
    client.post("/_mockown/reset")
    r = _seed(client, _account(services=[{"id": num, "backups": 1}], templates=[{"id": num, "source_service_id": num}]))
    if r.status_code == 400:
        assert num > MAX_OWN_ID
        return
    assert r.status_code == 201, r.text
    auth = _bearer(client)
    assert client.get(f"/api/v1/services/{num}/backups/last", headers=auth).status_code == 200
    assert client.get("/api/v1/seeding/templates", headers=auth).json()[0]["id"] == num
    data = {"destination": str(num), "disable_automations": "false"}
    # the template's own source is the destination: refused as such, not as an unknown template
    answer = client.post(f"/api/v1/seeding/templates/{num}/seed", headers=auth, data=data)
    assert "template_id" not in answer.json().get("message", ""), answer.text


@pytest.mark.parametrize("table", ["own_services", "own_backups", "own_templates", "own_accounts"])
def test_a_restored_num_beyond_the_bound_is_refused(client: httpx.Client, runtime: Runtime, table: str) -> None:
    snap = client.get("/_mockown/snapshot").json()
    bad = copy.deepcopy(snap)
    bad["store"][table][0]["num"] = MAX_OWN_ID + 1
    before = _state(runtime)
    r = client.post("/_mockown/restore", json=bad)
    assert r.status_code == 400, r.text
    assert f"expected a whole number from 1 to {MAX_OWN_ID}, got {MAX_OWN_ID + 1}" in r.json()["message"]
    assert _state(runtime) == before

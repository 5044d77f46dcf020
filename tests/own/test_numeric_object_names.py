"""An object's name is never a number (a Salesforce object's API name begins with a letter): a download path names an
object by its id or its name, and an object seeded as ``"2"`` took over the download links of the object whose id
is 2 (accounts' `download_link` served object "2"). The seed and a restore refuse one; every link serves its own
object."""

from __future__ import annotations

import copy
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown.runtime import Runtime
from tests.own.conftest import TOKEN_URL, exchange_form

TOKEN = "tok-object-names"


def _seed(client: httpx.Client, objects: list[str]) -> httpx.Response:
    user = {"email": "names@x.test", "password": "Pw123456!", "role": "master_admin", "api_token": TOKEN}
    service = {"id": 5, "objects": objects, "backups": 1, "records_per_object": 3}
    return client.post(
        "/_mockown/seed", json={"own": {"accounts": [{"id": 7001, "users": [user], "services": [service]}]}}
    )


def _state(runtime: Runtime) -> str:
    return json.dumps(runtime.store.dump(), sort_keys=True, default=str)


@pytest.mark.parametrize("name", ["2", " 2 ", "1", "02", "0", "123456"])
def test_the_seed_refuses_a_numeric_object_name_and_changes_nothing(
    client: httpx.Client, runtime: Runtime, name: str
) -> None:
    before = _state(runtime)
    r = _seed(client, [name, "accounts"])
    assert r.status_code == 400, r.text
    assert f"own service object {name!r} is a number" in r.json()["message"]
    assert _state(runtime) == before


@pytest.mark.parametrize("where", ["service", "backup"])
def test_a_restore_refuses_a_numeric_object_name(client: httpx.Client, runtime: Runtime, where: str) -> None:
    snap = client.get("/_mockown/snapshot").json()
    bad = copy.deepcopy(snap)
    if where == "service":
        bad["store"]["own_services"][0]["objects"][0] = "2"
        path = "own_services[0].objects[0]"
    else:
        bad["store"]["own_backups"][0]["snapshots"][0]["name"] = "2"
        path = "own_backups[0].snapshots[0].name"
    before = _state(runtime)
    r = client.post("/_mockown/restore", json=bad)
    assert r.status_code == 400, r.text
    assert f"{path}: expected an object name that is not a number, got '2'" in r.json()["message"]
    assert _state(runtime) == before


NAMES = st.lists(
    st.sampled_from(["accounts", "contacts", "2", "3", "1", "leads", "x2"]) | st.text(min_size=1, max_size=6),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(objects=NAMES)
def test_every_download_link_serves_its_own_object(client: httpx.Client, runtime: Runtime, objects: list[str]) -> None:
    """The property: a service seeded with any object names is refused (a name that is a number, or blank) or each
    object's four links serve that object's records, and no other's."""
    client.post("/_mockown/reset")
    r = _seed(client, objects)
    if r.status_code == 400:
        message = r.json()["message"]
        assert "is a number" in message or "non-empty list of plural object names" in message, message
        assert any(o.strip() == "" or (o.strip().isascii() and o.strip().isdigit()) for o in objects)
        return
    assert r.status_code == 201, r.text
    access = client.post(TOKEN_URL, data=exchange_form(TOKEN)).json()["access_token"]
    auth = {"Authorization": f"Bearer {access}"}
    (backup,) = runtime.own.backups.find("service_id", "app1:5")
    held = {s["name"]: set(s["records"]) for s in backup.snapshots}
    listed = client.get("/api/v1/services/5/backups/last/objects", headers=auth).json()
    assert sorted(o["name"] for o in listed) == sorted(held)
    for obj in listed:
        text = client.get(obj["download_link"], headers=auth).text
        ids = {line.split(",")[0] for line in text.splitlines()[1:]}
        assert ids == held[obj["name"]], obj
        added = client.get(obj["download_added_link"], headers=auth).text
        assert {line.split(",")[0] for line in added.splitlines()[1:]} == held[obj["name"]], obj

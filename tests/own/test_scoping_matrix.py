"""Every role and Business-Unit combination against every service resource (spec §1.1 "access depends on the
user's role and Business Units", U24): a service outside the user's BUs is 403 for every read and write, an
unknown one 404, a `user` may read but not write; jobs, export files and events of a hidden service are never
shown; and a refused request leaves the stored state as it was."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from mockown.own.service import OwnService
from mockown.runtime import Runtime
from tests.own.conftest import ENDPOINT, OWNER, SALES_ADMIN, SSO_ADMIN, SUPPORT_USER, Login, bearer

REACH = {  # user -> the (region, service) pairs their Business Units reach
    OWNER: {("app1", 300001), ("app1", 300002), ("app1", 300003), ("app1", 300004), ("emea2", 300001)},
    SALES_ADMIN: {("app1", 300001), ("app1", 300002), ("app1", 300004), ("emea2", 300001)},
    SUPPORT_USER: {("app1", 300003)},
    SSO_ADMIN: {("app1", 300001), ("app1", 300002), ("app1", 300003), ("app1", 300004), ("emea2", 300001)},
}
SERVICES = [("app1", 300001), ("app1", 300003), ("app1", 300004), ("emea2", 300001), ("emea2", 300003)]
FORGET = {"record_id": "0033z000033pldQAAQ", "table_name": "Contact"}
REQUESTS: list[tuple[str, str, dict[str, str] | None, bool]] = [  # method, path under the service, body, write
    ("GET", "", None, False),
    ("GET", "/backups", None, False),
    ("GET", "/backups/last", None, False),
    ("GET", "/backups/last/objects", None, False),
    ("GET", "/backups/last/objects/1/download?type=added", None, False),
    ("POST", "/backups/last/export", {"export_format": "csv"}, True),
    ("POST", "/backups/last/export_to_endpoint", {"endpoint_id": ENDPOINT}, True),
    ("POST", "/gdpr/forget", FORGET, True),
    ("POST", "/gdpr/rectify", {**FORGET, "field": "Email", "value": "x@example.com"}, True),
    ("POST", "/backup_specific_objects_now", {"list_of_objects": "contacts"}, True),
]


def _state(runtime: Runtime) -> str:
    data = runtime.store.dump()
    data.pop("own_events", None)  # the audit log may grow on a refusal; nothing else may change
    data.pop("_meta", None)
    return json.dumps(data, sort_keys=True, default=str)


@pytest.mark.parametrize("user", [OWNER, SALES_ADMIN, SUPPORT_USER, SSO_ADMIN])
def test_every_service_resource_obeys_role_and_business_units(
    client: httpx.Client, login: Login, runtime: Runtime, user: int
) -> None:
    headers = login(user)
    for region, num in SERVICES:
        for method, path, body, write in REQUESTS:
            before = _state(runtime)
            r = client.request(method, f"/regions/{region}/api/v1/services/{num}{path}", headers=headers, data=body)
            where = (user, region, num, method, path, r.text[:120])
            if (region, num) not in {s for reach in REACH.values() for s in reach}:
                assert r.status_code == 404, where
            elif (region, num) not in REACH[user]:
                assert r.status_code == 403 and "Business Units" in r.json()["message"], where
            elif write and user == SUPPORT_USER:
                assert r.status_code == 403 and "role" in r.json()["message"], where
            else:
                assert r.status_code in (200, 400, 404, 409), where  # an archived service refuses a backup
            if r.status_code != 200:
                assert set(r.json()) == {"error", "message"}, where
                assert _state(runtime) == before, where


def test_jobs_files_seeds_and_events_of_hidden_services_are_never_shown(client: httpx.Client, login: Login) -> None:
    owner = login(OWNER)
    made: dict[tuple[str, int], list[int]] = {}
    for region, num in [("app1", 300001), ("app1", 300003), ("emea2", 300001)]:
        base = f"/regions/{region}/api/v1/services/{num}"
        ids = [
            client.post(f"{base}/backups/last/export", headers=owner, data={"export_format": "csv"}).json()["job_id"],
            client.post(f"{base}/gdpr/forget", headers=owner, data=FORGET).json()["job_id"],
        ]
        made[(region, num)] = ids
    seed = client.post(
        "/api/v1/seeding/templates/501/seed",
        headers=owner,
        data={"destination": "300002", "disable_automations": "false"},
    ).json()
    from_support = client.post(  # into a Sales service, from Support: hidden from whoever does not reach both
        "/api/v1/seeding/templates/501/seed",
        headers=owner,
        data={"destination": "300002", "service_id": "300003", "disable_automations": "false"},
    ).json()
    for user in (SALES_ADMIN, SUPPORT_USER, SSO_ADMIN):
        headers = login(user)
        for region in ("app1", "emea2"):
            listed = {j["id"] for j in client.get(f"/regions/{region}/api/v1/jobs", headers=headers).json()}
            mine = {i for (r, n), ids in made.items() if r == region and (r, n) in REACH[user] for i in ids}
            hidden = {i for (r, n), ids in made.items() if r == region and (r, n) not in REACH[user] for i in ids}
            assert mine <= listed and not (hidden & listed), (user, region)
            for job_id in hidden:
                assert client.get(f"/regions/{region}/api/v1/jobs/{job_id}", headers=headers).status_code == 403
                files = client.get(f"/regions/{region}/api/v1/jobs/{job_id}/files/contacts.csv", headers=headers)
                assert files.status_code == 403
        seed_status = client.get(f"/api/v1/seeding/seed/{seed['id']}", headers=headers)
        assert seed_status.status_code == (403 if user == SUPPORT_USER else 200)
        if user != SUPPORT_USER:  # a `user` may not read the audit log at all
            events = client.get("/api/v1/events", headers=headers).json()
            shown = {(e["key"], e["service_id"]) for e in events if e["service_id"] is not None}
            if ("app1", 300003) not in REACH[user]:
                assert all(service != 300003 for _, service in shown), user
            assert ("gdpr_forget", 300001) in shown
            seeds = {e["parameters"]["seed_id"] for e in events if e["key"] == "seed_started"}
            reaches_source = ("app1", 300003) in REACH[user]
            assert seed["id"] in seeds and (from_support["id"] in seeds) == reaches_source, user


@pytest.mark.parametrize("hidden_status", [403, 404])
def test_a_hidden_seed_is_refused_in_its_own_words(
    configured: Callable[..., tuple[httpx.Client, OwnService]], hidden_status: int
) -> None:
    """GET /seeding/seed/{id} of a seed into a service outside the user's BUs names the seed, not its job."""
    client, own = configured(hidden_service_status=hidden_status)
    seed = client.post(
        "/api/v1/seeding/templates/501/seed",
        headers=bearer(client, own, OWNER),
        data={"destination": "300002", "disable_automations": "false"},
    ).json()
    r = client.get(f"/api/v1/seeding/seed/{seed['id']}", headers=bearer(client, own, SUPPORT_USER))
    assert r.status_code == hidden_status
    assert r.json()["message"].startswith(f"seed_id {seed['id']} ")
    assert str(seed["job_id"]) not in r.json()["message"]

"""Services, backups, objects and CSV downloads: success and failure paths, regions, role and BU scoping."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import ARCHIVED, OWNER, SALES, SALES_ADMIN, SALES_SANDBOX, SUPPORT, SUPPORT_USER, Login

SERVICE_FIELDS = {"id", "displayed_name", "secondary_name", "provider", "org_id", "status", "archived", "enabled",
                  "last_backup", "num_items", "total_size", "return_code", "return_message"}  # fmt: skip
BACKUP_FIELDS = {"id", "status", "trigger_type", "completed_at", "num_sections", "num_sections_ok",
                 "num_sections_info", "num_sections_warning", "num_sections_error", "num_inserted_items",
                 "num_updated_items", "num_deleted_items", "num_api_calls", "num_bulk_api_batches"}  # fmt: skip
OBJECT_FIELDS = {"id", "name", "status", "message", "num_items", "num_inserted_items", "num_updated_items",
                 "num_deleted_items", "num_api_calls", "download_link", "download_added_link",
                 "download_changed_link", "download_removed_link"}  # fmt: skip


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_services_list_and_one(client: httpx.Client, auth: dict[str, str]) -> None:
    services = client.get("/api/v1/services", headers=auth).json()
    assert [s["id"] for s in services] == [SALES, SALES_SANDBOX, SUPPORT, ARCHIVED]
    assert all(set(s) == SERVICE_FIELDS for s in services)
    first = services[0]
    assert first["provider"] == "SaleForce Data"
    assert (first["status"], first["archived"], first["enabled"]) == ("ACTIVE", False, 1)
    assert first["last_backup"] == "2025-12-31T00:09:00.000Z"
    archived = services[3]
    assert (archived["status"], archived["archived"]) == ("ARCHIVED", True)
    one = client.get(f"/api/v1/services/{SALES}", headers=auth)
    assert one.json() == first


@pytest.mark.parametrize("service_id", ["999999", "abc", "-1", "300001x", "1" * 30])
def test_unknown_service_is_404(client: httpx.Client, auth: dict[str, str], service_id: str) -> None:
    r = client.get(f"/api/v1/services/{service_id}", headers=auth)
    assert r.status_code == 404
    assert r.json() == {"error": "Not Found", "message": f"service_id {service_id} not found"}


def test_regions_have_their_own_id_spaces(client: httpx.Client, auth: dict[str, str]) -> None:
    app1 = client.get(f"/api/v1/services/{SALES}", headers=auth).json()
    emea2 = client.get(f"https://emea2.owndata.com/api/v1/services/{SALES}", headers=auth).json()
    prefixed = client.get(f"/regions/emea2/api/v1/services/{SALES}", headers=auth).json()
    legacy = client.get(f"https://emea2.ownbackup.com/api/v1/services/{SALES}", headers=auth).json()
    assert app1["displayed_name"] == "admin@mockown.test"
    assert emea2 == prefixed == legacy and emea2["displayed_name"] == "eu-admin@mockown.test"
    assert client.get(f"/regions/uk1/api/v1/services/{SALES}", headers=auth).status_code == 404
    assert client.get(f"/regions/emea2/api/v1/services/{SUPPORT}", headers=auth).status_code == 404
    assert client.get("https://app1.owndata.com/api/v1/services", headers=auth).json()[0]["id"] == SALES


def test_unknown_region(client: httpx.Client, auth: dict[str, str]) -> None:
    r = client.get("/regions/mars1/api/v1/services", headers=auth)
    assert r.status_code == 404 and r.json()["error"] == "Not Found"
    assert client.get("https://mars1.owndata.com/api/v1/services", headers=auth).status_code == 404


def test_business_units_scope_services(client: httpx.Client, login: Login) -> None:
    sales = login(SALES_ADMIN)
    assert [s["id"] for s in client.get("/api/v1/services", headers=sales).json()] == [SALES, SALES_SANDBOX, ARCHIVED]
    r = client.get(f"/api/v1/services/{SUPPORT}", headers=sales)
    assert r.status_code == 403
    assert r.json() == {"error": "Forbidden", "message": f"service_id {SUPPORT} is outside your Business Units"}
    for path in ("/backups", "/backups/last", "/backups/last/objects"):
        assert client.get(f"/api/v1/services/{SUPPORT}{path}", headers=sales).status_code == 403
    assert client.post(f"/api/v1/services/{SUPPORT}/backup_now", headers=sales).status_code == 403


def test_hidden_services_can_be_404(configured: Callable[..., tuple[httpx.Client, OwnService]]) -> None:
    from tests.own.conftest import bearer

    client, own = configured(hidden_service_status=404)
    r = client.get(f"/api/v1/services/{SUPPORT}", headers=bearer(client, own, SALES_ADMIN))
    assert r.status_code == 404


def test_user_role_is_read_only(client: httpx.Client, login: Login) -> None:
    user = login(SUPPORT_USER)
    assert client.get(f"/api/v1/services/{SUPPORT}/backups", headers=user).status_code == 200
    r = client.post(f"/api/v1/services/{SUPPORT}/backup_now", headers=user)
    assert r.status_code == 403 and "role" in r.json()["message"]
    assert client.post(f"/api/v1/services/{SUPPORT}/gdpr/forget", headers=user).status_code == 403
    assert client.post(f"/api/v1/services/{SUPPORT}/backups/last/export", headers=user).status_code == 403
    assert client.get("/api/v1/events", headers=user).status_code == 403


def test_backups_oldest_first(client: httpx.Client, auth: dict[str, str]) -> None:
    backups = client.get(f"/api/v1/services/{SALES}/backups", headers=auth).json()
    assert [b["id"] for b in backups] == [420001, 420002, 420003]
    assert all(set(b) == BACKUP_FIELDS for b in backups)
    assert [b["completed_at"] for b in backups] == [
        "2025-12-29T00:09:00.000Z",
        "2025-12-30T00:09:00.000Z",
        "2025-12-31T00:09:00.000Z",
    ]
    assert all(b["status"] == "OK" and b["trigger_type"] == "scheduled" for b in backups)
    assert backups[0]["num_inserted_items"] == 24  # the first backup adds everything (3 objects x 8)
    assert client.get(f"/api/v1/services/{SALES}/backups/last", headers=auth).json() == backups[-1]
    assert client.get(f"/api/v1/services/{SALES}/backups/420002", headers=auth).json() == backups[1]


def test_backup_ids_must_belong_to_the_service(client: httpx.Client, auth: dict[str, str]) -> None:
    for bad in ("420004", "99", "lastt", "x"):
        r = client.get(f"/api/v1/services/{SALES}/backups/{bad}", headers=auth)
        assert r.status_code == 404 and r.json()["message"] == f"backup_id {bad} not found"


def test_backup_now_runs_and_shows_last(client: httpx.Client, auth: dict[str, str], own: OwnService) -> None:
    own.set_progression("backup", "polls:2")
    r = client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth)
    assert (r.status_code, r.json()) == (200, {})
    # `last` is the last *completed* backup: still the scheduled one
    assert client.get(f"/api/v1/services/{SALES}/backups/last", headers=auth).json()["id"] == 420003
    listing = client.get(f"/api/v1/services/{SALES}/backups", headers=auth).json()
    running = listing[-1]
    assert (running["status"], running["completed_at"], running["trigger_type"]) == ("INPROGRESS", None, "manual")
    conflict = client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth)
    assert conflict.status_code == 409 and conflict.json()["error"] == "Conflict"
    done = client.get(f"/api/v1/services/{SALES}/backups/{running['id']}", headers=auth).json()
    assert done["status"] == "OK" and done["completed_at"] == "2026-01-01T00:00:00.000Z"
    assert client.get(f"/api/v1/services/{SALES}/backups/last", headers=auth).json()["id"] == running["id"]
    events = client.get("/api/v1/events", headers=auth).json()
    assert events[-1]["key"] == "backup_now" and events[-1]["service_id"] == SALES


def test_backup_now_refuses_archived_services(client: httpx.Client, auth: dict[str, str]) -> None:
    r = client.post(f"/api/v1/services/{ARCHIVED}/backup_now", headers=auth)
    assert r.status_code == 400 and "archived" in r.json()["message"]


def test_backup_specific_objects(client: httpx.Client, auth: dict[str, str]) -> None:
    url = f"/api/v1/services/{SALES}/backup_specific_objects_now"
    missing = client.post(url, headers=auth)
    assert missing.status_code == 400 and missing.json()["message"] == "list_of_objects is required"
    unknown = client.post(url, headers=auth, data={"list_of_objects": ["accounts", "widgets"]})
    assert unknown.status_code == 400 and "list_of_objects" in unknown.json()["message"]
    files = [("list_of_objects", (None, "Accounts")), ("list_of_objects", (None, "contacts"))]
    assert client.post(url, headers=auth, files=files).json() == {}
    objects = client.get(f"/api/v1/services/{SALES}/backups/last/objects", headers=auth).json()
    assert [o["name"] for o in objects] == ["accounts", "contacts"]


def test_objects_and_their_links(client: httpx.Client, auth: dict[str, str]) -> None:
    objects = client.get(f"/api/v1/services/{SALES}/backups/last/objects", headers=auth).json()
    assert [o["name"] for o in objects] == ["accounts", "contacts", "opportunities"]
    assert all(set(o) == OBJECT_FIELDS for o in objects)
    link = objects[0]["download_link"]
    assert link == f"http://testserver/api/v1/services/{SALES}/backups/420003/objects/1/download?type=all"
    prefixed = client.get(f"/regions/app1/api/v1/services/{SALES}/backups/last/objects", headers=auth).json()
    assert prefixed[0]["download_added_link"].startswith("http://testserver/regions/app1/api/v1/")
    hosted = client.get(f"https://emea2.owndata.com/api/v1/services/{SALES}/backups/last/objects", headers=auth)
    assert hosted.json()[0]["download_link"].startswith("https://emea2.owndata.com/api/v1/services/300001/")


def test_csv_reflects_added_changed_removed(client: httpx.Client, auth: dict[str, str]) -> None:
    def rows(backup: int, obj: dict[str, str], kind: str) -> list[dict[str, str]]:
        r = client.get(obj[f"download_{kind}link" if kind != "all" else "download_link"], headers=auth)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        return _csv(r.text)

    def objs(backup: int) -> list[dict[str, str]]:
        return client.get(f"/api/v1/services/{SALES}/backups/{backup}/objects", headers=auth).json()  # type: ignore[no-any-return]

    for before, after in ((420001, 420002), (420002, 420003)):
        for old, new in zip(objs(before), objs(after), strict=True):
            old_rows = {r["Id"]: r for r in rows(before, old, "all")}
            new_rows = {r["Id"]: r for r in rows(after, new, "all")}
            added = {r["Id"] for r in rows(after, new, "added_")}
            removed = {r["Id"]: r for r in rows(after, new, "removed_")}
            changed = {r["Id"] for r in rows(after, new, "changed_")}
            assert added == set(new_rows) - set(old_rows)
            assert set(removed) == set(old_rows) - set(new_rows)
            assert all(removed[i] == old_rows[i] for i in removed)  # the removed rows as last backed up
            assert changed <= set(old_rows) & set(new_rows)
            assert all(new_rows[i] != old_rows[i] for i in changed)
            assert all(new_rows[i] == old_rows[i] for i in (set(old_rows) & set(new_rows)) - changed)
            assert new["num_items"] == len(new_rows) and new["num_inserted_items"] == len(added)
            assert new["num_deleted_items"] == len(removed) and new["num_updated_items"] == len(changed)


def test_csv_is_deterministic_and_well_formed(client: httpx.Client, auth: dict[str, str]) -> None:
    url = f"/api/v1/services/{SALES}/backups/420001/objects/2/download"
    first, second = client.get(url, headers=auth).text, client.get(url + "?type=all", headers=auth).text
    assert first == second
    assert first.splitlines()[0] == "Id,FirstName,LastName,Email,Phone,Title,LastModifiedDate"
    records = _csv(first)
    assert len(records) == 8
    assert all(len(r["Id"]) == 18 and r["Id"].startswith("003") for r in records)


def test_download_failures(client: httpx.Client, auth: dict[str, str]) -> None:
    base = f"/api/v1/services/{SALES}/backups/420001/objects"
    bad_type = client.get(f"{base}/1/download?type=everything", headers=auth)
    assert bad_type.status_code == 400 and bad_type.json()["message"].startswith("type must be one of")
    assert client.get(f"{base}/9/download", headers=auth).status_code == 404
    assert client.get(f"{base}/1/download").status_code == 401


def test_in_progress_backup_has_no_objects_yet(client: httpx.Client, auth: dict[str, str], own: OwnService) -> None:
    own.set_progression("backup", "seconds:60")
    client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth)
    running = client.get(f"/api/v1/services/{SALES}/backups", headers=auth).json()[-1]
    base = f"/api/v1/services/{SALES}/backups/{running['id']}"
    assert client.get(f"{base}/objects", headers=auth).json() == []
    assert client.get(f"{base}/objects/1/download", headers=auth).status_code == 409
    export = client.post(f"{base}/export", headers=auth, data={"export_format": "csv"})
    assert export.status_code == 409


def test_service_without_completed_backups(client: httpx.Client, auth: dict[str, str], own: OwnService) -> None:
    from mockown.seed import seed_document

    seed_document(own.runtime, {"own": {"accounts": [{"id": 2002, "services": [{"id": 300777}]}]}})
    # another account's service is invisible
    assert client.get("/api/v1/services/300777", headers=auth).status_code == 404
    new_owner = own.users.find("account_id", "2002")[0]
    headers = _headers_for(client, own, new_owner.num)
    assert client.get("/api/v1/services/300777", headers=headers).json()["last_backup"] is None
    r = client.get("/api/v1/services/300777/backups/last", headers=headers)
    assert r.status_code == 404 and "no completed backup" in r.json()["message"]
    assert client.get("/api/v1/services/300777/backups", headers=headers).json() == []


def _headers_for(client: httpx.Client, own: OwnService, user_id: int) -> dict[str, str]:
    from tests.own.conftest import TOKEN_URL, exchange_form

    raw = own.generate_api_token(user_id)
    return {"Authorization": "Bearer " + client.post(TOKEN_URL, data=exchange_form(raw)).json()["access_token"]}


def test_unknown_paths_and_methods_in_the_own_dialect(client: httpx.Client, auth: dict[str, str]) -> None:
    r = client.get("/api/v1/nothing", headers=auth)
    assert r.status_code == 404 and set(r.json()) == {"error", "message"}
    r = client.delete(f"/api/v1/services/{SALES}", headers=auth)
    assert r.status_code == 405 and r.json()["error"] == "Method Not Allowed"
    assert OWNER == 12345


def test_a_snapshot_is_stored_as_asdict_would_store_it() -> None:
    """`Snapshot.to_dict` is `dataclasses.asdict` without the recursion: same keys, same values, own copies."""
    import dataclasses

    from mockown.own import data

    first = data.first_snapshot("seed", "accounts", 5)
    snap = data.next_snapshot("seed", first, 1)
    snap.removed["x"] = 3
    as_dict = snap.to_dict()
    assert as_dict == dataclasses.asdict(snap)
    assert [f.name for f in dataclasses.fields(snap)] == list(as_dict)
    as_dict["records"]["new"] = 1
    as_dict["added"].append("new")
    assert "new" not in snap.records and "new" not in snap.added

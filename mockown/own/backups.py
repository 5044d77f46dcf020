"""Services, their backups, the objects of a backup and the CSV downloads behind the four links."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..clock import iso
from . import data, progress
from .errors import OwnError, bad_request, not_found
from .gdpr import effects
from .models import Backup, Service, Snapshot, rkey
from .service import parse_id

if TYPE_CHECKING:
    from .service import OwnService, Principal

DOWNLOAD_TYPES = ("all", "added", "changed", "removed")
COMPLETED = ("OK", "WARNING", "ERROR", "FAILED")


# -- services -------------------------------------------------------------------------------------------
def service_json(own: OwnService, service: Service) -> dict[str, Any]:
    last = last_completed(own, service)
    items = 0
    if last is not None:
        forgotten, _ = effects(own, service, own.clock.now())
        items = sum(len(set(s["records"]) - forgotten) for s in last.snapshots)
    return {
        "id": service.num,
        "displayed_name": service.displayed_name,
        "secondary_name": service.secondary_name,
        "provider": service.provider,
        "org_id": service.org_id,
        "status": service.status,
        "archived": service.archived,
        "enabled": service.enabled,
        "last_backup": iso(last.completed_at, millis=True) if last and last.completed_at is not None else None,
        "num_items": items,
        "total_size": items * 2,
        "return_code": 1,
        "return_message": "",
    }


# -- backups --------------------------------------------------------------------------------------------
def _backups_of(own: OwnService, service: Service) -> list[Backup]:
    return sorted(own.backups.find("service_id", service.id), key=lambda b: b.num)


def _advance(own: OwnService, backup: Backup, *, poll: bool) -> bool:
    """Bring `backup` up to date with the clock, `poll` counting this read (``polls:N`` mode); whether it changed."""
    if backup.completed_at is not None:
        return False
    if poll:
        progress.count_poll(backup.progress)
    done = progress.finished_at(backup.progress, backup.started_at, own.clock.now())
    if done is not None:
        backup.completed_at = done
        backup.status = "OK"
    return poll or done is not None


def settle(own: OwnService, backup: Backup, *, poll: bool) -> Backup:
    """The stored `backup` brought up to date (`_advance`), as it is now (`progress.settle`)."""
    return progress.settle(own.store, own.backups, backup, lambda current: _advance(own, current, poll=poll))


def last_completed(own: OwnService, service: Service) -> Backup | None:
    """The `last` alias: the last completed backup, with or without errors."""
    last = None
    for backup in _backups_of(own, service):
        backup = settle(own, backup, poll=False)
        if backup.completed_at is not None:
            last = backup
    return last


def start(
    own: OwnService,
    service: Service,
    *,
    trigger: str,
    objects: list[str] | None = None,
    started_at: float | None = None,
    progression: dict[str, Any] | None = None,
) -> Backup:
    """A new backup of `service` (all its objects, or `objects`), snapshotting the source data now."""
    with own.store.atomic():
        history = [settle(own, backup, poll=False) for backup in _backups_of(own, service)]
        for backup in history:
            if backup.completed_at is None:
                raise OwnError(409, f"a backup of service_id {service.num} is already in progress")
        previous: dict[str, tuple[Snapshot, int]] = {}
        for backup in history:
            for snap in backup.snapshots:
                prev = previous.get(snap["name"])
                previous[snap["name"]] = (data.snapshot_of(snap), (prev[1] + 1) if prev else 1)
        snapshots = []
        for name in objects or service.objects:
            if name in previous:
                last, generation = previous[name]
                snapshots.append(data.next_snapshot(service.data_seed, last, generation))
            else:
                snapshots.append(data.first_snapshot(service.data_seed, name, service.records_per_object))
        num = own.next_num(service.region, "backup")
        now = own.clock.now() if started_at is None else started_at
        items = sum(len(s.records) for s in snapshots)
        backup = Backup(
            id=rkey(service.region, num),
            num=num,
            region=service.region,
            service_id=service.id,
            trigger_type=trigger,
            started_at=now,
            progress=progression if progression is not None else own.new_progression("backup"),
            snapshots=[s.to_dict() for s in snapshots],
            num_api_calls=5 + 3 * len(snapshots) + items // 200,
        )
        _advance(own, backup, poll=False)
        own.backups.put(backup)
    return backup


def takes_writes(service: Service, verb: str) -> None:
    """A write into the service's org (a backup, a seed, an anonymization) needs an ACTIVE, enabled service; the
    refusal names why: its status, or `disabled` for an ACTIVE one switched off (status and enabled are
    independent, spec §3)."""
    if service.status != "ACTIVE":
        raise bad_request(f"service_id {service.num} is {service.status.lower()}: it cannot be {verb}")
    if not service.enabled:
        raise bad_request(f"service_id {service.num} is disabled: it cannot be {verb}")


def backup_now(own: OwnService, principal: Principal, service: Service, objects: list[str] | None = None) -> Backup:
    """A manual backup of every object, or of `objects` (``backup_specific_objects_now``: at least one)."""
    if objects is not None and not objects:
        raise bad_request("list_of_objects is required")
    takes_writes(service, "backed up")
    if objects is not None:
        objects = resolve_objects(service, objects, "list_of_objects")
        if not objects:
            raise bad_request("list_of_objects is required")
    backup = start(own, service, trigger="manual", objects=objects)
    own.record_event(
        principal.account.id,
        "backup_now",
        user=principal.user,
        ip=principal.ip,
        parameters={"backup_id": backup.num, **({"objects": objects} if objects else {})},
        service=service,
    )
    return backup


def resolve_objects(service: Service, wanted: list[str], field: str) -> list[str]:
    """Object names matched case-insensitively (``Accounts`` = ``accounts``); unknown ones are a 400."""
    by_lower = {o.lower(): o for o in service.objects}
    out = []
    for name in wanted:
        found = by_lower.get(name.lower())
        if found is None:
            known = ", ".join(service.objects)
            raise bad_request(f"{field}: unknown object {name!r} (service_id {service.num} has {known})")
        out.append(found)
    return list(dict.fromkeys(out))


def backup_json(own: OwnService, backup: Backup) -> dict[str, Any]:
    service = own.services.get(backup.service_id)
    done = backup.completed_at is not None
    inserted = updated = deleted = 0
    if done and service is not None:
        forgotten, _ = effects(own, service, own.clock.now())
        for snap in backup.snapshots:
            inserted += len(set(snap["added"]) - forgotten)
            updated += len(set(snap["changed"]) - forgotten)
            deleted += len(set(snap["removed"]) - forgotten)
    sections = len(backup.snapshots)
    return {
        "id": backup.num,
        "status": backup.status if done else "INPROGRESS",
        "trigger_type": backup.trigger_type,
        "completed_at": iso(backup.completed_at, millis=True) if backup.completed_at is not None else None,
        "num_sections": sections,
        "num_sections_ok": sections if done else 0,
        "num_sections_info": 0,
        "num_sections_warning": 0,
        "num_sections_error": 0,
        "num_inserted_items": inserted,
        "num_updated_items": updated,
        "num_deleted_items": deleted,
        "num_api_calls": backup.num_api_calls if done else 0,
        "num_bulk_api_batches": 0,
    }


def listing(own: OwnService, service: Service, *, poll: bool = True) -> list[Backup]:
    """Oldest first, the in-progress one last; reading them counts as a poll of unfinished ones (`poll`)."""
    with own.store.atomic():
        return [settle(own, b, poll=poll) for b in _backups_of(own, service)]


def get(own: OwnService, service: Service, backup_id: str, *, poll: bool = True) -> Backup:
    if backup_id == "last":
        last = last_completed(own, service)
        if last is None:
            raise not_found(f"service_id {service.num} has no completed backup")
        return last
    num = parse_id(backup_id, "backup_id")  # exactly: " 420003" and "0420003" name no backup
    backup = own.backups.get(rkey(service.region, num))
    if backup is None or backup.service_id != service.id:
        raise not_found(f"backup_id {backup_id} not found")
    return settle(own, backup, poll=poll)


def completed(own: OwnService, service: Service, backup_id: str) -> Backup:
    backup = get(own, service, backup_id, poll=False)
    if backup.completed_at is None:
        raise OwnError(409, f"backup_id {backup.num} is still in progress")
    return backup


# -- objects and downloads ------------------------------------------------------------------------------
def object_id(service: Service, name: str) -> int:
    return service.objects.index(name) + 1 if name in service.objects else 0


def objects_json(own: OwnService, service: Service, backup: Backup, base: str) -> list[dict[str, Any]]:
    if backup.completed_at is None:
        return []
    forgotten, _ = effects(own, service, own.clock.now())
    out = []
    for snap in backup.snapshots:
        oid = object_id(service, snap["name"])
        link = f"{base}/api/v1/services/{service.num}/backups/{backup.num}/objects/{oid}/download"
        items = len(set(snap["records"]) - forgotten)
        out.append(
            {
                "id": oid,
                "name": snap["name"],
                "status": "OK",
                "message": "",
                "num_items": items,
                "num_inserted_items": len(set(snap["added"]) - forgotten),
                "num_updated_items": len(set(snap["changed"]) - forgotten),
                "num_deleted_items": len(set(snap["removed"]) - forgotten),
                "num_api_calls": 1 + items // 200,
                "download_link": f"{link}?type=all",
                "download_added_link": f"{link}?type=added",
                "download_changed_link": f"{link}?type=changed",
                "download_removed_link": f"{link}?type=removed",
            }
        )
    return out


def snapshot(service: Service, backup: Backup, object_ref: str) -> dict[str, Any]:
    for snap in backup.snapshots:
        if str(object_id(service, snap["name"])) == object_ref or snap["name"] == object_ref.lower():
            return snap
    raise not_found(f"object_id {object_ref} not found in backup_id {backup.num}")


def records_for(snap: dict[str, Any], kind: str) -> list[tuple[str, int]]:
    if kind == "added":
        return [(r, snap["records"][r]) for r in snap["added"]]
    if kind == "changed":
        return [(r, snap["records"][r]) for r in snap["changed"]]
    if kind == "removed":
        return list(snap["removed"].items())
    return list(snap["records"].items())


def introduced(own: OwnService, service: Service, backup: Backup, name: str) -> Callable[[str, int], float]:
    """(record id, version) -> when the backup of `service` that first held that version of the record, up to
    `backup`, started: a record's `LastModifiedDate` (it was last changed before that backup took it), on the
    clock and never going back as the versions go up. A version no backup added or changed (a restored state's
    own) is `backup`'s."""
    first: dict[tuple[str, int], float] = {}
    for earlier in _backups_of(own, service):
        if earlier.num > backup.num:
            break
        for snap in earlier.snapshots:
            if snap["name"] == name:
                records = snap["records"]
                for rid in (*snap["added"], *snap["changed"]):
                    first.setdefault((rid, records[rid]), earlier.started_at)
    return lambda rid, version: first.get((rid, version), backup.started_at)


def download(own: OwnService, service: Service, backup: Backup, object_ref: str, kind: str | None) -> str:
    kind = (kind or "all").lower()
    if kind not in DOWNLOAD_TYPES:
        raise bad_request(f"type must be one of {','.join(DOWNLOAD_TYPES)}")
    if backup.completed_at is None:
        raise OwnError(409, f"backup_id {backup.num} is still in progress")
    snap = snapshot(service, backup, object_ref)
    forgotten, overrides = effects(own, service, own.clock.now())
    name = snap["name"]
    rows = data.rows(
        name, records_for(snap, kind), forgotten, overrides.get(name, {}), introduced(own, service, backup, name)
    )
    return data.to_csv(snap["name"], rows)

"""Backup exports: to CSV / SQL files (served under the job) or to an account endpoint. Each is a job."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import backups, data, jobs
from .errors import OwnError, bad_request, not_found
from .gdpr import applied, completed, effects
from .job_params import FORMATS, export_files
from .params import boolean, choice, names, text

if TYPE_CHECKING:
    from ..http.forms import Params
    from .models import Backup, Job, Service
    from .service import OwnService, Principal

# the dialect of an SQL export that names none: what the real service picks is not documented (a mock choice)
DEFAULT_SQL_DIALECT = "postgresql"
# an endpoint id as `export_to_endpoint` takes it (and the seed stores it)
ENDPOINT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def _objects(service: Service, backup: Backup, params: Params) -> list[str]:
    wanted = names(params, "objects")
    in_backup = [s["name"] for s in backup.snapshots]
    if not wanted:
        return in_backup
    chosen = backups.resolve_objects(service, wanted, "objects")
    missing = [o for o in chosen if o not in in_backup]
    if missing:
        raise bad_request(f"objects: {missing[0]!r} is not in backup_id {backup.num}")
    return chosen


def export(own: OwnService, principal: Principal, service: Service, backup_id: str, params: Params) -> Job:
    backup = backups.completed(own, service, backup_id)
    fmt = choice(params, "export_format", FORMATS)
    assert fmt is not None  # required: no default
    dialect = None
    if fmt == "sql":  # optional (spec §4.3 "used when format is sql"; S7 sends none): a mock choice when left out
        dialect = choice(params, "sql_dialect", data.SQL_DIALECTS, default=DEFAULT_SQL_DIALECT)
    attachments = boolean(params, "include_attachments")
    objects = _objects(service, backup, params)
    files = export_files(fmt, dialect, objects)
    title = f"Export backup {backup.num} ({fmt}{'/' + dialect if dialect else ''})"
    with own.store.atomic():
        job = jobs.create(
            own,
            principal,
            service.region,
            kind="export",
            progression_kind="export",
            title=title,
            service_id=service.id,
            params={
                "backup_id": backup.id,
                "format": fmt,
                "dialect": dialect,
                "objects": objects,
                "files": files,
                "include_attachments": attachments,
                # what the export applies: the GDPR requests completed when it starts (`file`)
                "gdpr_jobs": [j.id for j in completed(own, service, own.clock.now())],
            },
            results=[f"Exported {len(objects)} object(s)" + (" with attachments" if attachments else "")],
        )
        own.record_event(
            principal.account.id,
            "export_started",
            user=principal.user,
            ip=principal.ip,
            parameters={"job_id": job.num, "backup_id": backup.num, "export_format": fmt},
            service=service,
            job=job,
        )
    return job


def export_to_endpoint(own: OwnService, principal: Principal, service: Service, backup_id: str, params: Params) -> Job:
    backup = backups.completed(own, service, backup_id)
    endpoint_id = text(params, "endpoint_id", required=True) or ""
    if not ENDPOINT_ID.match(endpoint_id):
        raise bad_request("endpoint_id must be a UUID (Account Settings > Endpoints)")
    endpoint = next((e for e in principal.account.endpoints if e["id"].lower() == endpoint_id.lower()), None)
    if endpoint is None:
        raise not_found(f"endpoint_id {endpoint_id} not found")
    objects = _objects(service, backup, params)
    with own.store.atomic():
        job = jobs.create(
            own,
            principal,
            service.region,
            kind="export_to_endpoint",
            progression_kind="export",
            title=f"Export backup {backup.num} to endpoint {endpoint['name']}",
            service_id=service.id,
            params={"backup_id": backup.id, "endpoint_id": endpoint["id"], "objects": objects},
            results=[f"Exported {len(objects)} object(s) to endpoint {endpoint['name']}"],
        )
        own.record_event(
            principal.account.id,
            "export_started",
            user=principal.user,
            ip=principal.ip,
            parameters={"job_id": job.num, "backup_id": backup.num, "endpoint_id": endpoint["id"]},
            service=service,
            job=job,
        )
    return job


def file(own: OwnService, principal: Principal, region: str, job_id: str, name: str) -> tuple[str, str]:
    """(media type, content) of one file of a finished export job."""
    job = jobs.get(own, principal, region, job_id, poll=False)
    if job.kind != "export" or name not in job.params.get("files", []):
        raise not_found(f"file {name} not found in job_id {job.num}")
    if job.completed_at is None:
        raise OwnError(409, f"job_id {job.num} has not finished")
    backup = own.backups.get(job.params["backup_id"])
    service = own.services.get(job.service_id or "")
    if backup is None or service is None:
        raise not_found(f"the backup of job_id {job.num} no longer exists")
    # the export reflects the GDPR requests completed when it started, as it recorded them, not later ones (a
    # request completed later at that same instant, the clock standing still, changed a finished export's file)
    recorded = job.params.get("gdpr_jobs")
    if recorded is None:  # an export of a state file from before exports recorded them: as that version read it
        forgotten, overrides = effects(own, service, job.created_at, before_job=job.num)
    else:
        forgotten, overrides = applied([j for j in map(own.jobs.get, recorded) if j is not None])
    # a restore refuses objects the backup does not hold (job_params.check_snapshot), and files not of the objects
    # (job_params.check): a 404 all the same, never a bare next()'s StopIteration out of a handler
    by_name = {s["name"]: s for s in backup.snapshots}
    if job.params["format"] == "csv":
        obj = name.removesuffix(".csv")
        objects = [obj] if obj in job.params["objects"] else []
    else:
        objects = job.params["objects"]
    tables = []
    for obj in objects:
        snap = by_name.get(obj)
        if snap is None:
            raise not_found(f"file {name} not found in job_id {job.num}: backup {backup.num} holds no {obj}")
        modified = backups.introduced(own, service, backup, obj)
        tables.append(
            (obj, data.rows(obj, backups.records_for(snap, "all"), forgotten, overrides.get(obj, {}), modified))
        )
    if job.params["format"] == "csv":
        if not tables:
            raise not_found(f"file {name} not found in job_id {job.num}")
        return "text/csv", data.to_csv(*tables[0])
    return "application/sql", data.to_sql(job.params["dialect"], tables)

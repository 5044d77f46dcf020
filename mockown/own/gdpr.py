"""GDPR rectify and forget: jobs that, once complete, change what every backup and export of the service shows.

A completed *forget* removes the record from every CSV download, from every backup taken later and from every
export started later (counts included). A completed *rectify* replaces one field's value in the same places.
A record the service's backups never held makes the job end ``FAILED`` with a message in `results`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import ids
from . import data, jobs
from .errors import bad_request
from .params import single, text

if TYPE_CHECKING:
    from ..http.forms import Params
    from .models import Job, Service
    from .service import OwnService, Principal


def table_object(service: Service, table_name: str) -> str:
    """``Contact``, ``contacts``, ``Opportunity``, ``Custom__c`` -> the service's object name."""
    lowered = table_name.strip().lower()
    candidates = {lowered, lowered + "s", lowered[:-1] + "ies" if lowered.endswith("y") else lowered}
    if lowered.endswith("__c"):
        candidates.add(lowered + "s")
    for obj in service.objects:
        if obj.lower() in candidates:
            return obj
    raise bad_request(f"table_name {table_name!r} is not an object of service_id {service.num}")


def _known(own: OwnService, service: Service, obj: str, rid: str) -> bool:
    for backup in own.backups.find("service_id", service.id):
        for snap in backup.snapshots:
            if snap["name"] == obj and (rid in snap["records"] or rid in snap["removed"]):
                return True
    return False


def request(own: OwnService, principal: Principal, service: Service, params: Params, *, forget: bool) -> Job:
    raw_id = text(params, "record_id", required=True) or ""
    try:
        rid = ids.to18(raw_id)
    except ValueError:
        if ids.ID18.fullmatch(raw_id):  # the right length and characters: only its checksum is wrong
            raise bad_request(
                f"record_id {raw_id} is not a Salesforce record id: its last 3 characters are not the checksum"
                f" of its first 15 ({ids.checksum(raw_id[:15])!r})"
            ) from None
        raise bad_request("record_id must be a 15 or 18 character Salesforce record id") from None
    obj = table_object(service, text(params, "table_name", required=True) or "")
    comment = text(params, "comment") or ""
    job_params: dict[str, Any] = {"record_id": rid, "object": obj, "comment": comment}
    if not forget:
        field = text(params, "field", required=True) or ""
        by_lower = {f.lower(): f for f in data.fields(obj) if f != "Id"}
        if field.lower() not in by_lower:
            raise bad_request(f"field {field!r} is not a field of {obj} (fields: {', '.join(by_lower.values())})")
        value = single(params, "value")
        if value is None:
            raise bad_request("value is required")
        if "\0" in value:  # no Salesforce field holds one, and PostgreSQL refuses one in an SQL export's literal
            raise bad_request("value must not contain a NUL character (U+0000)")
        job_params.update(field=by_lower[field.lower()], value=value)
    kind = "gdpr_forget" if forget else "gdpr_rectify"
    known = _known(own, service, obj, rid)
    if not known:
        results = [f"record {rid} was not found in the backups of {obj} of service {service.num}"]
    elif forget:
        results = [f"record {rid} of {obj} was forgotten in every backup of service {service.num}"]
    else:
        results = [f"field {job_params['field']} of record {rid} ({obj}) was rectified in every backup"]
    with own.store.atomic():
        job = jobs.create(
            own,
            principal,
            service.region,
            kind=kind,
            progression_kind="gdpr",
            title=f"GDPR {'forget' if forget else 'rectify'} {rid} ({obj}) in service {service.num}",
            service_id=service.id,
            params=job_params,
            results=results,
            failed=not known,
        )
        own.record_event(
            principal.account.id,
            kind,
            user=principal.user,
            ip=principal.ip,
            parameters={"job_id": job.num, "record_id": rid, "table_name": obj},
            service=service,
            job=job,
        )
    return job


def effects(
    own: OwnService, service: Service, as_of: float, *, before_job: int | None = None
) -> tuple[set[str], dict[str, dict[str, dict[str, str]]]]:
    """(forgotten record ids, {object: {record id: {field: value}}}) of the GDPR jobs complete at `as_of`.

    With `before_job` (an export started at `as_of` before exports recorded their GDPR jobs, `completed`), a
    request completed at that same instant counts only if it was made before the export (a smaller job number).
    """
    return applied(completed(own, service, as_of, before_job=before_job))


def completed(own: OwnService, service: Service, as_of: float, *, before_job: int | None = None) -> list[Job]:
    """The service's GDPR jobs complete (and not failed) at `as_of`, oldest request first. An export records
    theirs when it starts (`exports.export`): one completed later, even at that same instant of a clock that
    stands still, must not change the export's file after the fact."""
    out = []
    found = [j for j in own.jobs.find("service_id", service.id) if j.kind in ("gdpr_forget", "gdpr_rectify")]
    for job in sorted(found, key=lambda j: j.num):
        job = jobs.settle(own, job, poll=False)
        if not jobs.completed_before(job, as_of):
            continue
        if before_job is not None and job.completed_at == as_of and job.num > before_job:
            continue
        out.append(job)
    return out


def applied(done: list[Job]) -> tuple[set[str], dict[str, dict[str, dict[str, str]]]]:
    """(forgotten record ids, {object: {record id: {field: value}}}) of the GDPR jobs `done`, in their order."""
    forgotten: set[str] = set()
    overrides: dict[str, dict[str, dict[str, str]]] = {}
    for job in done:
        rid = job.params["record_id"]
        if job.kind == "gdpr_forget":
            forgotten.add(rid)
        else:
            fields = overrides.setdefault(job.params["object"], {}).setdefault(rid, {})
            fields[job.params["field"]] = job.params["value"]
    return forgotten, overrides

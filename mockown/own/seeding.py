"""Sandbox Seeding: templates, seed jobs and their status, anonymization jobs and their status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..clock import iso
from ..http.forms import BadBody, parse_json
from . import backups, jobs
from .errors import bad_request, not_found
from .gdpr import effects
from .models import Backup, Job, Seed, SeedingTemplate, Service, rkey
from .params import boolean, choice, integer, names, single, text
from .service import parse_id

if TYPE_CHECKING:
    from ..http.forms import Params
    from .service import OwnService, Principal

METHODS = ("incremental", "upsert", "clean_and_insert")
# S15's limits: exceeding one fails the job. Object names are lower-case plurals (ContentVersion: contentversions).
PRODUCTION_LIMIT = 10_000  # records seeded into a production org
SANDBOX_LIMIT = 20_000_000  # records seeded into a sandbox
CONTENT_VERSION_LIMIT = 50_000  # ContentVersion records seeded into a sandbox
CONTENT_VERSIONS = ("contentversions", "contentversion")


def templates(own: OwnService, principal: Principal, region: str) -> list[SeedingTemplate]:
    found = [t for t in own.templates.find("account_id", principal.account.id) if t.region == region]
    out = []
    for template in sorted(found, key=lambda t: t.num):
        source = own.services.get(template.source_service_id)
        if source is not None and own.can_reach(principal, source):
            out.append(template)
    return out


def template_json(own: OwnService, template: SeedingTemplate) -> dict[str, Any]:
    source = own.services.get(template.source_service_id)
    return {
        "id": template.num,
        "name": template.name,
        "source_service_id": source.num if source else None,
        "description": template.description,
        "created_at": iso(template.created_at, millis=True),
        "updated_at": iso(template.updated_at, millis=True),
    }


def _template(own: OwnService, principal: Principal, region: str, template_id: str) -> SeedingTemplate:
    num = parse_id(template_id, "template_id")
    template = own.templates.get(rkey(region, num))
    if template is None or template.account_id != principal.account.id:
        raise not_found(f"template_id {template_id} not found")
    source = own.services.get(template.source_service_id)
    if source is None or not own.can_reach(principal, source):  # answered as its source service would be
        raise own.hidden(f"template_id {template_id}", "seeds from a service outside your Business Units")
    return template


def _service_field(
    own: OwnService, principal: Principal, region: str, params: Params, name: str, *, required: bool = False
) -> Service | None:
    value = text(params, name, required=required)
    if value is not None and value.isascii() and value.isdigit():
        # digits of any length are a service id, which names a service or is a 404, not a 400; a body field is a
        # number, leading zeros and all (a path's id names its resource exactly: `service.parse_id`)
        return own.service_for(principal, region, _number_text(value), write=True)
    num = integer(params, name, required=required)  # None, or raises "<name> must be a positive integer"
    return None if num is None else own.service_for(principal, region, str(num), write=True)


def _number_text(value: str) -> str:
    """A body field's id as a number's digits: `0420001` is 420001, as a JSON or form number is read."""
    return value.lstrip("0") or "0" if value.isascii() and value.isdigit() else value


def _takes_writes(destination: Service) -> None:
    """Seeding and anonymizing write into the destination's org, which an archived (or disabled) service is no
    longer connected to: refused as backup_now refuses it (spec §10 U9; its backups stay readable, a source)."""
    backups.takes_writes(destination, "seeded")


def _counts(own: OwnService, source: Service, backup: Backup) -> list[tuple[str, int]]:
    """(object, records seeded) of each object of `backup`: a record forgotten by a GDPR request of `source`
    completed before the seed starts (now) is not seeded, as an export started now would leave it out (rectified
    values change what is seeded, not how much: the seed shows counts only)."""
    forgotten, _ = effects(own, source, own.clock.now())
    return [(s["name"], len(set(s["records"]) - forgotten)) for s in backup.snapshots]


def _over_limit(destination: Service, counts: list[tuple[str, int]], records: int) -> str | None:
    """Why seeding `records` records (`counts` per object) into `destination` breaks a limit of S15, or None."""
    if not destination.sandbox:
        if records > PRODUCTION_LIMIT:
            return f"Seeding into production is limited to {PRODUCTION_LIMIT:,} records ({records:,} requested)"
        return None
    if records > SANDBOX_LIMIT:
        return f"Seeding into a sandbox is limited to {SANDBOX_LIMIT:,} records ({records:,} requested)"
    versions = sum(n for name, n in counts if name in CONTENT_VERSIONS)
    if versions > CONTENT_VERSION_LIMIT:
        return (
            f"Seeding into a sandbox is limited to {CONTENT_VERSION_LIMIT:,} ContentVersion records "
            f"({versions:,} requested)"
        )
    return None


def seed(own: OwnService, principal: Principal, region: str, template_id: str, params: Params) -> tuple[Seed, Job]:
    own.require_write(principal)
    template = _template(own, principal, region, template_id)
    destination = _service_field(own, principal, region, params, "destination", required=True)
    assert destination is not None
    _takes_writes(destination)
    disable_automations = boolean(params, "disable_automations", required=True)
    method = choice(params, "seeding_method", METHODS, default="incremental")
    boolean(params, "disable_validation_rules")
    boolean(params, "reindex")
    source = _service_field(own, principal, region, params, "service_id") or own.services.get(
        template.source_service_id
    )
    assert source is not None
    if source.id == destination.id:
        raise bad_request("destination must be another service than the source of the seed")
    backup_ref = _number_text((single(params, "backup_id") or "").strip() or "last")
    backup = backups.completed(own, source, backup_ref)
    counts = _counts(own, source, backup)
    records = sum(n for _, n in counts)
    limit = _over_limit(destination, counts, records)
    logs = [
        f"Seeding from service {source.num} (backup {backup.num}) to service {destination.num} ({method})",
        *(f"{name}: {n} record(s)" for name, n in counts),
    ]
    if disable_automations:
        logs.insert(1, "Automations disabled in the destination for the duration of the seed")
    failed = limit is not None
    logs.append(limit if limit is not None else f"Seed completed: {records} record(s)")
    with own.store.atomic():
        job = jobs.create(
            own,
            principal,
            region,
            kind="seed",
            progression_kind="seed",
            title=f"Seed template {template.num} to service {destination.num}",
            service_id=destination.id,
            params={"logs": logs, "template_id": template.id, "source_service_id": source.id},
            results=logs[-1:],
            failed=failed,
        )
        num = own.next_num(region, "seed")
        record = Seed(
            id=rkey(region, num),
            num=num,
            region=region,
            job_id=job.id,
            template_id=template.id,
            destination_id=destination.id,
        )
        own.seeds.put(record)
        own.record_event(
            principal.account.id,
            "seed_started",
            user=principal.user,
            ip=principal.ip,
            parameters={"seed_id": num, "template_id": template.num, "destination": destination.num},
            service=destination,
            job=job,
        )
    return record, job


def seed_json(own: OwnService, record: Seed, job: Job) -> dict[str, Any]:
    destination = own.services.get(record.destination_id)
    template = own.templates.get(record.template_id)
    return {
        "id": record.num,
        "job_id": job.num,
        "template_id": template.num if template else None,
        "destination": destination.num if destination else None,
        "status": jobs.status(own, job),
    }


def status_json(own: OwnService, num: int, job: Job) -> dict[str, Any]:
    logs: list[str] = job.params.get("logs", [])
    pct = jobs.percent(own, job)
    shown = logs if job.completed_at is not None else logs[: max(1, (len(logs) - 1) * pct // 100)]
    return {
        "id": num,
        "status": jobs.status(own, job),
        "progress": pct,
        "started_at": iso(job.created_at, millis=True),
        "completed_at": iso(job.completed_at, millis=True) if job.completed_at is not None else None,
        "logs": shown,
    }


def seed_status(
    own: OwnService, principal: Principal, region: str, seed_id: str, *, poll: bool = True
) -> dict[str, Any]:
    num = parse_id(seed_id, "seed_id")
    record = own.seeds.get(rkey(region, num))
    if record is None:
        raise not_found(f"seed_id {seed_id} not found")
    job = own.jobs.get(record.job_id)
    if job is None or job.account_id != principal.account.id:
        raise not_found(f"seed_id {seed_id} not found")
    if not own.job_visible(principal, job):  # in the seed's words: its job id is not the user's to learn
        raise own.hidden(f"seed_id {seed_id}", "seeds a service outside your Business Units")
    job = jobs.settle(own, job, poll=poll)
    return status_json(own, record.num, job)


def anonymize(own: OwnService, principal: Principal, region: str, template_id: str, params: Params) -> Job:
    own.require_write(principal)
    template = _template(own, principal, region, template_id)
    destination = _service_field(own, principal, region, params, "destination_service_id", required=True)
    assert destination is not None
    _takes_writes(destination)
    disable_automations = boolean(params, "disable_automations", required=True)
    automations = _automations(params)
    source = own.services.get(template.source_service_id)
    assert source is not None
    backup_ref = _number_text((single(params, "backup_id") or "").strip())
    logs = [f"Anonymizing service {destination.num} with template {template.num}"]
    if backup_ref:
        backup = backups.completed(own, source, backup_ref)
        logs.append(f"Fetching from backup {backup.num} of service {source.num}")
    if disable_automations:
        disabled = sorted(
            part
            for kind, items in automations.items()
            for part in ([f"{kind}:{n}" for n in items] or [f"{kind} (all)"])
        )
        logs.append("Automations disabled: " + (", ".join(disabled) if disabled else "all"))
    logs.append("Anonymization completed")
    with own.store.atomic():
        job = jobs.create(
            own,
            principal,
            region,
            kind="anonymize",
            progression_kind="seed",
            title=f"Anonymize service {destination.num} (template {template.num})",
            service_id=destination.id,
            params={"logs": logs, "template_id": template.id, "source_service_id": source.id},
            results=logs[-1:],
        )
        own.record_event(
            principal.account.id,
            "anonymize_started",
            user=principal.user,
            ip=principal.ip,
            parameters={"job_id": job.num, "template_id": template.num, "destination_service_id": destination.num},
            service=destination,
            job=job,
        )
    return job


def _automations(params: Params) -> dict[str, list[str]]:
    """``automations_to_disable``: a JSON object of automation types to lists of names (S7's docstring), or type
    names alone (repeated keys, a comma list: what S7's ``requests`` sends for that dict, its keys), each meaning
    every automation of that type (as an empty list in the object does)."""
    field = "automations_to_disable"
    values = [v.strip() for v in params.getlist(field) if v.strip()]
    if not any(v.startswith("{") for v in values):
        return {kind: [] for kind in sorted(names(params, field))}
    raw = single(params, field) or ""
    try:
        loaded = parse_json(raw)
    except BadBody:
        raise bad_request('automations_to_disable must be a JSON object, e.g. {"ApexTrigger": ["Name"]}') from None
    ok = isinstance(loaded, dict) and all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v) for k, v in loaded.items()
    )
    if not ok:
        raise bad_request("automations_to_disable must map automation types to lists of names")
    return loaded  # type: ignore[no-any-return]


def anonymize_status(
    own: OwnService, principal: Principal, region: str, job_id: str, *, poll: bool = True
) -> dict[str, Any]:
    job = jobs.get(own, principal, region, job_id, poll=False)
    if job.kind != "anonymize":  # before counting the read: a refused request moves no other job on
        raise not_found(f"anonymize job {job_id} not found")
    job = jobs.settle(own, job, poll=poll)
    return status_json(own, job.num, job)

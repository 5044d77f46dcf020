"""Jobs (exports, GDPR requests, seeds, anonymizations): lazily progressing records; 100 means finished."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import progress
from .errors import not_found
from .models import Job, rkey
from .service import parse_id

if TYPE_CHECKING:
    from .service import OwnService, Principal


def create(
    own: OwnService,
    principal: Principal,
    region: str,
    *,
    kind: str,
    progression_kind: str,
    title: str,
    service_id: str | None,
    params: dict[str, Any],
    results: list[str] | None = None,
    failed: bool = False,
) -> Job:
    num = own.next_num(region, "job")
    job = Job(
        id=rkey(region, num),
        num=num,
        region=region,
        account_id=principal.account.id,
        user_id=principal.user.id,
        service_id=service_id,
        kind=kind,
        title=title,
        created_at=own.clock.now(),
        progress=own.new_progression(progression_kind),
        failed=failed,
        results=list(results or []),
        params=params,
    )
    _advance(own, job, poll=False)
    own.jobs.put(job)
    return job


def _advance(own: OwnService, job: Job, *, poll: bool) -> bool:
    """Bring `job` up to date with the clock, `poll` counting this read (``polls:N`` mode); whether it changed."""
    if job.completed_at is not None:
        return False
    if poll:
        progress.count_poll(job.progress)
    done = progress.finished_at(job.progress, job.created_at, own.clock.now())
    if done is not None:
        job.completed_at = done
    return poll or done is not None


def settle(own: OwnService, job: Job, *, poll: bool) -> Job:
    """The stored `job` brought up to date (`_advance`), as it is now (`progress.settle`)."""
    return progress.settle(own.store, own.jobs, job, lambda current: _advance(own, current, poll=poll))


def percent(own: OwnService, job: Job) -> int:
    if job.completed_at is not None:
        return 100
    return progress.percent(job.progress, job.created_at, own.clock.now())


def status(own: OwnService, job: Job) -> str:
    if job.completed_at is not None:
        return "FAILED" if job.failed else "COMPLETED"
    return "PENDING" if percent(own, job) == 0 else "IN_PROGRESS"


def completed_before(job: Job, instant: float) -> bool:
    return job.completed_at is not None and not job.failed and job.completed_at <= instant


def to_json(own: OwnService, job: Job, base: str) -> dict[str, Any]:
    results: list[str] = []
    if job.completed_at is not None:
        # a file is named after its object, whose name may hold `/`, `?`, `%`, `#` or spaces: quoted whole
        # (`a%2Fb.csv`), the file route reads it back decoded
        files = job.params.get("files", [])
        results = [f"{base}/api/v1/jobs/{job.num}/files/{quote(name, safe='')}" for name in files]
        results += job.results
    return {
        "id": job.num,
        "title": job.title,
        "status": status(own, job),
        "progress": percent(own, job),
        "results": results,
    }


def get(own: OwnService, principal: Principal, region: str, job_id: str, *, poll: bool = True) -> Job:
    num = parse_id(job_id, "job_id")
    job = own.jobs.get(rkey(region, num))
    if job is None or job.account_id != principal.account.id:
        raise not_found(f"job_id {job_id} not found")
    if not own.job_visible(principal, job):
        raise own.hidden(f"job_id {job_id}", "belongs to a service outside your Business Units")
    return settle(own, job, poll=poll)


def listing(own: OwnService, principal: Principal, region: str, *, poll: bool = True) -> list[Job]:
    with own.store.atomic():  # every job the listing polls, in one transaction
        found = [j for j in own.jobs.find("account_id", principal.account.id) if j.region == region]
        visible = [j for j in sorted(found, key=lambda j: j.num) if own.job_visible(principal, j)]
        return [settle(own, job, poll=poll) for job in visible]

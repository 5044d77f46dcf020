"""The `params` of each kind of Own job, as the code that starts the job writes them and the code that reads the job
assumes them: what a restored snapshot's job is checked against (a GDPR job without its ``record_id`` made every
read of its service's backups a 500, an export naming an object its backup lacks its file download one).

`check(kind, params)` (a `Job`'s own rule) is a `RowError` naming the key: one missing, one of the wrong type, one
the kind does not have, or an export's files that are not those of its objects in its format. `check_snapshot`
(across tables) refuses an export whose objects are not among its backup's, when the snapshot has that backup, or
whose `gdpr_jobs` are not GDPR jobs of its service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Annotated, Any, Literal

from ..fieldwise import Fieldwise
from ..store.decode import Refine, RowError, checked

# the kinds of job, each with the kind of its progression (`OwnService.new_progression`)
KINDS = ("export", "export_to_endpoint", "gdpr_rectify", "gdpr_forget", "seed", "anonymize")
FORMATS = ("csv", "sql")
SQL_DIALECTS = ("mysql", "oracle", "postgresql", "mssql")


def is_kind(value: str) -> None:
    """A `Refine` test: one of `KINDS`."""
    if value not in SHAPES:
        raise ValueError(value)


def _dialect(value: str | None) -> None:
    if value is not None and value not in SQL_DIALECTS:
        raise ValueError(value)


def _no_nul(value: str) -> None:
    """A rectified value goes into SQL exports as a string literal: PostgreSQL holds no NUL (U+0000) in one."""
    if "\0" in value:
        raise ValueError(value)


@dataclass(slots=True, repr=False, eq=False)
class _Export(Fieldwise):
    """`exports.export`: the files are those of the objects (`<object>.csv`) or the one SQL file."""

    backup_id: str
    format: Literal["csv", "sql"]
    dialect: Annotated[str | None, Refine(_dialect, "null or one of " + ", ".join(SQL_DIALECTS))]
    objects: list[str]
    files: list[str]
    include_attachments: bool
    # the GDPR jobs (`Job.id`) whose effects it applies: those completed when it started (`gdpr.completed`);
    # null in an export of a state from before they were recorded (read as that version did)
    gdpr_jobs: list[str] | None = None


@dataclass(slots=True, repr=False, eq=False)
class _ExportToEndpoint(Fieldwise):
    backup_id: str
    endpoint_id: str
    objects: list[str]


@dataclass(slots=True, repr=False, eq=False)
class _Forget(Fieldwise):
    record_id: str
    object: str
    comment: str


@dataclass(slots=True, repr=False, eq=False)
class _Rectify(Fieldwise):
    record_id: str
    object: str
    comment: str
    field: str
    value: Annotated[str, Refine(_no_nul, "text without a NUL character")]  # as `gdpr.request` takes it


@dataclass(slots=True, repr=False, eq=False)
class _Seed(Fieldwise):
    """`seeding.seed` and `seeding.anonymize`; jobs from before `source_service_id` was recorded have none."""

    logs: list[str]
    template_id: str
    source_service_id: str = ""


SHAPES: dict[str, type[Any]] = {
    "export": _Export,
    "export_to_endpoint": _ExportToEndpoint,
    "gdpr_forget": _Forget,
    "gdpr_rectify": _Rectify,
    "seed": _Seed,
    "anonymize": _Seed,
}
_KEYS = {kind: frozenset(f.name for f in fields(shape)) for kind, shape in SHAPES.items()}


def export_files(fmt: str, dialect: str | None, objects: list[str]) -> list[str]:
    """The files of an export: one CSV per object, or one SQL file."""
    return [f"{o}.csv" for o in objects] if fmt == "csv" else [f"export_{dialect}.sql"]


def check(kind: str, params: dict[str, Any]) -> None:
    """`params` as a job of `kind` has them (see the module), or a `RowError` whose path starts ``params``."""
    shape = SHAPES.get(kind)
    if shape is None:  # a restore refuses it first (`Job.kind`)
        raise RowError("kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    try:
        checked(shape, params)
    except RowError as exc:
        raise exc.within("params") from None
    extra = sorted(k for k in params if k not in _KEYS[kind])
    if extra:
        raise RowError(f"params.{extra[0]}", f"not a parameter of a job of kind {kind}")
    if kind == "export":
        fmt, dialect = params["format"], params["dialect"]
        if (fmt == "sql") != (dialect is not None):
            wanted = "one of " + ", ".join(SQL_DIALECTS) if fmt == "sql" else "null"
            raise RowError(
                "params.dialect",
                f"expected {wanted} for the {fmt} format, got {'null' if dialect is None else repr(dialect)}",
            )
        files = export_files(fmt, dialect, params["objects"])
        if params["files"] != files:
            raise RowError(
                "params.files", f"expected {files} (the files of its objects as {fmt}), got {params['files']}"
            )


def check_snapshot(tables: Mapping[str, list[Any]]) -> None:
    """Across a restored snapshot's tables: an export's (or an export to an endpoint's) objects are among its
    backup's, where the snapshot holds that backup (a job whose backup is gone answers 404 for it), and the GDPR
    jobs an export recorded are GDPR jobs of its service."""
    jobs = tables.get("own_jobs") or []
    if not jobs:
        return
    backups = {b.id: b for b in tables.get("own_backups") or []}
    by_id = {j.id: j for j in jobs}
    for index, job in enumerate(jobs):
        if job.kind not in ("export", "export_to_endpoint"):
            continue
        for i, key in enumerate(job.params.get("gdpr_jobs") or []):
            named = by_id.get(key)
            if named is None or named.kind not in ("gdpr_forget", "gdpr_rectify") or named.service_id != job.service_id:
                raise RowError(
                    f"own_jobs[{index}].params.gdpr_jobs[{i}]",
                    f"expected a GDPR job of service {job.service_id}, got {key!r}, which is not one",
                )
        backup = backups.get(job.params["backup_id"])
        if backup is None:
            continue
        held = {s["name"] for s in backup.snapshots}
        for i, obj in enumerate(job.params["objects"]):
            if obj not in held:
                raise RowError(
                    f"own_jobs[{index}].params.objects[{i}]",
                    f"expected an object of backup {backup.id}, got {obj!r}, which it does not hold",
                )

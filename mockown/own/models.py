"""Own state: accounts, users, API tokens, access tokens, services, backups, jobs, events, seeding.

Plain typed records in the store. Regional things (services, backups, jobs, seeds, templates) are keyed
``"<region>:<id>"`` because every region has its own id space; the number a client sees is `num`.
Bearer secrets (API tokens, access tokens, profile-page sessions) are stored only as their SHA-256 (`id`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from ..fieldwise import Fieldwise
from ..store import SNAPSHOT_CHECKS, SNAPSHOT_META, record
from ..store.base import Record
from ..store.decode import LOWER_CASE, Refine, RowError, between
from . import job_params
from .progress import Progression

# The most any Own number a client sees may be (a service's, backup's, job's, seed's, template's, account's, user's):
# the spec types a service_id as int32 (own-api.md §3), and a path id above it names nothing (`service.parse_id`).
# The seed (`own.seed._int`), a restore (`OwnNum`, `metakeys.sequence`) and the counters (`OwnService.next_num`)
# keep to it, so that every id listed can be addressed. Audit event ids are a sequence of their own, unbounded.
MAX_OWN_ID = 2**31 - 1
OwnNum = Annotated[int, Refine(between(1, MAX_OWN_ID), f"a whole number from 1 to {MAX_OWN_ID}")]
JOB_KIND = Refine(job_params.is_kind, "one of " + ", ".join(job_params.KINDS))
RECORDS_PER_OBJECT = 100_000  # the most records per object a service generates: the seed's and a restore's bound

REGIONS = (
    "app1", "useast2", "hipaa1", "hipaa4", "usgov2", "ca1", "ca4", "emea1", "emea2", "emea4", "uk1", "au1", "au4",
)  # fmt: skip
ROLES = ("master_admin", "admin", "user")


def object_name(value: str) -> None:
    """A `Refine` test: a service's object name is not a number. Salesforce API names begin with a letter, and a
    backup's objects are named in a download path by their name or their id (`backups.snapshot`): an object
    named ``2`` took over the links of the object whose id is 2."""
    if value.isascii() and value.isdigit():
        raise ValueError(value)


ObjectName = Annotated[str, Refine(object_name, "an object name that is not a number")]


def _one_of(choices: tuple[str, ...]) -> Refine:
    def test(value: str) -> None:
        if value not in choices:
            raise ValueError(value)

    return Refine(test, "one of " + ", ".join(choices))


# a restored row's region and role as the seed takes them: a service of region "mars" dropped out of its region's
# listing yet answered by id; a user of role "superuser" saw nothing
Region = Annotated[str, _one_of(REGIONS)]
Role = Annotated[str, _one_of(ROLES)]


def rkey(region: str, num: int) -> str:
    return f"{region}:{num}"


def _keyed(rec: Any, expected: str, made_of: str) -> None:
    """A row's key is the one its fields make, as the seed and the counters make it (`__post_init__`): every look-up
    builds the key from the number a path names, so a row keyed otherwise was listed under its `num` but reached
    under another (or not at all), and two rows of one number passed the one-key check (`app1:0300001`)."""
    if rec.id != expected:
        raise RowError("id", f"expected {expected!r}, the key its {made_of} make, got {rec.id!r}")


@record("own_accounts", indexes=("name",))
@dataclass(slots=True, repr=False, eq=False)
class OwnAccount(Record):
    """An Own account: whether API tokens are enabled, and its regions' endpoints."""

    id: str  # str(num)
    num: OwnNum
    name: str
    api_tokens_enabled: bool = True
    created_at: float = 0.0
    endpoints: list[dict[str, str]] = field(default_factory=list)  # export endpoints: {"id": uuid, "name", "type"}

    def __post_init__(self) -> None:
        _keyed(self, str(self.num), "num")


@record("own_users", indexes=("email", "account_id"), unique=("email",))
@dataclass(slots=True, repr=False, eq=False)
class OwnUser(Record):
    """A user of an Own account, with roles and Business Units."""

    id: str  # str(num)
    num: OwnNum
    account_id: str
    email: Annotated[str, LOWER_CASE]  # looked up lower-cased (`user_by_email`)
    password_hash: str
    salt: str
    name: str = ""
    role: Role = "user"  # master_admin | admin | user
    business_units: list[str] = field(default_factory=list)
    sso: bool = False
    active: bool = True

    def __post_init__(self) -> None:
        _keyed(self, str(self.num), "num")


@record("own_api_tokens", indexes=("user_id", "account_id"), unique=("user_id",))  # one per user: a restore checks
@dataclass(slots=True, repr=False, eq=False)
class ApiToken(Record):
    """A user's Own API token (one per user, in the user's account), stored by its hash."""

    id: str  # SHA-256 of the raw token
    user_id: str
    account_id: str
    created_at: float
    expires_at: float
    last_used_at: float | None = None
    hint: str = ""  # the last four characters, for the profile page


def _api_tokens_in_their_users_accounts(tables: dict[str, list[Any]]) -> None:
    """Across a restored snapshot: an API token is in its user's account (where the snapshot holds the user)."""
    users = {u.id: u for u in tables.get("own_users") or []}
    for index, token in enumerate(tables.get("own_api_tokens") or []):
        user = users.get(token.user_id)
        if user is not None and token.account_id != user.account_id:
            raise RowError(
                f"own_api_tokens[{index}].account_id",
                f"expected {user.account_id!r}, the account of user {user.id}, got {token.account_id!r}",
            )


SNAPSHOT_CHECKS.append(_api_tokens_in_their_users_accounts)


@record("own_access_tokens", indexes=("api_token_id", "user_id"))
@dataclass(slots=True, repr=False, eq=False)
class OwnAccessToken(Record):
    """An access token the Own auth host exchanged for an API token, stored by its hash."""

    id: str  # SHA-256 of the raw access token
    api_token_id: str
    user_id: str
    account_id: str
    issued_at: float
    expires_at: float
    usable_from: float  # the propagation delay: refused before this instant
    revoked: bool = False
    window_start: float = 0.0  # rate_limit_per_minute: the clock minute counted in window_calls
    window_calls: int = 0


@record("own_web_sessions", indexes=("user_id",))
@dataclass(slots=True, repr=False, eq=False)
class WebSession(Record):
    """A login on the Edit Profile page (cookie value stored hashed)."""

    id: str
    user_id: str
    expires_at: float


@record("own_legacy_sessions", indexes=("user_id",))
@dataclass(slots=True, repr=False, eq=False)
class LegacySession(Record):
    """A session of the legacy email/password API (``X-SESSION-ID``), stored hashed."""

    id: str
    user_id: str
    account_id: str
    expires_at: float


@record("own_services", indexes=("account_id", "region"))
@dataclass(slots=True, repr=False, eq=False)
class Service(Record):
    """A backed-up service (a Salesforce org) of an Own account in one region."""

    id: str  # "<region>:<num>"
    num: OwnNum
    region: Region
    account_id: str
    displayed_name: str
    org_id: str
    business_unit: str = ""
    secondary_name: str | None = None
    provider: str = "SaleForce Data"  # sic: the typo is in Own's own sample
    status: str = "ACTIVE"  # ACTIVE | ARCHIVED | DISABLED
    enabled: Annotated[int, Refine(between(0, 1), "0 or 1")] = 1  # as the seed takes it
    objects: list[ObjectName] = field(default_factory=lambda: ["accounts", "contacts", "opportunities"])
    # the records a first backup generates, per object: bounded as the seed bounds it
    records_per_object: Annotated[
        int, Refine(between(0, RECORDS_PER_OBJECT), f"a whole number from 0 to {RECORDS_PER_OBJECT}")
    ] = 8
    sandbox: bool = False  # seeding into production is limited to 10K records
    data_seed: str = ""  # what the deterministic records are generated from
    created_at: float = 0.0

    def __post_init__(self) -> None:
        _keyed(self, rkey(self.region, self.num), "region and num")

    @property
    def archived(self) -> bool:
        return self.status == "ARCHIVED"


@dataclass(slots=True, repr=False, eq=False)
class Snapshot(Fieldwise):
    """One object in one backup: record id -> version, and what changed since the previous backup."""

    name: ObjectName
    records: dict[str, int] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)
    next_index: int = 0  # the next record number this object's generator hands out

    def __post_init__(self) -> None:
        """What `data.next_snapshot` makes: every added and changed id is one of `records` (a download of the added
        or changed records reads each one's version there: a restored snapshot's stray id was a 500)."""
        records = self.records
        for name in ("added", "changed"):
            for rid in getattr(self, name):
                if rid not in records:
                    raise ValueError(f"{name}: expected ids of records, got {rid!r}, which is not one")

    def to_dict(self) -> dict[str, Any]:
        """`dataclasses.asdict(self)` without its recursion: every field is a string, a number, or a flat
        container of strings and numbers, so a copy of each container is the same deep copy."""
        return {
            "name": self.name,
            "records": dict(self.records),
            "added": list(self.added),
            "changed": list(self.changed),
            "removed": dict(self.removed),
            "next_index": self.next_index,
        }


@record("own_backups", indexes=("service_id",))
@dataclass(slots=True, repr=False, eq=False)
class Backup(Record):
    """A backup of a service and its progress."""

    id: str  # "<region>:<num>"
    num: OwnNum
    region: Region
    service_id: str  # Service.id
    trigger_type: str  # scheduled | manual
    started_at: float
    progress: Annotated[dict[str, Any], Progression]  # see progress.py
    completed_at: float | None = None
    status: str = "INPROGRESS"  # OK | INPROGRESS | WARNING | ERROR | FAILED
    snapshots: list[Annotated[dict[str, Any], Snapshot]] = field(default_factory=list)  # Snapshot as dicts
    num_api_calls: int = 0

    def __post_init__(self) -> None:
        _keyed(self, rkey(self.region, self.num), "region and num")


@record("own_jobs", indexes=("account_id", "region", "service_id"))
@dataclass(slots=True, repr=False, eq=False)
class Job(Record):
    """An Own job (backup, export, GDPR request, seeding) and its progress."""

    id: str  # "<region>:<num>"
    num: OwnNum
    region: Region
    account_id: str
    user_id: str
    service_id: str | None
    kind: Annotated[str, JOB_KIND]  # export | export_to_endpoint | gdpr_rectify | gdpr_forget | seed | anonymize
    title: str
    created_at: float
    progress: Annotated[dict[str, Any], Progression]
    completed_at: float | None = None
    failed: bool = False
    results: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)  # as its kind has them: job_params.py

    def __post_init__(self) -> None:
        """`params` as the code that starts a job of its kind writes them and what reads the job assumes: a
        restored GDPR job without its ``record_id`` made every read of its service's backups a 500."""
        _keyed(self, rkey(self.region, self.num), "region and num")
        job_params.check(self.kind, self.params)


SNAPSHOT_CHECKS.append(job_params.check_snapshot)


@record("own_templates", indexes=("account_id", "region"))
@dataclass(slots=True, repr=False, eq=False)
class SeedingTemplate(Record):
    """A sandbox seeding template of an Own account."""

    id: str  # "<region>:<num>"
    num: OwnNum
    region: Region
    account_id: str
    name: str
    source_service_id: str  # Service.id
    description: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0

    def __post_init__(self) -> None:
        _keyed(self, rkey(self.region, self.num), "region and num")


@record("own_seeds", indexes=("job_id",))
@dataclass(slots=True, repr=False, eq=False)
class Seed(Record):
    """A sandbox seeding run: its job, template and destination."""

    id: str  # "<region>:<num>"
    num: OwnNum
    region: Region
    job_id: str  # Job.id
    template_id: str
    destination_id: str  # Service.id

    def __post_init__(self) -> None:
        _keyed(self, rkey(self.region, self.num), "region and num")


@record("own_events", indexes=("account_id",))
@dataclass(slots=True, repr=False, eq=False)
class AuditEvent(Record):
    """An Own audit event, as the events API lists it."""

    id: str  # str(event_id)
    event_id: int
    account_id: str
    created_at: float
    key: str
    user_id: int | None = None
    user_email: str | None = None
    ip_address: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    service_id: int | None = None
    source: str = "api"  # api | web app
    service_key: str = ""  # Service.id ("<region>:<num>"): who may read it (Business Units); not shown
    job_key: str = ""  # Job.id of the job it names: then shown only to who may see that job; not shown

    def __post_init__(self) -> None:
        _keyed(self, str(self.event_id), "event_id")


# -- id counters ------------------------------------------------------------------------------------------------
# Each kind's numbers count up from a base (the last number handed out is meta `own.seq.<region>.<kind>` for the
# regional kinds, which every region counts on its own, `own.seq.<kind>` for the global ones; `OwnService.next_num`)
ID_BASES = {"service": 300000, "backup": 420000, "job": 70000, "seed": 9000, "template": 500}
GLOBAL_BASES = {"account": 1000, "user": 12344, "event": 42000}
_REGIONAL_TABLES = {"own_services": "service", "own_backups": "backup", "own_jobs": "job", "own_seeds": "seed",
                    "own_templates": "template"}  # fmt: skip
_GLOBAL_TABLES = {"own_accounts": "account", "own_users": "user", "own_events": "event"}


def regional_counter(region: str, kind: str) -> str:
    return f"own.seq.{region}.{kind}"


def global_counter(kind: str) -> str:
    return f"own.seq.{kind}"


def _counters_past_their_rows(tables: dict[str, list[Any]], meta: dict[str, Any]) -> None:
    """A restored counter (or one the snapshot leaves out: its kind's base) is lifted to the highest number its
    rows hold: behind them, the next backup, job or event took a number a row had, and its `put` replaced that row
    (another service's backup, the audit history). A snapshot the server took holds none behind."""
    highest: dict[tuple[str, int], int] = {}
    for table, kind in _REGIONAL_TABLES.items():
        for rec in tables.get(table) or []:
            name = regional_counter(rec.region, kind)
            highest[(name, ID_BASES[kind])] = max(highest.get((name, ID_BASES[kind]), 0), rec.num)
    for table, kind in _GLOBAL_TABLES.items():
        for rec in tables.get(table) or []:
            num = rec.event_id if kind == "event" else rec.num
            name = global_counter(kind)
            highest[(name, GLOBAL_BASES[kind])] = max(highest.get((name, GLOBAL_BASES[kind]), 0), num)
    for (name, base), num in highest.items():
        if num > (meta.get(name) or base):
            meta[name] = num


SNAPSHOT_META.append(_counters_past_their_rows)

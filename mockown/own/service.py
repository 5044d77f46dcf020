"""`OwnService`: the Own API's rules over the store, on the app's clock. Plain Python, no HTTP.

It owns the tables, the per-region id counters, the audit log, role / Business-Unit scoping and the
progression settings, and exposes the API-token actions the control plane and the pytest plugin call
(`generate_api_token`, `revoke_api_token`, ...). Resource rules live in the sibling modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import security
from ..clock import iso, parse_duration
from ..config import ConfigError
from ..fieldwise import Value
from ..store import Table
from . import progress
from .errors import OwnError, bad_request, forbidden, not_found
from .models import (
    GLOBAL_BASES,
    ID_BASES,
    MAX_OWN_ID,
    ApiToken,
    AuditEvent,
    Backup,
    Job,
    LegacySession,
    OwnAccessToken,
    OwnAccount,
    OwnUser,
    Seed,
    SeedingTemplate,
    Service,
    WebSession,
    global_counter,
    regional_counter,
    rkey,
)

if TYPE_CHECKING:
    from ..runtime import Runtime

_MODES = "own.progression"
# the rows each counter numbers (`next_num`, `next_global`)
_REGIONAL_KINDS: dict[str, type[Any]] = {
    "service": Service, "backup": Backup, "job": Job, "seed": Seed, "template": SeedingTemplate,
}  # fmt: skip
_GLOBAL_KINDS: dict[str, type[Any]] = {"account": OwnAccount, "user": OwnUser, "event": AuditEvent}


@dataclass(frozen=True, repr=False, eq=False)
class Principal(Value):
    """Who a request acts as: the user behind a live access token."""

    user: OwnUser
    account: OwnAccount
    ip: str | None = None

    @property
    def master(self) -> bool:
        return self.user.role == "master_admin"


class OwnService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.clock = runtime.clock
        self.store = runtime.store
        self.settings = runtime.config.own
        s = self.settings  # its values are checked with the rest of the config (`config._check_own`)
        try:
            self.api_token_ttl = parse_duration(s.api_token_ttl)
        except ValueError as exc:
            raise ConfigError(f"own.api_token_ttl: {exc}") from None
        # progression per kind from the config; set_progression() overrides it in the store (a reset clears it)
        self._configured_modes: dict[str, str] = {}
        for kind in progress.KINDS:
            text = getattr(s, f"{kind}_mode") or s.job_mode
            progress.parse(text)  # validate now, not on first use
            self._configured_modes[kind] = text

    # tables ------------------------------------------------------------------------------------------
    @property
    def accounts(self) -> Table[OwnAccount]:
        return self.store.table(OwnAccount)

    @property
    def users(self) -> Table[OwnUser]:
        return self.store.table(OwnUser)

    @property
    def api_tokens(self) -> Table[ApiToken]:
        return self.store.table(ApiToken)

    @property
    def access_tokens(self) -> Table[OwnAccessToken]:
        return self.store.table(OwnAccessToken)

    @property
    def web_sessions(self) -> Table[WebSession]:
        return self.store.table(WebSession)

    @property
    def legacy_sessions(self) -> Table[LegacySession]:
        return self.store.table(LegacySession)

    @property
    def services(self) -> Table[Service]:
        return self.store.table(Service)

    @property
    def backups(self) -> Table[Backup]:
        return self.store.table(Backup)

    @property
    def jobs(self) -> Table[Job]:
        return self.store.table(Job)

    @property
    def templates(self) -> Table[SeedingTemplate]:
        return self.store.table(SeedingTemplate)

    @property
    def seeds(self) -> Table[Seed]:
        return self.store.table(Seed)

    @property
    def events(self) -> Table[AuditEvent]:
        return self.store.table(AuditEvent)

    # ids ---------------------------------------------------------------------------------------------
    def next_num(self, region: str, kind: str) -> int:
        """The next number in a region's id space for `kind` (services, backups, jobs, ...): past any a row has
        (a counter behind its rows, as a hand-edited state file holds, handed out numbers whose `put` replaced
        another row; a restore lifts the counters it restores)."""
        table: Table[Any] = self.store.table(_REGIONAL_KINDS[kind])
        return self._next(
            regional_counter(region, kind), ID_BASES[kind], MAX_OWN_ID, f"{kind} in {region}",
            lambda n: table.get(rkey(region, n)),
        )  # fmt: skip

    def bump_num(self, region: str, kind: str, used: int) -> None:
        """Make sure later numbers of `kind` come after `used` (seeded ids)."""
        self._bump(regional_counter(region, kind), ID_BASES[kind], used)

    def bump_global(self, kind: str, used: int) -> None:
        self._bump(global_counter(kind), 0, used)

    def next_global(self, kind: str, *, limit: int | None = MAX_OWN_ID) -> int:
        """The next account, user (or, with no `limit`, audit event) number: past any a row has (as `next_num`)."""
        table: Table[Any] = self.store.table(_GLOBAL_KINDS[kind])
        return self._next(global_counter(kind), GLOBAL_BASES[kind], limit, kind, lambda n: table.get(str(n)))

    def _next(self, name: str, base: int, limit: int | None, what: str, row: Callable[[int], object]) -> int:
        """The number after counter `name` (`base` before the first) that no row has (`row(n)`: the row of number
        `n`, or None). Past `limit` (a seeded id near it moved the counter there) a 409 and nothing handed out: a
        larger id would be listed but never addressable."""
        with self.store.atomic():
            current = int(self.store.get_meta(name) or base) + 1
            while row(current) is not None:
                current += 1
            if limit is not None and current > limit:
                raise OwnError(409, f"no {what} id is left: Own ids stop at {limit}", code="ids_used_up")
            self.store.set_meta(name, current)
        return current

    def _bump(self, name: str, base: int, used: int) -> None:
        with self.store.atomic():
            current = self.store.get_meta(name) or base
            if used > current:
                self.store.set_meta(name, used)

    # progression -------------------------------------------------------------------------------------
    @property
    def modes(self) -> dict[str, str]:
        """How new things of each kind progress now: ``{"backup": "polls:3", "export": "immediate", ...}``."""
        overrides = self.store.get_meta(_MODES) or {}
        return {kind: str(overrides.get(kind) or text) for kind, text in self._configured_modes.items()}

    def new_progression(self, kind: str) -> dict[str, Any]:
        return progress.parse(self.modes[kind])

    def set_progression(self, kind: str, mode: str | None) -> None:
        """Change how new `kind` things (backup, export, gdpr, seed) progress: immediate | seconds:N | polls:N.

        ``None`` returns to the configured mode. Things already started keep the progression they started with.
        """
        if kind not in progress.KINDS:
            raise ConfigError(f"progression kind must be one of {', '.join(progress.KINDS)}")
        if mode is not None:
            progress.parse(mode)
        with self.store.atomic():
            overrides = dict(self.store.get_meta(_MODES) or {})
            if mode is None:
                overrides.pop(kind, None)
            else:
                overrides[kind] = mode
            self.store.set_meta(_MODES, overrides)

    # API tokens (the real service has no public API for these: the profile page and control plane call them)
    def generate_api_token(
        self, user_id: str | int, password: str | None = None, *, ip: str | None = None, source: str = "web app"
    ) -> str:
        """Generate the user's API token and return it (the only time the raw value exists).

        Raises `TokenError` (an `OwnError` with `.code`): ``token_exists`` (409, when `token_conflict` is
        ``refuse``), ``api_tokens_disabled`` (403), ``password_required`` / ``bad_password`` (401; SSO users
        must confirm their password), ``unknown_user`` (404), ``inactive_user`` (403).
        """
        from . import tokens

        return tokens.generate(self, user_id, password, ip=ip, source=source)

    def revoke_api_token(self, user_id: str | int, *, ip: str | None = None, source: str = "web app") -> None:
        """Revoke the user's API token in every region at once (``no_token`` 404 when there is none)."""
        from . import tokens

        tokens.revoke(self, user_id, ip=ip, source=source)

    def api_token_info(self, user_id: str | int) -> dict[str, Any] | None:
        """``{"created_at", "expires_at", "last_used_at", "hint"}`` of the user's live API token, or None."""
        from . import tokens

        return tokens.info(self, user_id)

    def set_api_tokens_enabled(self, account_id: str | int, enabled: bool) -> None:
        """Support's switch: with API tokens disabled nothing can be generated or exchanged, and access stops."""
        with self.store.atomic():
            account = self.account(str(account_id))
            account.api_tokens_enabled = enabled
            self.accounts.put(account)

    def authenticate(
        self, authorization: str | None, *, ip: str | None = None, session_id: str | None = None
    ) -> Principal:
        from . import tokens

        return tokens.authenticate(self, authorization, ip=ip, session_id=session_id)

    def reset_account(self, account_id: str | int) -> dict[str, Any]:
        """Remove everything of one Own account (users, tokens, services, backups, jobs, events, e-mails).

        The control plane's ``/_mockown/reset`` with ``account`` calls this; other accounts are untouched.
        Raises `OwnError` 404 for an unknown account.
        """
        from ..outbox import Email

        key = str(account_id)
        if self.accounts.get(key) is None:
            raise not_found(f"account {key} not found")
        removed: dict[str, int] = {}

        def drop(table: Table[Any], rows: list[Any], name: str) -> None:
            for row in rows:
                table.delete(row.id)
            if rows:
                removed[name] = removed.get(name, 0) + len(rows)

        with self.store.atomic():
            users = self.users.find("account_id", key)
            user_ids = {u.id for u in users}
            services = self.services.find("account_id", key)
            drop(self.web_sessions, [w for w in self.web_sessions.all() if w.user_id in user_ids], "own_web_sessions")
            drop(
                self.legacy_sessions,
                [x for x in self.legacy_sessions.all() if x.account_id == key],
                "own_legacy_sessions",
            )
            drop(self.access_tokens, [a for a in self.access_tokens.all() if a.account_id == key], "own_access_tokens")
            drop(self.api_tokens, self.api_tokens.find("account_id", key), "own_api_tokens")
            for service in services:
                drop(self.backups, self.backups.find("service_id", service.id), "own_backups")
            jobs = self.jobs.find("account_id", key)
            job_ids = {j.id for j in jobs}
            drop(self.seeds, [x for x in self.seeds.all() if x.job_id in job_ids], "own_seeds")
            drop(self.jobs, jobs, "own_jobs")
            drop(self.templates, self.templates.find("account_id", key), "own_templates")
            drop(self.services, services, "own_services")
            drop(self.events, self.events.find("account_id", key), "own_events")
            drop(self.store.table(Email), self.store.table(Email).find("account_id", key), "outbox")
            drop(self.users, users, "own_users")
            self.accounts.delete(key)
            removed["own_accounts"] = 1
        return {"removed": removed}

    # users -------------------------------------------------------------------------------------------
    def user(self, user_id: str | int) -> OwnUser | None:
        return self.users.get(str(user_id))

    def user_by_email(self, email: str | None) -> OwnUser | None:
        if not email:
            return None
        return self.users.first("email", email.strip().lower())

    def account(self, account_id: str) -> OwnAccount:
        account = self.accounts.get(account_id)
        if account is None:  # users always point at a live account; a reset removes both together
            raise not_found(f"account {account_id} not found")
        return account

    def check_password(self, user: OwnUser, password: str | None) -> bool:
        if password is None:
            return False
        return security.equal(security.password_hash(password, user.salt), user.password_hash)

    # audit log ---------------------------------------------------------------------------------------
    def record_event(
        self,
        account_id: str,
        key: str,
        *,
        user: OwnUser | None = None,
        ip: str | None = None,
        parameters: dict[str, Any] | None = None,
        service: Service | None = None,
        source: str = "api",
        job: Job | None = None,
    ) -> AuditEvent:
        num = self.next_global("event", limit=None)  # event ids are unbounded (`_event_id`)
        event = AuditEvent(
            id=str(num),
            event_id=num,
            account_id=account_id,
            created_at=self.clock.now(),
            key=key,
            user_id=user.num if user else None,
            user_email=user.email if user else None,
            ip_address=ip,
            parameters=dict(parameters or {}),
            service_id=service.num if service else None,
            source=source,
            service_key=service.id if service else "",
            job_key=job.id if job else "",
        )
        self.events.put(event)
        return event

    def events_page(self, principal: Principal, after: str | None) -> list[dict[str, Any]]:
        """The account's events after the ``from`` event_id (none or blank: from the first), one page."""
        start = _event_id(after)
        if principal.user.role not in ("master_admin", "admin"):
            raise forbidden("the account event history needs the admin or master_admin role")
        rows = [
            e
            for e in self.events.find("account_id", principal.account.id)
            if (start is None or e.event_id > start) and self._event_visible(principal, e)
        ]
        rows.sort(key=lambda e: e.event_id)
        return [event_json(e) for e in rows[: self.settings.events_page_size]]

    def _event_visible(self, principal: Principal, event: AuditEvent) -> bool:
        """Business Units scope the audit log as they scope services: an event about a service is shown only to
        those who may reach that service (master_admin: all); account-wide events (tokens, logins) to every admin.
        An event naming a service but not its region (a state file of an earlier version) is master_admin's only.
        An event about a job (export, GDPR request, seed, anonymization) is shown only to those who may see that
        job: a seed's source service must be theirs too, else its seed_id would name what its poll hides."""
        if event.service_id is None or principal.master:
            return True
        service = self.services.get(event.service_key) if event.service_key else None
        if service is None or not self.can_reach(principal, service):
            return False
        job = self.jobs.get(event.job_key) if event.job_key else None
        return job is None or self.job_visible(principal, job)

    # scoping -----------------------------------------------------------------------------------------
    def can_reach(self, principal: Principal, service: Service) -> bool:
        if service.account_id != principal.account.id:
            return False
        return principal.master or service.business_unit in principal.user.business_units

    def job_visible(self, principal: Principal, job: Job) -> bool:
        """The job's service must be the user's; a seed's or anonymization's source too (its logs name the source
        service, its backup, objects and counts: a template is hidden likewise when its source is out of reach)."""
        if job.account_id != principal.account.id:
            return False
        for key in (job.service_id, job.params.get("source_service_id")):
            if key is None:
                continue
            service = self.services.get(key)
            if service is None or not self.can_reach(principal, service):
                return False
        return True

    def reachable_services(self, principal: Principal, region: str) -> list[Service]:
        found = [s for s in self.services.find("account_id", principal.account.id) if s.region == region]
        return sorted((s for s in found if self.can_reach(principal, s)), key=lambda s: s.num)

    def service_for(self, principal: Principal, region: str, service_id: str, *, write: bool = False) -> Service:
        """The service `service_id` in `region` if the principal may use it: 404 unknown, 403 outside its BUs."""
        num = parse_id(service_id, "service_id")
        service = self.services.get(rkey(region, num))
        if service is None or service.account_id != principal.account.id:
            raise not_found(f"service_id {service_id} not found")
        if not self.can_reach(principal, service):
            raise self.hidden(f"service_id {service_id}", "is outside your Business Units")
        if write:
            self.require_write(principal)
        return service

    def hidden(self, named: str, reason: str) -> OwnError:
        """The refusal of what `named` (e.g. ``job_id 7``) names when it is outside the user's Business Units:
        with ``hidden_service_status`` 404 the answer of a thing that does not exist (nothing is revealed),
        else 403 ``<named> <reason>``."""
        if self.settings.hidden_service_status == 404:
            return not_found(f"{named} not found")
        return forbidden(f"{named} {reason}")

    def require_write(self, principal: Principal) -> None:
        if principal.user.role == "user":
            raise forbidden("your role (user) may read but not start backups, exports, GDPR requests or seeds")


def _event_id(raw: str | None) -> int | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if not (text.isascii() and text.isdigit()):
        raise bad_request("from must be an event_id (a positive integer)")
    digits = text.lstrip("0") or "0"
    # any length is an event id: one of more than 18 digits is past the newest (spec U17: an empty page), and is
    # never handed to int() (its 4,300-digit limit would raise)
    return int(digits) if len(digits) <= 18 else 10**18


def parse_id(value: str | int, field: str) -> int:
    """A numeric id from a path, exactly (no padding): anything else names nothing, so it is a 404. Exactly is
    its decimal form: `0300001` is no more service 300001 than ` 300001` is. Above `MAX_OWN_ID` nothing exists
    (the seed, a restore and the counters keep below it): a 404 too, its digits never handed to int()."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_OWN_ID)) or (text[0] == "0" and text != "0"):
        raise not_found(f"{field} {text} not found")
    num = int(text)
    if num > MAX_OWN_ID:
        raise not_found(f"{field} {text} not found")
    return num


def event_json(event: AuditEvent) -> dict[str, Any]:
    return {
        "created_at": iso(event.created_at),
        "event_id": event.event_id,
        "ip_address": event.ip_address,
        "key": event.key,
        "parameters": event.parameters,
        "service_id": event.service_id,
        "source": event.source,
        "user_email": event.user_email,
        "user_id": event.user_id,
    }

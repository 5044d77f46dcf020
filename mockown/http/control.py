"""The control plane under `/_mockown/`: health and liveness, reset, seed, snapshot/restore, clock, outbox, journal,
faults, signing-key rotation.

Everything a test can do in-process it can do here over HTTP, against a server in another process. The
`ControlGuard` middleware protects every path under `/_mockown/` (also the routes other APIs add there) but the
liveness probe (`GET /_mockown/live`, which says only that the server answers):
with an admin token configured, requests need `Authorization: Bearer <token>` (compared in constant time;
the dashboard also takes it as the password of HTTP Basic, so a browser can log in); without one, the
control plane only answers when the server listens on loopback, and only requests that came in on a loopback
address (or a name), unless `insecure_control_plane` is set.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import ids, security
from ..clock import check_clock, iso, parse_duration, parse_instant
from ..errors import ControlError, MockownError, brief, control_dialect
from ..store import RECORD_TYPES, RecordMeta, RowError, meta_of
from .api import Api, runtime_of
from .api import same_origin as api_same_origin
from .faults import FaultError, Faults
from .forms import BadBody, json_loads, media_type, no_lone_surrogates, parse_json, read_body, read_params
from .headers import header_index, host_name
from .journal import CONTROL_PREFIX, Journal, JournalFilter, whole_number
from .routing import Route, lazy_endpoint, route_path

if TYPE_CHECKING:
    from ..clock import Clock
    from ..config import Config
    from ..runtime import Runtime

SNAPSHOT_FORMAT = "mockown-snapshot"
BIG_BODY = 64 * 1024 * 1024  # seed documents and snapshots may be larger than API requests


class ControlState:
    """What the control plane keeps outside the store: the journal, fault rules, the clock's start."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.journal = Journal(runtime.config.journal_size)
        self.faults = Faults(runtime)
        clock = runtime.clock
        self._clock_start = {"frozen": clock.frozen, "now": clock.now(), "offset": clock.offset}
        store = runtime.store
        if store.kind == "sqlite":  # one start per state file, kept in it: every process and every restart reset to it
            from ..store.sqlite import SqliteStore

            assert isinstance(store, SqliteStore)
            with store.atomic():
                if not isinstance(store.read_state("clock_start"), dict):
                    store.write_state("clock_start", self._clock_start)

    def clock_start(self) -> dict[str, Any]:
        """Where a reset puts the clock: where it was when the state (this app's, or its state file) began."""
        store = self.runtime.store
        if store.kind == "sqlite":
            from ..store.sqlite import SqliteStore

            assert isinstance(store, SqliteStore)
            kept = store.read_state("clock_start")
            if isinstance(kept, dict):
                return kept
        return self._clock_start

    def reset_clock(self) -> None:
        start = self.clock_start()
        frozen, now, offset = bool(start.get("frozen")), start.get("now"), start.get("offset")
        self.runtime.clock.restore(
            frozen=frozen, now=float(now) if now is not None else None, offset=float(offset or 0.0)
        )


# -- helpers -------------------------------------------------------------------------------------------
def bad(message: str, status: int = 400, error: str = "invalid_request") -> ControlError:
    return ControlError(status, error, message)


class FormFields(dict[str, Any]):
    """A body read from a flat form: every value is text, so a boolean field takes the words `true` and `false`
    (`_flag`), which a JSON body must send as JSON booleans."""


async def json_body(request: Request, limit: int | None = None) -> dict[str, Any]:
    """The body as an object: JSON (default), or a flat form, urlencoded or multipart (`advance=181d`: `FormFields`,
    read as every API reads one, `forms.read_params`; a field given twice is a list, which no field takes). Empty
    means `{}`."""
    limit = limit or runtime_of(request).config.max_body_bytes
    raw = await read_body(request, limit)
    if not raw.strip():
        return {}
    kind = media_type(request)
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            return FormFields((await read_params(request, limit)).to_dict())
        except BadBody as exc:
            if exc.status != 400:
                raise
            raise bad(f"malformed form body: {exc}") from None
    try:
        data = parse_json(raw)
    except BadBody as exc:
        raise bad(str(exc)) from None
    if not isinstance(data, dict):
        raise bad("the body must be a JSON object")
    return data


def ok(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _flag(body: dict[str, Any], name: str, default: bool) -> bool:
    """The boolean field `name` of `body` (`default` when absent): a JSON boolean, or in a form body
    (`FormFields`) the words a form sends for one, `true` and `false`; anything else (the JSON string "false"
    too) is a 400 naming the field."""
    value = body.get(name, default)
    if isinstance(value, bool):
        return value
    if isinstance(body, FormFields) and value in ("true", "false"):
        return bool(value == "true")
    if isinstance(body, FormFields):
        raise bad(f"{name} must be true or false, not {brief(value)}")
    raise bad(f"{name} must be a JSON boolean, true or false, not {brief(value)}")


def org_id_of(value: Any) -> str:
    try:
        return ids.to18(str(value))
    except ValueError:
        raise bad(f"not a Salesforce org id: {value!r}") from None


# -- health --------------------------------------------------------------------------------------------
LIVE = CONTROL_PREFIX + "/live"  # the liveness probe: answered without the admin token (`ControlGuard`)


async def live(request: Request) -> Response:
    """Whether the server answers, and nothing else: what a health check (the Docker image's, a load balancer's)
    needs, without the admin token a locked control plane asks for. It says no more than any emulated API does
    to anyone (`/services/data` answers without credentials) and is neither journaled nor faulted."""
    return ok({"status": "ok"})


async def health(request: Request) -> Response:
    from .. import __version__

    runtime = runtime_of(request)
    return ok({"status": "ok", "version": __version__, "store": runtime.store.kind, "clock": runtime.clock.state()})


# -- reset ---------------------------------------------------------------------------------------------
def reset_all(runtime: Runtime, *, seed: bool = True, clock: bool = True) -> dict[str, Any]:
    """Everything back to the start: the store cleared and re-seeded from the seed file, the clock at its start,
    the journal and the fault rules cleared. All or nothing: a seed file that cannot be used any more (edited,
    deleted since the start) raises `SeedError` naming it (`reset_request`'s 409, the dashboard's notice), and
    nothing has changed."""
    from ..config import ConfigError
    from ..seed import SeedError, default_fixtures, read_document, seed_document
    from ..store.memory import MemoryStore

    control, store = runtime.control, runtime.store
    path = runtime.config.seed or default_fixtures()
    document = None
    try:
        if seed and runtime.config.seed_defaults:
            document = read_document(path)  # read and parsed before anything changes
        clock_before = (runtime.clock.frozen, runtime.clock.now(), runtime.clock.offset)
        memory = store if isinstance(store, MemoryStore) else None
        undo = memory.freeze() if memory is not None and document is not None else None
        try:
            with store.all_or_nothing():  # SQLite: one transaction; the memory store's clear() it cannot undo
                store.clear()
                if clock:
                    control.reset_clock()  # before seeding: the seed's rows are stamped with the clock
                seeded = seed_document(runtime, document) if document is not None else {}
        except (SeedError, ConfigError):
            if memory is not None and undo is not None:
                memory.thaw(undo)
            frozen, now, offset = clock_before
            runtime.clock.restore(frozen=frozen, now=now, offset=offset)
            raise
    except (SeedError, ConfigError) as exc:
        text = str(exc) if str(path) in str(exc) else f"seed file {path}: {exc}"
        raise SeedError(f"{text}; nothing was reset") from exc
    runtime.end_browser_sessions()
    control.journal.clear()
    control.faults.clear()
    return {"reset": "all", "seeded": seeded}


@functools.lru_cache(maxsize=8)
def _org_tables(registered: tuple[RecordMeta, ...]) -> tuple[RecordMeta, ...]:
    """Of the `registered` record types (`RECORD_TYPES`' values), the tables an org's rows live in: Salesforce's
    own tables (other APIs may point at an org too, e.g. the Own service backing it up) and the outbox."""
    from ..outbox import Email

    return tuple(m for m in registered if m.table.startswith("sf_") or m.cls is Email)


def reset_org(runtime: Runtime, org_id: str, *, delete: bool = False) -> dict[str, Any]:
    """Return an org to its seeded state (codes, tokens, usage, lockouts gone) or, with `delete`, remove it."""
    from ..outbox import Email
    from ..salesforce import api_limit
    from ..salesforce.models import UNLOCKED, ConnectedApp, Org, Registration, User

    service = runtime.salesforce
    removed: dict[str, int] = {}
    with runtime.store.atomic():
        org = service.orgs.get(org_id)
        if org is None:
            raise bad(f"no such org: {org_id}", 404, "not_found")
        keep = (Org,) if delete else (Org, User, ConnectedApp, Registration)  # an app kept keeps its registration
        app_ids = {app.id for app in service.apps.find("org_id", org_id)}  # before the loop deletes them
        for meta in _org_tables(tuple(RECORD_TYPES.values())):
            if meta.cls in keep:
                continue
            field_name = "account_id" if meta.cls is Email else "org_id"
            table = runtime.store.table(meta.cls)
            if meta.cls is Registration:  # no org of its own: that of the app it made, or of the app that made it
                rows = [r for r in table.all() if r.app_id in app_ids or r.registering_app_id in app_ids]
            elif field_name in meta.indexes:  # the org's rows straight from the index
                rows = table.find(field_name, org_id)
            else:
                rows = [rec for rec in table.all() if getattr(rec, field_name, None) == org_id]
            for rec in rows:
                table.delete(getattr(rec, meta.key))
            if rows:
                removed[meta.table] = removed.get(meta.table, 0) + len(rows)
        if delete:
            service.orgs.delete(org_id)
            removed[meta_of(Org).table] = 1
        else:
            for user in service.users.find("org_id", org_id):
                if user.failed_logins or user.locked_until != UNLOCKED:
                    user.failed_logins, user.locked_until = 0, UNLOCKED
                    service.users.put(user)
            api_limit.reset(org)
            service.orgs.put(org)
    return {"reset": "org", "org": org_id, "deleted": delete, "removed": removed}


def reset_account(runtime: Runtime, account_id: str) -> dict[str, Any]:
    """An Own account: through the Own API's own `reset_account` when it has one, else its records go."""
    if getattr(type(runtime), "own", None) is None:
        raise bad("the Own API is not part of this server", 404, "not_found")
    hook = getattr(cast(Any, runtime).own, "reset_account", None)
    if callable(hook):
        try:
            result = hook(account_id)
        except MockownError as exc:  # the Own API's 404 in its own words: the control plane's here
            if exc.status == 404:
                raise bad(f"no such account: {account_id}", 404, "not_found") from None
            raise
        return {"reset": "account", "account": account_id, **(result if isinstance(result, dict) else {})}
    removed: dict[str, int] = {}
    with runtime.store.atomic():
        for meta in list(RECORD_TYPES.values()):
            table = runtime.store.table(meta.cls)
            for rec in table.all():
                if getattr(rec, "account_id", None) == account_id:
                    table.delete(getattr(rec, meta.key))
                    removed[meta.table] = removed.get(meta.table, 0) + 1
    if not removed:
        raise bad(f"no such account: {account_id}", 404, "not_found")
    return {"reset": "account", "account": account_id, "removed": removed}


def _remove_marketing_tenant(runtime: Runtime, key: str) -> dict[str, int] | None:
    return runtime.marketing.remove_tenant(key)


def _remove_am_client(runtime: Runtime, key: str) -> dict[str, int] | None:
    return runtime.b2c.am.remove_client(key)


def _remove_am_user(runtime: Runtime, key: str) -> dict[str, int] | None:
    return runtime.b2c.am.remove_user(key)


def _remove_b2c_instance(runtime: Runtime, key: str) -> dict[str, int] | None:
    return runtime.b2c.remove_instance(key)


def _remove_slas_tenant(runtime: Runtime, key: str) -> dict[str, int] | None:
    return runtime.b2c.slas.remove_tenant(key)


# The seeded units of the other APIs a reset removes, named as the seed's answer names them: the selector, the
# Runtime service it needs, what it is (for a 404), and its removal (rows removed per table, None: unknown).
UNIT_SELECTORS: dict[str, tuple[str, str, Callable[[Runtime, str], dict[str, int] | None]]] = {
    "marketing_tenant": ("marketing", "Marketing Cloud tenant", _remove_marketing_tenant),
    "am_client": ("b2c", "Account Manager client", _remove_am_client),
    "am_user": ("b2c", "Account Manager user", _remove_am_user),
    "b2c_instance": ("b2c", "B2C instance", _remove_b2c_instance),
    "slas_tenant": ("b2c", "SLAS tenant", _remove_slas_tenant),
}


def reset_unit(runtime: Runtime, selector: str, key: str) -> dict[str, Any]:
    """Remove one seeded unit of another API (`UNIT_SELECTORS`) and everything issued under it."""
    service, noun, remove = UNIT_SELECTORS[selector]
    if getattr(type(runtime), service, None) is None:
        raise bad(f"no such {noun}: {key} (this server has no {service} API)", 404, "not_found")
    removed = remove(runtime, key) if key else None
    if removed is None:
        raise bad(f"no such {noun}: {key}", 404, "not_found")
    return {"reset": selector, selector: key, "deleted": True, "removed": removed}


def reset_request(runtime: Runtime, body: dict[str, Any]) -> dict[str, Any]:
    """`POST /_mockown/reset` for its parsed body: the answer, or the `ControlError` it answers with (also
    called straight by the in-process control client, `testing.control.ControlClient`)."""
    known = {"org", "account", "delete", "seed", "clock", *UNIT_SELECTORS}
    unknown = sorted(set(body) - known)
    if unknown:
        raise bad(f"unknown reset field {unknown[0]!r} (known: {', '.join(sorted(known))})")
    selectors = ("org", "account", *UNIT_SELECTORS)
    empty = [name for name in selectors if name in body and (body[name] is None or not str(body[name]).strip())]
    if empty:  # not a full reset: on a shared server that would wipe every other test's data
        raise bad(f"reset field {empty[0]!r} needs a value (leave it out to reset everything)")
    chosen = [name for name in selectors if name in body]
    if len(chosen) > 1:
        raise bad(f"reset one thing at a time ({' or '.join(chosen)}), not several")
    flags = {"delete": ["org"], "seed": [], "clock": []}  # the selectors each flag goes with ([]: a full reset)
    for flag, owners in flags.items():
        if flag in body and chosen[:1] != owners[:1]:
            goes_with = f"goes with {owners[0]}" if owners else "is for a full reset (no org, account or unit)"
            raise bad(f"reset field {flag!r} {goes_with}")
    if "org" in chosen:
        return reset_org(runtime, org_id_of(body["org"]), delete=_flag(body, "delete", False))
    if "account" in chosen:
        return reset_account(runtime, str(body["account"]))
    if chosen:
        return reset_unit(runtime, chosen[0], str(body[chosen[0]]))
    from ..seed import SeedError

    seed, clock = _flag(body, "seed", True), _flag(body, "clock", True)
    try:
        return reset_all(runtime, seed=seed, clock=clock)
    except SeedError as exc:  # 409, not 400: the request is fine, the server's seed file is not (fix it, or seed false)
        raise bad(str(exc), 409, "invalid_seed") from None


async def reset(request: Request) -> Response:
    return ok(reset_request(runtime_of(request), await json_body(request)))


# -- seed ----------------------------------------------------------------------------------------------
async def seed(request: Request) -> Response:
    import yaml

    from ..seed import yaml_loader

    runtime = runtime_of(request)
    raw = await read_body(request, BIG_BODY)
    document: Any = None
    if raw.strip():
        try:
            text = raw.decode("utf-8")
            try:  # most clients send JSON: its parser is ~50x faster than PyYAML's
                loaded = json_loads(text)
            except ValueError:  # YAML (a superset of JSON; it refuses a lone surrogate itself)
                document = yaml.load(text, Loader=yaml_loader())  # noqa: S506 - a SafeLoader
            else:
                document = no_lone_surrogates(loaded, text)
        except RecursionError:  # JSON nested past the parser's depth
            raise bad("the seed document is nested too deeply") from None
        except BadBody as exc:  # a lone surrogate
            raise bad(f"the seed document is not valid: {exc}") from None
        except (ValueError, yaml.YAMLError) as exc:
            # not UTF-8, or a value a constructor cannot build (an int of 5,000 digits, a 13th month, !!int x): a
            # ValueError of int(), float() or datetime, not a YAMLError
            raise bad(f"the seed document is neither JSON nor YAML: {exc}") from None
    return ok(seed_request(runtime, document), 201)


def seed_request(runtime: Runtime, document: Any) -> dict[str, Any]:
    """`POST /_mockown/seed` for its parsed document (None: the default sections): what it created, or the
    `ControlError` it answers with (also called straight by the in-process control client)."""
    from ..seed import SeedError, _seeders, seed_document

    if document is None:
        document = {name: None for name in _seeders()}
    if not isinstance(document, dict):
        raise bad("a seed document is a mapping with one section per API (salesforce:, own:, ...)")
    try:
        return seed_document(runtime, document)
    except SeedError as exc:
        raise bad(str(exc), error="invalid_seed") from None


# -- snapshot / restore --------------------------------------------------------------------------------
async def snapshot(request: Request) -> Response:
    runtime = runtime_of(request)
    with runtime.store.atomic():
        body = {
            "format": SNAPSHOT_FORMAT,
            "version": 1,
            "taken_at": iso(runtime.clock.now(), millis=True),
            "clock": runtime.clock.state(),
            "store": runtime.store.dump(),
        }
    return ok(body)


async def restore(request: Request) -> Response:
    runtime = runtime_of(request)
    body = await json_body(request, BIG_BODY)
    if body.get("format") != SNAPSHOT_FORMAT or not isinstance(body.get("store"), dict):
        raise bad(f"not a snapshot: expected {{'format': '{SNAPSHOT_FORMAT}', 'store': {{...}}}}")
    data = body["store"]
    if not all(isinstance(v, list) and all(isinstance(r, dict) for r in v) for v in data.values()):
        raise bad("store: each table is a list of objects")
    clock = body.get("clock")
    if isinstance(clock, dict) and "frozen" in clock and not isinstance(clock["frozen"], bool):
        raise bad(
            f"cannot restore the snapshot's clock: clock.frozen must be true or false, not {brief(clock['frozen'])}"
        )
    if isinstance(clock, dict) and isinstance(clock.get("now"), int | float):
        try:  # checked before anything changes: a snapshot is restored whole or not at all
            check_clock(float(clock["now"]))
            wall = runtime.clock.now() - runtime.clock.offset
            check_clock(wall + float(clock.get("offset") or 0.0))
        except (ValueError, TypeError, OverflowError) as exc:
            raise bad(f"cannot restore the snapshot's clock: {exc}") from None
    with runtime.store.atomic():
        before = runtime.store.dump()
        try:
            runtime.store.load(data)
        except RowError as exc:  # a row of the wrong type: refused before the store changed
            raise bad(f"cannot restore the snapshot: {exc}") from None
        except (ValueError, TypeError, KeyError) as exc:
            runtime.store.load(before)
            raise bad(f"cannot restore the snapshot: {exc}") from None
        if isinstance(clock, dict) and isinstance(clock.get("now"), int | float):
            runtime.clock.restore(
                frozen=bool(clock.get("frozen")), now=float(clock["now"]), offset=float(clock.get("offset") or 0.0)
            )
    counts = {name: len(rows) for name, rows in data.items() if name != "_meta"}
    return ok({"restored": counts, "clock": runtime.clock.state()})


# -- clock ---------------------------------------------------------------------------------------------
async def clock(request: Request) -> Response:
    runtime = runtime_of(request)
    if request.method == "GET":
        return ok(runtime.clock.state())
    return ok(clock_request(runtime.clock, await json_body(request)))


_NOW = object()  # `freeze` at the clock's current instant


def _instant_field(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise bad(f"{name} must be an instant: epoch seconds or ISO 8601 text")
    try:
        return check_clock(parse_instant(value))
    except (ValueError, OverflowError) as exc:
        raise bad(f"{name}: {exc}") from None


def _advance_field(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise bad("advance must be a duration: seconds or text such as '15m', '2h', '181d'")
    try:
        delta = parse_duration(value)
    except ValueError as exc:
        raise bad(f"advance: {exc}") from None
    if delta < 0:
        raise bad("advance: the clock only moves forward (use set to go back)")
    return delta


def clock_request(clk: Clock, body: dict[str, Any]) -> dict[str, Any]:
    """`POST /_mockown/clock` for its parsed body: `freeze`, `unfreeze`, `set`, `advance`, applied in that order.
    Every field is checked, and where the clock would end up, before anything changes: a refused request (400,
    saying what the field must be) leaves the clock as it was."""
    unknown = sorted(set(body) - {"freeze", "unfreeze", "set", "advance"})
    if unknown or not body:
        raise bad('give one or more of freeze, unfreeze, set, advance (e.g. {"advance": "181d"})')
    freeze: object = None  # None: no freeze; _NOW: at the current instant; else the instant
    raw = body.get("freeze")
    form = isinstance(body, FormFields)  # a form's words for a boolean; JSON sends true or false
    if raw is True or (form and raw in ("true", "")):  # `is`: 1 == True, and 1 (like 0) is an instant, epoch seconds
        freeze = _NOW
    elif not (raw is False or raw is None or (form and raw == "false")):
        freeze = _instant_field("freeze", raw)
    unfreeze = _flag(body, "unfreeze", False)
    target = None if body.get("set") is None else _instant_field("set", body["set"])
    delta = None if body.get("advance") is None else _advance_field(body["advance"])
    now = clk.now()  # where the clock ends up: the last check before anything changes
    if isinstance(freeze, float):
        now = freeze
    if target is not None:
        now = target
    if delta is not None:
        try:
            check_clock(now + delta)
        except ValueError as exc:
            raise bad(f"advance: {exc}") from None
    if freeze is not None:
        clk.freeze(None if freeze is _NOW else cast(float, freeze))
    if unfreeze:
        clk.unfreeze()
    if target is not None:
        clk.set(target)
    if delta is not None:
        clk.advance(delta)
    return clk.state()


# -- outbox --------------------------------------------------------------------------------------------
OUTBOX_FILTERS = ("to", "account", "kind", "subject")


def _outbox_filter(request: Request) -> Callable[[Any], bool]:
    q = request.query_params
    unknown = sorted(set(q) - set(OUTBOX_FILTERS))
    if unknown:  # a typo matched every e-mail (and DELETE deleted them all)
        raise bad(f"unknown outbox filter {unknown[0]!r} (known: {', '.join(OUTBOX_FILTERS)})")
    to, account, kind, subject = q.get("to"), q.get("account"), q.get("kind"), q.get("subject")

    def keep(email: Any) -> bool:
        return (
            (not to or email.to.lower() == to.lower())
            and (not account or email.account_id == account)
            and (not kind or email.kind == kind)
            and (not subject or subject.lower() in email.subject.lower())
        )

    return keep


async def outbox(request: Request) -> Response:
    from ..outbox import Email, messages

    runtime = runtime_of(request)
    keep = _outbox_filter(request)
    found = [m for m in messages(runtime) if keep(m)]
    if request.method == "DELETE":
        table = runtime.store.table(Email)
        with runtime.store.atomic():
            for m in found:
                table.delete(m.id)
        return ok({"deleted": len(found)})
    items = [
        {
            "id": m.id,
            "to": m.to,
            "subject": m.subject,
            "body": m.body,
            "time": iso(m.sent_at, millis=True),
            "sent_at": m.sent_at,
            "account": m.account_id,
            "kind": m.kind,
        }
        for m in found
    ]
    return ok({"count": len(items), "messages": items})


# -- journal -------------------------------------------------------------------------------------------
def _journal_filter(request: Request, *, limit: bool = False) -> JournalFilter:
    params = dict(request.query_params)
    if limit:
        params.pop("limit", None)
    try:
        return JournalFilter.from_params(params)
    except ValueError as exc:
        raise bad(str(exc)) from None


async def journal(request: Request) -> Response:
    control = runtime_of(request).control
    if request.method == "DELETE":  # with filters, only what they match (`limit` is no filter here: a 400)
        where = _journal_filter(request)
        if where.matches_all():  # none given, or all empty: the whole journal, as a plain DELETE
            return ok({"deleted": control.journal.clear()})
        return ok({"deleted": control.journal.remove(where)})
    where = _journal_filter(request, limit=True)
    limit_text = request.query_params.get("limit")
    try:
        limit = whole_number(limit_text) if limit_text else None
    except ValueError:
        limit = -1
    if limit is not None and limit < 0:
        raise bad("limit must be a whole number, 0 or more (the newest N entries)")
    entries = control.journal.entries(where, limit)
    dropped = control.journal.dropped  # since the journal was last cleared: the count is not the whole story then
    return ok({"count": len(entries), "entries": [e.to_json() for e in entries], "dropped": dropped})


async def journal_counts(request: Request) -> Response:
    return ok(runtime_of(request).control.journal.counts(_journal_filter(request)))


# -- faults --------------------------------------------------------------------------------------------
async def faults(request: Request) -> Response:
    runtime = runtime_of(request)
    registry = runtime.control.faults
    if request.method == "GET":
        rules = registry.snapshot()
        return ok({"count": len(rules), "rules": rules})
    if request.method == "DELETE":
        return ok({"deleted": registry.clear()})
    body = await json_body(request)
    try:
        added = registry.add(body)
    except FaultError as exc:
        raise bad(str(exc), error="invalid_fault") from None
    if isinstance(added, dict):
        return ok(added)
    return ok(added.to_json(runtime.clock.now()), 201)


async def fault_presets(request: Request) -> Response:
    from .faults import PRESETS

    return ok(
        {
            "presets": [
                {
                    "name": p.name,
                    "description": p.description,
                    "parameters": p.parameters,
                    "immediate": p.act is not None,
                }
                for p in PRESETS.values()
            ]
        }
    )


async def fault_one(request: Request) -> Response:
    runtime = runtime_of(request)
    registry = runtime.control.faults
    try:
        rule_id = whole_number(request.path_params["rule_id"])  # not int(): ' 1', '1_0', '٣' are no rule ids
    except ValueError:
        raise bad("a rule id is an integer", 404, "not_found") from None
    rule = registry.get(rule_id)
    if rule is None:
        raise bad(f"no such fault rule: {rule_id}", 404, "not_found")
    if request.method == "DELETE":
        registry.remove(rule_id)
        return ok({"deleted": 1})
    return ok(rule.to_json(runtime.clock.now()))


# -- signing keys --------------------------------------------------------------------------------------
def rotate_request(runtime: Runtime, body: dict[str, Any]) -> dict[str, Any]:
    """`POST /_mockown/keys/rotate` for its parsed body: `{"key": <one ring of KINDS>}`, every ring when absent."""
    from ..keys import KINDS

    unknown = sorted(set(body) - {"key"})
    which = body.get("key")
    if unknown or (which is not None and which not in KINDS):
        raise bad(
            'give {"key": "rsa"} (Salesforce /id/keys), "ec" (SLAS /jwks), "own" (Own\'s Okta server), "am" '
            '(Account Manager), "ocapi" (OCAPI customer JWTs), or no body for every ring'
        )
    kinds = KINDS if which is None else (str(which),)
    return {"rotated": list(kinds), "keys": runtime.keys.rotate(kinds)}


async def keys(request: Request) -> Response:
    """`GET /_mockown/keys`: the kid in each slot of both rings (null: no key there yet; nothing is made)."""
    return ok({"keys": runtime_of(request).keys.describe()})


async def keys_rotate(request: Request) -> Response:
    return ok(rotate_request(runtime_of(request), await json_body(request)))


# -- the OpenAPI document ------------------------------------------------------------------------------
def contract_path(name: str) -> Path:
    packaged = resources.files("mockown") / "_contracts" / name
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent.parent / "contracts" / name


async def openapi(request: Request) -> Response:
    try:
        text = contract_path("control.yaml").read_text(encoding="utf-8")
    except OSError:
        raise bad("the control plane's OpenAPI document is not installed", 404, "not_found") from None
    return Response(text, media_type="application/yaml")


# -- the guard -----------------------------------------------------------------------------------------
def _is_control(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def _presented_token(headers: Mapping[str, str], allow_basic: bool) -> str | None:
    auth = headers.get("authorization", "").strip()
    scheme, _, value = auth.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value
    if allow_basic and scheme.lower() == "basic" and value:
        pair = security.basic_pair(auth)
        return pair[1] if pair else None
    return None


def _same_origin(scope: Scope) -> bool:
    """Whether a state-changing request comes from this server's own pages (or from no browser page): the rule
    of every HTML form page (`api.same_origin`: the base URL's host counts as this server's)."""
    return api_same_origin(Request(scope))


def _local_name(host_header: str | None, config: Config) -> bool:
    """Whether a request without an admin token is addressed to a name no web page can rebind to this server
    (DNS rebinding: evil.example pointed at 127.0.0.1 is same-origin with itself): an IP literal, `localhost` or
    `*.localhost`, a single-label name (`testserver` in-process, a container's service name), the configured
    host or the host of `base_url`. Any other name with a dot could be an attacker's."""
    from ..config import is_loopback

    try:
        name = urlsplit(f"//{host_header or ''}").hostname or ""
    except ValueError:
        return False
    name = host_name(name)
    if not name:
        return False
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    if is_loopback(name) or name.endswith(".localhost") or "." not in name or name == config.host.lower():
        return True
    return config.base_url is not None and name == host_name(urlsplit(config.base_url).hostname or "")


def arrived_beyond_loopback(server: Any) -> str | None:
    """The address a request came in on (ASGI's `server`: the local end of a real connection, the base URL's host
    in-process) when it is an IP literal that is not loopback, else None. Such a request reached the app from the
    network, whatever `config.host` says (`uvicorn --factory mockown:create_app --host 0.0.0.0`, an app handed to
    `MockownServer(app, host="0.0.0.0")`). A name (`testserver`, `localhost`), a Unix socket or no `server` at all
    says nothing about it."""
    if not isinstance(server, (tuple, list)) or not server or not isinstance(server[0], str):
        return None
    try:
        address = ipaddress.ip_address(server[0].strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1, a dual-stack socket's IPv4 loopback
    return None if address.is_loopback else server[0]


def admission(config: Config, presented: str | None, arrived_on: str | None = None) -> ControlError | None:
    """Who may use the control plane: with an admin token, whoever presents it (`presented`, compared in
    constant time); without one, anyone on a loopback address (or everyone with `insecure_control_plane`): an app
    configured for another `host`, or a request that came in on a non-loopback address (`arrived_on`, from
    `arrived_beyond_loopback`), is refused. The refusal, or None. `ControlGuard` applies it to every request; the
    in-process control client to its own calls."""
    if config.admin_token:
        if presented is None or not security.equal(presented, config.admin_token):
            return ControlError(401, "unauthorized", "the control plane needs Authorization: Bearer <admin token>")
    elif (not config.loopback_only or arrived_on is not None) and not config.insecure_control_plane:
        where = config.host if not config.loopback_only else arrived_on
        return ControlError(
            403,
            "forbidden",
            f"the control plane is closed on {where}: set an admin token "
            "(--admin-token / MOCKOWN_ADMIN_TOKEN) or --insecure-control-plane",
        )
    return None


class ControlGuard:
    """Admin-token / loopback rules for every path under `/_mockown/`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # the path the router routes: under a root path (`uvicorn --root-path`, a `Mount`) ASGI's `path` carries it
        path = route_path(scope) if scope["type"] == "http" else ""
        if scope["type"] != "http" or not _is_control(path):
            await self.app(scope, receive, send)
            return
        if path == LIVE and scope["method"] in ("GET", "HEAD"):  # the liveness probe: open whatever the lock
            await self.app(scope, receive, send)
            return
        runtime: Runtime = scope["app"].state.runtime
        # each name's first value, as every other reader of a request's headers takes it (`header_index`)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in header_index(scope).items()}
        is_ui = path.startswith(CONTROL_PREFIX + "/ui")
        response: Response | None = None
        arrived_on = arrived_beyond_loopback(scope.get("server"))
        refused = admission(runtime.config, _presented_token(headers, allow_basic=is_ui), arrived_on)
        if refused is not None:
            response = refused.response()
            if refused.status == 401:
                challenge = 'Basic realm="mockown", charset="UTF-8"' if is_ui else 'Bearer realm="mockown"'
                response.headers["WWW-Authenticate"] = challenge
        config = runtime.config
        tokenless = not config.admin_token and not config.insecure_control_plane
        if response is None and tokenless and not _local_name(headers.get("host"), config):
            response = ControlError(
                403,
                "forbidden",
                "without an admin token the control plane answers only requests for localhost, an IP address or a "
                "single-label name (DNS rebinding)",
            ).response()
        if response is None and scope["method"] not in ("GET", "HEAD", "OPTIONS") and not _same_origin(scope):
            response = ControlError(
                403, "forbidden", "cross-origin requests to the control plane are refused"
            ).response()
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _routes() -> list[BaseRoute]:
    from ..ui.paths import DASHBOARD

    page = lazy_endpoint("mockown.ui.dashboard", "page")
    p = CONTROL_PREFIX
    return [
        Route(f"{p}/health", health, methods=["GET"]),
        Route(LIVE, live, methods=["GET"]),
        Route(f"{p}/reset", reset, methods=["POST"]),
        Route(f"{p}/seed", seed, methods=["POST"]),
        Route(f"{p}/snapshot", snapshot, methods=["GET"]),
        Route(f"{p}/restore", restore, methods=["POST"]),
        Route(f"{p}/clock", clock, methods=["GET", "POST"]),
        Route(f"{p}/outbox", outbox, methods=["GET", "DELETE"]),
        Route(f"{p}/journal", journal, methods=["GET", "DELETE"]),
        Route(f"{p}/journal/counts", journal_counts, methods=["GET"]),
        Route(f"{p}/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{p}/faults/presets", fault_presets, methods=["GET"]),
        Route(f"{p}/faults/{{rule_id}}", fault_one, methods=["GET", "DELETE"]),
        Route(f"{p}/openapi.yaml", openapi, methods=["GET"]),
        Route(f"{p}/keys", keys, methods=["GET"]),
        Route(f"{p}/keys/rotate", keys_rotate, methods=["POST"]),
        # the dashboard (ui/dashboard.py, its HTML and actions) loads with its first request (issue #9)
        Route(DASHBOARD, page, methods=["GET"]),
        Route(DASHBOARD + "/", page, methods=["GET"]),
        Route(DASHBOARD + "/{action}", lazy_endpoint("mockown.ui.dashboard", "action"), methods=["POST"]),
    ]


def control_api() -> Api:
    return Api(name="control", routes=_routes(), dialects=[(CONTROL_PREFIX, control_dialect)])

"""The `own:` section of a seed document: accounts with users, services (and their past backups), templates.

Returns the credentials it created: users with their passwords and the API tokens it generated
(`api_token: true` generates one; a string uses that exact value, handy for copy-paste demos).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from .. import security
from ..clock import EARLIEST
from ..seed import SeedError, flag, items, opt_text, text, unknown_fields, whole, whole_between
from . import backups, progress
from .errors import OwnError
from .exports import ENDPOINT_ID
from .models import (
    MAX_OWN_ID,
    RECORDS_PER_OBJECT,
    REGIONS,
    ROLES,
    OwnAccount,
    OwnUser,
    SeedingTemplate,
    Service,
    object_name,
    rkey,
)
from .tokens import generate

if TYPE_CHECKING:
    from ..runtime import Runtime
    from .service import OwnService

_ACCOUNT_KEYS = {"id", "name", "api_tokens_enabled", "endpoints", "users", "services", "templates"}
_USER_KEYS = {"id", "email", "password", "name", "role", "business_units", "sso", "active", "api_token"}
_SERVICE_KEYS = {"id", "region", "displayed_name", "secondary_name", "org_id", "business_unit", "status", "enabled",
                 "objects", "records_per_object", "sandbox", "backups", "provider", "data_seed"}  # fmt: skip
_TEMPLATE_KEYS = {"id", "region", "name", "source_service_id", "description"}
_DAY = 86400.0


def _check(kind: str, data: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SeedError(f"each own {kind} must be a mapping")
    unknown = unknown_fields(data, allowed, f"own {kind}")
    if unknown:
        raise SeedError(f"unknown own {kind} field {unknown[0]!r} (known: {', '.join(sorted(allowed))})")
    return data


def _int(value: Any, kind: str) -> int:
    """An id: a whole number from 1 to `MAX_OWN_ID` (what a path can name), or its digits."""
    problem = f"own {kind} id must be a positive integer up to {MAX_OWN_ID} (Own ids are int32), not {value!r}"
    if isinstance(value, str) and len(value.strip()) > len(str(MAX_OWN_ID)) + 1:
        raise SeedError(problem)  # never a 5,000-digit string handed to int()
    try:
        number = whole(value, f"own {kind} id", digits=True)
    except SeedError:
        raise SeedError(problem) from None
    if not 1 <= number <= MAX_OWN_ID:
        raise SeedError(problem)
    return number


def _count(value: Any, name: str, limit: int, default: int) -> int:
    return whole_between(value, f"own service {name}", 0, limit, default)


def seed_own(runtime: Runtime, body: Any) -> dict[str, Any]:
    if body is None:
        body = {}
    if not isinstance(body, dict) or set(body) - {"accounts"}:
        raise SeedError("the own section holds 'accounts': a list of Own accounts")
    accounts = body.get("accounts")
    if accounts is None:
        accounts = [{}]
    if not isinstance(accounts, list):
        raise SeedError("own.accounts must be a list")
    try:
        return {"accounts": [seed_account(runtime, a) for a in accounts]}
    except OwnError as exc:  # e.g. a counter a seeded id moved to MAX_OWN_ID has no number left (`next_num`)
        raise SeedError(f"own: {exc.message}") from None


def seed_account(runtime: Runtime, data: Any) -> dict[str, Any]:
    """Create one Own account (defaults for everything left out) and return its credentials."""
    data = _check("account", {} if data is None else data, _ACCOUNT_KEYS)
    own = runtime.own
    now = runtime.clock.now()
    if "id" in data:
        num = _int(data["id"], "account")
        own.bump_global("account", num)
    else:
        num = own.next_global("account")
    if own.accounts.get(str(num)) is not None:
        raise SeedError(f"own account {num} exists already")
    endpoints = []
    for item in items(data.get("endpoints"), "own account endpoints"):
        if not isinstance(item, dict) or "name" not in item:
            raise SeedError("each own endpoint is a mapping with a name (and optionally id, type)")
        endpoint_id = text(item.get("id"), "own endpoint id", "") or str(uuid.uuid4())
        if not ENDPOINT_ID.fullmatch(endpoint_id):  # export_to_endpoint could never name it
            raise SeedError(f"own endpoint id must be a UUID (as export_to_endpoint takes it), not {endpoint_id!r}")
        name = text(item["name"], "own endpoint name")
        endpoints.append({"id": endpoint_id, "name": name, "type": text(item.get("type"), "own endpoint type", "s3")})
    account = OwnAccount(
        id=str(num),
        num=num,
        name=text(data.get("name"), "own account name", "") or f"Own account {num}",
        api_tokens_enabled=flag(data.get("api_tokens_enabled"), "own account api_tokens_enabled", True),
        created_at=now,
        endpoints=endpoints,
    )
    own.accounts.put(account)
    services_in = data.get("services")
    if services_in is None:
        services_in = [{"business_unit": "Default", "backups": 2}]
    services = [_seed_service(own, account, s, now) for s in items(services_in, "own account services")]
    users_in = data.get("users")
    if users_in is None:
        users_in = [{"email": f"owner-{num}@own.mockown.test", "role": "master_admin", "name": "Olga Owner"}]
    users = [_seed_user(own, account, u) for u in items(users_in, "own account users")]
    templates = [_seed_template(own, account, t, now) for t in items(data.get("templates"), "own account templates")]
    return {
        "id": account.num,
        "name": account.name,
        "users": users,
        "services": services,
        "templates": templates,
        "endpoints": endpoints,
    }


def _seed_user(own: OwnService, account: OwnAccount, data: Any) -> dict[str, Any]:
    data = _check("user", data, _USER_KEYS)
    if "id" in data:
        num = _int(data["id"], "user")
        own.bump_global("user", num)
    else:
        num = own.next_global("user")
    if own.user(num) is not None:
        raise SeedError(f"own user {num} exists already")
    # stripped before the default applies: "  " was stored as "", an e-mail no one could sign in with
    email = (text(data.get("email"), "own user email", "").strip() or f"user-{num}@own.mockown.test").lower()
    if own.user_by_email(email) is not None:
        raise SeedError(f"own user e-mail {email} is taken")
    role = text(data.get("role"), "own user role", "user")
    if role not in ROLES:
        raise SeedError(f"own user role must be one of {', '.join(ROLES)}")
    units = [] if data.get("business_units") is None else data["business_units"]
    if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
        raise SeedError("own user business_units must be a list of names")
    password = text(data.get("password"), "own user password", "") or security.random_b62(16)
    salt = security.random_b62(16)
    user = OwnUser(
        id=str(num),
        num=num,
        account_id=account.id,
        email=email,
        password_hash=security.password_hash(password, salt),
        salt=salt,
        name=text(data.get("name"), "own user name", ""),
        role=role,
        business_units=list(units),
        sso=flag(data.get("sso"), "own user sso", False),
        active=flag(data.get("active"), "own user active", True),
    )
    own.users.put(user)
    token: str | None = None
    wanted = data.get("api_token")  # true: generate one; a string: that exact token; false, null or "": none
    if not isinstance(wanted, bool):
        wanted = opt_text(wanted, "own user api_token (true, false or the token)")
    if wanted:
        try:
            token = generate(own, user.id, password, source="web app", raw=None if wanted is True else str(wanted))
        except OwnError as exc:
            raise SeedError(f"own user {email}: cannot generate an API token: {exc.message}") from None
    return {"id": user.num, "email": email, "password": password, "role": role, "sso": user.sso, "api_token": token}


def _num(own: OwnService, region: str, kind: str, data: dict[str, Any]) -> int:
    """The seeded ``id`` (later numbers come after it), else the next number of `kind` in `region`."""
    if "id" not in data:
        return own.next_num(region, kind)
    num = _int(data["id"], kind)
    own.bump_num(region, kind, num)
    return num


def _seed_service(own: OwnService, account: OwnAccount, data: Any, now: float) -> dict[str, Any]:
    data = _check("service", data, _SERVICE_KEYS)
    region = text(data.get("region"), "own service region", "") or own.settings.default_region
    if region not in REGIONS:
        raise SeedError(f"own service region must be one of {', '.join(REGIONS)}")
    num = _num(own, region, "service", data)
    if own.services.get(rkey(region, num)) is not None:
        raise SeedError(f"own service {num} exists already in {region}")
    objects = data.get("objects")
    if objects is None or objects == []:
        objects = ["accounts", "contacts", "opportunities"]
    if not isinstance(objects, list) or not objects or not all(isinstance(o, str) and o.strip() for o in objects):
        raise SeedError("own service objects must be a non-empty list of plural object names")
    for name in objects:
        try:
            object_name(name.strip())
        except ValueError:
            raise SeedError(
                f"own service object {name!r} is a number: a Salesforce object's API name begins with a letter,"
                " and a number would name another object's id in its download links"
            ) from None
    status = text(data.get("status"), "own service status", "ACTIVE").upper()
    if status not in ("ACTIVE", "ARCHIVED", "DISABLED"):
        raise SeedError("own service status must be ACTIVE, ARCHIVED or DISABLED")
    service = Service(
        id=rkey(region, num),
        num=num,
        region=region,
        account_id=account.id,
        displayed_name=text(data.get("displayed_name"), "own service displayed_name", "")
        or f"admin@service{num}.mockown.test",
        org_id=text(data.get("org_id"), "own service org_id", "") or "00D5g000004MockEAC",
        business_unit=text(data.get("business_unit"), "own service business_unit", ""),
        secondary_name=opt_text(data.get("secondary_name"), "own service secondary_name"),
        provider=text(data.get("provider"), "own service provider", "SaleForce Data"),
        status=status,
        enabled=_enabled(data.get("enabled")),
        objects=list(dict.fromkeys(o.strip().lower() for o in objects)),
        records_per_object=_count(data.get("records_per_object"), "records_per_object", RECORDS_PER_OBJECT, 8),
        sandbox=flag(data.get("sandbox"), "own service sandbox", False),
        data_seed=text(data.get("data_seed"), "own service data_seed", "") or f"{account.num}:{region}:{num}",
        created_at=now,
    )
    own.services.put(service)
    count = _count(data.get("backups"), "backups", 1000, 0)
    for started, completed in _past_backups(count, now):
        backup = backups.start(
            own, service, trigger="scheduled", started_at=started, progression=progress.parse("immediate")
        )
        backup.completed_at = completed
        own.backups.put(backup)
    return {"id": num, "region": region, "displayed_name": service.displayed_name, "backups": count}


def _past_backups(count: int, now: float) -> list[tuple[float, float]]:
    """(started, completed) of a seeded service's `count` past backups, oldest first: daily, the last one a day
    before `now`, each taking 9 minutes. Where the days before `now` reach back past the earliest instant a date
    can show (`clock.EARLIEST`, 0001-01-02: the clock may be there), they are spread evenly from that instant
    instead, each taking at most its share (at `EARLIEST` itself all start and complete then): a backup before the
    year 1 made its service's backup listing a 500 and the server's own snapshot unrestorable."""
    if count == 0:
        return []
    step = min(count * _DAY, now - EARLIEST) / count  # _DAY itself when the days fit
    took = min(540.0, step)
    out = []
    for k in range(count):
        started = max(EARLIEST, now - (count - k) * step)  # max: the rounding of step may not reach below it
        out.append((started, min(started + took, now)))
    return out


def _enabled(value: Any) -> int:
    """A service's `enabled`: true or false, or the API's own 0 or 1."""
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return value
    return 1 if flag(value, "own service enabled (true, false, 0 or 1)", True) else 0


def _seed_template(own: OwnService, account: OwnAccount, data: Any, now: float) -> dict[str, Any]:
    data = _check("template", data, _TEMPLATE_KEYS)
    region = text(data.get("region"), "own template region", "") or own.settings.default_region
    source_num = _int(data.get("source_service_id"), "source service")
    source = own.services.get(rkey(region, source_num))
    if source is None or source.account_id != account.id:
        raise SeedError(f"own template source_service_id {source_num} is not a service of this account in {region}")
    num = _num(own, region, "template", data)
    if own.templates.get(rkey(region, num)) is not None:
        raise SeedError(f"own template {num} exists already in {region}")
    template = SeedingTemplate(
        id=rkey(region, num),
        num=num,
        region=region,
        account_id=account.id,
        name=text(data.get("name"), "own template name", "") or f"Template {num}",
        source_service_id=source.id,
        description=text(data.get("description"), "own template description", ""),
        created_at=now,
        updated_at=now,
    )
    own.templates.put(template)
    return {"id": num, "region": region, "name": template.name, "source_service_id": source_num}

"""The `marketing:` section of a seed document: tenants with their business units, users and integrations."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

from .. import security
from ..seed import SeedError, flag, items, text, text_list, unknown_fields, whole
from .models import (
    INTEGRATION_TYPES,
    MAX_MID,
    TIMEZONES,
    Integration,
    McUser,
    Tenant,
    account_id,
    redirect_url,
    scope,
)

if TYPE_CHECKING:
    from ..runtime import Runtime
    from ..store import Table

SUBDOMAIN = re.compile(r"^[0-9a-z-]{28}$")
_TENANT_KEYS = {
    "eid",
    "subdomain",
    "name",
    "stack_key",
    "region",
    "business_units",
    "locale",
    "zoneinfo",
    "users",
    "integrations",
}
_USER_KEYS = {"id", "username", "password", "name", "email", "mid", "locale", "zoneinfo", "active"}
_INTEGRATION_KEYS = {
    "client_id",
    "client_secret",
    "name",
    "type",
    "scopes",
    "home_mid",
    "accessible_mids",
    "redirect_urls",
    "installed",
    "enabled",
}
DEFAULT_SCOPES = [
    "offline",
    "email_read",
    "email_write",
    "email_send",
    "data_extensions_read",
    "data_extensions_write",
    "list_and_subscribers_read",
    "list_and_subscribers_write",
    "journeys_read",
    "saved_content_read",
    "saved_content_write",
]


def _check(kind: str, data: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SeedError(f"each marketing {kind} must be a mapping")
    unknown = unknown_fields(data, allowed, f"marketing {kind}")
    if unknown:
        raise SeedError(f"unknown marketing {kind} field {unknown[0]!r} (known: {', '.join(sorted(allowed))})")
    return data


def _int(value: Any, where: str, default: int | None = None) -> int:
    """A MID / EID / user id: a whole number, or its digits; None is `default`."""
    try:
        return whole(value, where, default, digits=True)
    except SeedError:
        raise SeedError(f"{where} must be an integer (a MID/EID), not {value!r}") from None


def _account(value: Any, where: str, default: int | None = None) -> int:
    """An EID or a MID: `_int`, from 1 to 2^31-1 (`models.account_id`, the rule a restore takes too)."""
    number = _int(value, where, default)
    try:
        account_id(number)
    except ValueError:
        raise SeedError(f"{where} must be an account id (EID/MID) from 1 to {MAX_MID}, not {number}") from None
    return number


def _free_id(table: Table[Any]) -> int:
    """A random 8-digit id (an EID, a user id) that no record of `table` has: a chance collision is drawn again,
    not refused (the seed did not name it) nor taken over."""
    while True:
        number = 10000000 + secrets.randbelow(89999999)
        if table.get(str(number)) is None:
            return number


def _mids(value: Any, where: str, default: list[int]) -> list[int]:
    if value is None:
        return list(default)
    if not isinstance(value, list):
        raise SeedError(f"{where} must be a list of MIDs (integers), not {value!r}")
    return [_account(m, where) for m in value]


def _zone(value: Any, where: str, default: str) -> str:
    """A time zone `/v2/userinfo` can describe (`models.TIMEZONES`): another one would show as UTC."""
    zone = text(value, where, default)
    if zone not in TIMEZONES:
        raise SeedError(f"{where} must be one of {', '.join(TIMEZONES)} (the zones the mock describes), not {zone!r}")
    return zone


def _texts(value: Any, where: str, default: list[str], test: Any, what: str) -> list[str]:
    """A list of strings, each one `test` (a models check) takes."""
    values = text_list(value, where, default)
    for i, one in enumerate(values):
        try:
            test(one)
        except ValueError:
            raise SeedError(f"{where}[{i}] must be {what}, not {one!r}") from None
    return values


def seed_marketing(runtime: Runtime, body: Any) -> dict[str, Any]:
    if body is None:
        body = {}
    if not isinstance(body, dict) or set(body) - {"tenants"}:
        raise SeedError("the marketing section holds 'tenants': a list of tenants")
    tenants = items(body.get("tenants"), "marketing.tenants")
    return {"tenants": [seed_tenant(runtime, t) for t in tenants]}


def seed_tenant(runtime: Runtime, data: Any) -> dict[str, Any]:
    data = _check("tenant", {} if data is None else data, _TENANT_KEYS)
    service = runtime.marketing
    eid = _free_id(service.tenants) if data.get("eid") is None else _account(data["eid"], "marketing tenant eid")
    if service.tenants.get(str(eid)) is not None:
        raise SeedError(f"marketing tenant {eid} exists already")
    subdomain = (
        text(data.get("subdomain"), "marketing tenant subdomain", "") or "mc" + security.random_b62(26)
    ).lower()
    if not SUBDOMAIN.fullmatch(subdomain):
        raise SeedError(f"subdomain {subdomain!r}: 28 characters of [0-9a-z-]")
    if service.tenant_by_subdomain(subdomain) is not None:
        raise SeedError(f"subdomain {subdomain} is taken")
    units = _mids(data.get("business_units"), "marketing tenant business_units", [eid])
    if eid not in units:
        units.insert(0, eid)
    tenant = Tenant(
        id=str(eid),
        subdomain=subdomain,
        name=text(data.get("name"), "marketing tenant name", "") or f"Enterprise {eid}",
        stack_key=text(data.get("stack_key"), "marketing tenant stack_key", "S7"),
        region=text(data.get("region"), "marketing tenant region", "NA1"),
        business_units=units,
        locale=text(data.get("locale"), "marketing tenant locale", "en-US"),
        zoneinfo=_zone(data.get("zoneinfo"), "marketing tenant zoneinfo", "America/Los_Angeles"),
    )
    service.tenants.put(tenant)
    users_in = data.get("users")
    if users_in is None:
        users_in = [{"username": f"user-{subdomain[2:8]}@mockown.test"}]
    users = [_seed_user(runtime, tenant, u) for u in items(users_in, "marketing tenant users")]
    integrations_in = data.get("integrations")
    if integrations_in is None:
        integrations_in = [{"type": "server"}]
    integrations = [
        _seed_integration(runtime, tenant, i) for i in items(integrations_in, "marketing tenant integrations")
    ]
    return {"eid": eid, "subdomain": subdomain, "business_units": units, "users": users, "integrations": integrations}


def _seed_user(runtime: Runtime, tenant: Tenant, data: Any) -> dict[str, Any]:
    data = _check("user", data, _USER_KEYS)
    service = runtime.marketing
    username = (
        text(data.get("username"), "marketing user username", "") or f"user-{security.random_b62(8)}@mockown.test"
    ).lower()
    if any(u.tenant_id == tenant.id for u in service.users.find("username", username)):
        raise SeedError(f"marketing user {username} exists already in tenant {tenant.id}")
    password = text(data.get("password"), "marketing user password", "") or security.random_b62(16)
    salt = security.random_b62(16)
    mid = _account(data.get("mid"), f"marketing user {username}: mid", tenant.business_units[0])
    if mid not in tenant.business_units:
        raise SeedError(f"user {username}: mid {mid} is not a business unit of tenant {tenant.id}")
    # a user id is global to the server (tokens and `/v2/userinfo` find the user by it): one that exists, in any
    # tenant, is refused, not taken over (it replaced that user: its tenant's tokens then named the newcomer)
    user_id = _free_id(service.users) if data.get("id") is None else _int(data["id"], f"marketing user {username}: id")
    if service.users.get(str(user_id)) is not None:
        raise SeedError(f"marketing user id {user_id} exists already")
    user = McUser(
        id=str(user_id),
        tenant_id=tenant.id,
        username=username,
        name=text(data.get("name"), "marketing user name", "") or username.split("@")[0],
        email=text(data.get("email"), "marketing user email", "") or username,
        password_hash=security.password_hash(password, salt),
        salt=salt,
        default_mid=mid,
        locale=text(data.get("locale"), "marketing user locale", tenant.locale),
        zoneinfo=_zone(data.get("zoneinfo"), "marketing user zoneinfo", tenant.zoneinfo),
        active=flag(data.get("active"), "marketing user active", True),
    )
    service.users.put(user)
    return {"id": user.id, "username": username, "password": password}


def _seed_integration(runtime: Runtime, tenant: Tenant, data: Any) -> dict[str, Any]:
    data = _check("integration", data, _INTEGRATION_KEYS)
    service = runtime.marketing
    kind = text(data.get("type"), "marketing integration type", "server")
    if kind not in INTEGRATION_TYPES:
        raise SeedError(f"integration type must be one of {', '.join(INTEGRATION_TYPES)}")
    client_id = text(data.get("client_id"), "marketing integration client_id", "") or security.random_b62(24).lower()
    if service.integrations.get(client_id) is not None:
        raise SeedError(f"marketing client_id {client_id} is taken")
    where = f"marketing integration {client_id}:"
    given = text(data.get("client_secret"), f"{where} client_secret", "")
    secret = None if kind == "public" else given or security.random_b62(24)
    home = _account(data.get("home_mid"), f"{where} home_mid", tenant.business_units[0])
    mids = _mids(data.get("accessible_mids"), f"{where} accessible_mids", tenant.business_units)
    for mid in [home, *mids]:
        if mid not in tenant.business_units:
            raise SeedError(f"integration {client_id}: {mid} is not a business unit of tenant {tenant.id}")
    redirects = _texts(
        data.get("redirect_urls"),
        f"{where} redirect_urls",
        [] if kind == "server" else ["http://localhost:8080/callback"],
        redirect_url,
        "a URL with a scheme, a host for http(s) and no fragment",
    )
    integration = Integration(
        id=client_id,
        client_id=client_id,
        tenant_id=tenant.id,
        name=text(data.get("name"), f"{where} name", "") or f"Mockown {kind} integration",
        type=kind,
        client_secret=secret,
        scopes=_texts(data.get("scopes"), f"{where} scopes", DEFAULT_SCOPES, scope, "a scope (no white space)"),
        home_mid=home,
        accessible_mids=mids if home in mids else [home, *mids],
        redirect_urls=redirects,
        installed=flag(data.get("installed"), f"{where} installed", True),
        enabled=flag(data.get("enabled"), f"{where} enabled", True),
    )
    service.integrations.put(integration)
    return {"client_id": client_id, "client_secret": secret, "type": kind, "redirect_urls": redirects}

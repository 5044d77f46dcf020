"""The `marketing:` section of a seed document: tenants with their business units, users and integrations."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

from .. import security
from ..seed import SeedError
from .models import INTEGRATION_TYPES, Integration, McUser, Tenant

if TYPE_CHECKING:
    from ..runtime import Runtime

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
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SeedError(f"unknown marketing {kind} field {unknown[0]!r} (known: {', '.join(sorted(allowed))})")
    return data


def _int(value: Any, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SeedError(f"{where} must be an integer (a MID/EID)") from None


def seed_marketing(runtime: Runtime, body: Any) -> dict[str, Any]:
    if body is None:
        body = {}
    if not isinstance(body, dict) or set(body) - {"tenants"}:
        raise SeedError("the marketing section holds 'tenants': a list of tenants")
    tenants = body.get("tenants") or []
    if not isinstance(tenants, list):
        raise SeedError("marketing.tenants must be a list")
    return {"tenants": [seed_tenant(runtime, t) for t in tenants]}


def seed_tenant(runtime: Runtime, data: Any) -> dict[str, Any]:
    data = _check("tenant", data or {}, _TENANT_KEYS)
    service = runtime.marketing
    eid = _int(data.get("eid", 10000000 + secrets.randbelow(89999999)), "eid")
    if service.tenants.get(str(eid)) is not None:
        raise SeedError(f"marketing tenant {eid} exists already")
    subdomain = str(data.get("subdomain") or "mc" + security.random_b62(26).lower()).lower()
    if not SUBDOMAIN.match(subdomain):
        raise SeedError(f"subdomain {subdomain!r}: 28 characters of [0-9a-z-]")
    if service.tenant_by_subdomain(subdomain) is not None:
        raise SeedError(f"subdomain {subdomain} is taken")
    units = [_int(m, "business_units") for m in data.get("business_units", [eid])]
    if eid not in units:
        units.insert(0, eid)
    tenant = Tenant(
        id=str(eid),
        subdomain=subdomain,
        name=str(data.get("name") or f"Enterprise {eid}"),
        stack_key=str(data.get("stack_key", "S7")),
        region=str(data.get("region", "NA1")),
        business_units=units,
        locale=str(data.get("locale", "en-US")),
        zoneinfo=str(data.get("zoneinfo", "America/Los_Angeles")),
    )
    service.tenants.put(tenant)
    users_in = data.get("users")
    if users_in is None:
        users_in = [{"username": f"user-{subdomain[2:8]}@mockown.test"}]
    users = [_seed_user(runtime, tenant, u) for u in users_in]
    integrations_in = data.get("integrations")
    if integrations_in is None:
        integrations_in = [{"type": "server"}]
    integrations = [_seed_integration(runtime, tenant, i) for i in integrations_in]
    return {"eid": eid, "subdomain": subdomain, "business_units": units, "users": users, "integrations": integrations}


def _seed_user(runtime: Runtime, tenant: Tenant, data: Any) -> dict[str, Any]:
    data = _check("user", data, _USER_KEYS)
    service = runtime.marketing
    username = str(data.get("username") or f"user-{security.random_b62(8).lower()}@mockown.test").lower()
    if any(u.tenant_id == tenant.id for u in service.users.find("username", username)):
        raise SeedError(f"marketing user {username} exists already in tenant {tenant.id}")
    password = str(data.get("password") or security.random_b62(16))
    salt = security.random_b62(16)
    mid = _int(data.get("mid", tenant.business_units[0]), "mid")
    if mid not in tenant.business_units:
        raise SeedError(f"user {username}: mid {mid} is not a business unit of tenant {tenant.id}")
    user = McUser(
        id=str(_int(data.get("id", 10000000 + secrets.randbelow(89999999)), "user id")),
        tenant_id=tenant.id,
        username=username,
        name=str(data.get("name") or username.split("@")[0]),
        email=str(data.get("email") or username),
        password_hash=security.password_hash(password, salt),
        salt=salt,
        default_mid=mid,
        locale=str(data.get("locale", tenant.locale)),
        zoneinfo=str(data.get("zoneinfo", tenant.zoneinfo)),
        active=bool(data.get("active", True)),
    )
    service.users.put(user)
    return {"id": user.id, "username": username, "password": password}


def _seed_integration(runtime: Runtime, tenant: Tenant, data: Any) -> dict[str, Any]:
    data = _check("integration", data, _INTEGRATION_KEYS)
    service = runtime.marketing
    kind = str(data.get("type", "server"))
    if kind not in INTEGRATION_TYPES:
        raise SeedError(f"integration type must be one of {', '.join(INTEGRATION_TYPES)}")
    client_id = str(data.get("client_id") or security.random_b62(24).lower())
    if service.integrations.get(client_id) is not None:
        raise SeedError(f"marketing client_id {client_id} is taken")
    secret = None if kind == "public" else str(data.get("client_secret") or security.random_b62(24))
    home = _int(data.get("home_mid", tenant.business_units[0]), "home_mid")
    mids = [_int(m, "accessible_mids") for m in data.get("accessible_mids", tenant.business_units)]
    for mid in [home, *mids]:
        if mid not in tenant.business_units:
            raise SeedError(f"integration {client_id}: {mid} is not a business unit of tenant {tenant.id}")
    redirects = [
        str(u) for u in data.get("redirect_urls", [] if kind == "server" else ["http://localhost:8080/callback"])
    ]
    integration = Integration(
        id=client_id,
        client_id=client_id,
        tenant_id=tenant.id,
        name=str(data.get("name") or f"Mockown {kind} integration"),
        type=kind,
        client_secret=secret,
        scopes=[str(s) for s in data.get("scopes", DEFAULT_SCOPES)],
        home_mid=home,
        accessible_mids=mids if home in mids else [home, *mids],
        redirect_urls=redirects,
        installed=bool(data.get("installed", True)),
        enabled=bool(data.get("enabled", True)),
    )
    service.integrations.put(integration)
    return {"client_id": client_id, "client_secret": secret, "type": kind, "redirect_urls": redirects}

"""The `b2c:` section of a seed document: `account_manager` (API clients, users), `instances` (BM users, sites
with OCAPI client ids, customers, storefront sessions) and `slas` (tenants with clients and shoppers)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .. import security
from ..seed import SeedError
from .models import (
    AM_AUTH_METHODS,
    AmClient,
    AmUser,
    BmUser,
    Customer,
    Instance,
    Shopper,
    Site,
    SlasClient,
    SlasTenant,
    StoreSession,
)
from .ocapi import new_customer_id
from .slas import ORG_ID

if TYPE_CHECKING:
    from ..runtime import Runtime

SHORT_CODE = re.compile(r"^[a-z0-9]{4,16}$")
KEYS = {
    "b2c": {"account_manager", "instances", "slas"},
    "account_manager": {"clients", "users"},
    "am client": {
        "client_id",
        "client_secret",
        "name",
        "auth_method",
        "scopes",
        "default_scopes",
        "redirect_urls",
        "jwt_public_key",
        "roles",
        "active",
    },
    "am user": {"login", "password", "name", "roles", "active"},
    "instance": {"host", "default", "bm_users", "sites"},
    "bm user": {"login", "password", "access_key"},
    "site": {"id", "client_ids", "customers", "sessions"},
    "customer": {"customer_id", "customer_no", "login", "password", "first_name", "last_name", "email", "enabled"},
    "session": {"dwsid", "customer"},
    "slas": {"tenants"},
    "tenant": {"org_id", "short_code", "instance", "clients", "shoppers"},
    "slas client": {"client_id", "client_secret", "strict_client_auth", "redirect_uris", "scopes", "channels"},
    "shopper": {"login", "password", "customer_id", "first_name", "last_name", "email"},
}


def _check(kind: str, data: Any) -> dict[str, Any]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SeedError(f"b2c {kind} must be a mapping")
    unknown = sorted(set(data) - KEYS[kind])
    if unknown:
        raise SeedError(f"unknown b2c {kind} field {unknown[0]!r} (known: {', '.join(sorted(KEYS[kind]))})")
    return data


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise SeedError(f"b2c {key} must be a list")
    return value


def _password(item: dict[str, Any]) -> tuple[str, str, str]:
    """The item's `password` (a random one when absent), its hash and its salt."""
    password = str(item.get("password") or security.random_b62(16))
    salt = security.random_b62(16)
    return password, security.password_hash(password, salt), salt


def seed_b2c(runtime: Runtime, body: Any) -> dict[str, Any]:
    body = _check("b2c", body)
    created: dict[str, Any] = {}
    if "account_manager" in body:
        created["account_manager"] = _seed_am(runtime, _check("account_manager", body["account_manager"]))
    created["instances"] = [_seed_instance(runtime, i) for i in _list(body, "instances")]
    if "slas" in body:
        slas = _check("slas", body["slas"])
        created["slas"] = {"tenants": [_seed_tenant(runtime, t) for t in _list(slas, "tenants")]}
    return created


def _seed_am(runtime: Runtime, data: dict[str, Any]) -> dict[str, Any]:
    am = runtime.b2c.am
    clients = []
    for raw in _list(data, "clients"):
        c = _check("am client", raw)
        method = str(c.get("auth_method", "client_secret_basic"))
        if method not in AM_AUTH_METHODS:
            raise SeedError(f"auth_method must be one of {', '.join(AM_AUTH_METHODS)}")
        client_id = str(c.get("client_id") or security.random_b62(30).lower())
        if am.clients.get(client_id) is not None:
            raise SeedError(f"Account Manager client {client_id} exists already")
        secret = (
            None
            if method in ("none", "private_key_jwt") and "client_secret" not in c
            else str(c.get("client_secret") or security.random_b62(24))
        )
        if method == "private_key_jwt" and not c.get("jwt_public_key"):
            raise SeedError(f"client {client_id}: private_key_jwt needs jwt_public_key (PEM)")
        am.clients.put(
            AmClient(
                id=client_id,
                name=str(c.get("name") or client_id),
                secret=secret,
                auth_method=method,
                scopes=[str(s) for s in c.get("scopes", ["mail", "roles", "tenantFilter", "profile", "openid"])],
                default_scopes=[str(s) for s in c.get("default_scopes", ["mail", "roles", "tenantFilter", "profile"])],
                redirect_urls=[str(u) for u in c.get("redirect_urls", [])],
                jwt_public_key=c.get("jwt_public_key"),
                roles=[str(r) for r in c.get("roles", [])],
                active=bool(c.get("active", True)),
            )
        )
        clients.append({"client_id": client_id, "client_secret": secret, "auth_method": method})
    users = []
    for raw in _list(data, "users"):
        u = _check("am user", raw)
        login = str(u.get("login") or f"user-{security.random_b62(6).lower()}@mockown.test").lower()
        password, pw_hash, salt = _password(u)
        am.users.put(
            AmUser(
                id=login,
                password_hash=pw_hash,
                salt=salt,
                name=str(u.get("name", "")),
                roles=[str(r) for r in u.get("roles", [])],
                active=bool(u.get("active", True)),
            )
        )
        users.append({"login": login, "password": password})
    return {"clients": clients, "users": users}


def _seed_instance(runtime: Runtime, raw: Any) -> dict[str, Any]:
    data = _check("instance", raw)
    b2c = runtime.b2c
    host = str(data.get("host") or "").lower()
    if not host:
        raise SeedError("each b2c instance needs a host")
    if b2c.am.instances.get(host) is not None:
        raise SeedError(f"instance {host} exists already")
    b2c.am.instances.put(Instance(id=host, default=bool(data.get("default", False))))
    bm_users = []
    for raw_user in _list(data, "bm_users"):
        u = _check("bm user", raw_user)
        login = str(u.get("login") or "")
        if not login:
            raise SeedError("each BM user needs a login")
        password, pw_hash, salt = _password(u)
        key = u.get("access_key")
        b2c.am.bm_users.put(
            BmUser(
                id=f"{host}|{login.lower()}",
                instance=host,
                login=login,
                password_hash=pw_hash,
                salt=salt,
                access_key_hash=security.password_hash(str(key), salt) if key else None,
            )
        )
        bm_users.append({"login": login, "password": password})
    sites = [_seed_site(runtime, host, s) for s in _list(data, "sites")]
    return {"host": host, "bm_users": bm_users, "sites": sites}


def _seed_site(runtime: Runtime, host: str, raw: Any) -> dict[str, Any]:
    data = _check("site", raw)
    ocapi = runtime.b2c.ocapi
    site_id = str(data.get("id") or "")
    if not site_id:
        raise SeedError("each site needs an id")
    site = Site(
        id=f"{host}|{site_id}", instance=host, site_id=site_id, client_ids=[str(c) for c in data.get("client_ids", [])]
    )
    ocapi.sites.put(site)
    customers: list[dict[str, Any]] = []
    for raw_c in _list(data, "customers"):
        c = _check("customer", raw_c)
        login = str(c.get("login") or "").lower()
        if not login:
            raise SeedError("each customer needs a login")
        password, pw_hash, salt = _password(c)
        customer = Customer(
            id=str(c.get("customer_id") or new_customer_id()),
            site=site.id,
            registered=True,
            customer_no=str(c.get("customer_no") or f"{len(customers) + 1:08d}"),
            login=login,
            password_hash=pw_hash,
            salt=salt,
            first_name=str(c.get("first_name", "")),
            last_name=str(c.get("last_name", "")),
            email=str(c.get("email") or login),
            enabled=bool(c.get("enabled", True)),
        )
        ocapi.customers.put(customer)
        customers.append({"customer_id": customer.id, "login": login, "password": password})
    sessions: list[dict[str, Any]] = []
    for raw_s in _list(data, "sessions"):
        s = _check("session", raw_s)
        dwsid = str(s.get("dwsid") or security.random_b62(40))
        who = str(s.get("customer") or "guest").lower()
        if who == "guest":
            guest = Customer(id=new_customer_id(), site=site.id, registered=False)
            ocapi.customers.put(guest)
            customer_id = guest.id
        else:
            found = ocapi.customer_by_login(site, who)
            if found is None:
                raise SeedError(f"session: no customer {who} on site {site_id}")
            customer_id = found.id
        ocapi.sessions.put(StoreSession(id=security.token_hash(dwsid), site=site.id, customer_id=customer_id))
        sessions.append({"dwsid": dwsid, "customer": who})
    return {"id": site_id, "client_ids": site.client_ids, "customers": customers, "sessions": sessions}


def _seed_tenant(runtime: Runtime, raw: Any) -> dict[str, Any]:
    data = _check("tenant", raw)
    slas = runtime.b2c.slas
    org = str(data.get("org_id") or "")
    if not ORG_ID.match(org):
        raise SeedError(f"org_id {org!r} must look like f_ecom_zzxy_prd")
    short_code = str(data.get("short_code") or security.random_b62(8).lower())
    if not SHORT_CODE.match(short_code):
        raise SeedError(f"short_code {short_code!r}: lower-case letters and digits")
    if slas.tenants.get(org) is not None:
        raise SeedError(f"SLAS tenant {org} exists already")
    slas.tenants.put(SlasTenant(id=org, short_code=short_code, instance=data.get("instance")))
    clients = []
    for raw_c in _list(data, "clients"):
        c = _check("slas client", raw_c)
        client_id = str(c.get("client_id") or "")
        if not client_id or len(client_id) > 40:
            raise SeedError("each SLAS client needs a client_id of at most 40 characters")
        secret = c.get("client_secret")
        slas.clients.put(
            SlasClient(
                id=f"{org}|{client_id}",
                org=org,
                client_id=client_id,
                secret=str(secret) if secret else None,
                redirect_uris=[str(u) for u in c.get("redirect_uris", ["http://localhost:3000/callback"])],
                scopes=[str(s) for s in c.get("scopes", ["sfcc.shopper-myaccount.baskets", "sfcc.shopper-products"])],
                channels=[str(s) for s in c.get("channels", [])],
                strict_client_auth=bool(c.get("strict_client_auth", False)),
            )
        )
        clients.append({"client_id": client_id, "client_secret": secret, "public": not secret})
    shoppers = []
    for raw_s in _list(data, "shoppers"):
        s = _check("shopper", raw_s)
        login = str(s.get("login") or "").lower()
        if not login:
            raise SeedError("each shopper needs a login")
        password, pw_hash, salt = _password(s)
        customer_id = str(s.get("customer_id") or new_customer_id())
        slas.shoppers.put(
            Shopper(
                id=f"{org}|{login}",
                org=org,
                login=login,
                password_hash=pw_hash,
                salt=salt,
                customer_id=customer_id,
                first_name=str(s.get("first_name", "")),
                last_name=str(s.get("last_name", "")),
                email=str(s.get("email") or login),
            )
        )
        shoppers.append({"login": login, "password": password, "customer_id": customer_id})
    return {"org_id": org, "short_code": short_code, "clients": clients, "shoppers": shoppers}

"""The `b2c:` section of a seed document: `account_manager` (API clients, users), `instances` (BM users, sites
with OCAPI client ids, customers, storefront sessions) and `slas` (tenants with clients and shoppers)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .. import security
from ..seed import SeedError, flag, items, opt_text, text, text_list, unknown_fields
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
HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?")  # a host name, a port at most
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
    noun = kind if kind == "b2c" else f"b2c {kind}"  # the section itself, or a kind of item in it
    if not isinstance(data, dict):
        raise SeedError(f"{noun} must be a mapping")
    unknown = unknown_fields(data, KEYS[kind], noun)
    if unknown:
        raise SeedError(f"unknown {noun} field {unknown[0]!r} (known: {', '.join(sorted(KEYS[kind]))})")
    return data


def _list(data: dict[str, Any], key: str) -> list[Any]:
    return items(data.get(key), f"b2c {key}")


def _password(item: dict[str, Any], kind: str) -> tuple[str, str, str]:
    """The item's `password` (a random one when absent), its hash and its salt."""
    password = text(item.get("password"), f"b2c {kind} password", "") or security.random_b62(16)
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
        method = text(c.get("auth_method"), "b2c am client auth_method", "client_secret_basic")
        if method not in AM_AUTH_METHODS:
            raise SeedError(f"auth_method must be one of {', '.join(AM_AUTH_METHODS)}")
        client_id = text(c.get("client_id"), "b2c am client client_id", "") or security.random_b62(30).lower()
        if am.clients.get(client_id) is not None:
            raise SeedError(f"Account Manager client {client_id} exists already")
        where = f"b2c am client {client_id}:"
        given = text(c.get("client_secret"), f"{where} client_secret", "")
        secret = (
            None
            if method in ("none", "private_key_jwt") and "client_secret" not in c
            else given or security.random_b62(24)
        )
        public_key = opt_text(c.get("jwt_public_key"), f"{where} jwt_public_key")
        if method == "private_key_jwt" and not public_key:
            raise SeedError(f"client {client_id}: private_key_jwt needs jwt_public_key (PEM)")
        am.clients.put(
            AmClient(
                id=client_id,
                name=text(c.get("name"), f"{where} name", "") or client_id,
                secret=secret,
                auth_method=method,
                scopes=text_list(
                    c.get("scopes"), f"{where} scopes", ["mail", "roles", "tenantFilter", "profile", "openid"]
                ),
                default_scopes=text_list(
                    c.get("default_scopes"), f"{where} default_scopes", ["mail", "roles", "tenantFilter", "profile"]
                ),
                redirect_urls=text_list(c.get("redirect_urls"), f"{where} redirect_urls"),
                jwt_public_key=public_key,
                roles=text_list(c.get("roles"), f"{where} roles"),
                active=flag(c.get("active"), f"{where} active", True),
            )
        )
        clients.append({"client_id": client_id, "client_secret": secret, "auth_method": method})
    users = []
    for raw in _list(data, "users"):
        u = _check("am user", raw)
        login = (text(u.get("login"), "b2c am user login", "") or f"user-{security.random_b62(6)}@mockown.test").lower()
        if am.users.get(login) is not None:  # as a client: overwriting took another test's user (and its cleanup)
            raise SeedError(f"Account Manager user {login} exists already")
        password, pw_hash, salt = _password(u, "am user")
        am.users.put(
            AmUser(
                id=login,
                password_hash=pw_hash,
                salt=salt,
                name=text(u.get("name"), f"b2c am user {login}: name", ""),
                roles=text_list(u.get("roles"), f"b2c am user {login}: roles"),
                active=flag(u.get("active"), f"b2c am user {login}: active", True),
            )
        )
        users.append({"login": login, "password": password})
    return {"clients": clients, "users": users}


def _seed_instance(runtime: Runtime, raw: Any) -> dict[str, Any]:
    data = _check("instance", raw)
    b2c = runtime.b2c
    host = text(data.get("host"), "b2c instance host", "").lower()
    if not host:
        raise SeedError("each b2c instance needs a host")
    if not HOST.fullmatch(host):  # `/b2c/instances/<host>/` and a request's Host name it: a URL never matched
        raise SeedError(
            f"b2c instance host {host[:100]!r} must be a host name, a port at most "
            "(e.g. zzxy-001.dx.commercecloud.salesforce.com), not a URL"
        )
    if b2c.am.instances.get(host) is not None:
        raise SeedError(f"instance {host} exists already")
    default = flag(data.get("default"), f"b2c instance {host}: default", False)
    if default:  # a request whose host names no instance reaches the default one: two made it whichever came first
        other = next((i.id for i in b2c.am.instances.all() if i.default), None)
        if other is not None:
            raise SeedError(f"b2c instance {host}: default: instance {other} is the default already (one at most)")
    b2c.am.instances.put(Instance(id=host, default=default))
    bm_users = []
    for raw_user in _list(data, "bm_users"):
        u = _check("bm user", raw_user)
        login = text(u.get("login"), "b2c bm user login", "")
        if not login:
            raise SeedError("each BM user needs a login")
        if b2c.am.bm_users.get(f"{host}|{login.lower()}") is not None:  # twice in the document: it replaced the first
            raise SeedError(f"BM user {login} exists already on instance {host}")
        password, pw_hash, salt = _password(u, "bm user")
        key = opt_text(u.get("access_key"), f"b2c bm user {login}: access_key")
        b2c.am.bm_users.put(
            BmUser(
                id=f"{host}|{login.lower()}",
                instance=host,
                login=login,
                password_hash=pw_hash,
                salt=salt,
                access_key_hash=security.password_hash(key, salt) if key else None,
            )
        )
        bm_users.append({"login": login, "password": password})
    sites = [_seed_site(runtime, host, s) for s in _list(data, "sites")]
    return {"host": host, "bm_users": bm_users, "sites": sites}


def _seed_site(runtime: Runtime, host: str, raw: Any) -> dict[str, Any]:
    data = _check("site", raw)
    ocapi = runtime.b2c.ocapi
    site_id = text(data.get("id"), "b2c site id", "")
    if not site_id:
        raise SeedError("each site needs an id")
    client_ids = text_list(data.get("client_ids"), f"b2c site {site_id}: client_ids")
    site = Site(id=f"{host}|{site_id}", instance=host, site_id=site_id, client_ids=client_ids)
    if ocapi.sites.get(site.id) is not None:  # twice in the document: the second replaced the first
        raise SeedError(f"site {site_id} exists already on instance {host}")
    ocapi.sites.put(site)
    customers: list[dict[str, Any]] = []
    for raw_c in _list(data, "customers"):
        c = _check("customer", raw_c)
        login = text(c.get("login"), "b2c customer login", "").lower()
        if not login:
            raise SeedError("each customer needs a login")
        if ocapi.customer_by_login(site, login) is not None:  # only the first could sign in
            raise SeedError(f"customer {login} exists already on site {site_id}")
        password, pw_hash, salt = _password(c, "customer")
        where = f"b2c customer {login}:"
        customer_id = text(c.get("customer_id"), f"{where} customer_id", "") or new_customer_id()
        if ocapi.customers.get(customer_id) is not None:  # ids are global: overwriting took another site's customer
            raise SeedError(f"customer {customer_id} exists already")
        customer = Customer(
            id=customer_id,
            site=site.id,
            registered=True,
            customer_no=text(c.get("customer_no"), f"{where} customer_no", "") or f"{len(customers) + 1:08d}",
            login=login,
            password_hash=pw_hash,
            salt=salt,
            first_name=text(c.get("first_name"), f"{where} first_name", ""),
            last_name=text(c.get("last_name"), f"{where} last_name", ""),
            email=text(c.get("email"), f"{where} email", "") or login,
            enabled=flag(c.get("enabled"), f"{where} enabled", True),
        )
        ocapi.customers.put(customer)
        customers.append({"customer_id": customer.id, "login": login, "password": password})
    sessions: list[dict[str, Any]] = []
    for raw_s in _list(data, "sessions"):
        s = _check("session", raw_s)
        dwsid = text(s.get("dwsid"), "b2c session dwsid", "") or security.random_b62(40)
        if ocapi.sessions.get(security.token_hash(dwsid)) is not None:  # as a customer: it is another site's
            raise SeedError(f"session dwsid {dwsid[:8]}... exists already")
        who = (text(s.get("customer"), "b2c session customer", "") or "guest").lower()
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
    org = text(data.get("org_id"), "b2c slas tenant org_id", "")
    if not ORG_ID.fullmatch(org):
        raise SeedError(f"org_id {org!r} must look like f_ecom_zzxy_prd")
    short_code = (
        text(data.get("short_code"), f"b2c slas tenant {org}: short_code", "") or security.random_b62(8).lower()
    )
    if not SHORT_CODE.fullmatch(short_code):
        raise SeedError(f"short_code {short_code!r}: lower-case letters and digits")
    if slas.tenants.get(org) is not None:
        raise SeedError(f"SLAS tenant {org} exists already")
    instance = opt_text(data.get("instance"), f"b2c slas tenant {org}: instance")
    if instance is not None and not HOST.fullmatch(instance):
        raise SeedError(
            f"b2c slas tenant {org}: instance {instance[:100]!r} is the host of a b2c instance, as its seeded 'host' "
            "(e.g. zzxy-001.dx.commercecloud.salesforce.com), not a URL"
        )
    slas.tenants.put(SlasTenant(id=org, short_code=short_code, instance=instance))
    clients = []
    for raw_c in _list(data, "clients"):
        c = _check("slas client", raw_c)
        client_id = text(c.get("client_id"), "b2c slas client client_id", "")
        if not client_id or len(client_id) > 40:
            raise SeedError("each SLAS client needs a client_id of at most 40 characters")
        if slas.clients.get(f"{org}|{client_id}") is not None:  # twice in the document: the second replaced the first
            raise SeedError(f"SLAS client {client_id} exists already in tenant {org}")
        where = f"b2c slas client {client_id}:"
        secret = opt_text(c.get("client_secret"), f"{where} client_secret") or None  # none (or ""): a public client
        slas.clients.put(
            SlasClient(
                id=f"{org}|{client_id}",
                org=org,
                client_id=client_id,
                secret=secret,
                redirect_uris=text_list(
                    c.get("redirect_uris"), f"{where} redirect_uris", ["http://localhost:3000/callback"]
                ),
                scopes=text_list(
                    c.get("scopes"), f"{where} scopes", ["sfcc.shopper-myaccount.baskets", "sfcc.shopper-products"]
                ),
                channels=text_list(c.get("channels"), f"{where} channels"),
                strict_client_auth=flag(c.get("strict_client_auth"), f"{where} strict_client_auth", False),
            )
        )
        clients.append({"client_id": client_id, "client_secret": secret, "public": not secret})
    shoppers = []
    for raw_s in _list(data, "shoppers"):
        s = _check("shopper", raw_s)
        login = text(s.get("login"), "b2c shopper login", "").lower()
        if not login:
            raise SeedError("each shopper needs a login")
        if slas.shoppers.get(f"{org}|{login}") is not None:  # twice in the document (in any case): the same
            raise SeedError(f"shopper {login} exists already in tenant {org}")
        password, pw_hash, salt = _password(s, "shopper")
        where = f"b2c shopper {login}:"
        customer_id = text(s.get("customer_id"), f"{where} customer_id", "") or new_customer_id()
        slas.shoppers.put(
            Shopper(
                id=f"{org}|{login}",
                org=org,
                login=login,
                password_hash=pw_hash,
                salt=salt,
                customer_id=customer_id,
                first_name=text(s.get("first_name"), f"{where} first_name", ""),
                last_name=text(s.get("last_name"), f"{where} last_name", ""),
                email=text(s.get("email"), f"{where} email", "") or login,
            )
        )
        shoppers.append({"login": login, "password": password, "customer_id": customer_id})
    return {"org_id": org, "short_code": short_code, "clients": clients, "shoppers": shoppers}

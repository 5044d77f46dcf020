"""The `salesforce:` section of a seed document: orgs with their users and connected apps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .. import ids, security, zones
from ..config import API_LIMIT_MAX
from ..http.headers import host_name
from ..seed import (
    SeedError,
    duration,
    flag,
    items,
    opt_host,
    opt_text,
    text,
    text_list,
    unknown_fields,
    whole_between,
)
from . import models
from .discovery import every_orgs_host, is_scope
from .models import REFRESH_POLICIES, USER_TYPES, ConnectedApp, Org, User, user_type_named

if TYPE_CHECKING:
    from ..runtime import Runtime
    from ..store import Table

_ORG_KEYS = {"id", "name", "my_domain", "instance_name", "organization_type", "is_sandbox", "namespace_prefix",
             "dev_hub", "api_limit", "session_timeout", "soap_login_enabled", "users", "apps"}  # fmt: skip
_USER_KEYS = {"id", "username", "password", "security_token", "active", "first_name", "last_name", "email",
              "profile", "user_type", "language", "locale", "timezone", "custom_permissions"}  # fmt: skip
_APP_KEYS = {"id", "name", "client_id", "client_secret", "callback_urls", "scopes", "require_secret_for_web_server",
             "pkce_required", "username_password_allowed", "client_credentials_user", "refresh_token_policy",
             "refresh_token_ttl", "rotation", "session_timeout", "auto_approve", "pre_approved_users",
             "jwt_certificate", "jwt_access_tokens", "introspect_all", "id_token_validity",
             "token_exchange", "initial_access_token", "id_token_audiences", "id_token_include_standard_claims",
             "id_token_include_attributes", "id_token_include_custom_perms", "custom_attributes",
             "custom_permissions", "single_logout_url"}  # fmt: skip


def _check(kind: str, data: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SeedError(f"each {kind} must be a mapping")
    unknown = unknown_fields(data, allowed, f"salesforce {kind}")
    if unknown:
        raise SeedError(f"unknown {kind} field {unknown[0]!r} (known: {', '.join(sorted(allowed))})")
    return data


def _id(value: Any, prefix: str, kind: str, table: Table[Any]) -> str:
    """A record's id: the one given, in its 18-character form, or a fresh one. A given id is that kind's (its key
    prefix: 00D an org, 005 a user, 0H4 a connected app) and no record's yet: one that exists is refused, not
    taken over (a seeded user with the demo admin's id replaced the admin: its tokens then named the newcomer)."""
    if value is None:
        return ids.new_id(prefix)
    given = text(value, f"salesforce {kind} id")  # a string (or a number, as its digits)
    try:
        record_id = ids.to18(given)
    except ValueError as exc:
        raise SeedError(f"{kind} id: {exc}") from None
    if not record_id.startswith(prefix):
        raise SeedError(f"{kind} id {given!r} must start with {prefix}, the key prefix of a {kind}")
    if table.get(record_id) is not None:
        raise SeedError(f"{kind} {record_id} exists already")
    return record_id


def seed_salesforce(runtime: Runtime, body: Any) -> dict[str, Any]:
    if body is None:
        body = {}
    if not isinstance(body, dict) or set(body) - {"orgs"}:
        raise SeedError("the salesforce section holds 'orgs': a list of orgs")
    orgs = body.get("orgs")
    if orgs is None:
        orgs = [{}]
    if not isinstance(orgs, list):
        raise SeedError("salesforce.orgs must be a list")
    return {"orgs": [seed_org(runtime, org) for org in orgs]}


def seed_org(runtime: Runtime, data: Any) -> dict[str, Any]:
    """Create one org (defaults for everything left out) and return its credentials."""
    data = _check("org", {} if data is None else data, _ORG_KEYS)
    now = runtime.clock.now()
    service = runtime.salesforce
    org_id = _id(data.get("id"), ids.ORG, "org", service.orgs)
    my_domain = _my_domain(runtime, data.get("my_domain"))
    org = Org(
        id=org_id,
        name=text(data.get("name"), "salesforce org name", "") or f"Org {org_id[:15]}",
        my_domain=my_domain,
        instance_name=text(data.get("instance_name"), "salesforce org instance_name", "MOCK1"),
        organization_type=text(data.get("organization_type"), "salesforce org organization_type", "Developer Edition"),
        is_sandbox=flag(data.get("is_sandbox"), "salesforce org is_sandbox", False),
        namespace_prefix=opt_text(data.get("namespace_prefix"), "salesforce org namespace_prefix"),
        dev_hub=flag(data.get("dev_hub"), "salesforce org dev_hub", False),
        # as `/limits` (`DailyApiRequests.Max`) and `Sforce-Limit-Info` report it; a 32-bit integer on Salesforce
        api_limit=whole_between(
            data.get("api_limit"),
            "salesforce org api_limit",
            0,
            API_LIMIT_MAX,
            runtime.config.salesforce.daily_api_limit,
        ),
        # Session Settings: the timeout of the apps that set none (spec 10: app, then profile, then org). Copied
        # into those apps below rather than resolved at issuance (a hot path): nothing changes an org's timeout
        # after this, and apps are only made here (register.py copies its parent app's); if that changes, resolve
        # it at issuance instead
        session_timeout=duration(data.get("session_timeout"), "salesforce org session_timeout", 7200),
        soap_login_enabled=flag(data.get("soap_login_enabled"), "salesforce org soap_login_enabled", True),
        created_at=now,
    )
    service.orgs.put(org)
    suffix = org_id[10:15].lower()
    users_in = data.get("users")
    if users_in is None:
        users_in = [
            {"username": f"admin-{suffix}@mockown.test", "first_name": "Ada", "last_name": "Admin"},
            {
                "username": f"integration-{suffix}@mockown.test",
                "first_name": "Ivan",
                "last_name": "Integration",
            },
        ]
    users = [_seed_user(runtime, org, u, now) for u in items(users_in, "salesforce org users")]
    apps_in = data.get("apps")
    if apps_in is None:
        cc_user = users[1]["username"] if len(users) > 1 else users[0]["username"] if users else None
        apps_in = [{"client_credentials_user": cc_user}]
    apps = [_seed_app(runtime, org, a) for a in items(apps_in, "salesforce org apps")]
    return {"id": org.id, "name": org.name, "users": users, "apps": apps}


def _my_domain(runtime: Runtime, value: Any) -> str | None:
    """An org's My Domain, a host name as requests are matched against it (`opt_host`), and one org's: not a host
    that serves every org (a login host, the mock's own address, `discovery.every_orgs_host`, or the host of
    `base_url`), which as this org's My Domain failed every other org's sign-in there."""
    where = "salesforce org my_domain"
    host = opt_host(value, where)
    if not host:
        return host
    base_url = runtime.config.base_url
    own = host_name(urlsplit(base_url).hostname or "") if base_url else ""
    if every_orgs_host(host) or host == own:
        raise SeedError(
            f"{where} {host!r} is a host every org signs in on (login.salesforce.com, test.salesforce.com or the "
            "mock's own address), not one org's My Domain such as acme.my.salesforce.com"
        )
    return host


def _seed_user(runtime: Runtime, org: Org, data: Any, now: float) -> dict[str, Any]:
    data = _check("user", data, _USER_KEYS)
    service = runtime.salesforce
    username = (
        text(data.get("username"), "salesforce user username", "").strip()
        or f"user-{security.random_b62(8)}@mockown.test"
    ).lower()  # as the sign-in looks a name up: stripped, lower-cased
    try:
        models.username(username)
    except ValueError:
        raise SeedError(
            f"salesforce user username {username[:100]!r} must have e-mail form (name@domain, no white space), "
            "as Salesforce usernames have"
        ) from None
    if service.user_by_username(username) is not None:
        raise SeedError(f"username {username} is taken (usernames are unique across orgs)")
    password = text(data.get("password"), "salesforce user password", "") or security.random_b62(16)
    salt = security.random_b62(16)
    token = text(data.get("security_token"), "salesforce user security_token", "")
    user = User(
        id=_id(data.get("id"), ids.USER, "user", service.users),
        org_id=org.id,
        username=username,
        password_hash=security.password_hash(password, salt),
        salt=salt,
        security_token_hash=security.token_hash(token) if token else "",
        security_token_len=len(token),
        active=flag(data.get("active"), "salesforce user active", True),
        first_name=text(data.get("first_name"), "salesforce user first_name", ""),
        last_name=text(data.get("last_name"), "salesforce user last_name", "User"),
        email=text(data.get("email"), "salesforce user email", "") or username,
        profile=text(data.get("profile"), "salesforce user profile", "System Administrator"),
        user_type=_user_type(data.get("user_type")),
        language=_locale(data.get("language"), f"salesforce user {username}: language", "language"),
        locale=_locale(data.get("locale"), f"salesforce user {username}: locale", "locale"),
        timezone=_zone(data.get("timezone"), f"salesforce user {username}: timezone"),
        custom_permissions=text_list(data.get("custom_permissions"), "salesforce user custom_permissions"),
        updated_at=now,
    )
    service.users.put(user)
    return {
        "id": user.id,
        "username": username,
        "password": password,
        "security_token": token,
        "active": user.active,
    }


def _zone(value: Any, where: str) -> str:
    """A user's `timezone`: an IANA zone name (`zones.is_zone`), as the identity service answers it (`zoneinfo`)
    and computes `utcOffset` from it; another one came back as given, with an offset of 0."""
    zone = text(value, where, "America/Los_Angeles")
    if not zones.is_zone(zone):
        raise SeedError(
            f"{where} {zone[:100]!r} is not an IANA time-zone name the host's zone database knows "
            "(e.g. America/Los_Angeles, Europe/Paris)"
        )
    return zone


def _locale(value: Any, where: str, what: str) -> str:
    """A user's `locale` or `language`: a Salesforce code (`en_US`, `fr_FR_EURO`, `de`: `models.LOCALE_FORM`)."""
    code = text(value, where, "en_US")
    if not models.LOCALE_FORM.fullmatch(code):
        raise SeedError(f"{where} {code[:100]!r} is not a Salesforce {what} code (e.g. en_US, fr_FR_EURO, de)")
    return code


def _user_type(value: Any) -> str:
    """A seeded `user_type`, as the identity service names it (`POWER_PARTNER`), from that name or the API's
    (`PowerPartner`), in any case; any other value is refused."""
    name = text(value, "salesforce user user_type", "STANDARD")
    found = user_type_named(name)
    if found is None:
        known = ", ".join(USER_TYPES)
        raise SeedError(f"salesforce user user_type {name!r} is none of {known} (or those as the API writes them)")
    return found


def _seed_app(runtime: Runtime, org: Org, data: Any) -> dict[str, Any]:
    data = _check("app", data, _APP_KEYS)
    service = runtime.salesforce
    client_id = text(data.get("client_id"), "salesforce app client_id", "") or (
        "3MVG9" + security.random_sf_opaque(80).replace(".", "A")
    )
    if service.app_by_client_id(client_id) is not None:
        raise SeedError(f"client_id {client_id} is taken")
    if "client_secret" in data:  # null (or "") is an app without a secret
        secret = opt_text(data["client_secret"], f"app {client_id}: client_secret")
    else:
        secret = security.random_b62(64).upper()
    policy = text(data.get("refresh_token_policy"), f"app {client_id}: refresh_token_policy", "until_revoked")
    if policy not in REFRESH_POLICIES:
        raise SeedError(f"refresh_token_policy must be one of {', '.join(REFRESH_POLICIES)}")
    session_timeout = duration(data.get("session_timeout"), f"app {client_id}: session_timeout", org.session_timeout)
    ttl = duration(data.get("refresh_token_ttl"), f"app {client_id}: refresh_token_ttl", 0)
    id_token_validity = duration(data.get("id_token_validity"), f"app {client_id}: id_token_validity", 300)
    if policy in ("idle", "absolute") and ttl <= 0:
        raise SeedError(f"app {client_id}: refresh_token_policy {policy} needs refresh_token_ttl")
    flows = _flow_settings(client_id, data)
    where = f"app {client_id}:"
    cc_user = _run_as_user(runtime, org, data.get("client_credentials_user"), f"{where} client_credentials_user")
    app = ConnectedApp(
        id=_id(data.get("id"), ids.CONNECTED_APP, "app", service.apps),
        org_id=org.id,
        name=text(data.get("name"), f"{where} name", "") or "Mockown App",
        client_id=client_id,
        client_secret=secret or None,
        callback_urls=_callback_urls(data.get("callback_urls"), f"{where} callback_urls"),
        scopes=_scopes(data.get("scopes"), f"{where} scopes"),
        require_secret_for_web_server=flag(
            data.get("require_secret_for_web_server"), f"{where} require_secret_for_web_server", True
        ),
        pkce_required=flag(data.get("pkce_required"), f"{where} pkce_required", False),
        username_password_allowed=flag(
            data.get("username_password_allowed"), f"{where} username_password_allowed", True
        ),
        client_credentials_user=cc_user,
        refresh_token_policy=policy,
        refresh_token_ttl=ttl,
        rotation=flag(data.get("rotation"), f"{where} rotation", False),
        session_timeout=session_timeout,
        auto_approve=flag(data.get("auto_approve"), f"{where} auto_approve", True),
        pre_approved_users=[
            u.lower() for u in text_list(data.get("pre_approved_users"), f"{where} pre_approved_users", ["*"])
        ],
        jwt_certificate=flows["jwt_certificate"],
        jwt_access_tokens=flag(data.get("jwt_access_tokens"), f"{where} jwt_access_tokens", False),
        introspect_all=flag(data.get("introspect_all"), f"{where} introspect_all", False),
        id_token_validity=id_token_validity,
        id_token_audiences=text_list(data.get("id_token_audiences"), f"{where} id_token_audiences"),
        id_token_include_standard_claims=flag(
            data.get("id_token_include_standard_claims"), f"{where} id_token_include_standard_claims", True
        ),
        id_token_include_attributes=flag(
            data.get("id_token_include_attributes"), f"{where} id_token_include_attributes", False
        ),
        id_token_include_custom_perms=flag(
            data.get("id_token_include_custom_perms"), f"{where} id_token_include_custom_perms", False
        ),
        custom_attributes=_attributes(data.get("custom_attributes"), f"{where} custom_attributes"),
        custom_permissions=text_list(data.get("custom_permissions"), f"{where} custom_permissions"),
        token_exchange=flows["token_exchange"],
        initial_access_token_hash=flows["initial_access_token_hash"],
        single_logout_url=_single_logout_url(runtime, data.get("single_logout_url"), f"{where} single_logout_url"),
    )
    service.apps.put(app)
    return {
        "id": app.id,
        "name": app.name,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "callback_urls": app.callback_urls,
    }


def _run_as_user(runtime: Runtime, org: Org, value: Any, where: str) -> str | None:
    """The client-credentials grant's run-as user: a user of the app's org (seeded before the app, in this document),
    by its username as the grant looks it up (stripped, lower-cased); none (null or "") is no grant. Another name
    was stored, and every client-credentials grant of the app answered `no client credentials user enabled`."""
    name = (opt_text(value, where) or "").strip().lower()
    if not name:
        return None
    user = runtime.salesforce.user_by_username(name)
    if user is None:
        raise SeedError(f"{where} {name} is no user of the app's org")
    if user.org_id != org.id:
        raise SeedError(f"{where} {name} is a user of another org, not of the app's")
    return name


def _callback_urls(value: Any, where: str) -> list[str]:
    """The app's callback URLs, each one a URL can hold: a bracket that is no IPv6 literal (`https://[x/cb`) is
    refused, as dynamic registration refuses it (every redirect to it would take it apart again); and so is a
    fragment (RFC 6749 §3.1.2: a redirection URI has none; the code came back as `cb?code=...#frag`)."""
    urls = text_list(value, where, ["http://localhost:8080/callback"])
    for i, url in enumerate(urls):
        try:
            fragment = urlsplit(url).fragment
        except ValueError as exc:
            raise SeedError(f"{where}[{i}] must be a URL, not {url!r} ({exc})") from None
        if fragment or "#" in url:
            raise SeedError(f"{where}[{i}] must be a URL without a fragment (#...), not {url!r}")
    return urls


def _scopes(value: Any, where: str) -> list[str]:
    """The app's OAuth scopes, each a Salesforce scope (`discovery.is_scope`), as dynamic registration takes them:
    an unknown one (`bogus`, or `api web`, two in one item) could never be granted, yet introspection showed it in
    the token's scope."""
    scopes = text_list(value, where, ["api", "refresh_token", "openid", "id", "web"])
    for i, scope in enumerate(scopes):
        if not is_scope(scope):
            raise SeedError(f"{where}[{i}] {scope[:100]!r} names no Salesforce scope (one scope per item)")
    return scopes


def _single_logout_url(runtime: Runtime, value: Any, where: str) -> str | None:
    """Enable Single Logout with its Single Logout URL, which "must be an absolute URL and start with https://"
    (Salesforce Help). None or "" is SLO off. The mock knob `salesforce.slo_allow_http` also takes http://."""
    url = opt_text(value, where)
    if not url:
        return None
    allow_http = runtime.config.salesforce.slo_allow_http
    schemes = ("https://", "http://") if allow_http else ("https://",)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is no number raises ValueError
    except ValueError:
        parts = None
    clean = not any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url)
    if parts is None or not url.startswith(schemes) or not parts.hostname or not clean:
        starts = "https:// (or http://, salesforce.slo_allow_http)" if allow_http else "https://"
        raise SeedError(f"{where} must be an absolute URL that starts with {starts}, not {url!r}")
    return url


def _attributes(value: Any, where: str) -> dict[str, str]:
    """`custom_attributes`: a mapping of attribute keys to text (a literal, or `$User.<Field>`,
    `$Organization.<Field>`, `$Profile.Name`); None is no attributes."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        kind = "a list" if isinstance(value, list) else f"a {type(value).__name__}"
        raise SeedError(f"{where} must be a mapping of attribute keys to text, not {kind}")
    out: dict[str, str] = {}
    for key, item in value.items():
        name = text(key, f"{where} key")
        if not name.strip():
            raise SeedError(f"{where}: an attribute key must not be empty")
        out[name] = text(item, f"{where}.{name}")
    return out


def _flow_settings(client_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """`jwt_certificate` (PEM text or a file, relative paths also under fixtures/), `token_exchange` (the
    exchange handler, key files read now) and `initial_access_token` (stored hashed)."""
    from .exchange import normalize
    from .jwtutil import BadJwt, seed_pem

    out: dict[str, Any] = {"jwt_certificate": None, "token_exchange": None, "initial_access_token_hash": None}
    certificate = opt_text(data.get("jwt_certificate"), f"app {client_id}: jwt_certificate")
    access_token = opt_text(data.get("initial_access_token"), f"app {client_id}: initial_access_token")
    try:
        if certificate:
            out["jwt_certificate"] = seed_pem(certificate)
        if data.get("token_exchange") is not None:
            out["token_exchange"] = normalize(data["token_exchange"])
    except (ValueError, OSError, BadJwt) as exc:
        raise SeedError(f"app {client_id}: {exc}") from None
    if access_token:
        out["initial_access_token_hash"] = security.token_hash(access_token)
    return out

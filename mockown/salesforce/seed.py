"""The `salesforce:` section of a seed document: orgs with their users and connected apps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import ids, security
from ..clock import parse_duration
from ..seed import SeedError
from .models import REFRESH_POLICIES, ConnectedApp, Org, User

if TYPE_CHECKING:
    from ..runtime import Runtime

_ORG_KEYS = {"id", "name", "my_domain", "instance_name", "organization_type", "is_sandbox", "namespace_prefix",
             "dev_hub", "api_limit", "users", "apps"}  # fmt: skip
_USER_KEYS = {"id", "username", "password", "security_token", "active", "first_name", "last_name", "email",
              "profile", "user_type", "language", "locale", "timezone"}  # fmt: skip
_APP_KEYS = {"id", "name", "client_id", "client_secret", "callback_urls", "scopes", "require_secret_for_web_server",
             "pkce_required", "username_password_allowed", "client_credentials_user", "refresh_token_policy",
             "refresh_token_ttl", "rotation", "session_timeout", "auto_approve", "pre_approved_users",
             "jwt_certificate", "jwt_access_tokens", "introspect_all", "id_token_validity",
             "token_exchange", "initial_access_token"}  # fmt: skip


def _check(kind: str, data: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SeedError(f"each {kind} must be a mapping")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SeedError(f"unknown {kind} field {unknown[0]!r} (known: {', '.join(sorted(allowed))})")
    return data


def _id(value: Any, prefix: str, kind: str) -> str:
    if value is None:
        return ids.new_id(prefix)
    try:
        return ids.to18(str(value))
    except ValueError as exc:
        raise SeedError(f"{kind} id: {exc}") from None


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
    data = _check("org", data or {}, _ORG_KEYS)
    now = runtime.clock.now()
    service = runtime.salesforce
    org_id = _id(data.get("id"), ids.ORG, "org")
    if service.orgs.get(org_id) is not None:
        raise SeedError(f"org {org_id} exists already")
    org = Org(
        id=org_id,
        name=str(data.get("name") or f"Org {org_id[:15]}"),
        my_domain=data.get("my_domain"),
        instance_name=str(data.get("instance_name", "MOCK1")),
        organization_type=str(data.get("organization_type", "Developer Edition")),
        is_sandbox=bool(data.get("is_sandbox", False)),
        namespace_prefix=data.get("namespace_prefix"),
        dev_hub=bool(data.get("dev_hub", False)),
        api_limit=int(data.get("api_limit", runtime.config.salesforce.daily_api_limit)),
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
    users = [_seed_user(runtime, org, u, now) for u in users_in]
    apps_in = data.get("apps")
    if apps_in is None:
        cc_user = users[1]["username"] if len(users) > 1 else users[0]["username"] if users else None
        apps_in = [{"client_credentials_user": cc_user}]
    apps = [_seed_app(runtime, org, a) for a in apps_in]
    return {"id": org.id, "name": org.name, "users": users, "apps": apps}


def _seed_user(runtime: Runtime, org: Org, data: Any, now: float) -> dict[str, Any]:
    data = _check("user", data, _USER_KEYS)
    service = runtime.salesforce
    username = str(data.get("username") or f"user-{security.random_b62(8).lower()}@mockown.test").lower()
    if service.user_by_username(username) is not None:
        raise SeedError(f"username {username} is taken (usernames are unique across orgs)")
    password = str(data.get("password") or security.random_b62(16))
    salt = security.random_b62(16)
    token = str(data.get("security_token") or "")
    user = User(
        id=_id(data.get("id"), ids.USER, "user"),
        org_id=org.id,
        username=username,
        password_hash=security.password_hash(password, salt),
        salt=salt,
        security_token_hash=security.token_hash(token) if token else "",
        security_token_len=len(token),
        active=bool(data.get("active", True)),
        first_name=str(data.get("first_name", "")),
        last_name=str(data.get("last_name", "User")),
        email=str(data.get("email") or username),
        profile=str(data.get("profile", "System Administrator")),
        user_type=str(data.get("user_type", "STANDARD")),
        language=str(data.get("language", "en_US")),
        locale=str(data.get("locale", "en_US")),
        timezone=str(data.get("timezone", "America/Los_Angeles")),
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


def _seed_app(runtime: Runtime, org: Org, data: Any) -> dict[str, Any]:
    data = _check("app", data, _APP_KEYS)
    service = runtime.salesforce
    client_id = str(data.get("client_id") or "3MVG9" + security.random_sf_opaque(80).replace(".", "A"))
    if service.app_by_client_id(client_id) is not None:
        raise SeedError(f"client_id {client_id} is taken")
    secret = data["client_secret"] if "client_secret" in data else security.random_b62(64).upper()
    policy = str(data.get("refresh_token_policy", "until_revoked"))
    if policy not in REFRESH_POLICIES:
        raise SeedError(f"refresh_token_policy must be one of {', '.join(REFRESH_POLICIES)}")
    try:
        session_timeout = parse_duration(data.get("session_timeout", 7200))
        ttl = parse_duration(data.get("refresh_token_ttl", 0))
        id_token_validity = parse_duration(data.get("id_token_validity", 300))
    except ValueError as exc:
        raise SeedError(f"app {client_id}: {exc}") from None
    if policy in ("idle", "absolute") and ttl <= 0:
        raise SeedError(f"app {client_id}: refresh_token_policy {policy} needs refresh_token_ttl")
    flows = _flow_settings(client_id, data)
    app = ConnectedApp(
        id=_id(data.get("id"), ids.CONNECTED_APP, "app"),
        org_id=org.id,
        name=str(data.get("name") or "Mockown App"),
        client_id=client_id,
        client_secret=str(secret) if secret else None,
        callback_urls=[str(u) for u in data.get("callback_urls", ["http://localhost:8080/callback"])],
        scopes=[str(s) for s in data.get("scopes", ["api", "refresh_token", "openid", "id", "web"])],
        require_secret_for_web_server=bool(data.get("require_secret_for_web_server", True)),
        pkce_required=bool(data.get("pkce_required", False)),
        username_password_allowed=bool(data.get("username_password_allowed", True)),
        client_credentials_user=(
            str(data["client_credentials_user"]).lower() if data.get("client_credentials_user") else None
        ),
        refresh_token_policy=policy,
        refresh_token_ttl=ttl,
        rotation=bool(data.get("rotation", False)),
        session_timeout=session_timeout,
        auto_approve=bool(data.get("auto_approve", True)),
        pre_approved_users=[str(u).lower() for u in data.get("pre_approved_users", ["*"])],
        jwt_certificate=flows["jwt_certificate"],
        jwt_access_tokens=bool(data.get("jwt_access_tokens", False)),
        introspect_all=bool(data.get("introspect_all", False)),
        id_token_validity=id_token_validity,
        token_exchange=flows["token_exchange"],
        initial_access_token_hash=flows["initial_access_token_hash"],
    )
    service.apps.put(app)
    return {
        "id": app.id,
        "name": app.name,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "callback_urls": app.callback_urls,
    }


def _flow_settings(client_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """`jwt_certificate` (PEM text or a file, relative paths also under fixtures/), `token_exchange` (the
    exchange handler, key files read now) and `initial_access_token` (stored hashed)."""
    from .exchange import normalize
    from .jwtutil import BadJwt, seed_pem

    out: dict[str, Any] = {"jwt_certificate": None, "token_exchange": None, "initial_access_token_hash": None}
    try:
        if data.get("jwt_certificate"):
            out["jwt_certificate"] = seed_pem(str(data["jwt_certificate"]))
        if data.get("token_exchange") is not None:
            out["token_exchange"] = normalize(data["token_exchange"])
    except (ValueError, OSError, BadJwt) as exc:
        raise SeedError(f"app {client_id}: {exc}") from None
    if data.get("initial_access_token"):
        out["initial_access_token_hash"] = security.token_hash(str(data["initial_access_token"]))
    return out

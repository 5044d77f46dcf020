"""A connected app's ID-token claim set and the `custom_attributes` / `custom_permissions` it shares with the
identity service (spec 7.3, Metadata API `ConnectedAppOauthIdToken`; spec 6, the identity response's extras).

Everything here is pure: it reads the app, user and org records it is handed and never the store, so its
results can be computed before the ID token's signature is deferred to the signer thread.

* `custom_attributes`: the app's attributes, `{key: value}`. A value is literal text or one reference to a
  field, `$User.<Field>`, `$Organization.<Field>` or `$Profile.Name` (Salesforce's Insert Field names, read
  case-insensitively); a field the mock does not keep resolves to null.
* `custom_permissions`: the custom permissions associated with the app, `{name: whether the user has it}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .. import ids
from .models import ConnectedApp, Org, User

# the claims an ID token always carries (`azp` only with extra audiences); the rest (the user's profile claims) are
# its "standard claims"
PROTOCOL_CLAIMS = frozenset({"iss", "sub", "aud", "azp", "exp", "iat", "at_hash", "nonce"})
CUSTOM_PERMISSIONS_SCOPES = frozenset({"custom_permissions", "full"})  # full covers every scope

_REFERENCE = re.compile(r"\$([A-Za-z]\w*)\.([A-Za-z]\w*)")


def _flag(value: bool) -> str:
    return "true" if value else "false"


_USER_FIELDS: dict[str, Callable[[User], str | None]] = {
    "id": lambda u: ids.to18(u.id),
    "username": lambda u: u.username,
    "firstname": lambda u: u.first_name,
    "lastname": lambda u: u.last_name,
    "name": lambda u: u.display_name,
    "email": lambda u: u.email,
    "communitynickname": lambda u: u.username.split("@", 1)[0],
    "isactive": lambda u: _flag(u.active),
    "usertype": lambda u: u.user_type,
    "languagelocalekey": lambda u: u.language,
    "localesidkey": lambda u: u.locale,
    "timezonesidkey": lambda u: u.timezone,
}
_ORG_FIELDS: dict[str, Callable[[Org], str | None]] = {
    "id": lambda o: ids.to18(o.id),
    "name": lambda o: o.name,
    "instancename": lambda o: o.instance_name,
    "organizationtype": lambda o: o.organization_type,
    "issandbox": lambda o: _flag(o.is_sandbox),
    "namespaceprefix": lambda o: o.namespace_prefix,
}


def attribute_value(value: str, user: User, org: Org) -> str | None:
    """One custom attribute's value: literal text, or the field it references (None: a field the mock lacks)."""
    match = _REFERENCE.fullmatch(value.strip())
    if match is None:
        return value
    kind, field = match.group(1).lower(), match.group(2).lower()
    if kind == "user":
        user_field = _USER_FIELDS.get(field)
        return user_field(user) if user_field is not None else None
    if kind == "organization":
        org_field = _ORG_FIELDS.get(field)
        return org_field(org) if org_field is not None else None
    if kind == "profile" and field == "name":
        return user.profile
    return None


def custom_attributes(app: ConnectedApp, user: User, org: Org) -> dict[str, str | None]:
    return {key: attribute_value(value, user, org) for key, value in app.custom_attributes.items()}


def custom_permissions(app: ConnectedApp, user: User) -> dict[str, bool]:
    held = set(user.custom_permissions)
    return {name: name in held for name in app.custom_permissions}


def identity_extras(app: ConnectedApp | None, user: User, org: Org, scopes: list[str]) -> dict[str, Any]:
    """The identity URL's and userinfo's extras: `custom_attributes` when the app has any; `custom_permissions`
    when the token was granted the `custom_permissions` scope and the app has custom permissions."""
    extras: dict[str, Any] = {}
    if app is None:
        return extras
    if app.custom_attributes:
        extras["custom_attributes"] = custom_attributes(app, user, org)
    if app.custom_permissions and not CUSTOM_PERMISSIONS_SCOPES.isdisjoint(scopes):
        extras["custom_permissions"] = custom_permissions(app, user)
    return extras


def id_token_extras(app: ConnectedApp, user: User, org: Org) -> dict[str, Any]:
    """The ID token's custom claims, by the app's `id_token_include_attributes` / `id_token_include_custom_perms`
    (resolved before signing: the signer thread only copies them)."""
    extras: dict[str, Any] = {}
    if app.id_token_include_attributes and app.custom_attributes:
        extras["custom_attributes"] = custom_attributes(app, user, org)
    if app.id_token_include_custom_perms and app.custom_permissions:
        extras["custom_permissions"] = custom_permissions(app, user)
    return extras


def audience(app: ConnectedApp) -> str | list[str]:
    """`aud`: the client_id alone, or a list starting with it when the app names extra ID-token audiences (the
    token then names the client in `azp` too: OIDC Core 3.1.3.7 has relying parties check for it, and
    openid-client refuses an ID token with several audiences and no `azp`)."""
    if not app.id_token_audiences:
        return app.client_id
    return [app.client_id, *(a for a in dict.fromkeys(app.id_token_audiences) if a != app.client_id)]

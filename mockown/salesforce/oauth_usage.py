"""Connect REST "OAuth Usage" resources (`/services/data/vXX.X/apps/oauth/usage...`): an admin lists the org's
apps in use, an app's users, a user's refresh tokens, and revokes them (spec 5 and 10; Connect REST API Developer
Guide "OAuth Usage Resources", available since 59.0: `routes` answers an older version's URL as a resource the
API does not have, the REST 404).

Documented: the five resources and their methods; `page` (from 0) and `pageSize` (default 100) on the lists; the
user collection's `currentPageUrl`, `nextPageUrl` (on every page, even the last) and `users`; the token's
`accessTokenFormat` (JWT or Opaque), `appDeveloperName`, `appIdentifier`, `initialConnectionAt`, `lastUsedAt`,
`revocationUrl` (holds the token identifier), `useCount`, `userIdentifier`, `username`; a DELETE answers 204.
Inferred (see README): the app collection (`apps`: `identifier`, `developerName`, `label`, with the same paging
members, as clients read it), the user entry (`userIdentifier`, `username`), the token collection (`tokens`, same
paging members), the token identifier (opaque), `pageSize` at most 100, the 400/403 error codes.

The real resources serve external client apps only; the mock's connected apps stand in for them. A "token" here is
an approval (a refresh-token family, `oauth_tokens.live_approvals`), as in the `OauthToken` rows; revoking it is
`SalesforceService.revoke_family`: the refresh token and every access token issued from it die together.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .. import ids, security
from ..clock import iso
from . import oauth_tokens
from .errors import RestError, not_found
from .models import ConnectedApp, Org, User

if TYPE_CHECKING:
    from .service import SalesforceService

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100
_T = TypeVar("_T")


def require_admin(user: User) -> None:
    """Only an admin (the profile `OauthToken` treats as having Customize Application) manages OAuth usage."""
    if not oauth_tokens.sees_all(user):
        raise RestError(
            403,
            "INSUFFICIENT_ACCESS",
            "You do not have the level of access necessary to perform the operation you requested. "
            "Please contact the owner of the record or your administrator if access is necessary.",
        )


def page_params(page: str | None, page_size: str | None) -> tuple[int, int]:
    """`page` (from 0) and `pageSize` (1..100, default 100) from the query string: ASCII digits (a regex `\\d`
    reads any Unicode digit, and `int()` converts them: `page=\\u0663` was page 3)."""

    def number(name: str, raw: str | None, default: int, low: int, high: int) -> int:
        if raw is None or raw == "":
            return default
        if not re.fullmatch(r"[0-9]{1,9}", raw.strip()) or not low <= int(raw) <= high:
            raise RestError(400, "INVALID_API_INPUT", f"Invalid value for {name}: {raw[:40]!r}. Valid values are "
                                                      f"{low} through {high}.")  # fmt: skip
        return int(raw)

    return number("page", page, 0, 0, 10**9), number("pageSize", page_size, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)


def _paged(items: Sequence[_T], path: str, page: int, size: int) -> tuple[list[_T], dict[str, str]]:
    links = {
        "currentPageUrl": f"{path}?page={page}&pageSize={size}",
        "nextPageUrl": f"{path}?page={page + 1}&pageSize={size}",  # on every page, even the last (documented)
    }
    return list(items[page * size : (page + 1) * size]), links


def _root(version: str) -> str:
    return f"/services/data/v{version}/apps/oauth/usage"


def developer_name(app: ConnectedApp) -> str:
    """An API name made from the app's name: letters, digits and single underscores, starting with a letter."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", app.name).strip("_")
    if not name or not name[0].isalpha():
        name = "App_" + name if name else "App"
    return name


def _app(service: SalesforceService, org: Org, ref: str) -> ConnectedApp:
    if not ids.is_valid(ref):
        raise not_found()
    app = service.apps.get(ids.to18(ref))
    if app is None or app.org_id != org.id:
        raise not_found()
    return app


def _user(service: SalesforceService, org: Org, ref: str) -> User:
    if not ids.is_valid(ref):
        raise not_found()
    user = service.user(ids.to18(ref))
    if user is None or user.org_id != org.id:
        raise not_found()
    return user


def token_identifier(key: bytes, family_id: str) -> str:
    """An approval's identifier in these resources: derived (HMAC) from its family, so it reveals nothing of it."""
    mac = hmac.new(key, b"OAuthUsage.token\x00" + family_id.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode("ascii")  # 24 characters, no padding (18 bytes)


def _date(epoch: float) -> str:
    return iso(epoch, millis=True)


# -- reads -----------------------------------------------------------------------------------------------
def _listing(caller: User, query: Mapping[str, str]) -> tuple[int, int]:
    """A GET's caller must be an admin (checked first); then its paging (`page`, `pageSize`)."""
    require_admin(caller)
    return page_params(query.get("page"), query.get("pageSize"))


def apps(service: SalesforceService, org: Org, caller: User, version: str, query: Mapping[str, str]) -> dict[str, Any]:
    """`GET /apps/oauth/usage`: the org's apps that have live approvals, by developer name."""
    page_no, size = _listing(caller, query)
    in_use: dict[str, ConnectedApp] = {}
    for approval in oauth_tokens.live_approvals(service, org):
        in_use[approval.app.id] = approval.app
    listed = sorted(in_use.values(), key=lambda a: (developer_name(a).lower(), a.id))
    entries = [{"developerName": developer_name(a), "identifier": a.id, "label": a.name} for a in listed]
    shown, links = _paged(entries, _root(version), page_no, size)
    return {"apps": shown, **links}


def users(
    service: SalesforceService,
    org: Org,
    caller: User,
    app_ref: str,
    version: str,
    query: Mapping[str, str],
) -> dict[str, Any]:
    """`GET /apps/oauth/usage/<app>/users`: the users with live approvals of that app, by username."""
    page_no, size = _listing(caller, query)
    app = _app(service, org, app_ref)
    user_ids = {a.head.user_id for a in oauth_tokens.live_approvals(service, org, app_id=app.id)}
    found = [u for u in (service.user(uid) for uid in user_ids) if u is not None]
    found.sort(key=lambda u: u.username)
    entries = [{"userIdentifier": ids.to18(u.id), "username": u.username} for u in found]
    shown, links = _paged(entries, f"{_root(version)}/{app.id}/users", page_no, size)
    return {"users": shown, **links}


def tokens(
    service: SalesforceService,
    org: Org,
    caller: User,
    app_ref: str,
    user_ref: str,
    version: str,
    query: Mapping[str, str],
) -> dict[str, Any]:
    """`GET /apps/oauth/usage/<app>/<user>/tokens`: that user's live approvals of that app, oldest first."""
    page_no, size = _listing(caller, query)
    app, user = _app(service, org, app_ref), _user(service, org, user_ref)
    key = oauth_tokens.signing_key(service)
    entries = []
    for approval in oauth_tokens.live_approvals(service, org, user_id=user.id, app_id=app.id):
        identifier = token_identifier(key, approval.family_id)
        entries.append(
            {
                "accessTokenFormat": "JWT" if app.jwt_access_tokens else "Opaque",
                "appDeveloperName": developer_name(app),
                "appIdentifier": app.id,
                "initialConnectionAt": _date(approval.created),
                "lastUsedAt": _date(approval.last_used),
                "revocationUrl": f"{_root(version)}/tokens/{identifier}",
                "useCount": approval.use_count,
                "userIdentifier": ids.to18(user.id),
                "username": user.username,
            }
        )
    shown, links = _paged(entries, f"{_root(version)}/{app.id}/{ids.to18(user.id)}/tokens", page_no, size)
    return {"tokens": shown, **links}


# -- revocation ------------------------------------------------------------------------------------------
# A revocation ends approvals the app's policy expired too (`oauth_tokens.unrevoked_families`): the lists no longer
# show them, but the access tokens they issued may still be live, and revoking ends "any associated access tokens".
def _revoke(service: SalesforceService, families: list[str]) -> int:
    for family in families:
        service.revoke_family(family)
    return len(families)


def revoke_app(service: SalesforceService, org: Org, caller: User, app_ref: str) -> int:
    """`DELETE /apps/oauth/usage/<app>/tokens`: every approval of that app in the org not revoked yet."""
    require_admin(caller)
    with service.store.atomic():
        app = _app(service, org, app_ref)
        return _revoke(service, oauth_tokens.unrevoked_families(service, org, app_id=app.id))


def revoke_user(service: SalesforceService, org: Org, caller: User, app_ref: str, user_ref: str) -> int:
    """`DELETE /apps/oauth/usage/<app>/<user>/tokens`: that user's approvals of that app not revoked yet."""
    require_admin(caller)
    with service.store.atomic():
        app, user = _app(service, org, app_ref), _user(service, org, user_ref)
        return _revoke(service, oauth_tokens.unrevoked_families(service, org, user_id=user.id, app_id=app.id))


def revoke_token(service: SalesforceService, org: Org, caller: User, token_ref: str) -> None:
    """`DELETE /apps/oauth/usage/tokens/<token>`: one approval of the org not revoked yet, by its identifier (as
    a list showed it while it was live); else 404."""
    require_admin(caller)
    with service.store.atomic():
        key = oauth_tokens.signing_key(service)
        for family in oauth_tokens.unrevoked_families(service, org):
            if security.equal(token_identifier(key, family), token_ref):
                _revoke(service, [family])
                return
    raise not_found()

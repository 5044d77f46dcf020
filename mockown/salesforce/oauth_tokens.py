"""The `OauthToken` sObject: one row per approval (a user's grant to a connected app, i.e. a refresh-token family).

Salesforce documents the object (spec 10; object reference "OauthToken"): fields `AccessToken` (the refresh token,
truncated), `AppMenuItemId`, `AppName`, `CreatedDate`, `DeleteToken`, `Id` ("reserved for future use, currently
always null"), `LastUsedDate`, `RequestToken`, `UseCount`, `UserId`; supported calls describe and query; a query
returns at most 2,500 rows; users with the Customize Application permission see every user's tokens, others only
their own. The mock has no permissions: a user whose profile is "System Administrator" (which has Customize
Application) sees the org's approvals, any other user only their own.

`DeleteToken` revokes its approval at `/services/oauth2/revoke` (spec 5) and nothing else. It is derived
(HMAC-SHA256 under a key the store keeps with the signing keys, per approval) so that a query can show it again
without storing it; the store keeps only its SHA-256 (`RefreshToken.delete_hash` on the family's first token,
indexed), written the first time a query shows it. A query cursor keeps the rows of its later batches with the
approval in the token's place (`seal`), and derives the token again when it serves them (`unseal`). Revocation
finds the approval by that hash, as every bearer secret is found.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import ids, security
from ..clock import iso
from ..fieldwise import Fieldwise
from ..store import secret_key
from .models import ConnectedApp, RefreshToken, User

if TYPE_CHECKING:
    from .models import Org
    from .service import SalesforceService

ROW_LIMIT = 2500  # "query returns at most 2,500 rows" (spec 10); describe.py's table carries it
ADMIN_PROFILE = "system administrator"  # the seeded profile that has Customize Application
HINT_CHARS = 15  # `AccessToken` shows this many characters of the refresh token, then "..."
_KEY_NAME = "sf_oauth_token_delete_key"
FIELDS = frozenset(  # lower-case, as SOQL names are case-insensitive
    ("id", "accesstoken", "appmenuitemid", "appname", "createddate", "deletetoken", "lastuseddate", "requesttoken",
     "usecount", "userid")
)  # fmt: skip


def _key(service: SalesforceService) -> bytes:
    """The store-wide key delete tokens are derived under: made once, shared by workers and restarts, kept with the
    signing keys (no snapshot holds it)."""
    return secret_key(service.store, _KEY_NAME)


def signing_key(service: SalesforceService) -> bytes:
    """The store-wide key that identifiers derived from an approval (its `DeleteToken`, its OAuth usage token
    identifier) are made under."""
    return _key(service)


def delete_token(key: bytes, family_id: str) -> str:
    mac = hmac.new(key, b"OauthToken.DeleteToken\x00" + family_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


class DeleteToken(str):
    """A row's `DeleteToken`: the text a client sees, which knows the approval it is derived from, so that whatever
    keeps a row (a query cursor's later batches) keeps that instead (`seal`) and derives the text again (`unseal`)."""

    approval: str


def _shown(key: bytes, family_id: str) -> DeleteToken:
    shown = DeleteToken(delete_token(key, family_id))
    shown.approval = family_id
    return shown


_SEALED = "approval"  # a sealed DeleteToken: {"approval": <the family id>}, the family's first token's hash-id


def seal(record: dict[str, Any]) -> dict[str, Any]:
    """`record` as it may be kept (in a query cursor, so in snapshots and the state file): its `DeleteToken`, a
    bearer secret that revokes the approval, replaced by the approval it is derived from."""
    shown = record.get("DeleteToken")
    if not isinstance(shown, DeleteToken):
        return record
    return {**record, "DeleteToken": {_SEALED: shown.approval}}


def unseal(service: SalesforceService, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`records` as served: each sealed `DeleteToken` derived again (the same text the first batch showed)."""
    key: bytes | None = None
    out: list[dict[str, Any]] = []
    for record in records:
        sealed = record.get("DeleteToken")
        if isinstance(sealed, dict) and isinstance(sealed.get(_SEALED), str):
            key = key or _key(service)
            record = {**record, "DeleteToken": delete_token(key, sealed[_SEALED])}
        out.append(record)
    return out


def _date(epoch: float) -> str:
    return iso(epoch, millis=True).replace("Z", "+0000")


def sees_all(viewer: User) -> bool:
    return viewer.profile.strip().lower() == ADMIN_PROFILE


@dataclass(slots=True, repr=False, eq=False)
class Approval(Fieldwise):
    """A live approval: a user's grant to a connected app, i.e. a refresh-token family with a live current token."""

    family_id: str
    root: RefreshToken  # the family's first token (it holds the `DeleteToken` hash)
    head: RefreshToken  # the newest token not revoked nor rotated away
    members: list[RefreshToken]
    app: ConnectedApp

    @property
    def created(self) -> float:
        return min(rt.issued_at for rt in self.members)

    @property
    def last_used(self) -> float:
        return max(rt.last_used for rt in self.members)

    @property
    def use_count(self) -> int:
        return sum(rt.use_count for rt in self.members)


def live_approvals(
    service: SalesforceService, org: Org, *, user_id: str | None = None, app_id: str | None = None
) -> list[Approval]:
    """`org`'s live approvals (of one user and/or one app when given), oldest first. OauthToken's rows and the
    Connect "OAuth usage" resources both read this."""
    now = service.clock.now()
    families: dict[str, list[RefreshToken]] = {}
    for rt in service.refresh_tokens.find("org_id", org.id):
        if (user_id is None or rt.user_id == user_id) and (app_id is None or rt.app_id == app_id):
            families.setdefault(rt.family_id, []).append(rt)
    out: list[Approval] = []
    for family_id, members in families.items():
        current = [rt for rt in members if not rt.revoked and not rt.rotated]
        if not current:
            continue
        head = max(current, key=lambda rt: rt.issued_at)
        app = service.apps.get(head.app_id)
        if app is None or not service.refresh_live(head, app, now):
            continue
        root = next((rt for rt in members if rt.id == family_id), None)
        if root is None:  # a family always keeps its first token; without it, no delete token can be filed
            continue
        out.append(Approval(family_id, root, head, members, app))
    out.sort(key=lambda a: (a.created, a.family_id))
    return out


def unrevoked_families(
    service: SalesforceService, org: Org, *, user_id: str | None = None, app_id: str | None = None
) -> list[str]:
    """The refresh-token families of `org` (of one user and/or one app when given) that still have a token neither
    revoked nor rotated away: the live approvals, and those the app's policy expired, whose access tokens may still
    be live. What a revocation of approvals ends (`oauth_usage`), oldest first."""
    families: dict[str, float] = {}
    current: set[str] = set()
    for rt in service.refresh_tokens.find("org_id", org.id):
        if (user_id is None or rt.user_id == user_id) and (app_id is None or rt.app_id == app_id):
            families[rt.family_id] = min(families.get(rt.family_id, rt.issued_at), rt.issued_at)
            if not rt.revoked and not rt.rotated:
                current.add(rt.family_id)
    return sorted(current, key=lambda family: (families[family], family))


def rows(service: SalesforceService, org: Org, viewer: User) -> list[dict[str, Any]]:
    """The live approvals `viewer` may see in `org`, oldest first (every one: the caller caps them)."""
    out: list[dict[str, Any]] = []
    key: bytes | None = None
    with service.store.atomic():
        for approval in live_approvals(service, org, user_id=None if sees_all(viewer) else viewer.id):
            root, head = approval.root, approval.head
            key = key or _key(service)
            raw_delete = _shown(key, approval.family_id)
            digest = security.token_hash(raw_delete)
            # filed the first time it is shown; filed again when the key changed (a snapshot restored elsewhere)
            if root.delete_hash is None or not security.equal(root.delete_hash, digest):
                root.delete_hash = digest
                service.refresh_tokens.put(root)
            out.append(
                {
                    "Id": None,
                    "AccessToken": head.hint + "..." if head.hint else None,
                    "AppMenuItemId": None,
                    "AppName": approval.app.name,
                    "CreatedDate": _date(approval.created),
                    "DeleteToken": raw_delete,
                    "LastUsedDate": _date(approval.last_used),
                    "RequestToken": None,
                    "UseCount": approval.use_count,
                    "UserId": ids.to18(head.user_id),
                }
            )
    return out


def approval_of_delete_token(service: SalesforceService, raw: str) -> RefreshToken | None:
    """The first token of the approval whose `DeleteToken` is `raw` (found by its hash), or None."""
    digest = security.token_hash(raw)
    root = service.refresh_tokens.first("delete_hash", digest)
    if root is None or root.delete_hash is None or not security.equal(root.delete_hash, digest):
        return None
    return root

"""`POST /services/oauth2/introspect` (RFC 7662 as Salesforce serves it): live state, not signatures."""

from __future__ import annotations

from typing import Any

from .. import security
from ..http.forms import Params
from .clientauth import check_client, client_credentials
from .errors import OAuthError, invalid_client
from .models import ConnectedApp
from .service import SalesforceService, identity_url


def introspect(service: SalesforceService, params: Params, authorization: str | None, base: str) -> dict[str, Any]:
    refused = service.runtime.config.salesforce.invalid_client_status
    creds = client_credentials(params, authorization, refused_status=refused)
    caller = service.require_app(creds.client_id)
    if caller.public and creds.client_secret is None and creds.assertion is None:
        raise invalid_client(refused)  # nothing to authenticate with: as a wrong or empty secret
    check_client(service, caller, creds, base)
    raw = params.get("token")
    if not raw:
        raise OAuthError("invalid_request", "token is required")
    hint = params.get("token_type_hint")
    order = ("refresh", "access") if hint == "refresh_token" else ("access", "refresh")
    for kind in order:
        found = _access(service, raw, caller, base) if kind == "access" else _refresh(service, raw, caller, base)
        if found is not None:
            return found
    return {"active": False}


def _may_see(caller: ConnectedApp, app_id: str, org_id: str, service: SalesforceService | None = None) -> bool:
    if caller.id == app_id or (caller.introspect_all and caller.org_id == org_id):
        return True
    owner = service.apps.get(app_id) if service is not None else None  # a DCR registering app sees its apps
    return owner is not None and owner.registered_by == caller.id


def _access(service: SalesforceService, raw: str, caller: ConnectedApp, base: str) -> dict[str, Any] | None:
    token = service.access_tokens.get(security.token_hash(raw))
    if token is None or not _may_see(caller, token.app_id, token.org_id, service):
        return None
    if service.foreign_org(token.org_id, base):
        return None  # another org's My Domain knows no such session (as REST and identity there)
    if service.live_access(raw) is None:
        return {"active": False}
    app = service.apps.get(token.app_id)
    user = service.user(token.user_id)
    if app is None or user is None:
        return {"active": False}
    return {
        "active": True,
        "scope": " ".join(token.scopes),
        "client_id": app.client_id,
        "username": user.username,
        "sub": identity_url(base, token.org_id, token.user_id),
        "token_type": "access_token",
        "exp": int(token.expires_at()),
        "iat": int(token.issued_at),
        "nbf": int(token.issued_at),
    }


def _refresh(service: SalesforceService, raw: str, caller: ConnectedApp, base: str) -> dict[str, Any] | None:
    rt = service.refresh_tokens.get(security.token_hash(raw))
    if rt is None or not _may_see(caller, rt.app_id, rt.org_id, service) or service.foreign_org(rt.org_id, base):
        return None
    app = service.apps.get(rt.app_id)
    user = service.user(rt.user_id)
    if (
        app is None
        or user is None
        or not service.refresh_live(rt, app, service.clock.now())
        or not service.active(user)
    ):
        return {"active": False}
    body: dict[str, Any] = {
        "active": True,
        "scope": " ".join(rt.scopes),
        "client_id": app.client_id,
        "username": user.username,
        "sub": identity_url(base, rt.org_id, rt.user_id),
        "token_type": "refresh_token",
        "iat": int(rt.issued_at),
        "nbf": int(rt.issued_at),
    }
    if app.refresh_token_policy == "idle":
        body["exp"] = int(rt.last_used + app.refresh_token_ttl)
    elif app.refresh_token_policy == "absolute":
        body["exp"] = int(rt.issued_at + app.refresh_token_ttl)
    return body

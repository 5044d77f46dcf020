"""The user-agent flow (`response_type=token`, `token id_token`) and the hybrid one (`hybrid_token`): the
tokens go in the redirect URI's fragment, with the JSON response's field names and `+` between scopes.

A refresh token is included only with the `refresh_token` (or `offline_access`) scope and, as Salesforce
documents, only for a callback that is not a web page: a custom scheme (`myapp://...`) or the
`/services/oauth2/success` page of login.salesforce.com, test.salesforce.com or the mock itself (setting
`user_agent_refresh`: custom_scheme | always | never).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .authorize import AuthorizeRequest, Redirect, redirect
from .hybrid import session_fields
from .models import User
from .service import Issued, SalesforceService, wants_refresh

SUCCESS_PAGES = (
    "https://login.salesforce.com/services/oauth2/success",
    "https://test.salesforce.com/services/oauth2/success",
)


def refresh_allowed(setting: str, redirect_uri: str, base: str) -> bool:
    if setting == "always":
        return True
    if setting == "never":
        return False
    scheme = urlsplit(redirect_uri).scheme.lower()
    return scheme not in ("http", "https") or redirect_uri in (*SUCCESS_PAGES, f"{base}/services/oauth2/success")


def token_redirect(
    service: SalesforceService, req: AuthorizeRequest, user: User, base: str, auth_time: int | None = None
) -> Redirect:
    scopes = service.grant_scopes(req.app, req.scope)
    setting = service.runtime.config.salesforce.user_agent_refresh
    issued = Issued(
        org=service.org(user.org_id),
        user=user,
        app=req.app,
        scopes=scopes,
        refresh=wants_refresh(scopes) and refresh_allowed(setting, req.redirect_uri, base),
        nonce=req.nonce,
        id_token="id_token" in req.response_type.split(),
        auth_time=auth_time,
    )
    body = service.issue(issued, base)
    if req.response_type == "hybrid_token":
        body.update(session_fields(issued.org, body["instance_url"], body["access_token"]))
    return redirect(req, {k: str(v) for k, v in body.items()}, fragment=True)

"""`grant_type=hybrid_auth_code` and `grant_type=hybrid_refresh`: the code and refresh grants of the hybrid
flows, whose responses add the web-session fields (`salesforce/hybrid.py`).

With refresh-token rotation on, JWT-based access tokens are not supported for the hybrid web-server flow:
the token request answers `invalid_grant`, as Salesforce documents.
"""

from __future__ import annotations

from typing import Any

from ... import security
from ..errors import invalid_grant
from ..hybrid import session_fields
from ..models import ConnectedApp
from ..service import SalesforceService
from . import register
from .authorization_code import AuthorizationCodeGrant
from .refresh_token import RefreshTokenGrant


def _with_session(service: SalesforceService, body: dict[str, Any]) -> dict[str, Any]:
    session = service.access_tokens.get(security.token_hash(body["access_token"]))
    if session is None:  # pragma: no cover - issue() has just stored it
        raise invalid_grant()
    body.update(session_fields(service.org(session.org_id), body["instance_url"], body["access_token"]))
    return body


@register
class HybridAuthCodeGrant(AuthorizationCodeGrant):
    grant_type = "hybrid_auth_code"
    defers_signatures = False  # _with_session reads the issued access token
    hybrid = True

    def client(self) -> ConnectedApp:
        """The client, authenticated first (a wrong secret is `invalid_client`, as for `authorization_code`, and
        learns nothing of the app's settings); then an app with rotation and JWT access tokens is refused."""
        app = super().client()
        if app.rotation and app.jwt_access_tokens:
            raise invalid_grant("JWT-based access tokens are not supported with refresh token rotation")
        return app

    def run(self) -> dict[str, Any]:
        body = super().run()
        return _with_session(self.service, body)


@register
class HybridRefreshGrant(RefreshTokenGrant):
    grant_type = "hybrid_refresh"
    defers_signatures = False  # _with_session reads the issued access token

    def run(self) -> dict[str, Any]:
        body = super().run()
        return _with_session(self.service, body)

"""`grant_type=authorization_code`: the web-server flow, with PKCE."""

from __future__ import annotations

from typing import Any

from ... import security
from ..errors import OAuthError, invalid_grant
from ..models import ConnectedApp
from ..service import Issued, wants_refresh
from . import Grant, register


@register
class AuthorizationCodeGrant(Grant):
    grant_type = "authorization_code"
    defers_signatures = True
    secret = "if-confidential"
    hybrid = False

    def secret_required(self, app: ConnectedApp) -> bool:
        return not app.public and app.require_secret_for_web_server

    def run(self) -> dict[str, Any]:
        app = self.client()
        code = self.service.redeem_code(self.params.get("code"), app)
        redirect_uri = self.params.get("redirect_uri")
        if redirect_uri != code.redirect_uri:
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
        if code.code_challenge:
            wording = self.service.runtime.config.salesforce.wording
            verifier = self.params.get("code_verifier")
            if not verifier:
                raise invalid_grant(wording.pkce_missing_verifier)
            if not security.equal(security.b64url_sha256(verifier), code.code_challenge):
                raise OAuthError("invalid_request", wording.pkce_wrong_verifier)
        user = self.service.user(code.user_id)
        if user is None:
            raise invalid_grant(self.service.runtime.config.salesforce.wording.code_invalid)
        self.service.require_active(user)
        issued = Issued(
            org=self.service.org(code.org_id),
            user=user,
            app=app,
            scopes=code.scopes,
            refresh=wants_refresh(code.scopes),
            nonce=code.nonce,
        )
        return self.service.issue(issued, self.request.base, code=code)

"""`grant_type=authorization_code`: the web-server flow, with PKCE."""

from __future__ import annotations

from typing import Any

from ... import security
from ..errors import OAuthError, invalid_grant
from ..models import AuthCode, ConnectedApp
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
        code = self.service.redeem_code(self.params.get("code"), app, self.check)
        user = self.service.user(code.user_id)
        assert user is not None  # `check` found it
        issued = Issued(
            org=self.service.org(code.org_id),
            user=user,
            app=app,
            scopes=code.scopes,
            refresh=wants_refresh(code.scopes),
            nonce=code.nonce,
            auth_time=code.auth_time,
        )
        return self.service.issue(issued, self.request.base, code=code)

    def check(self, code: AuthCode) -> None:
        """The exchange's own conditions, checked on a live code before it is spent (a refusal leaves it
        redeemable): not on another org's My Domain (there the code is unknown); `redirect_uri` given
        (`redirect_uri_missing`) and the authorize one (spec 3.1); PKCE (spec 2.5): a challenge without a verifier
        is `invalid_grant`, a wrong verifier `invalid_request`; the user still exists and is active."""
        wording = self.service.runtime.config.salesforce.wording
        if self.service.foreign_org(code.org_id, self.request.base):  # another org's My Domain has no such code
            raise invalid_grant(wording.code_invalid)
        redirect_uri = self.params.get("redirect_uri")
        if not redirect_uri:
            raise OAuthError("redirect_uri_missing", "redirect_uri not provided")
        if redirect_uri != code.redirect_uri:
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
        if code.code_challenge:
            verifier = self.params.get("code_verifier")
            if not verifier:
                raise invalid_grant(wording.pkce_missing_verifier)
            if not security.equal(security.b64url_sha256(verifier), code.code_challenge):
                raise OAuthError("invalid_request", wording.pkce_wrong_verifier)
        user = self.service.user(code.user_id)
        if user is None:
            raise invalid_grant(wording.code_invalid)
        self.service.require_active(user)

"""`grant_type=client_credentials`: runs as the app's integration user, on the My Domain only (not on another
org's My Domain)."""

from __future__ import annotations

from typing import Any

from ..errors import invalid_grant
from ..service import Issued
from . import Grant, register

LOGIN_HOSTS = ("login.salesforce.com", "test.salesforce.com")
NOT_GRANTED = ("full", "web", "offline_access", "refresh_token")


@register
class ClientCredentialsGrant(Grant):
    grant_type = "client_credentials"
    defers_signatures = True
    secret = "always"

    def run(self) -> dict[str, Any]:
        app = self.client()
        settings = self.service.runtime.config.salesforce
        if self.request.host in LOGIN_HOSTS and not settings.allow_cc_on_login_host:
            raise invalid_grant("request not supported on this domain")
        if self.service.foreign_org(app.org_id, self.request.base):  # spec 3.4: the org's own My Domain only
            raise invalid_grant("request not supported on this domain")
        user = self.service.user_by_username(app.client_credentials_user)
        if user is None or user.org_id != app.org_id:
            raise invalid_grant(settings.wording.cc_no_user)
        self.service.require_active(user)
        scopes = self.service.grant_scopes(app, self.params.get("scope"), exclude=NOT_GRANTED)
        # no id_token, `openid` granted or not (spec 3.4's documented answer has none; no user signs in), as the
        # password and JWT bearer grants
        org = self.service.org(user.org_id)
        issued = Issued(org=org, user=user, app=app, scopes=scopes, api_instance_url=True, id_token=False)
        return self.service.issue(issued, self.request.base)

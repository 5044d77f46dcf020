"""`grant_type=password`: the username-password flow. Never a refresh token."""

from __future__ import annotations

from typing import Any

from ..errors import invalid_grant
from ..service import Issued
from . import Grant, register


@register
class PasswordGrant(Grant):
    grant_type = "password"
    defers_signatures = True
    secret = "always"

    def run(self) -> dict[str, Any]:
        app = self.client()
        if not app.username_password_allowed:
            raise invalid_grant("authentication failure")
        # at another org's My Domain the user is unknown: authentication failure, as a wrong password
        user = self.service.sign_in(self.params.get("username"), self.params.get("password"), self.request.base)
        if user.org_id != app.org_id:
            raise invalid_grant("authentication failure")
        scopes = self.service.grant_scopes(app, self.params.get("scope"))
        issued = Issued(
            org=self.service.org(user.org_id),
            user=user,
            app=app,
            scopes=scopes,
            scope_in_response=False,
            id_token=False,
        )
        return self.service.issue(issued, self.request.base)

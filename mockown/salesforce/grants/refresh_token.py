"""`grant_type=refresh_token`: a new access token; a new refresh token only when the app rotates."""

from __future__ import annotations

from typing import Any

from ..errors import expired_token
from ..service import Issued
from . import Grant, register


@register
class RefreshTokenGrant(Grant):
    grant_type = "refresh_token"
    defers_signatures = True
    secret = "never"  # jsforce and the sf CLI refresh without a secret; a secret given is still checked

    def run(self) -> dict[str, Any]:
        app = self.client()
        rt, family = self.service.use_refresh(self.params.get("refresh_token"), app, self.request.base)
        user = self.service.user(rt.user_id)
        if user is None:
            raise expired_token()
        issued = Issued(
            org=self.service.org(rt.org_id),
            user=user,
            app=app,
            scopes=rt.scopes,
            refresh=family is not None,
            refresh_family=family,
            parent_refresh=None if family is not None else rt.id,
        )
        return self.service.issue(issued, self.request.base)

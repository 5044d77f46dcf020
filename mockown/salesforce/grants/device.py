"""`grant_type=device`: the device polls with `code=<device_code>` (Salesforce's name, not `device_code`).

400 `authorization_pending` until the user approves; `slow_down` when polled faster than `interval` (which
then grows by 5 seconds, RFC 8628); the configured expiry error once the code has expired;
`access_denied` when the user denied. Approved: a normal token response (a refresh token with the
`refresh_token` scope). A code works once, and is unknown at another org's My Domain.
"""

from __future__ import annotations

from typing import Any

from ... import security
from ..errors import OAuthError, invalid_grant
from ..models import DeviceCode
from ..service import Issued, wants_refresh
from . import Grant, register


@register
class DeviceGrant(Grant):
    grant_type = "device"
    defers_signatures = True
    secret = "never"  # the sf CLI polls without a secret; a secret given is still checked

    def run(self) -> dict[str, Any]:
        app = self.client()
        raw = self.params.get("code") or self.params.get("device_code")
        if not raw:
            raise invalid_grant("invalid device code")
        table = self.service.store.table(DeviceCode)
        now = self.service.clock.now()
        settings = self.service.runtime.config.salesforce
        error: OAuthError | None = None
        with self.service.store.atomic():  # state changes are kept; the error is raised after the block
            device = table.get(security.token_hash(raw))
            if device is None or device.app_id != app.id or device.used:
                raise invalid_grant("invalid device code")
            if self.service.foreign_org(app.org_id, self.request.base):  # another org's My Domain has no such code
                raise invalid_grant("invalid device code")
            if now >= device.expires_at:
                error = OAuthError(settings.device_expired_error, settings.wording.device_expired)
            elif device.denied:
                device.used = True
                error = OAuthError("access_denied", "end-user denied authorization")
            elif device.user_id is None:
                # too soon after the last poll; a poll "before" it (the clock was moved back) is not too soon
                if device.polled_at is not None and 0 <= now - device.polled_at < device.interval:
                    device.interval += 5
                    error = OAuthError("slow_down", "polling too frequently")
                else:
                    error = OAuthError("authorization_pending", settings.wording.device_pending)
                device.polled_at = now
            else:
                device.used = True
            table.put(device)
        if error is not None:
            raise error
        if device.user_id is None:  # pragma: no cover - an approved device has a user
            raise invalid_grant("invalid device code")
        user = self.service.user(device.user_id)
        if user is None:
            raise invalid_grant("invalid device code")
        self.service.require_active(user)
        issued = Issued(
            org=self.service.org(device.org_id),
            user=user,
            app=app,
            scopes=device.scopes,
            refresh=wants_refresh(device.scopes),
        )
        return self.service.issue(issued, self.request.base)

"""The device flow: `response_type=device_code` on the token endpoint starts it, the user approves the
`user_code` on `/setup/connect` (or a test through the control plane), the device polls with
`grant_type=device` (see `grants/device.py`).

Salesforce documents the start and the `authorization_pending` answer; `slow_down` and expiry follow
RFC 8628 (interval and lifetime are settings: `device_interval`, `device_code_ttl`).
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from .. import security
from .clientauth import check_client
from .errors import OAuthError
from .grants import TokenRequest
from .models import DeviceCode, User
from .service import SalesforceService

USER_CODE_CHARS = string.ascii_uppercase + string.digits
USER_CODE_LENGTH = 8


class DeviceError(ValueError):
    """An approval that cannot happen; the message says why (shown on the page, or by the control plane)."""


def new_user_code() -> str:
    return "".join(secrets.choice(USER_CODE_CHARS) for _ in range(USER_CODE_LENGTH))


def start_device_flow(service: SalesforceService, request: TokenRequest) -> dict[str, Any]:
    params = request.params
    if (params.get("response_type") or "").strip() != "device_code":
        raise OAuthError("unsupported_response_type", "response type not supported")
    app = service.require_app(request.client.client_id)
    check_client(service, app, request.client, request.base, required=False)
    scopes = service.grant_scopes(app, params.get("scope"))
    settings = service.runtime.config.salesforce
    now = service.clock.now()
    table = service.store.table(DeviceCode)
    device_code = "M2MC" + security.random_sf_opaque(90)
    with service.store.atomic():
        user_code = new_user_code()
        while any(not d.used and now < d.expires_at for d in table.find("user_code", user_code)):
            user_code = new_user_code()  # pragma: no cover - 36^8 codes
        table.put(
            DeviceCode(
                id=security.token_hash(device_code),
                user_code=user_code,
                org_id=app.org_id,
                app_id=app.id,
                scopes=scopes,
                issued_at=now,
                expires_at=now + settings.device_code_ttl,
                interval=float(settings.device_interval),
            )
        )
    return {
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": f"{request.base}/setup/connect",
        "interval": settings.device_interval,
    }


def pending(service: SalesforceService, user_code: str | None) -> DeviceCode:
    """The live, undecided device authorization with `user_code` (case and dashes ignored)."""
    code = (user_code or "").strip().upper().replace("-", "").replace(" ", "")
    now = service.clock.now()
    for device in service.store.table(DeviceCode).find("user_code", code):
        if device.used or now >= device.expires_at:
            continue
        if device.user_id is not None or device.denied:
            raise DeviceError("This code has already been used.")
        return device
    raise DeviceError("Invalid or expired code. Check the code and try again.")


def decide(service: SalesforceService, user_code: str | None, user: User, *, allow: bool) -> DeviceCode:
    """The user approves (or denies) the device; the next poll gets tokens (or `access_denied`)."""
    with service.store.atomic():
        device = pending(service, user_code)
        if user.org_id != device.org_id:
            raise DeviceError("This code belongs to another organization.")
        if not user.active:
            raise DeviceError("This user is inactive.")
        if not service.active(user):
            raise DeviceError("This organization is locked, closed, or suspended.")
        if allow:
            device.user_id = user.id
        else:
            device.denied = True
        service.store.table(DeviceCode).put(device)
        return device

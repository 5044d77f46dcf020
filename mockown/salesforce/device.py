"""The device flow's first step (`response_type=device_code` on the token endpoint)."""

from __future__ import annotations

from typing import Any

from .errors import OAuthError
from .grants import TokenRequest
from .service import SalesforceService


def start_device_flow(service: SalesforceService, request: TokenRequest) -> dict[str, Any]:
    raise OAuthError("unsupported_response_type", "response type not supported")

"""`POST|GET /services/oauth2/revoke`: no client authentication, as Salesforce; JSONP for `callback`."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from starlette.responses import Response

from ..http.forms import Params
from .errors import NO_STORE
from .service import SalesforceService


def revoke(service: SalesforceService, params: Params, error_format: str, base: str) -> Response:
    ok = service.revoke(params.get("token"), base)
    callback = params.get("callback")
    if callback is not None and _jsonp_name(callback):
        body = "{}" if ok else json.dumps({"error": "invalid_token"})
        return Response(f"{callback}({body})", media_type="application/javascript", headers=NO_STORE)
    if ok:
        return Response(b"", status_code=200, headers=NO_STORE)
    error = {"error": "invalid_token", "error_description": "invalid token"}
    if error_format == "urlencoded":
        return Response(urlencode(error), 400, media_type="application/x-www-form-urlencoded", headers=NO_STORE)
    return Response(json.dumps(error), 400, media_type="application/json", headers=NO_STORE)


def _jsonp_name(callback: str) -> bool:
    from .identity import CALLBACK  # the identity service's rule (identity.py loads with the first one, issue #9)

    return CALLBACK.fullmatch(callback) is not None

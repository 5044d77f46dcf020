"""`POST /services/oauth2/token`: read the request, pick the grant from the table, format the answer."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .. import signer
from ..http.forms import Params
from ..http.responses import JsonBody, JsonHeaders
from .clientauth import client_credentials
from .errors import NO_STORE, OAuthError
from .grants import TokenRequest, grant_for
from .service import SalesforceService

JSON_TYPE = "application/json;charset=UTF-8"
_TOKEN_HEADERS = JsonHeaders(JSON_TYPE, NO_STORE)


async def token(
    service: SalesforceService,
    params: Params,
    *,
    authorization: str | None,
    accept: str | None,
    base: str,
    host: str,
) -> Response:
    kind = response_format(params.get("format"), accept)  # before the grant: a refused format spends nothing
    refused_status = service.runtime.config.salesforce.invalid_client_status
    client = client_credentials(params, authorization, refused_status=refused_status)
    request = TokenRequest(params=params, client=client, base=base, host=host)
    if params.get("response_type") and not params.get("grant_type"):
        from .device import start_device_flow  # the device flow starts on the token endpoint

        body = start_device_flow(service, request)
    else:
        grant = grant_for(params.get("grant_type"))(service, request)
        # One transaction per grant: using a code or refresh token and issuing what it buys happen together, so
        # a concurrent replay (another worker) sees all of it (and revokes what it issued) or none of it. The
        # signatures it needs are made after it, off the event loop (`signer`), then filed in a second one.
        with signer.deferring(grant.defers_signatures) as pending:
            try:
                with service.store.atomic():
                    body = grant.run()
            except BaseException:
                pending.abandon(service.store.atomic)
                raise
        if pending.items:
            await pending.settle(service.store.atomic)
    return _render(body, kind)


_ACCEPTED = {
    "application/json": "json",
    "*/*": "json",
    "application/xml": "xml",
    "application/x-www-form-urlencoded": "urlencoded",
}


def accepted_format(accept: str) -> str:
    """The format an Accept list asks for, read left to right as the identity-URL doc describes: the first type the
    service serves wins (`*/*` is JSON); none of them: JSON. The token endpoint and the identity service share it, so
    a client that names JSON first (RestSharp: JSON, then XML) gets JSON."""
    for item in accept.split(","):
        kind = _ACCEPTED.get(item.split(";", 1)[0].strip().lower())
        if kind is not None:
            return kind
    return "json"


def response_format(fmt: str | None, accept: str | None) -> str:
    """The answer's format, chosen by `format` (beats Accept) or Accept: "" (JSON), "json", "urlencoded" or "xml"."""
    kind = (fmt or "").lower()
    if not kind and accept:
        kind = accepted_format(accept)
    if kind not in ("", "json", "urlencoded", "xml"):
        raise OAuthError("invalid_request", "unsupported format")
    return kind


def xml_response(body: dict[str, Any], *, pretty: bool = False) -> Response:
    """`body` as Salesforce's `<OAuth>` XML document (the token endpoint's, also the identity service's); `pretty`:
    one element per line, the fields indented."""
    from xml.sax.saxutils import escape  # here: ~4 ms of imports every start-up would pay otherwise

    sep, pad = ("\n", "  ") if pretty else ("", "")
    fields = "".join(f"{sep}{pad}<{k}>{escape(str(v))}</{k}>" for k, v in body.items())
    xml = f'<?xml version="1.0" encoding="UTF-8"?>{sep}<OAuth>{fields}{sep}</OAuth>{sep}'
    return Response(xml, media_type="application/xml", headers=NO_STORE)


def _render(body: dict[str, Any], kind: str) -> Response:
    if kind == "urlencoded":
        from urllib.parse import urlencode

        return Response(urlencode(body), media_type="application/x-www-form-urlencoded", headers=NO_STORE)
    if kind == "xml":
        return xml_response(body)
    return JsonBody(body, _TOKEN_HEADERS)

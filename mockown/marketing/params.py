"""`/v2/token`'s parameters, read as Marketing Cloud documents them: each one a single value (spec 1.1.1: `scope`
is a space-separated string, `account_id` a number or numeric string). The shared reader (`read_params`) turns a
JSON `null` into "" and an array into a repeated parameter of which `Params.get` sees the first; here `null` is an
omitted parameter (`"scope": null` is not the documented `""` that means no scopes), and an array, or a form field
sent twice (RFC 6749 3.2: "MUST NOT be included more than once"), is 400 `invalid_request` naming it (`["a","b"]`
was cut to `a`, `[]` meant every scope)."""

from __future__ import annotations

from starlette.requests import Request

from ..http.forms import Params, json_object, json_text, media_type, read_body, read_params
from .errors import McOAuthError, invalid_request


def _single(name: str) -> McOAuthError:
    return invalid_request(f"The {name} parameter must be given once, as a single value.")


async def token_params(request: Request, limit: int) -> Params:
    """The parameters of a `/v2/token` body (JSON or form; the caller has checked the content type)."""
    if media_type(request) != "application/json":
        params = await read_params(request, limit)
        given = params.keys()  # Params is not iterable
        repeated = next((name for name in given if len(params.getlist(name)) > 1), None)
        if repeated is not None:
            raise _single(repeated)
        return params
    body = await read_body(request, limit)
    if not body:
        return Params()
    items: list[tuple[str, str]] = []
    for name, value in json_object(body).items():
        if isinstance(value, list):
            raise _single(name)
        if value is not None:
            items.append((name, json_text(value)))
    return Params(items)

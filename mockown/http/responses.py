"""A JSON response for the hot paths: the bytes Starlette's `JSONResponse` sends, built with less work.

The body is what `JSONResponse.render` gives (compact separators, UTF-8, no NaN), from one shared encoder
instead of a new one per response; the headers are raw pairs prepared once per header set (`JsonHeaders`)
instead of being encoded from a dict on every response, in Starlette's order (the given headers,
Content-Length, Content-Type). The result is an ordinary Starlette `Response`.

`no_store_redirect`: the redirect every authorize endpoint answers with (Salesforce's, Marketing Cloud's, B2C's).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import RedirectResponse, Response

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))

RawHeaders = tuple[tuple[bytes, bytes], ...]


class JsonHeaders:
    """A header set and a Content-Type, encoded once."""

    __slots__ = ("after", "before")

    def __init__(self, media_type: str, headers: Mapping[str, str] | None = None) -> None:
        given = dict(headers or {})
        self.before: RawHeaders = tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in given.items())
        typed = any(k.lower() == "content-type" for k in given)
        self.after: RawHeaders = () if typed else ((b"content-type", media_type.encode("latin-1")),)


class Prepared(Response):
    """A body already serialized (e.g. a cached document) with a prepared `JsonHeaders`."""

    def __init__(self, body: bytes, headers: JsonHeaders, status_code: int = 200) -> None:
        self.status_code = status_code
        self.background = None
        self.body = body
        self.raw_headers = [*headers.before, (b"content-length", str(len(body)).encode()), *headers.after]


class JsonBody(Prepared):
    """`JSONResponse(content, status_code, headers, media_type)` for a prepared `JsonHeaders`."""

    def __init__(self, content: Any, headers: JsonHeaders, status_code: int = 200) -> None:
        super().__init__(_ENCODER.encode(content).encode("utf-8"), headers, status_code)


def no_store_redirect(url: str, status: int = 302) -> Response:
    """A redirect (`status`: 302, or an API's configured redirect status) that no cache keeps: the answer of every
    browser-facing authorize endpoint (Salesforce's, Marketing Cloud's `/v2/authorize`, B2C Account Manager's and
    SLAS's), whose `Location` carries a code, tokens (a fragment) or an error for the client (RFC 6749 5.1 asks
    `no-store` of any answer with tokens or credentials)."""
    response = RedirectResponse(url, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response

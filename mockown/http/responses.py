"""A JSON response for the hot paths: the bytes Starlette's `JSONResponse` sends, built with less work.

The body is what `JSONResponse.render` gives (compact separators, UTF-8, no NaN), from one shared encoder
instead of a new one per response; the headers are raw pairs prepared once per header set (`JsonHeaders`)
instead of being encoded from a dict on every response, in Starlette's order (the given headers,
Content-Length, Content-Type). The result is an ordinary Starlette `Response`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

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

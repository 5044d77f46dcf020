"""Errors are exceptions that render themselves, in the dialect of the API they belong to.

The app has one handler: it asks the exception for its response. Generic failures that happen before a
dialect's code runs (unknown path, wrong method, body too large, malformed body) are rendered by the
dialect that owns the path, found by prefix (a `*` standing for one path segment) in a table the app builds from its
mounted APIs.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Protocol

from starlette.responses import JSONResponse, Response


class MockownError(Exception):
    """Base of every error a client may see. Subclasses render the body of their dialect."""

    status: int = 400

    def response(self) -> Response:  # pragma: no cover - every dialect overrides it
        raise NotImplementedError


NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthJsonError(MockownError):
    """The OAuth 2.0 JSON error (RFC 6749 5.2): ``{"error", "error_description"}`` with ``Cache-Control: no-store``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status

    def response(self) -> Response:
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status, headers=NO_STORE)


class Dialect(Protocol):
    """How an API renders an error it did not raise itself (a 404, a 413, a fault rule's status): the `status`, its
    HTTP `reason` phrase, the `message`, and `code`, the error code to put where the dialect's body carries one (a
    fault rule's `error`; None: the dialect's own for the status)."""

    def __call__(self, status: int, reason: str, message: str, /, code: str | None = None) -> MockownError: ...


# The control plane's error codes for the errors it did not raise itself (the router's 404 and 405, the request
# pipeline's 408 and 413): snake_case words, as its endpoints' own (`not_found`, `invalid_request`, `invalid_fault`)
CONTROL_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "payload_too_large",
    415: "unsupported_media_type",
    500: "internal_error",
    503: "service_unavailable",
}


def control_code(status: int) -> str:
    """The control plane's error code for `status` (`CONTROL_CODES`; `error` for one it never answers)."""
    return CONTROL_CODES.get(status, "error")


class ControlError(MockownError):
    """Errors of the control plane (`/_mockown/*`): ``{"error": code, "message": text}``, `code` a snake_case word
    (`control_code(status)` when not given)."""

    def __init__(self, status: int, error: str | None, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error or control_code(status), message

    def response(self) -> Response:
        return JSONResponse({"error": self.error, "message": self.message}, status_code=self.status)


def control_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    """The control plane's generic errors: its snake_case code for the status, not the HTTP reason phrase."""
    return ControlError(status, code, message)


def plain_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    """A path no API owns: ``{"error": <the reason phrase>, "message": text}``."""
    return ControlError(status, code or reason, message)


DialectTable = list[tuple[str, Dialect]]


@functools.cache
def _segments(prefix: str) -> re.Pattern[str]:
    return re.compile("[^/]+".join(re.escape(part) for part in prefix.split("*")))


def dialect_for(table: DialectTable, path: str) -> Dialect:
    """The dialect of the longest prefix of `path` in `table` (`plain_dialect` when none is). A `*` in a prefix
    stands for one whole, non-empty path segment (`/b2c/instances/*/dw/oauth2/`: any instance), for a path with a
    variable segment whose dialect differs from that of the shorter prefix around it; the longest prefix is the
    longest as written."""
    best = -1
    found: Dialect = plain_dialect
    for prefix, dialect in table:
        matched = _segments(prefix).match(path) is not None if "*" in prefix else path.startswith(prefix)
        if matched and len(prefix) > best:
            best, found = len(prefix), dialect
    return found


def brief(value: Any) -> str:
    """`value` as an error message quotes it: its repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."

"""The B2C error dialects: Account Manager OAuth JSON (with `WWW-Authenticate` on 401), OCAPI fault envelopes,
SLAS `application/problem+json`."""

from __future__ import annotations

import json

from starlette.responses import Response

from ..errors import MockownError

AM_JSON = "application/json;charset=UTF-8"
AM_HEADERS = {"cache-control": "no-store", "pragma": "no-cache"}
SLAS_ERROR_URI = "https://api.commercecloud.salesforce.com/documentation/error/v1/errors/oauth-service"


class AmError(MockownError):
    """Account Manager: ``{"error_description", "error"}`` in that order (as observed), unless `error_first`."""

    def __init__(self, error: str, description: str, status: int = 400, *, error_first: bool = False) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status, self.error_first = error, description, status, error_first
        self.headers: dict[str, str] = {}  # the token endpoint adds its x-ratelimit-* here

    def response(self) -> Response:
        if self.error_first:
            body = {"error": self.error, "error_description": self.description}
        else:
            body = {"error_description": self.description, "error": self.error}
        headers = {**AM_HEADERS, **self.headers}
        if self.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="/"'
        return Response(json.dumps(body, separators=(",", ":")), self.status, headers, media_type=AM_JSON)


def am_invalid_client() -> AmError:
    return AmError("invalid_client", "Client authentication failed", 401)


def am_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    return AmError(code or ("server_error" if status >= 500 else "invalid_request"), message, status)


class OcapiFault(MockownError):
    """OCAPI: ``{"_v": "24.5", "fault": {"type", "message"[, "arguments"]}}``."""

    def __init__(
        self, status: int, type_: str, message: str, version: str = "24.5", arguments: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{type_}: {message}")
        self.status, self.type, self.message, self.version, self.arguments = status, type_, message, version, arguments

    def response(self) -> Response:
        fault: dict[str, object] = {"type": self.type, "message": self.message}
        if self.arguments:
            fault["arguments"] = self.arguments
        body = {"_v": self.version, "fault": fault}
        return Response(json.dumps(body), self.status, media_type="application/json;charset=UTF-8")


def ocapi_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    """Generic errors under the OCAPI paths; a `code` is the fault's `type`."""
    kind = {
        404: "ResourcePathNotFoundException",
        405: "MethodNotAllowedException",
        413: "RequestEntityTooLargeException",
    }
    if code is None:
        code = kind.get(status, "InternalServerErrorException" if status >= 500 else "MalformedBodyException")
    return OcapiFault(status, code, message)


class SlasError(MockownError):
    """SLAS: ``application/problem+json`` ``{"error", "error_description"}``. Routes add the rate-limit headers."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status, self.error, self.description = status, error, description
        self.headers: dict[str, str] = {}

    def response(self) -> Response:
        body = {"error": self.error, "error_description": self.description}
        return Response(json.dumps(body), self.status, self.headers, media_type="application/problem+json")


def slas_bad_request(description: str) -> SlasError:
    return SlasError(400, "invalid_request", description)


def slas_bad_client() -> SlasError:
    return SlasError(400, "invalid_request", "Bad or missing client_id.")


def slas_basic_failed() -> SlasError:
    return SlasError(401, "invalid_client", "Basic Authorization failed.")


def slas_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    if code is None:
        code = "server_error" if status >= 500 else "not_found" if status == 404 else "invalid_request"
    return SlasError(status, code, message)

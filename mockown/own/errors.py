"""The Own error dialects.

Regional API (`/api/v1/*`): ``{"error": "<HTTP reason phrase>", "message": "<detail>"}`` (the legacy sample
``{"error": "Not Found", "message": "service_id 12415 not found"}``). The auth host (an Okta custom
authorization server): ``{"error": "<code>", "error_description": "<text>"}`` with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from http import HTTPStatus

from starlette.responses import JSONResponse, Response

from ..errors import MockownError, OAuthJsonError


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class OwnError(MockownError):
    """An error of the regional API. `code` is a stable machine name for Python callers (control plane)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str = "",
        headers: dict[str, str] | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code or reason(status).lower().replace(" ", "_")
        self.headers = headers or {}
        self._error = error  # the body's `error` when not the status's reason phrase (a fault rule's `error`)

    @property
    def error(self) -> str:
        return self._error if self._error is not None else reason(self.status)

    def body(self) -> dict[str, str]:
        return {"error": self.error, "message": self.message}

    def response(self) -> Response:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def bad_request(message: str) -> OwnError:
    return OwnError(400, message)


def not_found(message: str) -> OwnError:
    return OwnError(404, message)


def forbidden(message: str) -> OwnError:
    return OwnError(403, message)


def unauthorized(message: str = "Invalid or expired access token") -> OwnError:
    return OwnError(401, message, headers={"WWW-Authenticate": 'Bearer realm="own"'})


class TokenError(OwnError):
    """A refused API-token action (generate / revoke), raised by the Python API the control plane calls."""


class OktaError(OAuthJsonError):
    """The auth host's error: Okta's ``{"error", "error_description"}``. `challenge`: the ``WWW-Authenticate`` of a
    401 ``invalid_client`` when the client tried HTTP Basic (RFC 6749 5.2), set by the route that knows."""

    challenge: str | None = None

    def response(self) -> Response:
        answer = super().response()
        if self.challenge is not None:
            answer.headers["WWW-Authenticate"] = self.challenge
        return answer


def own_dialect(status: int, phrase: str, message: str, code: str | None = None) -> MockownError:
    return OwnError(status, message, error=code)


def okta_dialect(status: int, phrase: str, message: str, code: str | None = None) -> MockownError:
    if code is None:
        code = "server_error" if status >= 500 else "not_found" if status == 404 else "invalid_request"
    return OktaError(code, message, status)

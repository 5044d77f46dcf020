"""Marketing Cloud error bodies: the three-key OAuth JSON, the REST "Not Authorized" body, the legacy v1 body."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from ..errors import MockownError

ERROR_URI = "https://developer.salesforce.com/docs"
REST_DOC = "https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/error-handling.htm"

INVALID_CLIENT = (
    "Client authentication failed. Make sure that the client ID and client secret are valid and that the package "
    "is installed and enabled."
)
UNSUPPORTED_GRANT = (
    'Use "authorization_code" or "refresh_token" or "client_credentials" or '
    '"urn:ietf:params:oauth:grant-type:jwt-bearer" as the grant_type.'
)


class McOAuthError(MockownError):
    """``{"error", "error_description", "error_uri"}``: exactly these three keys, as every captured body."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status

    def response(self) -> Response:
        body = {"error": self.error, "error_description": self.description, "error_uri": ERROR_URI}
        return JSONResponse(body, status_code=self.status, headers={"Cache-Control": "no-store"})


def invalid_client() -> McOAuthError:
    return McOAuthError("invalid_client", INVALID_CLIENT, 401)


def unsupported_grant() -> McOAuthError:
    return McOAuthError("unsupported_grant_type", UNSUPPORTED_GRANT, 400)


def invalid_request(description: str) -> McOAuthError:
    return McOAuthError("invalid_request", description, 400)


class McRestError(MockownError):
    """What the REST API (and, by the mock's default, /v2/userinfo) says to a bad bearer token."""

    def __init__(self, status: int = 401, message: str = "Not Authorized", errorcode: int = 0) -> None:
        super().__init__(message)
        self.status, self.message, self.errorcode = status, message, errorcode

    def response(self) -> Response:
        body = {"documentation": REST_DOC, "errorcode": self.errorcode, "message": self.message}
        return JSONResponse(body, status_code=self.status)


class McLegacyError(MockownError):
    """The legacy `/v1/requestToken` body: ``{"message", "errorcode", "documentation"}``."""

    def __init__(self, status: int = 401, message: str = "Unauthorized", errorcode: int | str = 1) -> None:
        super().__init__(message)
        self.status, self.message, self.errorcode = status, message, errorcode

    def response(self) -> Response:
        return JSONResponse({"message": self.message, "errorcode": self.errorcode, "documentation": ""}, self.status)


def mc_v1_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    """Generic errors (405/413/malformed or non-object body) of the legacy `/v1/requestToken`, in its own body. What
    v1 answers for these is unknown: `errorcode` 0 is the mock's (1 is its "Unauthorized"). A `code` is the
    `errorcode`: a number when it is digits, as the body's own."""
    if code is None:
        return McLegacyError(status, message, 0)
    return McLegacyError(status, message, int(code) if code.isascii() and code.isdigit() else code)


def mc_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    """Generic errors (404/405/413/malformed body) under the Marketing Cloud paths (v2)."""
    return McOAuthError(code or ("server_error" if status >= 500 else "invalid_request"), message, status)

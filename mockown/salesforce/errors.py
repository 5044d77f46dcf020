"""The Salesforce error dialects: OAuth JSON, the authorize page, the REST error list, identity text."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import JSONResponse, PlainTextResponse, Response

from ..errors import NO_STORE as NO_STORE  # re-exported: the Salesforce modules take it from here
from ..errors import MockownError, OAuthJsonError


class OAuthError(OAuthJsonError):
    """``400 {"error", "error_description"}`` with ``Cache-Control: no-store`` (token, introspect, revoke)."""

    def response(self) -> Response:
        answer = super().response()
        if self.status == 401:  # `invalid_client_status: 401`: RFC 6749 5.2's 401 names the scheme (RFC 9110 11.6.1)
            answer.headers["WWW-Authenticate"] = 'Basic realm="Salesforce"'
        return answer


def invalid_grant(description: str = "authentication failure") -> OAuthError:
    return OAuthError("invalid_grant", description)


def invalid_client(status: int = 400) -> OAuthError:
    """A client that failed to authenticate; `status` is the `invalid_client_status` setting's where known."""
    return OAuthError("invalid_client", "invalid client credentials", status)


def invalid_client_id() -> OAuthError:
    return OAuthError("invalid_client_id", "client identifier invalid")


def expired_token() -> OAuthError:
    return OAuthError("invalid_grant", "expired access/refresh token")


class AuthorizePageError(MockownError):
    """Errors the authorize endpoint cannot redirect: a 400 page whose body is urlencoded."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status

    def response(self) -> Response:
        body = f"error={quote(self.error)}&error_description={quote(self.description)}"
        return PlainTextResponse(body, status_code=self.status, headers=NO_STORE)


REST_JSON = "application/json;charset=UTF-8"  # the REST API's errors carry the charset, like its answers


class RestError(MockownError):
    """The REST API's JSON list of errors: ``[{"message": ..., "errorCode": ...}]``."""

    def __init__(self, status: int, error_code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(f"{error_code}: {message}")
        self.status, self.error_code, self.message = status, error_code, message
        self.headers = headers or {}

    def body(self) -> list[dict[str, str]]:
        return [{"message": self.message, "errorCode": self.error_code}]

    def response(self) -> Response:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers, media_type=REST_JSON)


def not_found(detail: str = "") -> RestError:
    """The REST API's 404 for a resource, record or object that does not exist (`detail`: after a colon)."""
    return RestError(404, "NOT_FOUND", "The requested resource does not exist" + (f": {detail}" if detail else ""))


def request_limit_exceeded(limit_info: str) -> RestError:
    """403 REQUEST_LIMIT_EXCEEDED: the org's API requests of the last 24 hours are used up (`limit_info`: the
    `Sforce-Limit-Info` value). The answer of a call over the limit and of the `salesforce.request_limit_exceeded`
    fault preset; no `Retry-After`."""
    return RestError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", {"Sforce-Limit-Info": limit_info})


def invalid_session(headers: dict[str, str] | None = None) -> RestError:
    return RestError(401, "INVALID_SESSION_ID", "Session expired or invalid", headers)


class IdentityError(MockownError):
    """The identity service answers in one word of plain text, e.g. ``403 Bad_OAuth_Token``."""

    def __init__(self, status: int, word: str) -> None:
        super().__init__(word)
        self.status, self.word = status, word

    def response(self) -> Response:
        return PlainTextResponse(self.word, status_code=self.status)


_REST_CODES = {
    400: "MALFORMED_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_TOO_LARGE",
}


def oauth_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    if code is None:
        code = "server_error" if status >= 500 else "not_found" if status == 404 else "invalid_request"
    return OAuthError(code, message, status)


def authorize_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    """Generic errors of the authorize endpoint and its login and consent forms (a body it cannot read, one over
    the limit, a method it does not serve): nothing to redirect to, so the urlencoded page of its unredirectable
    errors (spec 1.3 [OBS]), with the status."""
    if code is None:
        code = "server_error" if status >= 500 else "not_found" if status == 404 else "invalid_request"
    return AuthorizePageError(code, message, status)


# The REST API's own text for the error codes mockown sends: what a fault rule's `error` without a `message` renders
# (the HTTP reason phrase beside a code made `[{"message": "Not Found", "errorCode": "NOT_FOUND"}]`, which the API
# never sends)
REST_MESSAGES = {e.error_code: e.message for e in (not_found(), invalid_session(), request_limit_exceeded(""))}


def rest_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    if code is not None:
        if message == reason:  # no text of its own (a fault rule's `error` alone): the code's, where it is known
            message = REST_MESSAGES.get(code, message)
        return RestError(status, code, message)
    if status == 404:  # a URL no route serves: the REST API's own NOT_FOUND wording, not the mock's path message
        return not_found()
    return RestError(status, _REST_CODES.get(status, "UNKNOWN_EXCEPTION"), message)


def identity_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    """Generic errors under `/id/`, one word like the service's own: 404 `Bad_Id`; a request the client got wrong
    (400 malformed body, 405, 413) `Bad_Request`; only a failure of the service (5xx) `Internal Error`. Inferred:
    the spec's table (6.2, recalled, not verified) has no 400 row, and its `Internal Error` is a 404. A `code` is
    the word."""
    if code is not None:
        return IdentityError(status, code)
    if status >= 500:
        return IdentityError(status, "Internal Error")
    return IdentityError(status, "Bad_Id" if status == 404 else "Bad_Request")

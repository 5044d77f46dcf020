"""Client authentication for the token and introspection endpoints: a table of small methods.

`client_secret_basic` (RFC 6749 §2.3.1: base64, then each half form-URL-decoded), `client_secret_post`
(`client_id` + `client_secret` in the body) and `none` (a public client names itself with `client_id`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_plus

from .. import security
from ..http.forms import Params
from .errors import OAuthError, invalid_client_id


@dataclass(slots=True)  # built on every token request; never changed after it is made
class ClientCredentials:
    method: str  # client_secret_basic | client_secret_post | none
    client_id: str | None
    client_secret: str | None


@functools.lru_cache(maxsize=1024)
def _basic_pair(authorization: str) -> tuple[str, str] | None:
    """RFC 6749 §2.3.1: base64, then each half form-URL-decoded (pure, so cached like `security.b64_pair`)."""
    pair = security.basic_pair(authorization)
    return None if pair is None else (unquote_plus(pair[0]), unquote_plus(pair[1]))


def _basic(params: Params, authorization: str | None) -> ClientCredentials | None:
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    pair = _basic_pair(authorization)
    if pair is None:
        raise OAuthError("invalid_client", "invalid client credentials")
    client_id, secret = pair
    body_id = params.get("client_id")
    if body_id and body_id != client_id:
        raise invalid_client_id()
    return ClientCredentials("client_secret_basic", client_id, secret)


def _post(params: Params, authorization: str | None) -> ClientCredentials | None:
    if "client_secret" not in params:
        return None
    return ClientCredentials("client_secret_post", params.get("client_id"), params.get("client_secret"))


def _none(params: Params, authorization: str | None) -> ClientCredentials | None:
    return ClientCredentials("none", params.get("client_id"), None)


METHODS: list[Callable[[Params, str | None], ClientCredentials | None]] = [_basic, _post, _none]


def client_credentials(params: Params, authorization: str | None) -> ClientCredentials:
    for method in METHODS:
        found = method(params, authorization)
        if found is not None:
            return found
    raise AssertionError("the 'none' method always answers")

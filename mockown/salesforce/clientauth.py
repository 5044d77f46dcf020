"""Client authentication for the token and introspection endpoints: a table of small methods.

`client_secret_basic` (RFC 6749 §2.3.1: base64, then each half form-URL-decoded), `client_secret_post`
(`client_id` + `client_secret` in the body), `private_key_jwt` (RFC 7523 §2.2: `client_assertion_type` +
`client_assertion`, an RS256 JWT signed with the key of the app's certificate; the discovery document lists
it; Salesforce looks for it when no `client_secret` is given) and `none` (a public client names itself with
`client_id`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from .. import security
from ..fieldwise import Fieldwise
from ..http.forms import Params
from . import jwtutil
from .errors import OAuthError, invalid_client, invalid_client_id

if TYPE_CHECKING:
    from .models import ConnectedApp
    from .service import SalesforceService

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(slots=True, repr=False, eq=False)  # built on every token request; never changed after it is made
class ClientCredentials(Fieldwise):
    """The credentials a client sent to the token or introspection endpoint, and by which method."""

    method: str  # client_secret_basic | client_secret_post | private_key_jwt | none
    client_id: str | None
    client_secret: str | None
    assertion: str | None = None  # private_key_jwt: the client assertion, checked by `check_client`


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
        raise invalid_client()
    client_id, secret = pair
    body_id = params.get("client_id")
    if body_id and body_id != client_id:
        raise invalid_client_id()
    return ClientCredentials("client_secret_basic", client_id, secret)


def _post(params: Params, authorization: str | None) -> ClientCredentials | None:
    if "client_secret" not in params:
        return None
    return ClientCredentials("client_secret_post", params.get("client_id"), params.get("client_secret"))


def _assertion(params: Params, authorization: str | None) -> ClientCredentials | None:
    """RFC 7523 §2.2: the client is the assertion's `iss` (a `client_id` in the body must agree)."""
    if "client_assertion" not in params and "client_assertion_type" not in params:
        return None
    assertion = params.get("client_assertion") or ""
    if params.get("client_assertion_type") != ASSERTION_TYPE or not assertion:
        raise invalid_client()
    try:
        _, claims = jwtutil.unverified(assertion)
    except jwtutil.BadJwt:
        raise invalid_client() from None
    issuer = claims.get("iss")
    body_id = params.get("client_id")
    if not isinstance(issuer, str) or (body_id and body_id != issuer):
        raise invalid_client_id()
    return ClientCredentials("private_key_jwt", issuer, None, assertion)


def _none(params: Params, authorization: str | None) -> ClientCredentials | None:
    return ClientCredentials("none", params.get("client_id"), None)


METHODS: list[Callable[[Params, str | None], ClientCredentials | None]] = [_basic, _post, _assertion, _none]


def client_credentials(params: Params, authorization: str | None, *, refused_status: int = 400) -> ClientCredentials:
    """The client's credentials; unreadable ones (a garbled Basic header, a malformed client assertion) are
    `invalid_client` with `refused_status`, the status a wrong secret gets (`invalid_client_status`)."""
    try:
        for method in METHODS:
            found = method(params, authorization)
            if found is not None:
                return found
    except OAuthError as exc:
        if exc.error == "invalid_client":
            exc.status = refused_status
        raise
    raise AssertionError("the 'none' method always answers")


def check_client(
    service: SalesforceService, app: ConnectedApp, creds: ClientCredentials, base: str, *, required: bool = True
) -> None:
    """The client's proof: its secret, or for `private_key_jwt` its assertion (RFC 7523 §3, with the JWT bearer
    flow's rules, *inferred*): RS256 signed with the key of the app's certificate, `iss` = `sub` = the consumer
    key, `aud` one of the JWT bearer flow's audiences or the token endpoint's URL, `exp` not past (`jwt_skew`).
    Any failure is `invalid_client`, as a wrong secret is. Not `required` (a public client, where the flow lets
    it name itself): nothing given passes, an empty secret counting as none (RFC 6749 2.3.1 lets an empty secret be
    left out: `client_secret=`, Basic `client_id:`), but a secret or an assertion given is checked all the same."""
    if not required and not creds.client_secret and creds.assertion is None:
        return
    if creds.assertion is None:
        service.check_secret(app, creds.client_secret)
        return
    from .grants.jwt_bearer import accepted_audiences

    settings = service.runtime.config.salesforce
    refused = invalid_client(settings.invalid_client_status)  # the status a wrong secret gets
    header, claims = jwtutil.unverified(creds.assertion)  # readable: `_assertion` read it
    if not jwtutil.signed_with_certificate(creds.assertion, header, app.jwt_certificate):
        raise refused
    # the JWT bearer flow's audiences (a My Domain's own URL is not one), or the token endpoint (RFC 7523)
    audiences = accepted_audiences(base, settings.jwt_audiences, base_is_my_domain=service.on_my_domain(base))
    audiences.add(f"{base.rstrip('/')}/services/oauth2/token")
    aud = claims.get("aud")
    now = service.clock.now()
    exp = jwtutil.seconds(claims.get("exp"), now)
    if (
        claims.get("sub") != app.client_id
        or not isinstance(aud, str)
        or aud.rstrip("/") not in audiences
        or exp is None
        or now >= exp + settings.jwt_skew  # exp itself is past (RFC 7519 4.1.4)
    ):
        raise refused

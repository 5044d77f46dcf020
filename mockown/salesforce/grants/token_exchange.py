"""`grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693 as Salesforce serves it).

Two uses. External-IdP exchange: the app's exchange handler (`salesforce/exchange.py`) decides whether the
`subject_token` is trusted and which user it maps to; the answer is a normal token response plus
`issued_token_type` (`requested_token_type=...:jwt` asks for a JWT-based access token). Asset tokens: a live
Salesforce access token as the subject plus an actor JWT give a short-lived signed JWT with `expires_in`.

Errors (undocumented by Salesforce; RFC 8693 codes): a missing or unsupported parameter is `invalid_request`,
a subject token the handler rejects is `invalid_grant`, an app without a handler `unsupported_grant_type`.
"""

from __future__ import annotations

import uuid
from typing import Any

from .. import jwtutil
from ..errors import OAuthError, invalid_grant
from ..exchange import ExchangeRejected, map_subject
from ..models import AccessToken, ConnectedApp
from ..service import Issued, identity_url, wants_refresh
from . import Grant, register

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange"
URN = "urn:ietf:params:oauth:token-type:"
SUBJECT_TYPES = {"access_token", "id_token", "jwt", "refresh_token", "saml2"}
ACCESS_TOKEN = URN + "access_token"
JWT_TYPE = URN + "jwt"


def token_type(value: str | None, name: str) -> str:
    """`urn:ietf:params:oauth:token-type:<kind>` -> kind (the Apex docs spell `JWT` in capitals)."""
    if not value:
        raise OAuthError("invalid_request", f"{name} is required")
    if not value.lower().startswith(URN) or value[len(URN) :].lower() not in SUBJECT_TYPES:
        raise OAuthError("invalid_request", f"unsupported {name}")
    return value[len(URN) :].lower()


@register
class TokenExchangeGrant(Grant):
    grant_type = GRANT_TYPE
    secret = "if-confidential"

    def run(self) -> dict[str, Any]:
        app = self.client()
        handler = app.token_exchange
        if handler is None:
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        subject = self.params.get("subject_token")
        if not subject:
            raise OAuthError("invalid_request", "subject_token is required")
        subject_type = token_type(self.params.get("subject_token_type"), "subject_token_type")
        requested = self.params.get("requested_token_type")
        if requested and requested.lower() not in (ACCESS_TOKEN, JWT_TYPE):
            raise OAuthError("invalid_request", "unsupported requested_token_type")
        actor = self.params.get("actor_token")
        actor_type = token_type(self.params.get("actor_token_type"), "actor_token_type") if actor else None
        if self.params.get("actor_token_type") and not actor:
            raise OAuthError("invalid_request", "actor_token is required")
        base = self.request.base
        if subject_type == "access_token":  # another org's session is none on this org's My Domain
            foreign = self.service.foreign_session(subject, base)
            session = None if foreign else self.service.live_access(subject)
            if session is not None:
                if not handler.get("asset_tokens", True):  # a Salesforce session as the subject: an asset token
                    raise OAuthError("invalid_request", "asset tokens are not enabled for this app")
                if actor is None or actor_type != "jwt":
                    raise OAuthError("invalid_request", "an asset token needs an actor_token of type jwt")
                if session.org_id != app.org_id:
                    raise invalid_grant("invalid subject token")
                body = self.asset_token(app, session, actor)
                # touched once served (a refused exchange does not reset the session's timeout); revoked meanwhile,
                # it is a dead session: no known subject token
                if self.service.touch(session) is None:
                    raise invalid_grant("invalid subject token")
                return body
        settings = self.service.runtime.config.salesforce
        try:
            mapped = map_subject(handler, subject, subject_type, self.service.clock.now(), settings.jwt_skew)
        except ExchangeRejected as exc:
            raise invalid_grant(str(exc)) from None
        user = self.service.user_by_username(mapped.username)
        # on another org's My Domain the mapped user is unknown, as one the org does not have
        if user is None or user.org_id != app.org_id or self.service.foreign_org(user.org_id, base):
            raise invalid_grant("no user for the subject token")
        self.service.require_active(user)
        scopes = self.service.grant_scopes(app, self.params.get("scope"))
        as_jwt = (requested or "").lower() == JWT_TYPE
        issued = Issued(
            org=self.service.org(user.org_id),
            user=user,
            app=app,
            scopes=scopes,
            refresh=wants_refresh(scopes),
            token_format="jwt" if as_jwt else None,
        )
        body = self.service.issue(issued, self.request.base)
        body["issued_token_type"] = JWT_TYPE if as_jwt else ACCESS_TOKEN
        return body

    def asset_token(self, app: ConnectedApp, session: AccessToken, actor: str) -> dict[str, Any]:
        """Salesforce's asset token: the actor JWT's claims, vouched for by the org, for `asset_token_ttl`."""
        try:
            header, actor_claims = jwtutil.unverified(actor)
            if app.jwt_certificate and header.get("alg") not in (None, "none"):
                jwtutil.verify(actor, jwtutil.public_key(app.jwt_certificate))
        except jwtutil.BadJwt:
            raise invalid_grant("invalid actor token") from None
        now = self.service.clock.now()
        ttl = self.service.runtime.config.salesforce.asset_token_ttl
        base = self.request.base
        reserved = {"iss", "sub", "aud", "exp", "iat", "nbf", "jti"}
        claims: dict[str, Any] = {k: v for k, v in actor_claims.items() if k not in reserved}
        claims.update(
            {
                "iss": base,
                "sub": identity_url(base, session.org_id, session.user_id),
                "aud": actor_claims.get("aud") or base,
                "exp": int(now + ttl),
                "iat": int(now),
                "nbf": int(now),
                "jti": str(uuid.uuid4()),
                "client_id": app.client_id,
            }
        )
        key = self.service.runtime.keys.rsa
        token = key.sign(claims)
        return {"access_token": token, "issued_token_type": JWT_TYPE, "token_type": "Bearer", "expires_in": ttl}

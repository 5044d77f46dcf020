"""`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`: an RS256 assertion signed with the key of the
certificate on the connected app. No client secret, no refresh token, no `signature` in the response.

Checks, in order: a readable JWS (`invalid assertion`); `iss` names an app (`invalid_client_id`); the
signature against the app's certificate (`invalid assertion`); `aud` is one accepted string, of the login hosts
only the one of the org's kind (`audience is invalid`); `exp` not past, with the configured skew (`expired
authorization code`); the user (`sub`, or `prn` which wins) exists in the app's org, and on a My Domain that org is
the My Domain's, on login/test an org of that host's kind (`authentication failure`), is active, and is pre-approved
or has approved the app (`user hasn't approved this consumer`).
"""

from __future__ import annotations

from typing import Any

from .. import jwtutil
from ..errors import OAuthError, invalid_client_id, invalid_grant
from ..models import ConnectedApp, User
from ..service import Issued, SalesforceService
from . import Grant, register

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
STANDARD_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")


def invalid_assertion() -> OAuthError:
    return invalid_grant("invalid assertion")


def accepted_audiences(
    base: str, extra: str, *, base_is_my_domain: bool = False, sandbox: bool | None = None
) -> set[str]:
    """login/test, the configured extras (community URLs) and the mock's own URL, unless that is a My Domain:
    a My-Domain `aud` is `audience is invalid` on Salesforce, even on the My Domain the request went to. With
    `sandbox` (the org's kind), only its own login host: test for a sandbox, login for production (spec 1.1,
    Talend/components#1423), whatever the mock's own URL is."""
    values = {*STANDARD_AUDIENCES, *extra.replace(",", " ").split()}
    if not base_is_my_domain:
        values.add(base)
    accepted = {v.rstrip("/") for v in values if v}
    if sandbox is not None:
        accepted.discard(STANDARD_AUDIENCES[0] if sandbox else STANDARD_AUDIENCES[1])
    return accepted


def approved(service: SalesforceService, app: ConnectedApp, user: User) -> bool:
    """Pre-authorized by the admin (`pre_approved_users`, `*` = everyone), or approved before: the user
    holds a live refresh token of the app (Salesforce counts each one as an approval)."""
    if "*" in app.pre_approved_users or user.username in app.pre_approved_users:
        return True
    return service.has_approved(app, user)


@register
class JwtBearerGrant(Grant):
    grant_type = GRANT_TYPE
    defers_signatures = True
    secret = "never"

    def run(self) -> dict[str, Any]:
        assertion = self.params.get("assertion")
        if not assertion:
            raise invalid_assertion()
        try:
            header, claims = jwtutil.unverified(assertion)
        except jwtutil.BadJwt:
            raise invalid_assertion() from None
        app = self.service.app_by_client_id(str(claims.get("iss") or ""))
        if app is None:
            raise invalid_client_id()
        if not jwtutil.signed_with_certificate(assertion, header, app.jwt_certificate):
            raise invalid_assertion()
        settings = self.service.runtime.config.salesforce
        aud = claims.get("aud")
        base = self.request.base
        # the login host of the app's org's kind (`allow_any_org_on_login_hosts`: either)
        sandbox = None if settings.allow_any_org_on_login_hosts else self.service.org(app.org_id).is_sandbox
        if not isinstance(aud, str) or aud.rstrip("/") not in accepted_audiences(
            base, settings.jwt_audiences, base_is_my_domain=self.service.on_my_domain(base), sandbox=sandbox
        ):
            raise invalid_grant("audience is invalid")
        now = self.service.clock.now()
        exp = jwtutil.seconds(claims.get("exp"), now)
        if exp is None:
            raise invalid_assertion()
        if now >= exp + settings.jwt_skew:  # exp itself is past (RFC 7519 4.1.4)
            raise invalid_grant("expired authorization code")
        subject = claims.get("prn") or claims.get("sub")
        user = self.service.user_by_username(subject if isinstance(subject, str) else None)
        # another org's My Domain has no such user (as at sign-in, `SalesforceService.sign_in`)
        if user is None or user.org_id != app.org_id or self.service.foreign_org(user.org_id, base):
            raise invalid_grant("authentication failure")
        self.service.require_active(user)
        if not approved(self.service, app, user):
            raise invalid_grant("user hasn't approved this consumer")
        scopes = self.service.grant_scopes(app, self.params.get("scope"))
        issued = Issued(
            org=self.service.org(user.org_id), user=user, app=app, scopes=scopes, signature=False, id_token=False
        )
        return self.service.issue(issued, self.request.base)

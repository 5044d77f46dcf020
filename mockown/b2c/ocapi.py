"""OCAPI Shop API customer authentication (`/s/{site}/dw/shop/v{NN_N}/customers/auth`): guest, credentials,
session and refresh, the JWT in the `Authorization` response header, `DELETE` (logout) and `POST /sessions`."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import security
from ..clock import iso
from ..fieldwise import Value
from ..http.forms import BadBody, json_loads, no_lone_surrogates
from ..security import basic_pair
from ..store import Table
from .errors import OcapiFault
from .models import Customer, OcapiToken, Site, StoreSession

if TYPE_CHECKING:
    from ..config import OcapiFaults
    from ..runtime import Runtime

VERSION = re.compile(r"^v(\d{2})_(\d{1,2})$")
AUTH_TYPES = ("guest", "credentials", "session", "refresh")
_ID_CHARS = "abcdefghijklmnopqrstuvwxyz"


def new_customer_id() -> str:
    """26 letters, like B2C customer ids (e.g. `abmes2wbk2lHgRmuJYkWYYlKxB`)."""
    alphabet = _ID_CHARS + _ID_CHARS.upper() + "0123456789"
    return "ab" + "".join(secrets.choice(alphabet) for _ in range(24))


def api_version(segment: str) -> str:
    match = VERSION.fullmatch(segment)
    if match is None:
        raise OcapiFault(404, "UnknownVersionException", f"The version '{segment}' is unknown.")
    return f"{match.group(1)}.{match.group(2)}"


@dataclass(frozen=True, repr=False, eq=False)
class AuthResult(Value):
    """What OCAPI `customers/auth` answers with: the customer JWT and the customer."""

    token: str
    customer: dict[str, Any]


class OcapiService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.clock = runtime.clock
        self.store = runtime.store

    @property
    def faults(self) -> OcapiFaults:
        return self.runtime.config.b2c.ocapi_faults

    def _auth_failed(self, message: str, version: str) -> OcapiFault:
        return OcapiFault(self.faults.auth_failed_status, self.faults.auth_failed_type, message, version)

    @property
    def sites(self) -> Table[Site]:
        return self.store.table(Site)

    @property
    def customers(self) -> Table[Customer]:
        return self.store.table(Customer)

    @property
    def tokens(self) -> Table[OcapiToken]:
        return self.store.table(OcapiToken)

    @property
    def sessions(self) -> Table[StoreSession]:
        return self.store.table(StoreSession)

    def site(self, instance: str | None, site_id: str, client_id: str | None, version: str) -> Site:
        site = self.sites.get(f"{instance}|{site_id}") if instance else None
        if site is None:
            raise OcapiFault(
                404, "SiteNotFoundException", f"No site with ID '{site_id}' was found.", version, {"siteId": site_id}
            )
        faults = self.faults
        if not client_id:
            raise OcapiFault(
                faults.missing_client_status, faults.missing_client_type, faults.missing_client_message, version
            )
        if client_id not in site.client_ids:
            raise OcapiFault(
                faults.forbidden_client_status,
                faults.forbidden_client_type,
                faults.forbidden_client_message.replace("{client_id}", client_id),
                version,
                {"clientId": client_id},
            )
        return site

    def customer_by_login(self, site: Site, login: str) -> Customer | None:
        login = login.lower()
        return next((c for c in self.customers.find("site", site.id) if c.registered and c.login == login), None)

    # customers/auth ---------------------------------------------------------------------------------
    @staticmethod
    def _document(raw: bytes, version: str) -> dict[str, Any]:
        """The JSON object of a request body (an empty body is `{}`)."""
        try:
            body = no_lone_surrogates(json_loads(raw or b"{}"), raw)
        except (ValueError, RecursionError, BadBody):  # malformed, not UTF-8, a number past int()'s digits, nested
            # too deeply, a lone surrogate escaped
            raise OcapiFault(
                400, "MalformedDocumentException", "The request body is not a valid JSON document.", version
            ) from None
        if not isinstance(body, dict):
            raise OcapiFault(400, "MalformedDocumentException", "The request body must be a JSON object.", version)
        return body

    def auth(
        self,
        site: Site,
        client_id: str,
        version: str,
        raw: bytes,
        authorization: str | None,
        cookies: dict[str, str],
    ) -> AuthResult:
        body = self._document(raw, version)
        kind = body.get("type")
        if kind not in AUTH_TYPES:
            raise OcapiFault(
                400,
                "PropertyConstraintViolationException",
                f"The value of property 'type' must be one of {', '.join(AUTH_TYPES)}.",
                version,
                {"property": "type"},
            )
        now = self.clock.now()
        with self.store.atomic():
            if kind == "guest":
                customer = Customer(id=new_customer_id(), site=site.id, registered=False)
                self.customers.put(customer)
                return self._issue(site, client_id, customer, version, str(uuid.uuid4().hex[:26]))
            if kind == "credentials":
                login, password = self._basic(authorization, version)
                found = self.customer_by_login(site, login)
                if found is None or not security.equal(
                    security.password_hash(password, found.salt), found.password_hash
                ):
                    raise self._auth_failed(self.faults.credentials_message, version)
                if not found.enabled:
                    raise self._auth_failed(self.faults.disabled_message, version)
                found.last_login = now
                self.customers.put(found)
                return self._issue(site, client_id, found, version, uuid.uuid4().hex[:26])
            if kind == "session":
                dwsid = cookies.get("dwsid")
                session = self.sessions.get(security.token_hash(dwsid)) if dwsid else None
                customer_rec = self.customers.get(session.customer_id) if session is not None else None
                if session is None or session.site != site.id or customer_rec is None:
                    raise self._auth_failed(self.faults.session_message, version)
                # every call makes a new token: "make only one call per session"
                return self._issue(site, client_id, customer_rec, version, uuid.uuid4().hex[:26])
            old = self.bearer(authorization, site, version)
            customer_rec = self.customers.get(old.customer_id)
            if customer_rec is None:  # removed since (a reset of the unit that seeded it): the token is no good
                raise OcapiFault(401, "InvalidAccessTokenException", self.faults.token_invalid_message, version)
            if not self.runtime.config.b2c.ocapi_refresh_keeps_old:
                old.revoked = old.replaced = True
                self.tokens.put(old)
            return self._issue(site, client_id, customer_rec, version, old.visit_id)

    def _basic(self, authorization: str | None, version: str) -> tuple[str, str]:
        bad = OcapiFault(401, "InvalidAuthorizationHeaderException", self.faults.header_message, version)
        pair = basic_pair(authorization)
        if pair is None:
            raise bad
        return pair

    def bearer(self, authorization: str | None, site: Site, version: str) -> OcapiToken:
        faults = self.faults
        if not authorization or authorization[:7].lower() != "bearer ":
            raise OcapiFault(401, "InvalidAuthorizationHeaderException", faults.header_message, version)
        raw = authorization[7:].strip()
        token = self.tokens.get(security.token_hash(raw))
        if token is None or token.site != site.id or (token.revoked and not token.replaced):
            raise OcapiFault(401, "InvalidAccessTokenException", faults.token_invalid_message, version)
        if not self.runtime.keys.still_published(raw, "ocapi"):  # a second rotation dropped its key
            raise OcapiFault(401, "InvalidAccessTokenException", faults.token_invalid_message, version)
        if token.replaced:  # a refresh replaced it (ocapi_refresh_keeps_old off)
            raise OcapiFault(401, "InvalidAccessTokenException", faults.token_used_message, version)
        if self.clock.now() >= token.expires_at:
            raise OcapiFault(401, faults.token_expired_type, faults.token_expired_message, version)
        return token

    def _issue(self, site: Site, client_id: str, customer: Customer, version: str, visit_id: str) -> AuthResult:
        now = self.clock.now()
        ttl = self.runtime.config.b2c.ocapi_token_ttl
        key = self.runtime.keys.rsa_of("ocapi")
        sub = {
            "_v": "3.0",
            "customer_info": {"customer_id": customer.id, "guest": not customer.registered, "visit_id": visit_id},
        }
        claims = {
            "iat": int(now),
            "exp": int(now) + ttl,
            "iss": "com.demandware.ocapi",
            "sub": json.dumps(sub),
            "jti": uuid.uuid4().hex,
        }
        token = key.sign(claims)
        self.tokens.put(
            OcapiToken(
                id=security.token_hash(token),
                site=site.id,
                client_id=client_id,
                customer_id=customer.id,
                visit_id=visit_id,
                issued_at=now,
                expires_at=now + ttl,
            )
        )
        return AuthResult(token, self.document(customer, version, visit_id))

    def document(self, customer: Customer, version: str, visit_id: str) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "_v": version,
            "_type": "customer",
            "auth_type": "registered" if customer.registered else "guest",
            "customer_id": customer.id,
            "preferred_locale": "default",
            "visit_id": visit_id,
        }
        if customer.registered:
            doc.update(
                customer_no=customer.customer_no,
                email=customer.email,
                enabled=customer.enabled,
                first_name=customer.first_name,
                last_name=customer.last_name,
                login=customer.login,
                last_login_time=iso(customer.last_login, millis=True),
            )
        return doc

    def logout(self, site: Site, version: str, authorization: str | None) -> None:
        with self.store.atomic():  # read where it is written: a refresh on another worker may have replaced it
            token = self.bearer(authorization, site, version)
            token.revoked = True
            self.tokens.put(token)

    def new_session(self, site: Site, version: str, authorization: str | None) -> str:
        """`POST /sessions`: a storefront session (`dwsid`) for the customer of a valid JWT."""
        token = self.bearer(authorization, site, version)
        dwsid = security.random_b62(40)
        self.sessions.put(StoreSession(id=security.token_hash(dwsid), site=site.id, customer_id=token.customer_id))
        return dwsid

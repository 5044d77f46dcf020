"""The SOAP API's `login()` and `logout()` (partner `/services/Soap/u/<version>` and enterprise `/services/Soap/c/...`).

The way simple-salesforce (`Salesforce(username, password, security_token)`) and jsforce (`conn.login()` without
OAuth2 settings) log in: a SOAP 1.1 envelope whose body is `<login><username/><password/></login>` (the password
with the security token appended), answered by a `loginResponse` whose `sessionId` is a session id the REST API
takes as `Authorization: Bearer`, and `serverUrl` the org's instance. The rules are the OAuth password flow's
(`SalesforceService.login`: token suffix, lockout, inactive user, locked org); the session is an `AccessToken` of no
connected app (`SOAP_SESSION_APP`), so revocation, `/_mockown` session expiry, REST's 401 and the virtual clock
treat it as any other session. Its timeout is the org's Session Settings (`sessionSecondsValid`).

Every refusal is a SOAP fault: HTTP 500 (SOAP 1.1 §6.2: "the server MUST respond with an HTTP 500 Internal Server
Error response and include a SOAP message in the response containing a SOAP Fault element"), `text/xml`, in the
shape Salesforce sends (`faultcode` `sf:<CODE>`, `faultstring` `<CODE>: <message>`, `detail` with the WSDL's fault
type). A body the XML parser refuses gets `UNKNOWN_EXCEPTION` (Salesforce's answer), one that is no SOAP envelope
`soapenv:Client`; only a crash of the mock itself renders as `soapenv:Server` (`soap_dialect` at 5xx), so the tests
can tell a fault from a bug.

The body is parsed with the standard library's expat (never the DOM, never entity expansion): a document type
declaration (and so any entity declaration) is refused outright, the size is `config.max_body_bytes`, the depth and
the number of elements are bounded.

Sources (README "SOAP login()"): the LoginResult and getUserInfoResult fields (developer guide
`sforce_api_calls_login_loginresult.htm`, the partner WSDL's `LoginResult` sequence); the retirement (help article
005132110, "SOAP API End-of-Life Policy"): login() is not available in API 65.0 and later, disabled by default in
new orgs, retired for 31.0-64.0 in Summer '27; the v65 fault text as reported in forcedotcom/wsc#363, the
disabled-org text as reported in OpenFn/adaptors#1715.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from .. import ids, security
from ..errors import MockownError
from ..fieldwise import Fieldwise, Value
from .errors import OAuthError
from .identity import xml_text
from .models import SOAP_SESSION_APP, AccessToken, Org, User, new_session_id

if TYPE_CHECKING:
    from .service import SalesforceService

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PARTNER = "urn:partner.soap.sforce.com"
ENTERPRISE = "urn:enterprise.soap.sforce.com"
FAULT_NS = {PARTNER: "urn:fault.partner.soap.sforce.com", ENTERPRISE: "urn:fault.enterprise.soap.sforce.com"}
WSDL_NS = {"u": PARTNER, "c": ENTERPRISE}  # the path's letter: /services/Soap/u (partner), /services/Soap/c
XML_TYPE = "text/xml;charset=UTF-8"

SOAP_SESSION_SCOPES = ["full"]  # a login() session is not scoped: it reaches every API the user may use

INVALID_LOGIN = "Invalid username, password, security token; or user locked out."
ILLEGAL_SESSION = "Invalid Session ID found in SessionHeader: Illegal Session"
BAD_VERSION = "Invalid Api version specified on URL"
DISABLED = (
    "SOAP API login() is disabled by default in this org. Contact the org administrator to enable SOAP API login()."
)

MAX_DEPTH = 32
MAX_ELEMENTS = 2000


# -- faults -----------------------------------------------------------------------------------------------------
class SoapFault(MockownError):
    """A SOAP 1.1 fault in Salesforce's shape. `code` is the `faultcode` (`sf:INVALID_LOGIN`, `UNKNOWN_EXCEPTION`,
    `soapenv:Client`); `fault_type` the WSDL's fault element in `detail` (`LoginFault`, `UnexpectedErrorFault`),
    None for none."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        fault_type: str | None = None,
        wsdl: str = PARTNER,
        status: int = 500,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.fault_type, self.wsdl, self.status = code, message, fault_type, wsdl, status

    @property
    def exception_code(self) -> str | None:
        """Salesforce's exception code (`INVALID_LOGIN`), None for a fault of SOAP's own (`soapenv:Client`)."""
        return None if self.code.startswith("soapenv:") else self.code.removeprefix("sf:")

    @property
    def faultstring(self) -> str:
        exception = self.exception_code
        return f"{exception}: {self.message}" if exception else self.message

    def body(self) -> str:
        detail = ""
        exception = self.exception_code
        if self.fault_type is not None and exception:
            t = self.fault_type
            detail = (
                f'<detail><sf:{t} xsi:type="sf:{t}"><sf:exceptionCode>{exception}</sf:exceptionCode>'
                f"<sf:exceptionMessage>{xml_text(self.message)}</sf:exceptionMessage></sf:{t}></detail>"
            )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" '
            f'xmlns:sf="{FAULT_NS.get(self.wsdl, FAULT_NS[PARTNER])}" xmlns:xsi="{XSI}"><soapenv:Body><soapenv:Fault>'
            f"<faultcode>{xml_text(self.code)}</faultcode><faultstring>{xml_text(self.faultstring)}</faultstring>{detail}"
            "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
        )

    def response(self) -> Response:
        return Response(self.body(), status_code=self.status, media_type=XML_TYPE)


def invalid_login(wsdl: str) -> SoapFault:
    return SoapFault("sf:INVALID_LOGIN", INVALID_LOGIN, fault_type="LoginFault", wsdl=wsdl)


def invalid_session(wsdl: str) -> SoapFault:
    return SoapFault("sf:INVALID_SESSION_ID", ILLEGAL_SESSION, fault_type="UnexpectedErrorFault", wsdl=wsdl)


def client_fault(message: str, wsdl: str = PARTNER) -> SoapFault:
    return SoapFault("soapenv:Client", message, wsdl=wsdl)


def unreadable(message: str, wsdl: str) -> SoapFault:
    """A body the XML parser refuses: Salesforce answers `UNKNOWN_EXCEPTION` (no `sf:` prefix) with an
    `UnexpectedErrorFault` detail, its parser's message after it (forcedotcom/postman-salesforce-apis#26)."""
    return SoapFault("UNKNOWN_EXCEPTION", message, fault_type="UnexpectedErrorFault", wsdl=wsdl)


def soap_dialect(
    status: int, reason: str, message: str, code: str | None = None, *, wsdl: str = PARTNER
) -> MockownError:
    """Generic errors under `/services/Soap/` (unknown path, wrong method, body too large): a `soapenv:Client`
    fault with the HTTP status of the error; a failure of the mock itself (5xx) a `soapenv:Server` fault; a `code`
    (a fault rule's `error`) is the `faultcode` as given (`sf:INVALID_SESSION_ID`). `wsdl`: the API whose fault
    namespace it declares (`enterprise_dialect`: under `/services/Soap/c/`)."""
    if code is not None:
        return SoapFault(code, message, status=status, wsdl=wsdl)
    if status >= 500:
        return SoapFault("soapenv:Server", message, status=status, wsdl=wsdl)
    return SoapFault("soapenv:Client", f"{reason}: {message}", status=status, wsdl=wsdl)


def enterprise_dialect(status: int, reason: str, message: str, code: str | None = None) -> MockownError:
    """`soap_dialect` under `/services/Soap/c/`: its faults in the enterprise fault namespace."""
    return soap_dialect(status, reason, message, code, wsdl=ENTERPRISE)


# -- parsing ----------------------------------------------------------------------------------------------------
@dataclass(slots=True, repr=False, eq=False)
class Node(Fieldwise):
    """An element of a parsed SOAP envelope."""

    ns: str
    name: str
    children: list[Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def child(self, ns: str, name: str) -> Node | None:
        return next((c for c in self.children if c.ns == ns and c.name == name), None)

    def part(self, ns: str, name: str) -> Node | None:
        """A parameter of an operation or header: the child `name` in `ns`, else in no namespace (`<username>`
        inside `<urn:login>`: clients that leave the parts unqualified, which Salesforce accepts)."""
        return self.child(ns, name) or self.child("", name)

    def value(self) -> str:
        return "".join(self.text)


class _Refused(Exception):
    pass


def _split(qname: str) -> tuple[str, str]:
    ns, sep, local = qname.rpartition(" ")
    return (ns, local) if sep else ("", qname)


_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE)  # (UTF-32's begin as UTF-16's do)


def parse(body: bytes, charset: str | None = None, wsdl: str = PARTNER) -> Node:
    """The document element of `body`, or an `UNKNOWN_EXCEPTION` fault of `wsdl` (`unreadable`). No DTD, no
    entities, bounded. `charset`: the
    Content-Type's, which decides the encoding over the XML declaration's unless the body begins with a byte order
    mark (RFC 7303 3.2, 3.3: the BOM, then the charset parameter, then the document's own declaration)."""
    from xml.parsers import expat  # here: kept off the start-up path with the rest of the SOAP API's XML

    root: list[Node] = []
    stack: list[Node] = []
    count = 0

    def start(qname: str, attrs: dict[str, str]) -> None:
        nonlocal count
        count += 1
        if count > MAX_ELEMENTS or len(stack) >= MAX_DEPTH:
            raise _Refused("the message is too deeply nested or has too many elements")
        node = Node(*_split(qname))
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)

    def end(qname: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].text.append(data)

    def refuse_dtd(*args: object) -> None:
        raise _Refused("DOCTYPE is disallowed")

    def refuse_entity(*args: object) -> int:
        raise _Refused("external entities are disallowed")

    try:
        parser = expat.ParserCreate(None if body.startswith(_BOMS) else charset, namespace_separator=" ")
    except ValueError:  # a charset expat cannot take (a NUL in it)
        raise unreadable("Malformed request: unknown encoding", wsdl) from None
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = refuse_entity
    try:
        parser.Parse(body, True)
    except _Refused as exc:
        raise unreadable(str(exc), wsdl) from None
    except expat.ExpatError as exc:
        raise unreadable(f"Malformed request: {expat.errors.messages.get(exc.code, 'not well-formed')}", wsdl) from None
    except (ValueError, LookupError):  # an unknown or impossible encoding
        raise unreadable("Malformed request: unknown encoding", wsdl) from None
    if not root:  # pragma: no cover - expat refuses a document without an element
        raise unreadable("Malformed request: no element found", wsdl)
    return root[0]


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Call(Value):
    """A SOAP call: the API (WSDL), the operation and its header."""

    wsdl: str  # PARTNER or ENTERPRISE (the endpoint's)
    operation: Node
    header: Node | None


def envelope(body: bytes, wsdl: str, charset: str | None = None) -> Call:
    """The call in a SOAP 1.1 envelope for the `wsdl` endpoint; faults for anything else. `charset`: `parse`'s."""
    root = parse(body, charset, wsdl)
    if root.name != "Envelope":
        raise client_fault(f"Unexpected element {{{root.ns}}}{root.name}: the message is not a SOAP envelope", wsdl)
    if root.ns != SOAP_ENV:  # SOAP 1.1 §4.4.1; Salesforce speaks SOAP 1.1 only
        raise SoapFault("soapenv:VersionMismatch", f"Wrong SOAP envelope namespace {{{root.ns}}}", wsdl=wsdl)
    body_node = root.child(SOAP_ENV, "Body")
    if body_node is None:
        raise client_fault("Missing SOAP Body in the envelope", wsdl)
    if not body_node.children:
        raise client_fault("No operation in the SOAP Body", wsdl)
    return Call(wsdl, body_node.children[0], root.child(SOAP_ENV, "Header"))


def no_operation(op: Node, wsdl: str) -> SoapFault:
    request = f"{{{op.ns}}}{op.name}"
    return client_fault(f"No operation available for request {request}, please check the WSDL for the service.", wsdl)


# -- versions ---------------------------------------------------------------------------------------------------
_VERSION = re.compile(r"([0-9]{1,3})\.0")  # ASCII digits (`\d` reads any Unicode digit)


def check_version(service: SalesforceService, version: str, wsdl: str) -> int:
    settings = service.runtime.config.salesforce
    match = _VERSION.fullmatch(version)
    number = int(match.group(1)) if match else 0
    if not settings.api_version_min <= number <= settings.api_version_max:
        raise SoapFault("sf:UNSUPPORTED_API_VERSION", BAD_VERSION, fault_type="UnexpectedErrorFault", wsdl=wsdl)
    return number


# -- the operations ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, repr=False, eq=False)
class LoggedIn(Value):
    """A SOAP `login()` that succeeded: its answer and who signed in."""

    xml: str
    org: Org
    user: User


def _text(node: Node | None) -> str | None:
    return node.value() if node is not None else None


def login(service: SalesforceService, call: Call, version: int, base: str) -> LoggedIn:
    wsdl, op = call.wsdl, call.operation
    settings = service.runtime.config.salesforce
    if version > settings.soap_login_max_version:
        message = (
            f"The SOAP Login operation is not available in the API version specified ({version}.0). "
            "Refer to the documentation for supported versions."
        )
        raise SoapFault("sf:INVALID_OPERATION", message, fault_type="UnexpectedErrorFault", wsdl=wsdl)
    username, password = _text(op.part(wsdl, "username")), _text(op.part(wsdl, "password"))
    scope = call.header.child(wsdl, "LoginScopeHeader") if call.header is not None else None
    scope_org = _text(scope.part(wsdl, "organizationId")) if scope is not None else None
    try:  # outside the atomic block below: a failed attempt's count (the lockout) must stay when it faults
        # the password flow's rules: token suffix, lockout, active; on an org's My Domain that org's users only
        user = service.sign_in(username, password, base)
    except OAuthError:
        raise invalid_login(wsdl) from None
    with service.store.atomic():
        org = service.orgs.get(user.org_id)
        if org is None or (scope_org and not ids.same(scope_org.strip(), org.id)):
            raise invalid_login(wsdl)
        if not org.soap_login_enabled:
            raise SoapFault("sf:INVALID_OPERATION", DISABLED, fault_type="UnexpectedErrorFault", wsdl=wsdl)
        raw = issue_session(service, org, user)
    return LoggedIn(login_response(service, org, user, raw, wsdl, version, base), org, user)


def issue_session(service: SalesforceService, org: Org, user: User) -> str:
    """A session id (`00D…!AQ…`, stored hashed) of no connected app, timing out after the org's session timeout."""
    now = service.clock.now()
    raw = new_session_id(org.id)
    service.access_tokens.put(
        AccessToken(
            id=security.token_hash(raw),
            org_id=org.id,
            user_id=user.id,
            app_id=SOAP_SESSION_APP,
            scopes=SOAP_SESSION_SCOPES,
            issued_at=now,
            last_active=now,
            timeout=org.session_timeout,
        )
    )
    return raw


def logout(service: SalesforceService, call: Call, org_in_path: str | None, base: str) -> str:
    """End the session of the `SessionHeader`; `INVALID_SESSION_ID` when it is not a live session, is a JWT-based
    access token (usable only for REST APIs), or is another org's than the one whose My Domain `base` is
    (`SalesforceService.foreign_org`: there it is no session)."""
    wsdl = call.wsdl
    header = call.header.child(wsdl, "SessionHeader") if call.header is not None else None
    raw = (_text(header.part(wsdl, "sessionId")) if header is not None else None) or ""
    raw = raw.strip()
    with service.store.atomic():
        token = service.live_access(raw) if raw else None
        if token is None or token.format == "jwt" or (org_in_path and not ids.same(org_in_path, token.org_id)):
            raise invalid_session(wsdl)
        if service.foreign_org(token.org_id, base):
            raise invalid_session(wsdl)
        token.revoked = True
        service.access_tokens.put(token)
    return _envelope(wsdl, "<logoutResponse/>")


def _envelope(wsdl: str, inner: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns="{wsdl}" '
        f'xmlns:xsi="{XSI}"><soapenv:Body>{inner}</soapenv:Body></soapenv:Envelope>'
    )


def profile_id(org: Org, user: User) -> str:
    """A stable `00e` id for the user's profile (mockown keeps profiles by name)."""
    digest = hashlib.sha256(f"{org.id}|{user.profile.strip().lower()}".encode()).digest()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return ids.to18(ids.PROFILE + "5g" + "".join(alphabet[b % 62] for b in digest[:10]))


def _el(name: str, value: str | int | bool | None) -> str:
    if value is None:
        return f'<{name} xsi:nil="true"/>'
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{xml_text(str(value))}</{name}>"


def login_response(
    service: SalesforceService, org: Org, user: User, raw: str, wsdl: str, version: int, base: str
) -> str:
    instance = service.instance_url(org, base)
    org18, letter = ids.to18(org.id), "u" if wsdl == PARTNER else "c"
    org15 = ids.to15(org.id)  # the endpoint URLs carry the 15-character id, as Salesforce's own do
    user_info = "".join(
        _el(name, value)
        for name, value in (  # getUserInfoResult, in the WSDL's order
            ("accessibilityMode", False),
            ("chatterExternal", False),
            ("currencySymbol", "$"),
            ("orgAttachmentFileSizeLimit", 5242880),
            ("orgDefaultCurrencyIsoCode", "USD"),
            ("orgDefaultCurrencyLocale", "en_US"),
            ("orgDisallowHtmlAttachments", False),
            ("orgHasPersonAccounts", False),
            ("organizationId", org18),
            ("organizationMultiCurrency", False),
            ("organizationName", org.name),
            ("profileId", profile_id(org, user)),
            ("roleId", None),
            ("sessionSecondsValid", int(org.session_timeout)),
            ("userDefaultCurrencyIsoCode", None),
            ("userEmail", user.email),
            ("userFullName", user.display_name),
            ("userId", ids.to18(user.id)),
            ("userLanguage", user.language),
            ("userLocale", user.locale),
            ("userName", user.username),
            ("userTimeZone", user.timezone),
            ("userType", user.api_user_type),
            ("userUiSkin", "Theme3"),
        )
    )
    result = (
        _el("metadataServerUrl", f"{instance}/services/Soap/m/{version}.0/{org15}")
        + _el("passwordExpired", False)
        + _el("sandbox", org.is_sandbox)
        + _el("serverUrl", f"{instance}/services/Soap/{letter}/{version}.0/{org15}")
        + _el("sessionId", raw)
        + _el("userId", ids.to18(user.id))
        + f"<userInfo>{user_info}</userInfo>"
    )
    return _envelope(wsdl, f"<loginResponse><result>{result}</result></loginResponse>")


# -- HTTP -------------------------------------------------------------------------------------------------------
async def soap_endpoint(request: Request) -> Response:
    """`POST /services/Soap/{u|c}/{version}[/{org_id}]`: login() and logout(); anything else a fault."""
    from ..http.api import base_url, runtime_of
    from ..http.forms import charset, read_decoded_body

    runtime = runtime_of(request)
    entry = request.scope.get("mockown.entry")
    if entry is not None:  # the body is an envelope whatever its Content-Type (text/plain, a BOM): never a form
        entry.forget_params()
    service = runtime.salesforce
    # /services/Soap/<u|c>/... (the routes are only these two), after a root path if the app is mounted under one
    wsdl = WSDL_NS[request.url.path.rsplit("/services/Soap/", 1)[-1][:1]]
    version = check_version(service, request.path_params["version"], wsdl)
    body = await read_decoded_body(request, runtime.config.max_body_bytes)  # Content-Encoding gzip, deflate
    call = envelope(body, wsdl, charset(request))
    op = call.operation
    if op.ns != wsdl or op.name not in ("login", "logout"):
        raise no_operation(op, wsdl)
    if op.name == "logout":
        answer = logout(service, call, request.path_params.get("org_id"), base_url(request))
        return Response(answer, media_type=XML_TYPE)
    done = login(service, call, version, base_url(request))
    if entry is not None:  # the journal names who logged in (never the password or the session id)
        entry.org, entry.user = done.org.id, done.user.username
    return Response(done.xml, media_type=XML_TYPE, headers={"Cache-Control": "no-store"})

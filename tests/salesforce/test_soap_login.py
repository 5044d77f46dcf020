"""The SOAP API's login() / logout() (mockown/salesforce/soap.py): the envelope in, the LoginResult or the fault
out (parsed here as XML), the session it makes on the REST API, and the rules it shares with the OAuth password
flow."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import httpx
import pytest

from mockown import FrozenClock
from mockown.runtime import Runtime
from mockown.salesforce.models import AccessToken, User
from tests.conftest import ADMIN, ADMIN_ID, CID, ORG, PASSWORD, SECRET

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER = "urn:partner.soap.sforce.com"
ENTERPRISE = "urn:enterprise.soap.sforce.com"
TOKEN = "SecTok3nAdmin"  # the demo admin's security token (fixtures/default.yaml)
NS = {"s": SOAPENV, "p": PARTNER, "e": ENTERPRISE, "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
HEADERS = {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": "login"}


def login_envelope(username: str, password: str, ns: str = PARTNER, header: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="{SOAPENV}" xmlns:n1="{ns}">'
        f"<env:Header>{header}</env:Header><env:Body><n1:login><n1:username>{escape(username)}</n1:username>"
        f"<n1:password>{escape(password)}</n1:password></n1:login></env:Body></env:Envelope>"
    )


def logout_envelope(session_id: str, ns: str = PARTNER) -> str:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAPENV}" xmlns:urn="{ns}"><soapenv:Header><urn:SessionHeader>'
        f"<urn:sessionId>{session_id}</urn:sessionId></urn:SessionHeader></soapenv:Header>"
        "<soapenv:Body><urn:logout/></soapenv:Body></soapenv:Envelope>"
    )


def soap(client: httpx.Client, body: str | bytes, path: str = "/services/Soap/u/59.0") -> httpx.Response:
    return client.post(path, content=body, headers=HEADERS)


def fault(r: httpx.Response) -> tuple[str, str, str | None, str | None]:
    """(faultcode, faultstring, detail exceptionCode, detail exceptionMessage) of a SOAP fault answer."""
    assert r.status_code == 500, r.text
    assert r.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(r.content)
    f = root.find("s:Body/s:Fault", NS)
    assert f is not None, r.text
    detail = f.find("detail")
    code = msg = None
    if detail is not None:
        (typed,) = list(detail)
        fns = typed.tag.split("}")[0][1:]
        assert fns.startswith("urn:fault.") and fns.endswith(".soap.sforce.com")
        assert typed.get(f"{{{NS['xsi']}}}type") == "sf:" + typed.tag.split("}")[1]
        code = typed.findtext(f"{{{fns}}}exceptionCode")
        msg = typed.findtext(f"{{{fns}}}exceptionMessage")
    return f.findtext("faultcode") or "", f.findtext("faultstring") or "", code, msg


def login_ok(client: httpx.Client, password: str = PASSWORD + TOKEN, path: str = "/services/Soap/u/59.0") -> ET.Element:
    r = soap(client, login_envelope(ADMIN, password, ENTERPRISE if "/c/" in path else PARTNER), path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/xml;charset=UTF-8"
    result = ET.fromstring(r.content).find("s:Body/*/*", NS)
    assert result is not None
    return result


def rest(client: httpx.Client, session_id: str) -> httpx.Response:
    return client.get("/services/data/v59.0/limits", headers={"Authorization": f"Bearer {session_id}"})


USER_INFO = [
    "accessibilityMode", "chatterExternal", "currencySymbol", "orgAttachmentFileSizeLimit",
    "orgDefaultCurrencyIsoCode", "orgDefaultCurrencyLocale", "orgDisallowHtmlAttachments", "orgHasPersonAccounts",
    "organizationId", "organizationMultiCurrency", "organizationName", "profileId", "roleId", "sessionSecondsValid",
    "userDefaultCurrencyIsoCode", "userEmail", "userFullName", "userId", "userLanguage", "userLocale", "userName",
    "userTimeZone", "userType", "userUiSkin",
]  # fmt: skip
INVALID_LOGIN = (
    "sf:INVALID_LOGIN",
    "INVALID_LOGIN: Invalid username, password, security token; or user locked out.",
    "INVALID_LOGIN",
    "Invalid username, password, security token; or user locked out.",
)


def test_login_result_shape(client: httpx.Client) -> None:
    r = soap(client, login_envelope(ADMIN, PASSWORD + TOKEN))
    root = ET.fromstring(r.content)
    response = root.find("s:Body/p:loginResponse", NS)
    assert response is not None
    (result,) = list(response)
    assert result.tag == f"{{{PARTNER}}}result"
    names = [c.tag.split("}")[1] for c in result]
    assert names == ["metadataServerUrl", "passwordExpired", "sandbox", "serverUrl", "sessionId", "userId", "userInfo"]
    get = {c.tag.split("}")[1]: c.text for c in result}
    # 15-character org ids, as Salesforce's serverUrl (https://na15.salesforce.com/services/Soap/u/29.0/00Di0000000icUB)
    assert get["serverUrl"] == f"http://testserver/services/Soap/u/59.0/{ORG[:15]}"
    assert get["metadataServerUrl"] == f"http://testserver/services/Soap/m/59.0/{ORG[:15]}"
    assert (get["passwordExpired"], get["sandbox"], get["userId"]) == ("false", "false", ADMIN_ID)
    session = get["sessionId"] or ""
    assert session.startswith(ORG[:15] + "!AQ") and len(session) > 60
    info = result.find("p:userInfo", NS)
    assert info is not None
    fields = [c.tag.split("}")[1] for c in info]
    assert fields == USER_INFO  # the partner WSDL's getUserInfoResult sequence
    values = {c.tag.split("}")[1]: c.text for c in info}
    assert values["organizationId"] == ORG and values["userId"] == ADMIN_ID and values["userName"] == ADMIN
    assert values["organizationName"] == "Mockown Demo" and values["userFullName"] == "Ada Admin"
    assert values["sessionSecondsValid"] == "7200"
    assert (values["profileId"] or "").startswith("00e")
    assert info.find("p:roleId", NS).get(f"{{{NS['xsi']}}}nil") == "true"  # type: ignore[union-attr]


def test_enterprise_endpoint_answers_in_its_namespace(client: httpx.Client) -> None:
    result = login_ok(client, path="/services/Soap/c/59.0")
    assert result.tag == f"{{{ENTERPRISE}}}result"
    server = result.findtext("e:serverUrl", namespaces=NS)
    assert server == f"http://testserver/services/Soap/c/59.0/{ORG[:15]}"
    # a partner body on the enterprise endpoint is no operation of that WSDL
    r = soap(client, login_envelope(ADMIN, PASSWORD + TOKEN), "/services/Soap/c/59.0")
    code, text, _, _ = fault(r)
    assert code == "soapenv:Client"
    assert text == f"No operation available for request {{{PARTNER}}}login, please check the WSDL for the service."
    assert 'xmlns:sf="urn:fault.enterprise.soap.sforce.com"' in r.text


def test_session_works_on_rest_then_logout_ends_it(client: httpx.Client) -> None:
    session = login_ok(client).findtext("p:sessionId", namespaces=NS) or ""
    assert rest(client, session).status_code == 200
    assert rest(client, session).headers["Sforce-Limit-Info"].startswith("api-usage=")
    # logout on the serverUrl (with the org id), as clients call it
    r = soap(client, logout_envelope(session), f"/services/Soap/u/59.0/{ORG}")
    assert r.status_code == 200, r.text
    assert ET.fromstring(r.content).find("s:Body/p:logoutResponse", NS) is not None
    dead = rest(client, session)
    assert dead.status_code == 401
    assert dead.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    # a second logout: the session is not live any more
    again = fault(soap(client, logout_envelope(session)))
    assert again[0] == "sf:INVALID_SESSION_ID"
    assert again[2:] == ("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session")


def test_logout_refuses_unknown_missing_and_other_org_sessions(client: httpx.Client) -> None:
    assert fault(soap(client, logout_envelope("00D000000000001!AQnope")))[0] == "sf:INVALID_SESSION_ID"
    no_header = f'<e:Envelope xmlns:e="{SOAPENV}"><e:Body><logout xmlns="{PARTNER}"/></e:Body></e:Envelope>'
    assert fault(soap(client, no_header))[0] == "sf:INVALID_SESSION_ID"
    session = login_ok(client).findtext("p:sessionId", namespaces=NS) or ""
    other = "00D5g000009OthrEAC"
    assert fault(soap(client, logout_envelope(session), f"/services/Soap/u/59.0/{other}"))[0] == "sf:INVALID_SESSION_ID"
    assert rest(client, session).status_code == 200  # the refused logout left the session alive


def test_logout_at_another_orgs_my_domain_is_no_session_there(client: httpx.Client) -> None:
    """A session is another org's on that org's My Domain (`SalesforceService.foreign_org`, as REST and userinfo
    refuse it there): logout() answers INVALID_SESSION_ID and leaves it alive; on a host no org owns it works."""
    seeded = client.post("/_mockown/seed", json={"salesforce": {"orgs": [{"my_domain": "other.my.salesforce.com"}]}})
    assert seeded.status_code == 201, seeded.text
    session = login_ok(client).findtext("p:sessionId", namespaces=NS) or ""
    other_host = {**HEADERS, "Host": "other.my.salesforce.com"}
    at_other = client.post("/services/Soap/u/59.0", content=logout_envelope(session), headers=other_host)
    assert fault(at_other)[0] == "sf:INVALID_SESSION_ID"
    assert rest(client, session).status_code == 200  # the refused logout left the session alive
    assert soap(client, logout_envelope(session)).status_code == 200  # on the mock's own address: no org's host
    assert rest(client, session).status_code == 401


def test_session_times_out_after_the_org_session_timeout(client: httpx.Client, clock: FrozenClock) -> None:
    session = login_ok(client).findtext("p:sessionId", namespaces=NS) or ""
    clock.advance(3600)
    assert rest(client, session).status_code == 200  # used at half the timeout: slides forward
    clock.advance(7199)
    assert rest(client, session).status_code == 200
    clock.advance(7201)
    assert rest(client, session).status_code == 401


def test_session_timeout_is_the_orgs(client: httpx.Client, clock: FrozenClock, runtime: Runtime) -> None:
    org = runtime.salesforce.orgs.get(ORG)
    assert org is not None
    org.session_timeout = 900
    runtime.salesforce.orgs.put(org)
    result = login_ok(client)
    assert result.findtext("p:userInfo/p:sessionSecondsValid", namespaces=NS) == "900"
    session = result.findtext("p:sessionId", namespaces=NS) or ""
    clock.advance(901)
    assert rest(client, session).status_code == 401


def test_session_is_stored_hashed_with_no_connected_app(client: httpx.Client, runtime: Runtime) -> None:
    session = login_ok(client).findtext("p:sessionId", namespaces=NS) or ""
    tokens = runtime.store.table(AccessToken).all()
    soap_tokens = [t for t in tokens if t.app_id == "soap-api-login"]
    assert len(soap_tokens) == 1
    assert session not in {t.id for t in tokens}
    # the identity service and the revocation endpoint cope with a session of no connected app
    ident = client.get(f"/id/{ORG}/{ADMIN_ID}", headers={"Authorization": f"Bearer {session}"})
    assert ident.status_code == 200 and ident.json()["username"] == ADMIN
    introspect = client.post("/services/oauth2/introspect", data={"token": session}, auth=(CID, SECRET))
    assert introspect.status_code == 200 and introspect.json() == {"active": False}  # not the caller app's token
    # singleaccess wants an OAuth session (spec 6.2: a non-OAuth session gets Bad_OAuth_Token)
    single = client.post("/services/oauth2/singleaccess", headers={"Authorization": f"Bearer {session}"})
    assert (single.status_code, single.text) == (403, "Bad_OAuth_Token")
    assert client.post("/services/oauth2/revoke", data={"token": session}).status_code == 200
    assert rest(client, session).status_code == 401


@pytest.mark.parametrize(
    "password",
    [PASSWORD, "wrong" + TOKEN, PASSWORD + "WrongToken123", "", PASSWORD + TOKEN + "x", TOKEN],
    ids=["no-token-accepted?", "wrong-password", "wrong-token", "empty", "extra", "token-only"],
)
def test_wrong_credentials_are_invalid_login(client: httpx.Client, password: str) -> None:
    r = soap(client, login_envelope(ADMIN, password))
    if password == PASSWORD:  # the password alone passes, as the OAuth password flow (trusted IP ranges)
        assert r.status_code == 200
        return
    assert fault(r) == INVALID_LOGIN


def test_unknown_inactive_user_and_locked_org_are_invalid_login(client: httpx.Client, runtime: Runtime) -> None:
    assert fault(soap(client, login_envelope("nobody@mockown.test", PASSWORD))) == INVALID_LOGIN
    assert fault(soap(client, login_envelope("inactive@mockown.test", PASSWORD))) == INVALID_LOGIN
    org = runtime.salesforce.orgs.get(ORG)
    assert org is not None
    org.locked = True
    runtime.salesforce.orgs.put(org)
    assert fault(soap(client, login_envelope(ADMIN, PASSWORD + TOKEN))) == INVALID_LOGIN


def test_missing_username_or_password_is_invalid_login(client: httpx.Client) -> None:
    body = f'<e:Envelope xmlns:e="{SOAPENV}"><e:Body><login xmlns="{PARTNER}"><username>{ADMIN}</username></login>'
    assert fault(soap(client, body + "</e:Body></e:Envelope>")) == INVALID_LOGIN


def test_username_is_case_insensitive_and_default_namespace_works(client: httpx.Client) -> None:
    body = (
        f'<soapenv:Envelope xmlns:soapenv="{SOAPENV}"><soapenv:Header/><soapenv:Body><login xmlns="{PARTNER}">'
        f"<username>{ADMIN.upper()}</username><password>{PASSWORD}{TOKEN}</password></login></soapenv:Body>"
        "</soapenv:Envelope>"
    )
    assert soap(client, body).status_code == 200


def test_lockout_is_shared_with_the_oauth_password_flow(client: httpx.Client, runtime: Runtime) -> None:
    """Nine wrong SOAP attempts, then one wrong OAuth attempt: the tenth locks the user for both."""
    for _ in range(9):
        assert fault(soap(client, login_envelope(ADMIN, "nope")))[0] == "sf:INVALID_LOGIN"
    form = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN, "password": "x"}
    assert client.post("/services/oauth2/token", data=form).json()["error"] == "invalid_grant"
    user = runtime.store.table(User).get(ADMIN_ID)
    assert user is not None and user.locked_until > 0
    assert fault(soap(client, login_envelope(ADMIN, PASSWORD + TOKEN))) == INVALID_LOGIN  # right, but locked
    good = dict(form, password=PASSWORD + TOKEN)
    assert client.post("/services/oauth2/token", data=good).json()["error"] == "invalid_grant"


def test_lockout_from_oauth_counts_for_soap_and_lifts_after_15_minutes(
    client: httpx.Client, clock: FrozenClock
) -> None:
    form = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN, "password": "x"}
    for _ in range(10):
        client.post("/services/oauth2/token", data=form)
    assert fault(soap(client, login_envelope(ADMIN, PASSWORD + TOKEN))) == INVALID_LOGIN
    clock.advance(15 * 60)
    assert soap(client, login_envelope(ADMIN, PASSWORD + TOKEN)).status_code == 200


def test_a_success_resets_the_failure_count(client: httpx.Client, runtime: Runtime) -> None:
    for _ in range(5):
        soap(client, login_envelope(ADMIN, "nope"))
    user = runtime.store.table(User).get(ADMIN_ID)
    assert user is not None and user.failed_logins == 5
    login_ok(client)
    user = runtime.store.table(User).get(ADMIN_ID)
    assert user is not None and user.failed_logins == 0


def test_login_scope_header_must_name_the_users_org(client: httpx.Client) -> None:
    def scoped(org: str) -> str:
        scope = f'<LoginScopeHeader xmlns="{PARTNER}"><organizationId>{org}</organizationId></LoginScopeHeader>'
        return login_envelope(ADMIN, PASSWORD + TOKEN, header=scope)

    assert soap(client, scoped(ORG[:15])).status_code == 200
    assert fault(soap(client, scoped("00D5g000009OthrEAC"))) == INVALID_LOGIN


def test_api_versions(client: httpx.Client) -> None:
    body = login_envelope(ADMIN, PASSWORD + TOKEN)
    assert soap(client, body, "/services/Soap/u/31.0").status_code == 200
    assert soap(client, body, "/services/Soap/u/64.0").status_code == 200
    for version in ("65.0", "67.0"):
        code, text, exc, _ = fault(soap(client, body, f"/services/Soap/u/{version}"))
        assert (code, exc) == ("sf:INVALID_OPERATION", "INVALID_OPERATION")
        assert text == (
            f"INVALID_OPERATION: The SOAP Login operation is not available in the API version specified ({version})."
            " Refer to the documentation for supported versions."
        )
    for version in ("30.0", "68.0", "59", "v59.0", "abc"):
        code, text, exc, _ = fault(soap(client, body, f"/services/Soap/u/{version}"))
        assert (code, text, exc) == (
            "sf:UNSUPPORTED_API_VERSION",
            "UNSUPPORTED_API_VERSION: Invalid Api version specified on URL",
            "UNSUPPORTED_API_VERSION",
        )


def test_logout_works_on_versions_where_login_is_gone(client: httpx.Client) -> None:
    session = login_ok(client).findtext("p:sessionId", namespaces=NS) or ""
    assert soap(client, logout_envelope(session), "/services/Soap/u/66.0").status_code == 200
    assert rest(client, session).status_code == 401


def test_soap_login_disabled_in_the_org(client: httpx.Client, runtime: Runtime) -> None:
    org = runtime.salesforce.orgs.get(ORG)
    assert org is not None
    org.soap_login_enabled = False
    runtime.salesforce.orgs.put(org)
    code, text, exc, _ = fault(soap(client, login_envelope(ADMIN, PASSWORD + TOKEN)))
    assert (code, exc) == ("sf:INVALID_OPERATION", "INVALID_OPERATION")
    assert text.startswith("INVALID_OPERATION: SOAP API login() is disabled by default in this org.")
    assert runtime.store.table(AccessToken).all() == []
    # wrong credentials still say INVALID_LOGIN: nothing about the org's settings before authentication
    assert fault(soap(client, login_envelope(ADMIN, "nope"))) == INVALID_LOGIN


def test_soap_login_enabled_is_a_seed_setting(client: httpx.Client) -> None:
    seeded = client.post(
        "/_mockown/seed",
        json={"salesforce": {"orgs": [{"soap_login_enabled": False, "users": [{"username": "new@soap.test",
                                       "password": "Pw1", "security_token": "TOK"}]}]}},
    )  # fmt: skip
    assert seeded.status_code in (200, 201), seeded.text
    assert fault(soap(client, login_envelope("new@soap.test", "Pw1TOK")))[0] == "sf:INVALID_OPERATION"
    bad = client.post("/_mockown/seed", json={"salesforce": {"orgs": [{"soap_login_enabled": "maybe"}]}})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("body", "code", "text"),
    [
        (b"", "UNKNOWN_EXCEPTION", "UNKNOWN_EXCEPTION: " + "Malformed request: no element found"),
        (
            b"username=a&password=b",
            "UNKNOWN_EXCEPTION",
            "UNKNOWN_EXCEPTION: " + "Malformed request: not well-formed (invalid token)",
        ),
        (b"<a><b></a>", "UNKNOWN_EXCEPTION", "UNKNOWN_EXCEPTION: " + "Malformed request: mismatched tag"),
        (
            b'{"username": "a"}',
            "UNKNOWN_EXCEPTION",
            "UNKNOWN_EXCEPTION: " + "Malformed request: not well-formed (invalid token)",
        ),
        (b"<login/>", "soapenv:Client", "Unexpected element {}login: the message is not a SOAP envelope"),
        (
            b'<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body/></Envelope>',
            "soapenv:VersionMismatch",
            "Wrong SOAP envelope namespace {http://www.w3.org/2003/05/soap-envelope}",
        ),
        (f'<e:Envelope xmlns:e="{SOAPENV}"/>'.encode(), "soapenv:Client", "Missing SOAP Body in the envelope"),
        (
            f'<e:Envelope xmlns:e="{SOAPENV}"><e:Body/></e:Envelope>'.encode(),
            "soapenv:Client",
            "No operation in the SOAP Body",
        ),
        (
            f'<e:Envelope xmlns:e="{SOAPENV}"><e:Body><query xmlns="{PARTNER}"/></e:Body></e:Envelope>'.encode(),
            "soapenv:Client",
            f"No operation available for request {{{PARTNER}}}query, please check the WSDL for the service.",
        ),
        (
            f'<e:Envelope xmlns:e="{SOAPENV}"><e:Body><login xmlns="urn:wrong"/></e:Body></e:Envelope>'.encode(),
            "soapenv:Client",
            "No operation available for request {urn:wrong}login, please check the WSDL for the service.",
        ),
        # the Content-Type's charset (UTF-8 here) decides over the declaration (test_soap_charset.py)
        (
            b'<?xml version="1.0" encoding="klingon"?><a/>',
            "soapenv:Client",
            "Unexpected element {}a: the message is not a SOAP envelope",
        ),
    ],
    ids=[
        "empty",
        "form",
        "unbalanced",
        "json",
        "not-envelope",
        "soap12",
        "no-body",
        "empty-body",
        "other-op",
        "wrong-ns",
        "encoding",
    ],
)
def test_bad_messages_are_client_faults(client: httpx.Client, body: bytes, code: str, text: str) -> None:
    assert fault(soap(client, body))[:2] == (code, text)


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b"<lolz>&lol2;</lolz>",
        b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>',
        b'<!DOCTYPE foo SYSTEM "http://127.0.0.1:1/evil.dtd"><foo/>',
        b'<!DOCTYPE foo [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x">%p;]><foo/>',
    ],
    ids=["billion-laughs", "xxe-file", "external-dtd", "parameter-entity"],
)
def test_doctype_and_entities_are_refused(client: httpx.Client, body: bytes) -> None:
    r = soap(client, body)
    assert fault(r) == (
        "UNKNOWN_EXCEPTION",
        "UNKNOWN_EXCEPTION: DOCTYPE is disallowed",
        "UNKNOWN_EXCEPTION",
        "DOCTYPE is disallowed",
    )
    assert "root:" not in r.text and "lol" not in r.text


def test_deep_nesting_is_refused(client: httpx.Client) -> None:
    body = b"<a>" * 5000 + b"</a>" * 5000
    assert fault(soap(client, body))[:2] == (
        "UNKNOWN_EXCEPTION",
        "UNKNOWN_EXCEPTION: the message is too deeply nested or has too many elements",
    )


def test_generic_errors_render_as_soap_faults_with_their_status(client: httpx.Client) -> None:
    r = client.get("/services/Soap/u/59.0")
    assert r.status_code == 405 and fault_any(r)[0] == "soapenv:Client"
    r = client.post("/services/Soap/m/59.0", content=b"<x/>")
    assert r.status_code == 404 and fault_any(r)[0] == "soapenv:Client"
    r = client.post("/services/Soap/u/59.0", content=b"<a/>" + b" " * 2_000_000, headers=HEADERS)
    assert r.status_code == 413 and fault_any(r)[0] == "soapenv:Client"


def fault_any(r: httpx.Response) -> tuple[str, str]:
    root = ET.fromstring(r.content)
    f = root.find("s:Body/s:Fault", NS)
    assert f is not None
    return f.findtext("faultcode") or "", f.findtext("faultstring") or ""


def test_trailing_slash_routes(client: httpx.Client) -> None:
    assert soap(client, login_envelope(ADMIN, PASSWORD + TOKEN), "/services/Soap/u/59.0/").status_code == 200
    session = login_ok(client).findtext("p:sessionId", namespaces=NS) or ""
    assert soap(client, logout_envelope(session), f"/services/Soap/u/59.0/{ORG}/").status_code == 200


def test_my_domain_org_gets_its_instance_as_server_url(client: httpx.Client) -> None:
    created = client.post(
        "/_mockown/seed",
        json={"salesforce": {"orgs": [{"my_domain": "acme.my.salesforce.com", "is_sandbox": True,
                                       "users": [{"username": "md@soap.test", "password": "Pw1"}]}]}},
    )  # fmt: skip
    org_id = created.json()["salesforce"]["orgs"][0]["id"]
    r = soap(client, login_envelope("md@soap.test", "Pw1"))
    result = ET.fromstring(r.content).find("s:Body/p:loginResponse/p:result", NS)
    assert result is not None
    assert (
        result.findtext("p:serverUrl", namespaces=NS)
        == f"https://acme.my.salesforce.com/services/Soap/u/59.0/{org_id[:15]}"
    )
    assert result.findtext("p:sandbox", namespaces=NS) == "true"

"""Spec conformance audit of the Salesforce OAuth emulation (spec/salesforce-oauth.md): one test per deviation
found, each failing on the code before its fix."""

from __future__ import annotations

import json

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.config import SalesforceSettings
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from mockown.salesforce.models import Org
from tests.conftest import ADMIN, CALLBACK, CID, ORG, PASSWORD, SECRET, T0
from tests.salesforce.helpers import TOKEN, authorize, location_params, password_token, rest

MEDIA = {"json": "application/json", "xml": "application/xml", "urlencoded": "application/x-www-form-urlencoded"}
PASSWORD_GRANT = {
    "grant_type": "password",
    "client_id": CID,
    "client_secret": SECRET,
    "username": ADMIN,
    "password": PASSWORD,
}


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        ("application/json, application/xml", "json"),  # JSON named first: JSON
        # RestSharp's default Accept header: JSON first, XML later in the list
        ("application/json, text/json, text/x-json, text/javascript, application/xml, text/xml", "json"),
        ("application/json, application/x-www-form-urlencoded", "json"),
        ("*/*, application/xml", "json"),  # the wildcard is JSON, as on the identity service
        ("application/xml, application/json", "xml"),
        ("text/html, application/x-www-form-urlencoded;q=0.5, application/xml", "urlencoded"),
        ("application/xml", "xml"),
        ("application/x-www-form-urlencoded", "urlencoded"),
    ],
)
def test_the_token_endpoint_reads_an_accept_list_left_to_right(client: httpx.Client, accept: str, kind: str) -> None:
    """Spec 1.2: the token response's format follows `format` or an Accept of application/json, application/xml or
    application/x-www-form-urlencoded. An Accept list is read as the identity service reads it: the first type it
    serves wins. The token endpoint picked XML (or urlencoded) whenever the type appeared anywhere in the list, so a
    client that names JSON first (RestSharp sends JSON, then XML) got an XML document it cannot parse."""
    r = client.post(TOKEN, data=PASSWORD_GRANT, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == MEDIA[kind]


def test_format_still_beats_accept(client: httpx.Client) -> None:
    r = client.post(TOKEN, data={**PASSWORD_GRANT, "format": "xml"}, headers={"Accept": "application/json"})
    assert r.headers["content-type"].split(";")[0] == "application/xml"
    r = client.post(TOKEN, data={**PASSWORD_GRANT, "format": "json"}, headers={"Accept": "application/xml"})
    assert r.headers["content-type"].split(";")[0] == "application/json"


def _authorize_response_types() -> list[str]:
    from mockown.contracts import load_spec

    operation = load_spec("salesforce")["paths"]["/services/oauth2/authorize"]["get"]
    (param,) = [p for p in operation["parameters"] if p.get("name") == "response_type"]
    values: list[str] = param["schema"]["enum"]
    return values


@pytest.mark.parametrize("response_type", _authorize_response_types())
def test_every_response_type_the_contract_lists_for_authorize_is_served(
    client: httpx.Client, response_type: str
) -> None:
    """contracts/salesforce.yaml listed `device_code` among /authorize's response types; the device flow starts on
    the token endpoint (spec 3.7: `POST /services/oauth2/token` with `response_type=device_code`), and /authorize
    answers it `unsupported_response_type`, as the spec's list of /authorize's response types (2.2) has no
    device_code either."""
    r = authorize(client, response_type=response_type, state="s1", scope="api openid id", nonce="n")
    assert r.status_code == 302, r.text
    assert "unsupported_response_type" not in r.headers["location"]


def test_the_response_types_authorize_serves_are_in_the_contract() -> None:
    from mockown.salesforce.authorize import RESPONSE_TYPES

    assert set(RESPONSE_TYPES) <= set(_authorize_response_types())


@pytest.mark.parametrize(
    "path",
    [
        "/services/data/v62.0/nope",
        "/services/data/v62.0/sobjects/User/005g000000Adm1NAAR/nope",
        "/services/data/v9.0/limits",  # no such version: already this answer
    ],
)
def test_an_unknown_rest_resource_is_the_rest_apis_not_found(client: httpx.Client, path: str) -> None:
    """The REST API's 404 for a URL it does not serve is `[{"errorCode": "NOT_FOUND", "message": "The requested
    resource does not exist"}]`, the wording the mock already gave for an unknown version or record; a path no route
    serves got the mock's own `no such resource: <path>` instead."""
    token = password_token(client).json()["access_token"]
    r = rest(client, token, path)
    assert r.status_code == 404
    assert r.json() == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]


@pytest.mark.parametrize(
    ("path", "data", "basic"),
    [
        (TOKEN, {"grant_type": "password", "username": ADMIN, "password": PASSWORD}, (CID, "wrong")),
        (TOKEN, {**PASSWORD_GRANT, "client_secret": "wrong"}, None),
        ("/services/oauth2/introspect", {"token": "x"}, (CID, "wrong")),
        ("/services/oauth2/introspect", {"token": "x", "client_id": CID, "client_secret": "wrong"}, None),
    ],
)
def test_a_401_invalid_client_carries_a_basic_challenge(
    path: str, data: dict[str, str], basic: tuple[str, str] | None
) -> None:
    """`invalid_client_status: 401` is RFC 6749 5.2's option for a client that failed to authenticate, and there a
    401 comes with a `WWW-Authenticate` header naming the scheme (RFC 9110 11.6.1: a 401 MUST send one). The mock's
    401 had none. 400, the default, stays without it."""
    for status in (401, 400):
        app = create_app(Config(salesforce=SalesforceSettings(invalid_client_status=status)), clock=FrozenClock(T0))
        with in_process_client(app) as client:
            r = client.post(path, data=data, auth=basic) if basic else client.post(path, data=data)
        assert r.status_code == status
        assert r.json()["error"] == "invalid_client"
        if status == 401:
            assert r.headers["www-authenticate"].startswith("Basic realm=")
        else:
            assert "www-authenticate" not in r.headers


@pytest.mark.parametrize("content_type", ["application/json", "application/json;charset=UTF-8", "text/json"])
def test_a_json_body_on_the_token_endpoint_is_no_grant_type(client: httpx.Client, content_type: str) -> None:
    """Salesforce reads the token request as a form (spec 1.2) and finds no parameters in a JSON body: a client that
    posts JSON (axios' default) is answered `unsupported_grant_type` / `grant type not supported`, the error users
    report for exactly that (omniphx/forrest#145 "appears when the correct headers are not sent", Oyatel/CometD.NET#20,
    ChuckJonas/ts-force#17 with axios). The mock answered its own `invalid_request` 'JSON bodies are not accepted
    here'. Parameters in the query string still count, as they do beside a form."""
    body = json.dumps(PASSWORD_GRANT).encode()
    r = client.post(TOKEN, content=body, headers={"Content-Type": content_type})
    assert r.status_code == 400
    assert r.json() == {"error": "unsupported_grant_type", "error_description": "grant type not supported"}
    r = client.post(TOKEN, params=PASSWORD_GRANT, content=b"{}", headers={"Content-Type": content_type})
    assert r.status_code == 200, r.text


def test_the_branded_login_path_is_the_authorize_endpoint(client: httpx.Client) -> None:
    """Spec 2.1: the Mobile SDK may put a branded login path on the authorize URL; Salesforce's Mobile SDK guide
    ("Use Your Branded Login Page"): `https://MYDOMAINNAME.my.site.com/services/oauth2/authorize/<brand>?response_type=
    code&...`. The mock answered it 404. The brand picks the login page's look only: the flow is the same."""
    query = {"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK, "state": "s1"}
    r = client.get("/services/oauth2/authorize/mybrand", params={**query, "login_hint": ADMIN})
    assert r.status_code == 302, r.text
    params = location_params(r)
    assert params["state"] == "s1" and params["code"].startswith("aPrx")
    page = client.get("/services/oauth2/authorize/mybrand", params=query)  # no one signed in: the login page
    assert page.status_code == 200 and "<form" in page.text
    bad = client.get("/services/oauth2/authorize/mybrand", params={**query, "client_id": "nope"})
    assert bad.status_code == 400
    assert bad.text == "error=invalid_client_id&error_description=client%20identifier%20invalid"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/services/data/v62.0/limits", "GET,HEAD"),
        ("DELETE", "/services/data/v62.0/sobjects/User/005g000000Adm1NAAR", "GET,HEAD"),
        ("PATCH", "/services/data/v62.0/query", "GET,HEAD"),
        ("POST", "/services/data/v62.0/apps/oauth/usage/tokens/x", "DELETE"),
        ("PUT", "/services/data", "GET,HEAD"),
        ("POST", "/services/data/v62.0/", "GET,HEAD"),
        # methods outside the common set: Starlette's own 405 listed every method the route was registered with
        ("TRACE", "/services/data/v62.0/limits", "GET,HEAD"),
        ("FOO", "/services/data/v62.0/query", "GET,HEAD"),
        ("CONNECT", "/services/data/v62.0/apps/oauth/usage/tokens/x", "DELETE"),
    ],
)
def test_a_method_a_rest_resource_does_not_take_is_its_method_not_allowed(
    client: httpx.Client, method: str, path: str, allowed: str
) -> None:
    """The REST API names the method and the ones the resource takes: `[{"errorCode": "METHOD_NOT_ALLOWED",
    "message": "HTTP Method 'PATCH' not allowed. Allowed are GET,HEAD,POST"}]` (a Salesforce answer quoted through
    jsforce's HttpApi.getError). The mock answered `'POST is not allowed here'`."""
    token = password_token(client).json()["access_token"]
    r = client.request(method, path, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 405
    assert r.json() == [
        {"message": f"HTTP Method '{method}' not allowed. Allowed are {allowed}", "errorCode": "METHOD_NOT_ALLOWED"}
    ]
    assert r.headers["allow"].replace(" ", "") == allowed


def test_a_user_of_a_locked_org_is_not_approved_headless(client: httpx.Client, runtime: Runtime) -> None:
    """Spec 1.5: a locked, closed or suspended org is `inactive_org`; its users cannot sign in (the token endpoint
    and the login page refuse them). The auto-approving authorize path approved a locked org's user by login_hint
    and redirected with a code (an inactive user's hint already shows the login page)."""
    assert authorize(client, state="s1").status_code == 302  # the other side: a live org, approved at once
    org = runtime.store.table(Org).get(ORG)
    assert org is not None
    org.locked = True
    runtime.store.table(Org).put(org)
    r = authorize(client, state="s1")
    assert r.status_code == 200, r.headers.get("location")
    assert "<form" in r.text and "code=" not in r.headers.get("location", "")

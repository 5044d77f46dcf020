"""B2C Commerce rules of spec/marketing-cloud-and-b2c.md that a conformance audit found the mock did not follow.
Each test failed on the code before its fix."""

from __future__ import annotations

import base64

import httpx
import pytest

from mockown.clock import FrozenClock
from mockown.http.forms import Params
from mockown.runtime import Runtime
from mockown.security import b64url_sha256
from mockown.seed import seed_document

AM_CID = "a" * 30
BM_GRANT = "urn:demandware:params:oauth:grant-type:client-id:dwsid:dwsecuretoken"
INSTANCE = "zzxy-001.dx.commercecloud.salesforce.com"
EXPLICIT_BM = f"/b2c/instances/{INSTANCE}/dw/oauth2/access_token?client_id={AM_CID}"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


BM_CREDS = basic("bm-admin", f"BmPassw0rd!:{AM_CID}")


# -- Business Manager user grant (spec 2a) ---------------------------------------------------------------------
def test_the_bm_grant_needs_its_grant_type_on_the_explicit_instance_route(client: httpx.Client) -> None:
    """Spec 2a: the BM user grant is `grant_type=urn:demandware:params:oauth:grant-type:client-id:dwsid:
    dwsecuretoken` (body or query). The explicit instance route issued a BM token for any grant_type, or none."""
    for data in ({"grant_type": "client_credentials"}, {"grant_type": "password"}, {}):
        response = client.post(EXPLICIT_BM, data=data, headers=BM_CREDS)
        assert response.status_code == 400, (data, response.text)
        assert response.json() == {
            "error": "unauthorized_client",
            "error_description": f"Client id '{AM_CID}' has invalid credentials to use grant type "
            f"'{data.get('grant_type', '')}'.",
        }
    assert client.post(EXPLICIT_BM, data={"grant_type": BM_GRANT}, headers=BM_CREDS).status_code == 200
    # on the instance's own host, too (a non-BM grant there is Account Manager's, as before)
    on_host = f"http://{INSTANCE}/dw/oauth2/access_token?client_id={AM_CID}"
    assert client.post(on_host, data={"grant_type": BM_GRANT}, headers=BM_CREDS).status_code == 200


def test_an_unreadable_body_on_the_explicit_bm_route_is_an_oauth_error(client: httpx.Client) -> None:
    """Spec 2a: the BM grant's errors are OAuth JSON (`{"error", "error_description"}`), as on the instance's host;
    an unreadable body on the explicit instance route was an OCAPI fault envelope (`{"_v", "fault"}`)."""
    on_host = f"http://{INSTANCE}/dw/oauth2/access_token?client_id={AM_CID}"
    for url in (EXPLICIT_BM, on_host):
        response = client.post(url, json={"grant_type": BM_GRANT}, headers=BM_CREDS)
        assert response.status_code == 400, (url, response.text)
        assert response.headers["content-type"] == "application/json;charset=UTF-8"
        body = response.json()
        assert set(body) == {"error", "error_description"} and body["error"] == "invalid_request", (url, body)


# -- SLAS (spec 2c) --------------------------------------------------------------------------------------------
APP_ORG = "f_ecom_appl_001"
APP_BASE = f"/shopper/auth/v1/organizations/{APP_ORG}/oauth2"
APP_URIS = ["fb://callback", "airbnb://host/cb", "HTTPS://app.example.com/cb", "com.example.app:redirect_uri_path"]
VERIFIER = "v" * 64


def _seed_app_tenant(runtime: Runtime) -> None:
    client_doc = {"client_id": "appclient", "redirect_uris": APP_URIS, "channels": ["RefArch"]}
    shopper = {"login": "app@mockown.test", "password": "Sh0pper!", "customer_id": "abappshopper00000000000001"}
    seed_document(
        runtime, {"b2c": {"slas": {"tenants": [{"org_id": APP_ORG, "clients": [client_doc], "shoppers": [shopper]}]}}}
    )


def _app_params(redirect_uri: str) -> dict[str, str]:
    return {"client_id": "appclient", "redirect_uri": redirect_uri, "code_challenge": b64url_sha256(VERIFIER)}


@pytest.mark.parametrize("redirect_uri", ["fb://callback", "airbnb://host/cb"])
def test_app_links_are_no_redirect_uri(client: httpx.Client, runtime: Runtime, redirect_uri: str) -> None:
    """Spec 2c /authorize: redirect_uri "host wildcards allowed; app links like `fb://` are not" (the OAS: "app
    links like `airbnb://` or `fb://` are not" supported). A client registered with an app link was redirected to
    it (303), at /authorize and at /login."""
    _seed_app_tenant(runtime)
    authorize = client.get(
        APP_BASE + "/authorize",
        params={**_app_params(redirect_uri), "response_type": "code", "hint": "guest", "channel_id": "RefArch"},
    )
    login = client.post(
        APP_BASE + "/login",
        data={**_app_params(redirect_uri), "channel_id": "RefArch"},
        headers=basic("app@mockown.test", "Sh0pper!"),
    )
    for response in (authorize, login):
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json() == {"error": "invalid_request", "error_description": "Bad or missing redirect_uri."}


@pytest.mark.parametrize("redirect_uri", ["HTTPS://app.example.com/cb", "com.example.app:redirect_uri_path"])
def test_the_supported_uri_formats_still_redirect(runtime: Runtime, redirect_uri: str) -> None:
    """The OAS's own examples of supported URIs (`com.example.app:redirect_uri_path`: a custom scheme without
    `//`) still get their code. Through the service: httpx cannot even build a request for such a Location."""
    _seed_app_tenant(runtime)
    slas = runtime.b2c.slas
    tenant = slas.tenant(APP_ORG, None)
    query = Params([*_app_params(redirect_uri).items(), ("response_type", "code"), ("hint", "guest")])
    assert slas.authorize(tenant, query, None).url.startswith(redirect_uri + "?code=")
    form = Params([*_app_params(redirect_uri).items(), ("channel_id", "RefArch")])
    authorization = basic("app@mockown.test", "Sh0pper!")["Authorization"]
    assert slas.login(tenant, form, authorization, None).url.startswith(redirect_uri + "?usid=")


ORG = "f_ecom_zzxy_001"
SLAS = f"/shopper/auth/v1/organizations/{ORG}/oauth2"
PRIVATE = basic("mockown-slas-private", "MockownSlasSecret0001")


def trusted_system(client: httpx.Client, **extra: str) -> httpx.Response:
    data = {
        "grant_type": "client_credentials",
        "hint": "ts_ext_on_behalf_of",
        "login_id": "someone@idp.test",
        "idp_origin": "okta",
        "client_id": "mockown-slas-private",
        "channel_id": "RefArch",
        **extra,
    }
    return client.post(SLAS + "/trusted-system/token", data=data, headers=PRIVATE)


@pytest.mark.parametrize("idp_origin", ["nope", "ECOM", "okta ", "b2c"])
def test_trusted_system_idp_origin_is_one_of_the_documented_idps(client: httpx.Client, idp_origin: str) -> None:
    """Spec 2c trusted system: `idp_origin` is one of the IDPs that work with SLAS (ecom|apple|auth0|...|slas; the
    OAS's TrustedSystemTokenRequest enum). Any other value got a token."""
    response = trusted_system(client, idp_origin=idp_origin)
    assert response.status_code == 400, response.text
    assert response.json() == {"error": "invalid_request", "error_description": "Bad or missing idp_origin."}


@pytest.mark.parametrize("idp_origin", ["okta", "google", "azure_adb2c", "salesforce", "slas"])
def test_trusted_system_takes_the_documented_idps(client: httpx.Client, idp_origin: str) -> None:
    response = trusted_system(client, idp_origin=idp_origin, login_id=f"someone-{idp_origin}@idp.test")
    assert response.status_code == 200, response.text


def test_channel_id_is_at_most_100_characters(client: httpx.Client, runtime: Runtime) -> None:
    """Spec 2c /token: `channel_id` (<=100). A client seeded without a channel list took any channel_id, however
    long, at /token and the other endpoints that read it."""
    tenant = {"org_id": "f_ecom_chan_001", "clients": [{"client_id": "anychannel", "client_secret": "S3cret"}]}
    seed_document(runtime, {"b2c": {"slas": {"tenants": [tenant]}}})
    url = "/shopper/auth/v1/organizations/f_ecom_chan_001/oauth2/token"
    for channel, status in (("R" * 100, 200), ("R" * 101, 400)):
        data = {"grant_type": "client_credentials", "channel_id": channel}
        response = client.post(url, data=data, headers=basic("anychannel", "S3cret"))
        assert response.status_code == status, (len(channel), response.text)
    assert response.json() == {"error": "invalid_request", "error_description": "Bad or missing channel_id."}


def shopper_login(client: httpx.Client, **extra: str) -> httpx.Response:
    data = {
        "client_id": "mockown-slas-public",
        "redirect_uri": "http://localhost:3000/callback",
        "channel_id": "RefArch",
        "code_challenge": b64url_sha256(VERIFIER),
        **extra,
    }
    return client.post(SLAS + "/login", data=data, headers=basic("shopper@mockown.test", "Sh0pper!"))


def test_login_takes_response_type_code(client: httpx.Client, clock: FrozenClock) -> None:
    """SLAS /login: the OAS's LoginRequest defines `response_type` ("Must be `code`") besides the fields spec 2c
    lists; only other names without the `c_` prefix are refused. `response_type=code` was 400 'Unknown
    parameter'; another value is refused as at /authorize."""
    response = shopper_login(client, response_type="code")
    assert response.status_code == 303, response.text
    assert "code=" in response.headers["location"]
    clock.advance(2)
    refused = shopper_login(client, response_type="token")
    assert refused.status_code == 400
    assert refused.json() == {"error": "invalid_request", "error_description": "Bad or missing response_type."}
    clock.advance(2)
    assert shopper_login(client, foo="bar").json()["error_description"] == "Unknown parameter 'foo'."


def guest_authorize(client: httpx.Client, **extra: str) -> httpx.Response:
    query = {
        "client_id": "mockown-slas-public",
        "response_type": "code",
        "redirect_uri": "http://localhost:3000/callback",
        "hint": "guest",
        "code_challenge": b64url_sha256(VERIFIER),
        "channel_id": "RefArch",
        **extra,
    }
    return client.get(SLAS + "/authorize", params=query)


@pytest.mark.parametrize(("name", "limit"), [("usid", 256), ("scope", 256), ("state", 512)])
def test_authorize_parameters_have_the_documented_max_length(client: httpx.Client, name: str, limit: int) -> None:
    """The SLAS OAS's /authorize parameters: usid and scope maxLength 256, state 512 (spec 2c lists state's). A
    longer usid or scope was taken (the usid echoed in the redirect and written into every token)."""
    assert guest_authorize(client, **{name: "u" * limit}).status_code == 303
    response = guest_authorize(client, **{name: "u" * (limit + 1)})
    assert response.status_code == 400, response.text
    assert response.json() == {
        "error": "invalid_request",
        "error_description": f"Bad {name}: at most {limit} characters.",
    }


@pytest.mark.parametrize(("name", "limit"), [("usid", 128), ("scope", 256), ("state", 512)])
def test_login_fields_have_the_documented_max_length(
    client: httpx.Client, clock: FrozenClock, name: str, limit: int
) -> None:
    """The SLAS OAS's LoginRequest: usid maxLength 128, scope 256, state 512. Longer ones were taken."""
    assert shopper_login(client, **{name: "u" * limit}).status_code == 303
    clock.advance(2)
    response = shopper_login(client, **{name: "u" * (limit + 1)})
    assert response.status_code == 400, response.text
    assert response.json()["error_description"] == f"Bad {name}: at most {limit} characters."


@pytest.mark.parametrize("name", ["login_id", "email_id"])
def test_trusted_system_ids_are_at_most_128_characters(client: httpx.Client, name: str) -> None:
    """The SLAS OAS's TrustedSystemTokenRequest: login_id and email_id maxLength 128. Longer ones got a token."""
    # (a third-party login of 128 characters is in the isb twice, as upn and uidn: past its 256, a 400 of its own)
    ok = "x" * (128 if name == "email_id" else 80)
    assert trusted_system(client, **{name: ok}).status_code == 200
    long = "x" * 120 + "@idp.test"  # 129 characters
    response = trusted_system(client, **{name: long, **({"login_id": "other@idp.test"} if name == "email_id" else {})})
    assert response.status_code == 400, response.text
    assert response.json()["error_description"] == f"Bad {name}: at most 128 characters."


def _registered_by_login(client: httpx.Client, clock: FrozenClock) -> dict[str, str]:
    clock.advance(2)  # past the 1-second double-login window
    location = shopper_login(client).headers["location"]
    found = dict(pair.split("=", 1) for pair in location.split("?", 1)[1].split("&"))
    data = {
        "grant_type": "authorization_code_pkce",
        "client_id": "mockown-slas-public",
        "channel_id": "RefArch",
        "code": found["code"],
        "code_verifier": VERIFIER,
        "redirect_uri": "http://localhost:3000/callback",
    }
    body: dict[str, str] = client.post(SLAS + "/token", data=data).json()
    return body


def _registered_by_trusted_system(client: httpx.Client, clock: FrozenClock) -> dict[str, str]:
    clock.advance(2)
    body: dict[str, str] = trusted_system(client, login_id="shopper@mockown.test", idp_origin="ecom").json()
    return body


def _logout_all(client: httpx.Client, tokens: dict[str, str], client_id: str) -> httpx.Response:
    query = {"client_id": client_id, "refresh_token": tokens["refresh_token"], "hint": "all-sessions"}
    return client.get(SLAS + "/logout", params=query, headers={"Authorization": f"Bearer {tokens['access_token']}"})


def _refreshes(client: httpx.Client, tokens: dict[str, str], private: bool) -> bool:
    data = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "channel_id": "RefArch"}
    if private:
        return client.post(SLAS + "/token", data=data, headers=PRIVATE).status_code == 200
    return client.post(SLAS + "/token", data={**data, "client_id": "mockown-slas-public"}).status_code == 200


def test_logout_all_sessions_stays_within_its_session_type(client: httpx.Client, clock: FrozenClock) -> None:
    """Spec 2c /logout: `hint=all-sessions` invalidates the SLAS user's refresh tokens "in the same session type";
    the OAS: "Sessions created through different authentication methods (/authorize vs. Trusted System On Behalf)
    are treated as separate sessions ... You will need two logout calls". Logging out a /login session with
    all-sessions revoked the shopper's trusted-system sessions too (and the other way round)."""
    by_login, other_login = _registered_by_login(client, clock), _registered_by_login(client, clock)
    by_trusted, other_trusted = (
        _registered_by_trusted_system(client, clock),
        _registered_by_trusted_system(client, clock),
    )
    assert _logout_all(client, by_login, "mockown-slas-public").status_code == 200
    assert not _refreshes(client, other_login, private=False)  # the same session type: gone
    assert _refreshes(client, by_trusted, private=True)  # the other type: kept
    assert _logout_all(client, by_trusted, "mockown-slas-private").status_code == 200
    assert not _refreshes(client, other_trusted, private=True)


def test_a_refreshed_trusted_system_session_stays_one(client: httpx.Client, clock: FrozenClock) -> None:
    """A trusted-system (on behalf) session's access tokens say so in `isb` (`uido:slas`, `tsob:true`), and
    /logout keeps it apart from /authorize sessions by the same flag. Refreshing it (a private client: the refresh
    token is kept) minted an access token of an ordinary `uido:ecom` session, without `tsob:true`."""
    import jwt

    def isb(access_token: str) -> str:
        claims: dict[str, str] = jwt.decode(access_token, options={"verify_signature": False})
        return claims["isb"]

    tokens = _registered_by_trusted_system(client, clock)
    assert isb(tokens["access_token"]).startswith("uido:slas::") and "::tsob:true" in isb(tokens["access_token"])
    data = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "channel_id": "RefArch"}
    refreshed = client.post(SLAS + "/token", data=data, headers=PRIVATE)
    assert refreshed.status_code == 200, refreshed.text
    assert isb(refreshed.json()["access_token"]) == isb(tokens["access_token"])
    # a /login session's refresh stays an ordinary one
    by_login = _registered_by_login(client, clock)
    again = _refreshes_to(client, by_login)
    assert isb(again["access_token"]) == isb(by_login["access_token"])
    assert isb(again["access_token"]).startswith("uido:ecom::") and "tsob" not in isb(again["access_token"])


def _refreshes_to(client: httpx.Client, tokens: dict[str, str]) -> dict[str, str]:
    data = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "channel_id": "RefArch"}
    response = client.post(SLAS + "/token", data={**data, "client_id": "mockown-slas-public"})
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


# -- contracts/b2c.yaml in step with the limits the SLAS endpoints enforce --------------------------------------
SLAS_CHANNEL_OPERATIONS = (
    "slasAuthorize",
    "slasLogin",
    "slasToken",
    "slasSessionBridgeToken",
    "slasTrustedSystemToken",
)


def _slas_fields(operation_id: str) -> dict[str, dict[str, object]]:
    """The contract's schema of each parameter of a SLAS operation: query parameters and form fields."""
    from contracts.suite.support import load_spec

    spec = load_spec("b2c")
    operation = next(
        op
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and op.get("operationId") == operation_id
    )
    fields = {p["name"]: p["schema"] for p in operation.get("parameters", []) if "name" in p}
    body = operation.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded", {})
    schema = body.get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    fields.update(schema.get("properties", {}))
    return fields


@pytest.mark.parametrize("operation_id", SLAS_CHANNEL_OPERATIONS)
def test_the_contract_declares_the_channel_id_limit_where_it_is_enforced(operation_id: str) -> None:
    """d5c77f8 limits channel_id to 100 characters at /authorize, /login, /token, the session bridge and the
    trusted system (400 'Bad or missing channel_id.' past it); the contract declared it at /authorize and /token
    only, so /login, the session bridge and the trusted system promised any length."""
    from mockown.b2c.slas import CHANNEL_MAX

    assert _slas_fields(operation_id)["channel_id"].get("maxLength") == CHANNEL_MAX


def test_the_contract_declares_the_login_redirect_uri_limit() -> None:
    """/login's redirect_uri goes through the same check as /authorize's (at most 256 characters, no app link)."""
    login = _slas_fields("slasLogin")["redirect_uri"]
    assert login.get("maxLength") == _slas_fields("slasAuthorize")["redirect_uri"]["maxLength"] == 256

"""Does `/.well-known/openid-configuration` tell the truth? (spec 7.1, OpenID Connect Discovery 1.0 §3)

Clients (Authlib, oidc-client, Spring, MSAL-likes) configure themselves from the document and then rely on it, so
every test here is driven by the document the mock serves: each advertised endpoint is called on the host that
serves the document (login host and My Domain), each advertised response type, client authentication method,
scope, display value, signing algorithm and claim is exercised. A member added to the document without a way to
exercise it here fails `test_every_member_is_exercised`; a value that stops working fails its own test.

The served document must also be the real one: `REAL` is login.salesforce.com's document as probed (spec 7.1,
[PROBE] api-evangelist `well-known/salesforce-openid-configuration.json`), the My Domain variant adds the three
members of the postman "OpenID Connect Discovery Endpoint" example."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
import pytest

from mockown.runtime import Runtime
from mockown.salesforce.seed import seed_org
from tests.conftest import ADMIN, ADMIN_ID, CALLBACK, CID, SECRET

from .flows.support import JWT_KEY, NOW
from .flows.support import assertion as signed
from .helpers import location_params

LOGIN = "http://testserver"
MY_DOMAIN = "https://acme.my.salesforce.com"
SANDBOX = "https://acme--dev.sandbox.my.salesforce.com"
HOSTS = [LOGIN, MY_DOMAIN, SANDBOX]
SITE = "https://acme.my.site.com"  # an Experience Cloud site (intercept mode sends *.my.site.com to the mock)
SITE_SANDBOX = "https://acme--dev.sandbox.my.site.com"
WELL_KNOWN = "/.well-known/openid-configuration"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

REAL: dict[str, Any] = {
    "issuer": "https://login.salesforce.com",
    "authorization_endpoint": "https://login.salesforce.com/services/oauth2/authorize",
    "token_endpoint": "https://login.salesforce.com/services/oauth2/token",
    "revocation_endpoint": "https://login.salesforce.com/services/oauth2/revoke",
    "userinfo_endpoint": "https://login.salesforce.com/services/oauth2/userinfo",
    "jwks_uri": "https://login.salesforce.com/id/keys",
    "registration_endpoint": "https://login.salesforce.com/services/oauth2/register",
    "introspection_endpoint": "https://login.salesforce.com/services/oauth2/introspect",
    "scopes_supported": ["cdp_ingest_api", "custom_permissions", "cdp_segment_api", "content", "cdp_api",
        "chatbot_api", "cdp_identityresolution_api", "interaction_api", "wave_api", "web",
        "cdp_calculated_insight_api", "einstein_gpt_api", "offline_access", "id", "api", "data_cloud_user_claims",
        "eclair_api", "email", "pardot_api", "lightning", "visualforce", "cdp_query_api", "sfap_api", "address",
        "openid", "profile", "scrt_api", "cdp_profile_api", "refresh_token", "phone", "user_registration_api",
        "pwdless_login_api", "chatter_api", "mcp_api", "full", "forgot_password"],
    "response_types_supported": ["code", "token", "token id_token"],
    "subject_types_supported": ["public"],
    "id_token_signing_alg_values_supported": ["RS256"],
    "display_values_supported": ["page", "popup", "touch"],
    "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "private_key_jwt"],
    "claims_supported": ["active", "address", "email", "email_verified", "family_name", "given_name",
        "is_app_installed", "language", "locale", "name", "nickname", "organization_id", "phone_number",
        "phone_number_verified", "photos", "picture", "preferred_username", "profile", "sub", "updated_at", "urls",
        "user_id", "user_type", "zoneinfo"],
}  # fmt: skip


def served(client: httpx.Client, host: str) -> dict[str, Any]:
    response = client.get(host + WELL_KNOWN)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    doc: dict[str, Any] = response.json()
    return doc


def rehost(value: Any, host: str) -> Any:
    if isinstance(value, str):
        return value.replace("https://login.salesforce.com", host)
    return value


# -- the document is the real one ---------------------------------------------------------------------
def test_login_host_document_is_the_real_one(client: httpx.Client) -> None:
    doc = served(client, LOGIN)
    assert list(doc) == list(REAL)  # same members, same order
    assert doc == {k: rehost(v, LOGIN) for k, v in REAL.items()}


@pytest.mark.parametrize("host", [MY_DOMAIN, SANDBOX, SITE, SITE_SANDBOX])
def test_my_domain_document_is_the_real_one_plus_logout(client: httpx.Client, host: str) -> None:
    """Spec 7.1: "My Domain / site variants" add the OIDC logout endpoint, all on that host."""
    doc = served(client, host)
    expected = {k: rehost(v, host) for k, v in REAL.items()}
    expected["end_session_endpoint"] = f"{host}/services/auth/idp/oidc/logout"
    expected["frontchannel_logout_supported"] = True
    expected["frontchannel_logout_session_supported"] = False
    assert doc == expected


@pytest.mark.parametrize("site", [SITE, SITE_SANDBOX])
def test_a_site_is_no_my_domain_to_the_jwt_audience_rule(runtime: Runtime, site: str) -> None:
    """Only discovery reads a site as the My Domain / site variant: a JWT bearer `aud` of the site's URL is
    still accepted there ("use the site URL" for an Experience Cloud site), where a My Domain's is refused."""
    from mockown.salesforce.grants.jwt_bearer import accepted_audiences

    service = runtime.salesforce
    assert service.on_my_domain_or_site(site) and not service.on_my_domain(site)
    assert site in accepted_audiences(site, "", base_is_my_domain=service.on_my_domain(site))


def test_salesforce_advertises_no_grant_types_nor_pkce_methods(client: httpx.Client) -> None:
    """Spec 7.1: no `grant_types_supported`, no `code_challenge_methods_supported` on login.salesforce.com (so a
    client must not infer "no PKCE": S256 is implicit, spec 2.2 — exercised in `test_pkce_works_unadvertised`)."""
    for host in HOSTS:
        doc = served(client, host)
        assert "grant_types_supported" not in doc and "code_challenge_methods_supported" not in doc
        assert "response_modes_supported" not in doc


# -- every endpoint answers on the host that advertised it --------------------------------------------
def _password_token(client: httpx.Client, url: str) -> dict[str, Any]:
    data = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    response = client.post(url, data={**data, "password": "Passw0rd!"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _probe_authorize(client: httpx.Client, doc: dict[str, Any], url: str) -> None:
    query = {"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK, "login_hint": ADMIN}
    assert "code" in location_params(client.get(url, params=query))


def _probe_token(client: httpx.Client, doc: dict[str, Any], url: str) -> None:
    assert _password_token(client, url)["id"].startswith(doc["issuer"] + "/id/")


def _probe_revocation(client: httpx.Client, doc: dict[str, Any], url: str) -> None:
    token = _password_token(client, doc["token_endpoint"])["access_token"]
    assert client.post(url, data={"token": token}).status_code == 200
    assert client.post(url, data={"token": token}).status_code == 400  # it really was revoked


def _probe_userinfo(client: httpx.Client, doc: dict[str, Any], url: str) -> None:
    token = _password_token(client, doc["token_endpoint"])["access_token"]
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()["user_id"] == ADMIN_ID


def _probe_jwks(client: httpx.Client, doc: dict[str, Any], url: str) -> None:
    assert client.get(url).json()["keys"]


def _probe_registration(client: httpx.Client, doc: dict[str, Any], url: str) -> None:
    body = {"client_name": "probe", "redirect_uris": [CALLBACK]}
    headers = {"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN"}
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["client_id"]


def _probe_introspection(client: httpx.Client, doc: dict[str, Any], url: str) -> None:
    token = _password_token(client, doc["token_endpoint"])["access_token"]
    assert client.post(url, data={"token": token}, auth=(CID, SECRET)).json()["active"] is True


def _probe_end_session(client: httpx.Client, doc: dict[str, Any], url: str) -> None:
    response = client.get(url)
    assert response.status_code in (200, 302), response.text


PROBES: dict[str, Callable[[httpx.Client, dict[str, Any], str], None]] = {
    "authorization_endpoint": _probe_authorize,
    "token_endpoint": _probe_token,
    "revocation_endpoint": _probe_revocation,
    "userinfo_endpoint": _probe_userinfo,
    "jwks_uri": _probe_jwks,
    "registration_endpoint": _probe_registration,
    "introspection_endpoint": _probe_introspection,
    "end_session_endpoint": _probe_end_session,
}
EXERCISED = {
    "issuer", *PROBES, "scopes_supported", "response_types_supported", "subject_types_supported",
    "id_token_signing_alg_values_supported", "display_values_supported", "token_endpoint_auth_methods_supported",
    "claims_supported", "frontchannel_logout_supported", "frontchannel_logout_session_supported",
}  # fmt: skip


@pytest.mark.parametrize("host", HOSTS)
def test_every_member_is_exercised(client: httpx.Client, host: str) -> None:
    """A member added to the document needs a test here that proves it true."""
    assert set(served(client, host)) <= EXERCISED


@pytest.mark.parametrize("host", HOSTS)
def test_every_advertised_endpoint_works_on_the_advertising_host(client: httpx.Client, host: str) -> None:
    doc = served(client, host)
    urls = {k: v for k, v in doc.items() if k.endswith("_endpoint") or k == "jwks_uri"}
    assert urls
    for member, url in urls.items():
        assert url.startswith(doc["issuer"] + "/"), (member, url)  # the host that served the document
        PROBES[member](client, doc, url)


@pytest.mark.parametrize("host", HOSTS)
def test_issuer_is_the_serving_host_and_the_id_token_iss(client: httpx.Client, host: str) -> None:
    """OIDC Discovery §3 / §4.3: `issuer` is the URL the document was fetched under (minus the well-known path), and
    OIDC Core 3.1.3.7 (2): the ID token's `iss` equals it exactly."""
    doc = served(client, host)
    assert doc["issuer"] == host
    body = _password_token(client, doc["token_endpoint"])
    assert "id_token" not in body  # the username-password flow's default scopes have no `openid`
    query = {"response_type": "token id_token", "client_id": CID, "redirect_uri": CALLBACK, "login_hint": ADMIN}
    fragment = location_params(client.get(doc["authorization_endpoint"], params={**query, "scope": "openid"}))
    assert jwt.decode(fragment["id_token"], options={"verify_signature": False})["iss"] == doc["issuer"]


# -- every advertised value is accepted ----------------------------------------------------------------
def _authorize(client: httpx.Client, doc: dict[str, Any], **params: str) -> dict[str, str]:
    query = {"client_id": CID, "redirect_uri": CALLBACK, "login_hint": ADMIN, "state": "st-1", **params}
    return location_params(client.get(doc["authorization_endpoint"], params=query))


@pytest.mark.parametrize("host", HOSTS)
def test_every_response_type_is_accepted_and_returns_what_it_names(client: httpx.Client, host: str) -> None:
    """OAuth 2.0 Multiple Response Type Encoding Practices §3: a response type's space-separated values name what
    the authorization response carries (`code` in the query; `token` / `id_token` in the fragment)."""
    doc = served(client, host)
    for response_type in doc["response_types_supported"]:
        url = client.get(
            doc["authorization_endpoint"],
            params={"response_type": response_type, "client_id": CID, "redirect_uri": CALLBACK,
                    "login_hint": ADMIN, "scope": "openid api", "state": "st-1", "nonce": "n-1"},
        ).headers["location"]  # fmt: skip
        params = location_params(httpx.Response(302, headers={"location": url}))
        assert "error" not in params, (response_type, params)
        assert params["state"] == "st-1"
        named = set(response_type.split())
        assert ("code" in params) == ("code" in named), response_type
        assert ("access_token" in params) == ("token" in named), response_type
        assert ("id_token" in params) == ("id_token" in named), response_type
        in_fragment = "#" in url
        assert in_fragment == bool(named & {"token", "id_token"}), response_type  # Multiple Response Types §2.1


@pytest.mark.parametrize("host", HOSTS)
def test_every_display_value_is_accepted(client: httpx.Client, host: str) -> None:
    doc = served(client, host)
    for display in doc["display_values_supported"]:
        assert "code" in _authorize(client, doc, response_type="code", display=display), display


def test_every_advertised_scope_is_grantable(client: httpx.Client, runtime: Runtime) -> None:
    """Each of `scopes_supported` is a scope the mock knows: an app configured with it gets it granted."""
    doc = served(client, LOGIN)
    username = f"u-{secrets.token_hex(4)}@scopes.test"
    creds = seed_org(
        runtime,
        {
            "users": [{"username": username, "password": "Secret-1"}],
            "apps": [{"callback_urls": [CALLBACK], "scopes": [s for s in doc["scopes_supported"] if s != "full"]}],
        },
    )
    client_id, secret = creds["apps"][0]["client_id"], creds["apps"][0]["client_secret"]
    for scope in doc["scopes_supported"]:
        if scope == "full":
            continue  # `full` covers every scope: granting it is tested elsewhere (test_scope_names)
        query = {"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK, "scope": scope}
        params = location_params(client.get(doc["authorization_endpoint"], params={**query, "login_hint": username}))
        assert "code" in params, (scope, params)
        data = {"grant_type": "authorization_code", "code": params["code"], "redirect_uri": CALLBACK}
        token = client.post(doc["token_endpoint"], data=data, auth=(client_id, secret))
        assert token.status_code == 200, (scope, token.text)
        assert token.json()["scope"].split() == [scope]


def _authenticated(method: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of a client-credentials token request authenticated by `method`."""
    data = {"grant_type": "client_credentials"}
    if method == "client_secret_basic":
        return {"data": data, "auth": (CID, SECRET)}
    if method == "client_secret_post":
        return {"data": {**data, "client_id": CID, "client_secret": SECRET}}
    if method == "private_key_jwt":  # RFC 7523 §2.2, aud = the token endpoint
        claims = {"iss": CID, "sub": CID, "aud": doc["token_endpoint"], "exp": NOW + 300, "jti": "j-1"}
        return {
            "data": {**data, "client_assertion_type": ASSERTION_TYPE, "client_assertion": signed(JWT_KEY, **claims)}
        }
    raise AssertionError(f"advertised client authentication method {method!r} has no test")


@pytest.mark.parametrize("host", HOSTS)
def test_every_token_endpoint_auth_method_authenticates(client: httpx.Client, host: str) -> None:
    """Each of `token_endpoint_auth_methods_supported` authenticates the client at the advertised token endpoint
    (a client-credentials grant, which needs the client's own credentials); a wrong secret does not."""
    doc = served(client, host)
    for method in doc["token_endpoint_auth_methods_supported"]:
        response = client.post(doc["token_endpoint"], **_authenticated(method, doc))
        assert response.status_code == 200, (method, response.text)
    wrong = client.post(doc["token_endpoint"], data={"grant_type": "client_credentials"}, auth=(CID, "nope"))
    assert wrong.status_code in (400, 401) and wrong.json()["error"] == "invalid_client"


def test_pkce_works_unadvertised(client: httpx.Client) -> None:
    """No `code_challenge_methods_supported`, but S256 is implicit (spec 2.2, 2.5): a wrong verifier is refused."""
    from .helpers import exchange, pkce_pair

    verifier, challenge = pkce_pair()
    doc = served(client, LOGIN)
    code = _authorize(client, doc, response_type="code", code_challenge=challenge)["code"]
    assert exchange(client, code, code_verifier=verifier + "x").json()["error"] == "invalid_request"
    code = _authorize(client, doc, response_type="code", code_challenge=challenge)["code"]
    assert exchange(client, code, code_verifier=verifier).status_code == 200


def test_plain_pkce_is_not_a_method(client: httpx.Client) -> None:
    """S256 is the only method (spec 2.2: implicit, no `code_challenge_method` needed): a `plain` challenge is
    still compared as S256, so its verifier is refused with `invalid_request` (spec 2.5)."""
    from .helpers import exchange, pkce_pair

    verifier, _ = pkce_pair()
    doc = served(client, LOGIN)
    code = _authorize(client, doc, response_type="code", code_challenge=verifier, code_challenge_method="plain")["code"]
    assert exchange(client, code, code_verifier=verifier).json()["error"] == "invalid_request"


@pytest.mark.parametrize("host", HOSTS)
def test_id_tokens_use_an_advertised_alg_and_a_jwks_key(client: httpx.Client, host: str) -> None:
    doc = served(client, host)
    fragment = _authorize(client, doc, response_type="token id_token", scope="openid", nonce="n")
    header = jwt.get_unverified_header(fragment["id_token"])
    assert header["alg"] in doc["id_token_signing_alg_values_supported"]
    keys = {k["kid"]: k for k in client.get(doc["jwks_uri"]).json()["keys"]}
    assert header["kid"] in keys
    key = jwt.PyJWK(keys[header["kid"]]).key
    claims = jwt.decode(
        fragment["id_token"],
        key,
        algorithms=doc["id_token_signing_alg_values_supported"],
        audience=CID,
        issuer=doc["issuer"],
        options={"verify_exp": False},
    )  # the mock runs on a frozen clock in 2026
    assert claims["nonce"] == "n"


def test_subject_type_public_is_the_same_sub_for_every_client(client: httpx.Client, runtime: Runtime) -> None:
    """`subject_types_supported: ["public"]` (OIDC Core 8): one user has the same `sub` at every client."""
    doc = served(client, LOGIN)
    assert doc["subject_types_supported"] == ["public"]
    username = f"u-{secrets.token_hex(4)}@public.test"
    app = {"callback_urls": [CALLBACK], "scopes": ["openid", "api"]}
    creds = seed_org(runtime, {"users": [{"username": username, "password": "S-1"}], "apps": [app, dict(app)]})
    subs = set()
    for entry in creds["apps"]:
        query = {"response_type": "token id_token", "client_id": entry["client_id"], "redirect_uri": CALLBACK}
        fragment = location_params(client.get(doc["authorization_endpoint"], params={**query, "login_hint": username}))
        subs.add(jwt.decode(fragment["id_token"], options={"verify_signature": False})["sub"])
    assert len(subs) == 1


# claims the real discovery document lists that the documented userinfo response (spec 6.1, postman "User Info")
# does not carry for a user without a phone; every other listed claim is in the userinfo response
UNDOCUMENTED_IN_USERINFO = {"phone_number", "phone_number_verified"}
# the userinfo response's Salesforce extras that `claims_supported` does not list (spec 6.1, postman example)
USERINFO_EXTRAS = {"is_salesforce_integration_user", "utcOffset"}


@pytest.mark.parametrize("host", HOSTS)
def test_claims_supported_are_the_claims_served(client: httpx.Client, host: str) -> None:
    doc = served(client, host)
    token = _password_token(client, doc["token_endpoint"])["access_token"]
    userinfo = client.get(doc["userinfo_endpoint"], headers={"Authorization": f"Bearer {token}"}).json()
    listed = set(doc["claims_supported"])
    assert listed - UNDOCUMENTED_IN_USERINFO <= set(userinfo)
    assert set(userinfo) - listed <= USERINFO_EXTRAS
    fragment = _authorize(client, doc, response_type="token id_token", scope="openid profile email")
    claims = jwt.decode(fragment["id_token"], options={"verify_signature": False})
    protocol = {"iss", "sub", "aud", "azp", "exp", "iat", "at_hash", "nonce"}
    assert set(claims) - protocol <= listed  # the ID token's user claims are advertised ones


@pytest.mark.parametrize("host", HOSTS)
def test_unadvertised_response_types_are_refused_with_state(client: httpx.Client, host: str) -> None:
    """A response type outside the list (OIDC hybrid `code id_token`, bare `id_token`, `none`) is refused with
    `unsupported_response_type` on the redirect, `state` kept (spec 1.5, 2.4)."""
    doc = served(client, host)
    for response_type in ("code id_token", "code token", "id_token", "none", "bogus"):
        assert response_type not in doc["response_types_supported"]
        params = _authorize(client, doc, response_type=response_type)
        assert (params["error"], params["state"]) == ("unsupported_response_type", "st-1"), response_type


def test_auth_configuration_url_is_the_discovery_issuer(client: httpx.Client, runtime: Runtime) -> None:
    """My Domain's `/.well-known/auth-configuration` (spec 7.1) names the same URL as its discovery `issuer`; on
    a host that is no org's My Domain it is a 404."""
    host = f"https://disc{secrets.token_hex(3)}.my.salesforce.com"
    creds = seed_org(runtime, {"my_domain": host.removeprefix("https://"), "users": [], "apps": []})
    config = client.get(host + "/.well-known/auth-configuration")
    assert config.status_code == 200, config.text
    assert config.json()["Url"] == served(client, host)["issuer"]
    assert config.json()["OrgId"] == creds["id"][:15]
    assert client.get(LOGIN + "/.well-known/auth-configuration").status_code == 404


def test_front_channel_logout_flags_are_true(client: httpx.Client, runtime: Runtime) -> None:
    """`frontchannel_logout_supported: true` (OIDC Front-Channel Logout 1.0 §3): the end-session endpoint loads
    each signed-in app's logout URL in the browser; `frontchannel_logout_session_supported: false`: the URL is
    loaded as registered, with no `iss` / `sid` added."""
    from urllib.parse import urlsplit

    from .test_single_logout import SLO_A, _seed, sign_in, slo_page

    doc = served(client, MY_DOMAIN)
    _seed(runtime)
    sign_in(client, "SloAppA")
    frames, _ = slo_page(client.get(urlsplit(doc["end_session_endpoint"]).path))
    assert doc["frontchannel_logout_supported"] is True and frames == [SLO_A]
    assert doc["frontchannel_logout_session_supported"] is False
    assert not {"iss", "sid"} & set(parse_qs(urlsplit(frames[0]).query))


def test_a_seeded_orgs_custom_my_domain_serves_the_my_domain_document(client: httpx.Client, runtime: Runtime) -> None:
    """An org's `my_domain` outside `*.my.salesforce.com` is a My Domain too: its document is the My Domain
    variant on that host, and a token issued there names that host as `iss` / identity URL."""
    host = f"https://sso{secrets.token_hex(3)}.acme.test"
    username = f"u-{secrets.token_hex(4)}@custom.test"
    creds = seed_org(
        runtime,
        {
            "my_domain": host.removeprefix("https://"),
            "users": [{"username": username, "password": "S-1"}],
            "apps": [{"callback_urls": [CALLBACK], "scopes": ["openid", "api"]}],
        },
    )
    doc = served(client, host)
    assert doc["issuer"] == host and doc["end_session_endpoint"] == f"{host}/services/auth/idp/oidc/logout"
    query = {"response_type": "token id_token", "client_id": creds["apps"][0]["client_id"], "redirect_uri": CALLBACK}
    fragment = location_params(client.get(doc["authorization_endpoint"], params={**query, "login_hint": username}))
    claims = jwt.decode(fragment["id_token"], options={"verify_signature": False})
    assert claims["iss"] == doc["issuer"] and fragment["id"].startswith(f"{host}/id/")

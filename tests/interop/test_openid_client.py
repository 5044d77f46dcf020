"""openid-client (panva's strict OpenID Connect relying party for Node), unmodified, against a real `mockown serve`
(`make soak`).

The released package is installed with npm into the interop cache (`tests/interop/npm_support.py`); the script
`tests/interop/openid_client/scenarios.mjs` uses it as its users do (discovery of the server, of
`login.salesforce.com` and of a My Domain, the authorization-code flow with PKCE S256, nonce and state through the
login page, the library's callback and ID token validation with the signature checked against `jwks_uri`
(`enableNonRepudiationChecks`), userinfo with its `sub` check, refresh, `client_secret_basic` and
`client_secret_post`, introspection, revocation, client credentials, dynamic client registration) and prints one
JSON line per scenario, which the tests below check value by value. A second section does the same with SLAS
(B2C Commerce shopper login: its own discovery document, ES256 ID tokens), with the library's defaults and the
one extension point a SLAS client needs (`skipSubjectCheck` for userinfo).

The only relaxation used is `allowInsecureRequests` (the mock answers over plain http). My Domain and
login.salesforce.com requests go to the local server with that `Host` header (the library's `customFetch`).

Pinned to 6.8.1 (ESM, runs on Node 20: its `jose` 6 and `oauth4webapi` 3 use the WebCrypto API Node 20 has).
Run only this: `make soak SOAK_TESTS=tests/interop/test_openid_client.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ADMIN_ID as ADMIN
from tests.conftest import CID as CLIENT_ID
from tests.conftest import ORG, SECRET
from tests.interop.npm_support import install, require_node, run_scenarios, scenario
from tests.reliability.support import SOAK
from tests.server_support import mockown_server

pytestmark = [pytest.mark.soak, pytest.mark.skipif(not SOAK, reason="the long profile: make soak (MOCKOWN_SOAK=1)")]

OPENID_CLIENT_VERSION = "6.8.1"
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("openid_client") / "scenarios.mjs"

MY_DOMAIN = "http://acme.my.salesforce.com"


@pytest.fixture(scope="module")
def run() -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    """The server's URL and every scenario's line, by name, from one run of the script against a fresh server."""
    require_node()
    home = install("openid-client", OPENID_CLIENT_VERSION)
    with mockown_server() as url:
        config = {
            "home": str(home),
            "url": url,
            "username": "admin@mockown.test",
            "password": "Passw0rd!",
            "clientId": CLIENT_ID,
            "clientSecret": SECRET,
            "redirectUri": "http://localhost:8080/callback",
            "initialAccessToken": "MOCKOWNDEMOINITIALACCESSTOKEN",
            "jwtKey": str(ROOT / "fixtures" / "keys" / "jwt-bearer.key"),
            "jwtCert": str(ROOT / "fixtures" / "keys" / "jwt-bearer.crt"),
        }
        seen = run_scenarios(SCRIPT, config)
    yield url, seen


def test_discovery_of_the_server(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    url = run[0]
    s = scenario(run[1], "discovery_login_host")
    # the library accepted the document: its issuer is the URL it was read from (OIDC Discovery 4.3)
    assert (s["issuer"], s["tokenEndpoint"], s["jwksUri"]) == (url, f"{url}/services/oauth2/token", f"{url}/id/keys")
    assert (s["introspection"], s["revocation"]) == (
        f"{url}/services/oauth2/introspect",
        f"{url}/services/oauth2/revoke",
    )
    # login.salesforce.com's document: no end_session_endpoint, no device endpoint, no RFC 9207 `iss`, no
    # code_challenge_methods_supported (spec 7.1), so the library does not know PKCE is supported (it sends it anyway)
    assert (s["endSession"], s["deviceAuthorization"], s["issParameter"], s["pkceS256"]) == (None, None, None, False)
    assert s["authMethods"] == ["client_secret_post", "client_secret_basic", "private_key_jwt"]


def test_code_flow_with_pkce_and_nonce(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    url = run[0]
    s = scenario(run[1], "code_flow_pkce_nonce")
    assert (s["authzPath"], s["callback"], s["callbackParams"]) == (
        "/services/oauth2/authorize",
        "http://localhost:8080/callback",
        ["code", "state"],  # no `iss`: not advertised, and the library would compare it if it came
    )
    assert (s["tokenType"], s["hasRefresh"], s["scope"]) == ("bearer", True, "openid api refresh_token profile email")
    assert (s["instanceUrl"], s["idUrl"]) == (url, f"{url}/id/{ORG}/{ADMIN}")
    # the ID token passed the library's checks (signature, iss, aud, exp, iat, nonce); `sub` is the identity URL
    # (spec 7.3) and at_hash is the left half of SHA-256 of the access token (OIDC Core 3.1.3.6)
    assert s["claims"] == {
        "iss": url,
        "sub": f"{url}/id/{ORG}/{ADMIN}",
        "aud": CLIENT_ID,
        "nonceMatches": True,
        "atHashValid": True,
        "lifetime": 300,  # the app's idTokenValidity default, 5 minutes
        "preferredUsername": "admin@mockown.test",
        "email": "admin@mockown.test",
    }


def test_userinfo_subject_matches_the_id_token(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    url = run[0]
    s = scenario(run[1], "userinfo")
    assert (s["sub"], s["userId"], s["organizationId"]) == (f"{url}/id/{ORG}/{ADMIN}", ADMIN, ORG)
    assert (s["preferredUsername"], s["email"]) == ("admin@mockown.test", "admin@mockown.test")
    assert s["wrongSub"]["code"] == "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED"
    assert s["wrongSub"]["causeMessage"] == 'unexpected "response" body "sub" property value'


def test_refresh_returns_an_id_token_for_the_same_subject(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    url = run[0]
    s = scenario(run[1], "refresh")
    # rotation off (spec 3.2): no new refresh token; the refreshed ID token passed the library's checks
    # (signature, RS256, iss, aud, exp, iat, sub present); the script checks it names the same subject as the
    # first one (OIDC Core 12.2: the library cannot, it is not given the first) and it carries no nonce
    assert (s["newAccess"], s["refreshTokenBack"], s["hasIdToken"]) == (True, None, True)
    assert s["idToken"] == {"iss": url, "sameSub": True, "aud": CLIENT_ID, "nonce": None}
    assert s["userinfoSub"] == f"{url}/id/{ORG}/{ADMIN}"


def test_the_library_refuses_a_tampered_callback(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    s = scenario(run[1], "callback_checks")
    assert s["wrongState"]["causeMessage"] == 'unexpected "state" response parameter value'
    # a wrong code_verifier reaches the server, which refuses it (spec 2.5)
    assert (s["wrongVerifier"]["error"], s["wrongVerifier"]["cause"]) == (
        "invalid_request",
        {"error": "invalid_request", "error_description": "invalid code verifier"},
    )
    assert (s["denied"]["name"], s["denied"]["error"]) == ("AuthorizationResponseError", "access_denied")


def test_id_token_signature_is_checked_against_the_jwks(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    s = scenario(run[1], "tampered_id_token_refused")
    assert (s["refused"]["code"], s["refused"]["causeMessage"]) == (
        "OAUTH_INVALID_RESPONSE",
        "JWT signature verification failed",
    )


def test_client_secret_basic(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    url = run[0]
    s = scenario(run[1], "client_secret_basic")
    assert (s["sub"], s["refreshed"]) == (f"{url}/id/{ORG}/{ADMIN}", True)
    assert s["wrongSecret"]["cause"] == {"error": "invalid_client", "error_description": "invalid client credentials"}


def test_introspection(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    url = run[0]
    s = scenario(run[1], "introspection")
    # spec 4: token_type is the token kind, sub the identity URL
    assert (s["active"], s["tokenType"], s["clientId"]) == (True, "access_token", CLIENT_ID)
    assert (s["username"], s["sub"]) == ("admin@mockown.test", f"{url}/id/{ORG}/{ADMIN}")
    assert s["scope"] == "openid api refresh_token profile email"
    assert s["unknown"] == {"active": False}


def test_revocation(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    s = scenario(run[1], "revocation")
    assert s["activeAfter"] is False
    assert s["refreshAfter"]["cause"] == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    # revoking the refresh token revoked its access tokens (spec 5); userinfo answers Salesforce's 403
    # `Bad_OAuth_Token` (spec 6.2), which the library reports as a non-conforming status
    assert (s["userinfoAfter"]["code"], s["userinfoAfter"]["status"]) == ("OAUTH_RESPONSE_IS_NOT_CONFORM", 403)


def test_discovery_on_login_salesforce_com_and_no_client_credentials_there(
    run: tuple[str, dict[str, dict[str, Any]]],
) -> None:
    s = scenario(run[1], "discovery_salesforce_login_host")
    assert (s["issuer"], s["userinfo"], s["endSession"]) == (
        "http://login.salesforce.com",
        "http://login.salesforce.com/services/oauth2/userinfo",
        None,
    )
    assert s["clientCredentials"]["cause"] == {
        "error": "invalid_grant",
        "error_description": "request not supported on this domain",
    }


def test_dynamic_client_registration(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    url = run[0]
    s = scenario(run[1], "dynamic_client_registration")
    assert (s["clientIdPrefix"], s["hasSecret"], s["authMethod"]) == ("3MVG9", True, "client_secret_post")
    assert s["aud"] != CLIENT_ID and s["aud"].startswith("3MVG9")  # the ID token is for the registered app
    assert s["sub"] == f"{url}/id/{ORG}/{ADMIN}"


def test_my_domain_discovery(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    s = scenario(run[1], "discovery_my_domain")
    assert (s["issuer"], s["tokenEndpoint"], s["jwksUri"]) == (
        MY_DOMAIN,
        f"{MY_DOMAIN}/services/oauth2/token",
        f"{MY_DOMAIN}/id/keys",
    )
    assert (s["endSession"], s["frontchannelLogout"]) == (f"{MY_DOMAIN}/services/auth/idp/oidc/logout", True)


def test_my_domain_code_flow(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    s = scenario(run[1], "my_domain_code_flow")
    # the ID token's iss is the My Domain (spec 7.3), the document's issuer there; sub is on the My Domain too
    assert (s["iss"], s["refreshedIss"]) == (MY_DOMAIN, MY_DOMAIN)
    # two audiences (the app's id_token_audiences): the library required azp = its client_id
    assert (s["aud"], s["azp"]) == (["AcmeOidcApp", "https://api.acme.test"], "AcmeOidcApp")
    assert s["sub"].startswith(f"{MY_DOMAIN}/id/00D") and "/005" in s["sub"]
    assert (s["instanceUrl"], s["userinfoUsername"]) == ("https://acme.my.salesforce.com", "md-user@acme.test")
    assert s["logoutUrl"] == f"{MY_DOMAIN}/services/auth/idp/oidc/logout"


def test_my_domain_client_credentials(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    s = scenario(run[1], "my_domain_client_credentials")
    # spec 3.4: no refresh token; the run-as user; Basic (the default here) and post both work
    assert (s["tokenType"], s["hasRefresh"], s["postWorks"]) == ("bearer", False, True)
    assert (s["instanceUrl"], s["introspectedUsername"]) == ("https://acme.my.salesforce.com", "md-user@acme.test")


def test_private_key_jwt(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    url = run[0]
    s = scenario(run[1], "private_key_jwt")
    # the library's assertion: iss = sub = the consumer key, aud = the issuer (the mock's URL), no secret sent
    assert s["assertion"] == {"aud": url, "issIsClient": True, "hasSecret": False}
    assert (s["sub"], s["refreshed"]) == (f"{url}/id/{ORG}/{ADMIN}", True)
    # on a My Domain the issuer is the My Domain's URL, which the mock takes for no assertion audience (the JWT
    # bearer flow's rule, README "Real clients: Authlib"; inferred); modifyAssertion naming the token endpoint works
    assert s["myDomainIssuerAud"]["cause"] == {
        "error": "invalid_client",
        "error_description": "invalid client credentials",
    }
    assert s["myDomainTokenEndpointAud"] is True


SLAS_ORG = "f_ecom_zzxy_001"


def test_slas_through_the_library_as_it_is(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    url = run[0]
    s = scenario(run[1], "slas_defaults")
    base = f"{url}/b2c/kv7kzm78/shopper/auth/v1/organizations/{SLAS_ORG}/oauth2"
    assert (s["issuer"], s["endSession"]) == (base, f"{base}/logout")
    assert (s["idTokenAlgs"], s["pkce"]) == (["ES256"], ["S256"])
    # ClientSecretBasic form-encodes the client id (RFC 6749 2.3.1: `mockown%2Dslas%2Dprivate`), which SLAS's
    # Basic check decodes (d9b291b); the ID token passed the library's checks: its iss is the document's issuer
    # (OIDC Core 3.1.3.7; a mock choice, the reference does not say what a SLAS ID token's iss is)
    assert s["idTokenIss"] == base


def test_slas_private_client_through_the_library(run: tuple[str, dict[str, dict[str, Any]]]) -> None:
    s = scenario(run[1], "slas_private_client")
    # ES256 ID tokens whose signature the library checked against the tenant's jwks
    assert s["idTokenAlg"] == "ES256"
    base = f"{run[0]}/b2c/kv7kzm78/shopper/auth/v1/organizations/{SLAS_ORG}/oauth2"
    assert s["guest"] == {
        "iss": base,
        "aud": "mockown-slas-private",
        "subIsCustomerId": True,
        "usid": True,
    }
    # a private client's refresh keeps its refresh token (spec: "not regenerated"); same subject after
    assert (s["refreshedSameSub"], s["privateRefreshKept"]) == (True, True)
    # userinfo's sub is the usid (the documented example's UUID), the ID token's the customer id: the library's
    # sub check refuses it, skipSubjectCheck reads it
    assert s["userinfoSub"]["causeMessage"] == 'unexpected "response" body "sub" property value'
    assert s["userinfo"] == {"subIsUsid": True, "customerId": True}
    assert s["introspected"] == {"active": True, "clientId": "mockown-slas-private", "tokenType": "access_token"}
    assert s["activeAfterRevoke"] is False
    # a registered shopper: /login 303, then the library's code exchange with PKCE and ID token checks
    assert s["loginStatus"] == 303
    assert s["registered"] == {
        "email": "shopper@mockown.test",
        "givenName": "Sam",
        "familyName": "Shopper",
        "hasRefresh": True,
    }

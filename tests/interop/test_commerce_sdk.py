"""commerce-sdk-isomorphic, Salesforce's B2C Commerce SDK, unmodified, against a real `mockown serve` (`make soak`).

`tests/interop/commerce_sdk/scenarios.mjs` drives SLAS through the SDK's `helpers` as storefronts do (a
`ShopperLogin` client whose `proxy` is the mock's `/b2c/<short code>` prefix): `loginGuestUserPrivate` (Basic
client credentials), `loginGuestUser` (authorize with `hint=guest` + PKCE, then `authorization_code_pkce`),
`loginRegisteredUserB2C` (`/oauth2/login` with the shopper's Basic credentials, then the PKCE token exchange,
public and private), `refreshAccessToken` (public: rotated; private: the same refresh token), `logout`, and
`authorizePasswordless` / `getPasswordLessAccessToken`, which mockown does not emulate (a clear 404). One JSON
line per scenario, checked below value by value.

Pinned to 5.6.0 (engines `node >=12`; runs on Node 20). Run only this:
`make soak SOAK_TESTS=tests/interop/test_commerce_sdk.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.interop.npm_support import install, require_node, run_scenarios, scenario
from tests.reliability.support import SOAK
from tests.server_support import mockown_server

pytestmark = [pytest.mark.soak, pytest.mark.skipif(not SOAK, reason="the long profile: make soak (MOCKOWN_SOAK=1)")]

SDK_VERSION = "5.6.0"
SCRIPT = Path(__file__).with_name("commerce_sdk") / "scenarios.mjs"
ORG = "f_ecom_zzxy_001"
SHOPPER = "abmockownshopper0000000001"
KEYS = [
    "access_token",
    "customer_id",
    "dnt",
    "enc_user_id",
    "expires_in",
    "id_token",
    "idp_access_token",
    "refresh_token",
    "refresh_token_expires_in",
    "token_type",
    "usid",
]  # every required TokenResponse field and dnt, sorted
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
BAD_REFRESH = {"error": "invalid_request", "error_description": "Bad or missing refresh token."}
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def seen() -> Iterator[dict[str, dict[str, Any]]]:
    """Every scenario's line, by name, from one run of the script against a fresh server."""
    require_node()
    home = install("commerce-sdk-isomorphic", SDK_VERSION)
    with mockown_server() as url:
        config = {
            "home": str(home),
            "url": url,
            "shortCode": "kv7kzm78",
            "organizationId": ORG,
            "siteId": "RefArch",
            "publicClient": "mockown-slas-public",
            "privateClient": "mockown-slas-private",
            "privateSecret": "MockownSlasSecret0001",
            "strictClient": "mockown-slas-strict",
            "strictSecret": "MockownSlasStrict0001",
            "redirectURI": "http://localhost:3000/callback",
            "username": "shopper@mockown.test",
            "password": "Sh0pper!",
        }
        seen = run_scenarios(SCRIPT, config)
    yield seen


def token_shape(s: dict[str, Any], client: str, *, registered: bool) -> None:
    assert s["keys"] == KEYS  # every required TokenResponse field (and dnt)
    assert (s["tokenType"], s["expiresIn"], s["idpAccessToken"], s["idTokenParts"]) == ("Bearer", 1800, "", 3)
    assert UUID.match(s["usid"]), s["usid"]
    assert s["jwtHeader"]["alg"] == "ES256" and (s["jwtHeader"]["ver"], s["jwtHeader"]["typ"]) == ("1.0", "jwt")
    assert s["jwtSub"] == f"cc-slas::{ORG}::scid:{client}::usid:{s['usid']}"
    assert re.fullmatch(r"[0-9A-F]{32}", s["encUserId"]), s["encUserId"]  # MD5 of the user id, uppercase hex
    if registered:
        assert s["customerId"] == SHOPPER
        assert (
            s["jwtIsb"] == f"uido:ecom::upn:shopper@mockown.test::uidn:Sam Shopper::gcid:::rcid:{SHOPPER}::chid:RefArch"
        )
    else:
        assert re.fullmatch(r"ab\w{24}", s["customerId"]) and s["customerId"] != SHOPPER
        assert s["jwtIsb"] == f"uido:ecom::upn:Guest::uidn:Guest::gcid:{s['customerId']}::rcid:::chid:RefArch"


def test_guest_private_client(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "guest_private")
    token_shape(s, "mockown-slas-private", registered=False)
    assert s["refreshExpiresIn"] == 2592000  # a guest's refresh token: 30 days
    assert (s["againUsid"], s["againDnt"]) == (s["usid"], "true")  # the saved usid comes back; dnt echoed
    assert s["badSecret"] == {
        "status": 401,
        "contentType": PROBLEM,
        "body": {"error": "invalid_client", "error_description": "Basic Authorization failed."},
    }


def test_guest_public_client_with_pkce(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "guest_public")
    token_shape(s, "mockown-slas-public", registered=False)
    assert (s["refreshExpiresIn"], s["againUsid"]) == (2592000, s["usid"])
    assert (s["badRedirect"]["status"], s["badRedirect"]["body"]["error"]) == (400, "invalid_request")


def test_registered_shopper_public_client(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "registered_public")
    token_shape(s, "mockown-slas-public", registered=True)
    assert s["refreshExpiresIn"] == 7776000  # a registered shopper's: 90 days
    assert s["usid"] == s["guestUsid"]  # the guest's usid passed to /login carries over
    assert s["userinfo"] == {
        "status": 200,
        "body": {
            "customer_id": SHOPPER,
            "email": "shopper@mockown.test",
            "family_name": "Shopper",
            "given_name": "Sam",
            "name": "Sam Shopper",
            "sub": s["usid"],
            "validated": True,
        },
    }


def test_registered_shopper_private_client_and_a_wrong_password(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "registered_private")
    token_shape(s, "mockown-slas-private", registered=True)
    assert s["badPassword"] == {
        "status": 401,
        "contentType": PROBLEM,
        "body": {"error": "invalid_client", "error_description": "Basic Authorization failed."},
    }


def test_refresh_with_a_public_client_rotates(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "refresh_public")
    token_shape(s, "mockown-slas-public", registered=True)
    assert (s["rotated"], s["sameUsid"], s["sameCustomer"], s["newAccess"], s["nextRotated"]) == (True,) * 5
    assert s["reuse"] == {"status": 400, "contentType": PROBLEM, "body": BAD_REFRESH}  # the old one is voided


def test_refresh_with_a_private_client_keeps_the_refresh_token(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "refresh_private")
    token_shape(s, "mockown-slas-private", registered=False)
    assert (s["sameRefresh"], s["sameUsid"], s["newAccess"]) == (True, True, True)
    assert 2592000 - 60 <= s["refreshExpiresIn"] <= 2592000  # what is left of the same token's 30 days


def test_logout_revokes_both_tokens(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "logout")
    assert s["beforeStatus"] == 200
    assert s["logout"] == {
        "access_token": "",
        "id_token": "null",
        "refresh_token": "",
        "expires_in": 0,
        "refresh_token_expires_in": 0,
        "token_type": "Bearer",
        "usid": "null",
        "customer_id": "null",
        "enc_user_id": "null",
        "idp_access_token": "",
        "idp_refresh_token": "null",
        "dnt": "null",
    }
    assert s["afterStatus"] == 400  # userinfo: bad or missing access token
    assert s["refreshAfter"] == {"status": 400, "contentType": PROBLEM, "body": BAD_REFRESH}


def test_the_shopper_login_clients_own_methods(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "client_methods")
    oauth2 = f"/b2c/kv7kzm78/shopper/auth/v1/organizations/{ORG}/oauth2"
    assert s["issuer"].endswith(oauth2) and s["tokenEndpoint"] == s["issuer"] + "/token"
    assert s["challengeMethods"] == ["S256"]
    assert s["jwksKeys"] and all(key == ["EC", "P-256", "sig"] for key in s["jwksKeys"])
    assert s["userinfoCustomer"] is True
    assert s["active"] == {"active": True, "token_type": "refresh_token", "client_id": "mockown-slas-private"}
    assert s["revokedKeys"] == sorted(set(KEYS) - {"dnt"})  # the OAS revokeTokenSuccess example's fields
    assert s["inactive"] == {"active": False}
    assert s["refreshAfter"] == {"status": 400, "contentType": PROBLEM, "body": BAD_REFRESH}


def test_a_strict_client_auth_client_gets_tokens_but_not_the_sdks_login(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "strict_client")
    assert (s["guestCustomer"], s["guestSub"].split("::usid:")[0]) == (26, f"cc-slas::{ORG}::scid:mockown-slas-strict")
    # the SDK sends no x-slas-client-auth on /oauth2/login: 401, as SLAS documents for a missing header
    assert (s["login"]["status"], s["login"]["contentType"], s["login"]["body"]["error"]) == (
        401,
        PROBLEM,
        "invalid_client",
    )


def test_passwordless_is_not_emulated_and_says_so(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "passwordless")
    base = f"/b2c/kv7kzm78/shopper/auth/v1/organizations/{ORG}/oauth2/passwordless"
    for step, path in (("login", "login"), ("token", "token")):
        assert s[step] == {
            "status": 404,
            "contentType": PROBLEM,
            "body": {"error": "not_found", "error_description": f"no such resource: {base}/{path}"},
        }

"""jsforce, the most used Node Salesforce client, unmodified, against a real `mockown serve` (`make soak`).

The released package is installed with npm into a cache of its own on first use
(`$INTEROP_CACHE`, default `~/.cache/mockown-interop`, one directory per version); the script
`tests/interop/jsforce/scenarios.js` uses it as its users do (password login, identity, query, describe, limits,
the web-server flow through the login page, PKCE, JWT bearer, automatic refresh on a 401, revoke, logout) and
prints one JSON line per scenario, which the tests below check value by value.

Pinned to 3.10.16, the last release that runs on Node 18/20 (3.10.19 and later need Node 22: their `undici` 8
fails to load on Node 20). Run only this: `make soak SOAK_TESTS=tests/interop/test_jsforce.py`.
"""

from __future__ import annotations

import re
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

JSFORCE_VERSION = "3.10.16"
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("jsforce") / "scenarios.js"

INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def install_jsforce() -> Path:
    """The cache directory holding `node_modules/jsforce` at the pinned version (npm installs it when missing)."""
    return install("jsforce", JSFORCE_VERSION)


@pytest.fixture(scope="module")
def seen() -> Iterator[dict[str, dict[str, Any]]]:
    """Every scenario's line, by name, from one run of the script against a fresh server."""
    require_node()
    home = install_jsforce()
    with mockown_server() as url:
        config = {
            "jsforce": str(home),
            "url": url,
            "username": "admin@mockown.test",
            "password": "Passw0rd!",
            "securityToken": "SecTok3nAdmin",
            "clientId": CLIENT_ID,
            "clientSecret": SECRET,
            "redirectUri": "http://localhost:8080/callback",
            "jwtKey": str(ROOT / "fixtures" / "keys" / "jwt-bearer.key"),
        }
        seen = run_scenarios(SCRIPT, config)
    yield seen


def test_password_login(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "password_login")
    url = s["instanceUrl"]
    assert (s["userId"], s["orgId"]) == (ADMIN, ORG)  # jsforce parses the last two segments of `id`
    assert s["idUrl"] == f"{url}/id/{ORG}/{ADMIN}"
    assert s["tokenPrefix"] == ORG[:15]  # the 15-character org id before the `!`
    assert s["refreshToken"] is None  # the password flow issues none


def test_identity(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "identity")
    assert (s["userId"], s["orgId"], s["username"]) == (ADMIN, ORG, "admin@mockown.test")
    assert s["id"].endswith(f"/id/{ORG}/{ADMIN}")
    # a connection built from a bare token finds the identity URL under `identity` of /services/data/v50.0
    assert s["viaResources"] == {"userId": ADMIN, "orgId": ORG, "id": s["id"]}


def test_query(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "query")
    assert (s["totalSize"], s["done"], s["records"]) == (3, True, 3)
    assert s["usernames"] == ["admin@mockown.test", "inactive@mockown.test", "integration@mockown.test"]
    assert s["attributes"]["type"] == "User"
    assert s["attributes"]["url"].startswith("/services/data/v50.0/sobjects/User/005")  # jsforce's default 50.0
    assert s["one"] == [{"Id": ADMIN, "Name": "Ada Admin"}]
    assert s["org"] == [{"Id": ORG, "Name": "Mockown Demo"}]


def test_retrieve(seen: dict[str, dict[str, Any]]) -> None:
    assert scenario(seen, "retrieve") == {"Id": ADMIN, "Username": "admin@mockown.test", "type": "User"}


def test_describe(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "describe")
    assert {"User", "Organization", "OauthToken"} <= set(s["sobjects"])
    assert (s["userName"], s["userKeyPrefix"], s["sobjectUserName"]) == ("User", "005", "User")
    assert s["userFields"][0] == "Id"


def test_limits(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "limits")
    daily = s["dailyApiRequests"]
    assert daily["Max"] == 15000
    used = s["limitInfo"]["apiUsage"]["used"]
    # jsforce read Sforce-Limit-Info on the last call (the limits call itself counts)
    assert s["limitInfo"]["apiUsage"]["limit"] == 15000 and used >= 1
    assert daily["Remaining"] == 15000 - used


def test_sobject_find_and_auto_fetch(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "sobject_find")
    assert s["found"] == [{"Id": ADMIN, "Username": "admin@mockown.test"}]
    assert (s["limited"], s["autoFetched"]) == (2, 3)


def test_query_all_search_and_recent(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "query_all_search_recent")
    # a Query with scanAll reads /queryAll: the same records as query (the mock holds no deleted ones)
    assert s["queryAll"] == {
        "totalSize": 3,
        "done": True,
        "usernames": ["admin@mockown.test", "inactive@mockown.test", "integration@mockown.test"],
    }
    assert s["scanAllOrg"] == 1
    assert s["searchRecords"] == [{"Id": ADMIN, "Username": "admin@mockown.test", "type": "User"}]
    assert s["noneFound"] == 0
    assert s["badSearch"]["errorCode"] == "MALFORMED_SEARCH"
    assert (s["recent"], s["recentLimited"]) == ([], [])
    # the resources list advertises only what is served
    assert s["resources"] == ["identity", "limits", "query", "queryAll", "recent", "search", "sobjects"]


def test_auto_fetch_and_query_more_follow_query_locators(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "auto_fetch_pages")
    assert s["first"] == {"totalSize": 250, "done": False, "records": 200}
    # jsforce rebuilds the URL from the locator (the last path segment) on its instance URL
    assert re.search(r"/services/data/v50\.0/query/01g\w{15}-200$", s["nextRecordsUrl"]), s["nextRecordsUrl"]
    assert (s["autoFetched"], s["distinct"], s["scanAllFetched"]) == (250, 250, 250)
    assert s["more"] == {"done": True, "records": 50}


def test_rest_errors_reach_jsforce_with_their_codes(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "rest_errors")
    # jsforce unwraps the REST API's one-element error list into an Error named after its errorCode
    assert {k: s[k]["errorCode"] for k in ("badField", "badType", "missing")} == {
        "badField": "INVALID_FIELD",
        "badType": "INVALID_TYPE",
        "missing": "NOT_FOUND",
    }
    assert s["badField"]["message"] == "No such column 'Nope' on entity 'User'."
    assert (s["badLogin"]["name"], s["badLogin"]["message"]) == ("invalid_grant", "authentication failure")


def test_a_session_without_api_scope_is_not_refreshed(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "no_api_scope_is_not_refreshed")
    # the body jsforce's isSessionExpired skips: no refresh loop, the error surfaces
    assert s["refreshEvents"] == 0
    assert s["refused"] == {
        "name": "INVALID_SESSION_ID",
        "errorCode": "INVALID_SESSION_ID",
        "message": "This session is not valid for use with the REST API",
    }


def test_web_server_flow_through_the_login_page(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "web_server_flow")
    assert s["authzPath"] == "/services/oauth2/authorize"
    assert (s["redirectedTo"], s["state"]) == ("http://localhost:8080/callback", "hello")
    assert (s["userId"], s["orgId"], s["hasRefreshToken"]) == (ADMIN, ORG, True)
    assert s["identityUsername"] == "admin@mockown.test"


def test_web_server_flow_with_pkce(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "web_server_flow_pkce")
    # jsforce sends code_challenge without code_challenge_method (S256 is implicit at Salesforce)
    assert (s["sentChallenge"], s["sentMethod"], s["userId"]) == (True, None, ADMIN)
    assert s["reuse"]["name"] == "invalid_grant"  # a spent code, raised by jsforce with the token error's name


def test_public_app_with_pkce_like_the_sf_cli(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "public_app_pkce_like_the_sf_cli")
    # no client secret anywhere; jsforce also sends its code_verifier with the refresh grant
    assert (s["redirectedTo"], s["userId"]) == ("http://localhost:1717/OauthRedirect", ADMIN)
    assert (s["refreshedIdUrlUser"], s["refreshedHasInstanceUrl"]) == (ADMIN, True)
    assert s["identityUsername"] == "admin@mockown.test"


def test_jwt_bearer(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "jwt_bearer")
    assert (s["userId"], s["orgId"], s["refreshToken"], s["dailyMax"]) == (ADMIN, ORG, None, 15000)


def test_automatic_refresh_after_a_revoked_access_token(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "refresh_after_revoke")
    assert s["revokeStatus"] == 200
    # the 401 made jsforce refresh once (the `refresh` event with the new token) and retry: the query answered
    assert (s["refreshEvents"], s["newTokenDiffers"], s["eventTokenIsCurrent"]) == (1, True, True)
    assert s["totalSize"] == 1
    assert s["oldTokenRest"] == 401  # the revoked token stays refused


def test_automatic_refresh_after_the_session_timed_out(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "refresh_after_clock_advance")
    assert (s["expiredStatus"], s["expiredBody"]) == (401, INVALID_SESSION)
    assert (s["refreshEvents"], s["newTokenDiffers"], s["totalSize"]) == (1, True, 3)
    # the password-login connection renews by logging in again
    assert (s["passwordRefreshEvents"], s["passwordTokenDiffers"], s["dailyMax"]) == (1, True, 15000)


def test_revoke_token(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "revoke_token")
    assert (s["restStatus"], s["restBody"]) == (401, INVALID_SESSION)
    # jsforce reads the revoke endpoint's 400 as a urlencoded body (as Salesforce sends it): the error's name
    assert s["unknownToken"]["name"] == "invalid_token"


def test_logout(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "logout")
    assert (s["cleared"], s["accessAfterStatus"]) == (True, 401)
    # logout(true) revoked the refresh token: the refresh grant is refused after
    assert s["refreshAfter"]["name"] == "invalid_grant"


def test_soap_login_and_logout(seen: dict[str, dict[str, Any]]) -> None:
    """`conn.login()` without OAuth2 settings: SOAP login() (partner, v59.0), REST with the session id, SOAP
    logout(); a wrong password raises the fault's `faultstring`; v65.0 has no login()."""
    s = scenario(seen, "soap_login")
    assert (s["userId"], s["orgId"], s["tokenPrefix"]) == (ADMIN, ORG, ORG[:15])
    assert s["idUrl"] == f"{s['instanceUrl']}/id/{ORG}/{ADMIN}"
    assert s["dailyMax"] == 15000
    assert s["cleared"] and s["afterStatus"] == 401 and s["afterBody"] == INVALID_SESSION
    assert s["wrong"]["message"] == "INVALID_LOGIN: Invalid username, password, security token; or user locked out."
    assert s["v65"]["message"].startswith("INVALID_OPERATION: The SOAP Login operation is not available")

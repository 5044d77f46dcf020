"""@salesforce/core, the library behind the Salesforce CLI (`sf org login jwt|web|device` and every later `sf`
command's refresh), unmodified, against a real `mockown serve` (`make soak`).

The released package is installed with npm into a cache of its own on first use (`$INTEROP_CACHE`, one
directory per version); the script `tests/interop/sfcore/scenarios.js` drives `AuthInfo`, `Connection`,
`WebOAuthServer` and `DeviceOauthService` as the CLI does, with the library's home in a temporary directory, and
prints one JSON line per scenario, which the tests below check value by value.

Pinned to 8.31.3 with its `@jsforce/jsforce-node` held at 3.10.16 (npm `overrides`): every 8.x asks for
`@jsforce/jsforce-node@^3.x`, whose releases from 3.10.17 on need Node 22 (their `undici` 8 fails to load on
Node 20), and 9.x needs Node 22 itself. 8.31.3 (June 2026) is the last release whose range (`^3.10.13`) holds
3.10.16, so this is the tree `npm install @salesforce/core@8.31.3` gave on Node 20 when it came out. Run only
this: `make soak SOAK_TESTS=tests/interop/test_sfcore.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN, ADMIN_ID, CID, ORG
from tests.interop.npm_support import install, require_node, run_scenarios, scenario
from tests.reliability.support import SOAK
from tests.server_support import free_port, mockown_server

pytestmark = [pytest.mark.soak, pytest.mark.skipif(not SOAK, reason="the long profile: make soak (MOCKOWN_SOAK=1)")]

SFCORE_VERSION = "8.31.3"
PINS = {"@jsforce/jsforce-node": "3.10.16"}
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("sfcore") / "scenarios.js"

WEB_USER = "web@sfcore.test"
WEB_PASSWORD = "Web-Passw0rd!"
WEB_CLIENT = "3MVG9SfCoreWebLoginApp"
DEVICE_USER = "integration@mockown.test"


def install_sfcore() -> Path:
    """The cache directory holding `node_modules/@salesforce/core` at the pinned version."""
    return install("@salesforce/core", SFCORE_VERSION, PINS)


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """Every scenario's line, by name, from one run of the script against a fresh server."""
    require_node()
    home = install_sfcore()
    cli_home = tmp_path_factory.mktemp("sf-home")
    project = tmp_path_factory.mktemp("sf-project")
    port = free_port()
    (project / "sfdx-project.json").write_text(
        json.dumps({"packageDirectories": [{"path": "force-app", "default": True}], "oauthLocalPort": port})
    )
    # the device poll waits `interval` seconds between polls: 1 s, not 5
    with mockown_server(env={"MOCKOWN_SALESFORCE__DEVICE_INTERVAL": "1"}) as url:
        org = {
            "name": "Sf Core Web",
            "users": [{"username": WEB_USER, "password": WEB_PASSWORD}],
            "apps": [
                {
                    "client_id": WEB_CLIENT,
                    "client_secret": None,
                    "callback_urls": [f"http://localhost:{port}/OauthRedirect"],
                    "scopes": ["api", "refresh_token", "web", "id", "openid"],
                    "require_secret_for_web_server": False,
                    "pkce_required": True,
                    "auto_approve": True,
                }
            ],
        }
        seeded = httpx.post(f"{url}/_mockown/seed", json={"salesforce": {"orgs": [org]}}, timeout=10)
        assert seeded.status_code == 201, seeded.text
        config = {
            "sfcore": str(home),
            "url": url,
            "home": str(cli_home),
            "project": str(project),
            "oauthPort": port,
            "username": ADMIN,
            "clientId": CID,
            "jwtKey": str(ROOT / "fixtures" / "keys" / "jwt-bearer.key"),
            "webUser": WEB_USER,
            "webPassword": WEB_PASSWORD,
            "webClientId": WEB_CLIENT,
            "deviceUser": DEVICE_USER,
        }
        seen = run_scenarios(SCRIPT, config, timeout=240)
    seen["config"] = {"url": url, "redirectUri": f"http://localhost:{port}/OauthRedirect"}
    yield seen


def _jwt_errors(error: dict[str, Any]) -> list[str]:
    """The errors the library collected over its (login URL, audience) pairs, less those of the pairs it sent to
    login.salesforce.com and test.salesforce.com (refused here before any connection)."""
    head, listed = error["message"].split("\nErrors encountered:\n")
    assert (error["name"], head) == ("JwtAuthError", "Error authenticating with JWT.")
    assert error["lookups"] == ["login.salesforce.com", "test.salesforce.com"]
    return [line for line in listed.splitlines() if not line.startswith("request to https://")]


def test_jwt_login_errors_carry_salesforce_s_descriptions(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "jwt_errors")
    # three pairs went to the mock: (login URL, login URL), (login URL, login), (login URL, test)
    assert _jwt_errors(s["unknownClient"]) == ["client identifier invalid"] * 3
    assert _jwt_errors(s["wrongKey"]) == ["invalid assertion"] * 3
    assert _jwt_errors(s["unknownUser"]) == ["authentication failure"] * 3
    assert s["noFile"] is False  # nothing saved


def test_web_device_and_refresh_errors(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "other_errors")
    assert (s["badCode"]["name"], s["badCode"]["message"]) == (
        "AuthCodeExchangeError",
        "Error authenticating with auth code due to: invalid_grant::invalid authorization code",
    )
    assert s["badCode"]["data"]["authCode"] == "<authcode - HIDDEN>"
    device = s["deviceUnknownClient"]
    assert device["message"] == "Request Failed: invalid_client_id client identifier invalid"
    assert device["data"] == {
        "error": "invalid_client_id",
        "error_description": "client identifier invalid",
        "status": 400,
    }
    assert (s["badRefresh"]["name"], s["badRefresh"]["message"]) == (
        "RefreshTokenAuthError",
        "Error authenticating with the refresh token due to: expired access/refresh token",
    )


def test_jwt_login(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "jwt_login")
    url = seen["config"]["url"]
    assert s["stored"] == {
        "username": ADMIN,
        "orgId": ORG,
        "instanceUrl": url,
        "loginUrl": url,
        "clientId": CID,
        "isDevHub": True,  # the seeded org is a Dev Hub: the ScratchOrgInfo query answered (with //services/...)
        "name": "Mockown Demo",
        "instanceName": "MOCK1",
        "orgEdition": "Developer Edition",
        "isSandbox": False,
        "isScratch": False,
        "namespacePrefix": None,
        "hasRefreshToken": False,  # the JWT bearer flow issues none
        "hasPrivateKey": True,
    }
    assert s["lookups"] == []  # the first pair (login URL as audience) was accepted: no try elsewhere
    assert s["file"]["exists"] and "accessToken" in s["file"]["keys"] and not s["file"]["clearSecret"]
    assert s["tokenOrg"] == ORG[:15]
    assert s["apiVersion"] == s["serverMaxVersion"]  # Connection.create picks the highest of /services/data
    assert s["users"] == [{"Id": ADMIN_ID, "Username": ADMIN}]
    assert s["dailyMax"] == 15000


def test_a_jwt_connection_signs_a_new_assertion_on_a_401(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "jwt_relogin_after_revoke")
    assert (s["revoked"], s["totalSize"], s["newToken"], s["savedIsCurrent"]) == (200, 1, True, True)
    assert s["oldTokenStatus"] == 401


def test_web_login_through_the_cli_s_loopback_server(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "web_login")
    redirect_uri = seen["config"]["redirectUri"]
    assert s["authorize"] == {
        "path": "/services/oauth2/authorize",
        "responseType": "code",
        "prompt": "login",
        "scope": "refresh_token api web",
        "challenge": True,
        "redirectUri": redirect_uri,
    }
    assert (s["redirectedTo"], s["hasCode"]) == (redirect_uri, True)
    assert s["landed"] == {"status": 200, "path": "/OauthSuccess", "success": True}
    stored = s["stored"]
    assert (stored["username"], stored["clientId"], stored["name"]) == (WEB_USER, WEB_CLIENT, "Sf Core Web")
    assert stored["orgId"].startswith("00D") and stored["orgId"] != ORG
    assert (stored["hasRefreshToken"], stored["hasPrivateKey"], stored["isDevHub"]) == (True, False, False)
    assert stored["instanceUrl"] == seen["config"]["url"]
    assert "refreshToken" in s["file"]["keys"] and not s["file"]["clearSecret"]


def test_a_stored_web_login_refreshes_after_a_revoke(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "web_refresh_after_revoke")
    assert (s["revoked"], s["usernames"], s["newToken"]) == (200, [WEB_USER], True)
    # the new access token is saved to the auth file; the refresh token stays (no rotation)
    assert (s["savedIsCurrent"], s["sameRefreshToken"], s["oldTokenStatus"]) == (True, True, 401)


def test_device_login(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "device_login")
    start = s["start"]
    assert start["keys"] == ["device_code", "interval", "user_code", "verification_uri"]
    assert start["userCode"] and start["verificationUri"] == f"{seen['config']['url']}/setup/connect"
    assert start["interval"] == 1  # the server's device_interval
    assert s["waitedOnce"]  # an authorization_pending poll was waited out, not raised
    assert {"access_token", "refresh_token", "instance_url", "id"} <= set(s["approvedKeys"])
    stored = s["stored"]
    assert (stored["username"], stored["orgId"], stored["clientId"]) == (DEVICE_USER, ORG, "PlatformCLI")
    assert (stored["hasRefreshToken"], stored["hasPrivateKey"], stored["isDevHub"]) == (True, False, True)
    assert s["identityUsername"] == DEVICE_USER


def test_a_stored_login_renews_after_the_session_timeout(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "stored_auth_after_session_timeout")
    assert (s["expired"], s["totalSize"], s["newToken"]) == (401, 1, True)


def test_only_the_expected_warnings(seen: dict[str, dict[str, Any]]) -> None:
    url = seen["config"]["url"]
    assert scenario(seen, "warnings")["warnings"] == [
        "Device Oauth flow is deprecated and will be removed mid January 2026",
        f"Using insecure protocol: http: on url: {url}",
    ]

"""sfmc-sdk (the Marketing Cloud SDK behind Accenture's mcdev), unmodified, against a real `mockown serve --tls`.

sfmc-sdk refuses any `auth_url` but `https://<28 chars>.auth.marketingcloudapis.com/`, so the server runs with
`--tls` (its local CA signs the `*.marketingcloudapis.com` names) and `tests/interop/sfmc_sdk/scenarios.mjs`
gives the SDK's own axios instance an HTTPS agent that connects those hosts to the mock: the SDK sends the real
Host and SNI. It checks the client_credentials token (JSON body with `account_id`), its reuse until expiry by
the SDK's own clock, a forced renewal (both tokens stay valid), `account_id` and `scope`, the exact errors, and a
REST call on the `rest_instance_url` it got back, which mockown does not emulate (a clear 404). sfmc-sdk calls
nothing at start-up: the first request is `POST /v2/token`.

Pinned to 2.1.2 (engines `node >=18`). Run only this: `make soak SOAK_TESTS=tests/interop/test_sfmc_sdk.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.interop.npm_support import install, require_node, run_scenarios, scenario
from tests.reliability.support import SOAK
from tests.server_support import serve_process

pytestmark = [pytest.mark.soak, pytest.mark.skipif(not SOAK, reason="the long profile: make soak (MOCKOWN_SOAK=1)")]

SDK_VERSION = "2.1.2"
SCRIPT = Path(__file__).with_name("sfmc_sdk") / "scenarios.mjs"
SUB = "mcmockowndemo000000000000000"
AUTH = f"https://{SUB}.auth.marketingcloudapis.com/"
DOCS = "https://developer.salesforce.com/docs"


def _answers_https(url: str) -> bool:
    httpx.get(url.replace("http://", "https://", 1) + "/services/data", timeout=1.0, verify=False)  # any answer
    return True


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """Every scenario's line, by name, from one run of the script against a fresh HTTPS server."""
    require_node()
    home = install("sfmc-sdk", SDK_VERSION)
    tls = tmp_path_factory.mktemp("tls")
    env = {**os.environ, "MOCKOWN_TLS_DIR": str(tls)}
    with serve_process(["--tls"], env, _answers_https) as server:
        config = {
            "home": str(home),
            "url": server.url.replace("http://", "https://", 1),
            "ca": str(tls / "ca.pem"),
            "subdomain": SUB,
            "clientId": "mockowndemoserver0000000a",
            "clientSecret": "MockownMcServerSecret000",
            "mid": 10123456,
            "otherMid": 10123457,
            "foreignMid": 10123458,
        }
        seen = run_scenarios(SCRIPT, config)
    yield seen


def test_client_credentials_token_and_its_reuse(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "client_credentials")
    # the SDK keeps its config and the token response in one object, with its own `expiration`
    assert s["keys"] == [
        "access_token",
        "account_id",
        "auth_url",
        "client_id",
        "client_secret",
        "expiration",
        "expires_in",
        "rest_instance_url",
        "scope",
        "soap_instance_url",
        "token_type",
    ]
    assert (s["tokenType"], s["expiresIn"], s["hasRefreshToken"], s["tokenSegments"]) == ("Bearer", 1079, False, 4)
    assert s["restInstanceUrl"] == f"https://{SUB}.rest.marketingcloudapis.com/"  # trailing slash
    assert s["soapInstanceUrl"] == f"https://{SUB}.soap.marketingcloudapis.com/"
    assert s["sent"] == [
        {
            "method": "post",
            "url": f"{AUTH}v2/token",
            "keys": ["account_id", "client_id", "client_secret", "grant_type"],
            "grant": "client_credentials",
            "accountId": 10123456,  # a JSON number
        }
    ]
    assert (s["reused"], s["tokenRequests"], s["refreshes"]) == (True, 1, 1)
    assert (s["userinfoStatus"], s["memberId"]) == (200, 10123456)


def test_a_forced_renewal_leaves_the_old_token_valid(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "force_refresh_keeps_the_old_token")
    assert (s["differs"], s["oldStatus"], s["newStatus"]) == (True, 200, 200)


def test_account_id_and_scope(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "account_id_and_scope")
    assert (s["scope"], s["memberId"]) == ("email_read email_write", 10123457)  # a numeric string MID


def test_refusals_reach_the_sdk_as_rest_errors(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "refused")
    described = (
        "Client authentication failed. Make sure that the client ID and client secret are valid and that the "
        "package is installed and enabled."
    )
    assert s["badSecret"] == {
        "name": "RestError",
        "code": "invalid_client",
        "message": described,
        "status": 401,
        "body": {"error": "invalid_client", "error_description": described, "error_uri": DOCS},
    }
    assert (s["foreignMid"]["name"], s["foreignMid"]["code"], s["foreignMid"]["status"]) == (
        "RestError",
        "unauthorized_client",
        401,
    )


def test_a_rest_call_on_the_instance_url_fails_clearly(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "rest_call_on_the_instance_url")
    assert s["urls"] == [f"{AUTH}v2/token", f"https://{SUB}.rest.marketingcloudapis.com/platform/v1/endpoints"]
    out = s["outcome"]
    assert (out["name"], out["status"]) == ("RestError", 404)
    assert out["message"] == "no such resource: /platform/v1/endpoints"  # RestError reads the body's `message`
    assert out["body"] == {"error": "Not Found", "message": out["message"]}
    assert s["refreshes"] == 1  # a 404, not a 401: no renewal and retry


def test_the_sdk_renews_only_by_its_own_clock(seen: dict[str, dict[str, Any]]) -> None:
    s = scenario(seen, "server_clock_past_expiry")
    # the mock's clock moved an hour: the token is dead there, but sfmc-sdk still hands it out until asked
    assert (s["sameToken"], s["staleStatus"]) == (True, 401)
    assert (s["forcedDiffers"], s["forcedStatus"]) == (True, 200)

"""`salesforce.wording`: the error descriptions Salesforce does not document are the mock's defaults, and a team
can set each to what its real org answers. The error codes stay the documented ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.config import ConfigError
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from tests.conftest import CID, SECRET, T0
from tests.salesforce.helpers import TOKEN, exchange, get_code, new_org, pkce_pair

WORDING = {
    "pkce_missing_verifier": "PKCE: no verifier",
    "pkce_wrong_verifier": "PKCE: wrong verifier",
    "code_invalid": "code: unknown",
    "code_reused": "code: used twice",
    "code_expired": "code: too old",
    "cc_no_user": "cc: no run-as user",
    "device_pending": "device: waiting",
    "device_expired": "device: too old",
}


@pytest.fixture(params=["default", "custom"])
def worded(request: pytest.FixtureRequest) -> Iterator[tuple[httpx.Client, FrozenClock, Runtime, dict[str, str]]]:
    """A client on a server with the default wording, and one with every text replaced; and the texts expected."""
    clock = FrozenClock(T0)
    if request.param == "custom":
        config = Config().replace(salesforce={"wording": WORDING})
        expected = WORDING
    else:
        config = Config()
        expected = {
            "pkce_missing_verifier": "invalid code verifier",
            "pkce_wrong_verifier": "invalid code verifier",
            "code_invalid": "invalid authorization code",
            "code_reused": "invalid authorization code",
            "code_expired": "expired authorization code",
            "cc_no_user": "no client credentials user enabled",
            "device_pending": "authorization pending",
            "device_expired": "device code expired",
        }
    app = create_app(config, clock=clock)
    with in_process_client(app) as client:
        yield client, clock, app.state.runtime, expected


def error(response: httpx.Response) -> tuple[int, str, str]:
    body: dict[str, Any] = response.json()
    return response.status_code, body["error"], body["error_description"]


def test_pkce_descriptions(worded: tuple[httpx.Client, FrozenClock, Runtime, dict[str, str]]) -> None:
    client, _, _, expected = worded
    verifier, challenge = pkce_pair()
    code = get_code(client, code_challenge=challenge)
    assert error(exchange(client, code)) == (400, "invalid_grant", expected["pkce_missing_verifier"])
    code = get_code(client, code_challenge=challenge)
    wrong = exchange(client, code, code_verifier=verifier + "x")
    assert error(wrong) == (400, "invalid_request", expected["pkce_wrong_verifier"])
    code = get_code(client, code_challenge=challenge)
    assert exchange(client, code, code_verifier=verifier).status_code == 200


def test_code_descriptions(worded: tuple[httpx.Client, FrozenClock, Runtime, dict[str, str]]) -> None:
    client, clock, _, expected = worded
    assert error(exchange(client, "aPrxNoSuchCode==")) == (400, "invalid_grant", expected["code_invalid"])
    code = get_code(client)
    assert exchange(client, code).status_code == 200
    assert error(exchange(client, code)) == (400, "invalid_grant", expected["code_reused"])
    code = get_code(client)
    clock.advance(15 * 60)
    assert error(exchange(client, code)) == (400, "invalid_grant", expected["code_expired"])


def test_client_credentials_description(worded: tuple[httpx.Client, FrozenClock, Runtime, dict[str, str]]) -> None:
    client, _, runtime, expected = worded
    org = new_org(runtime, client_credentials_user=None)
    r = client.post(TOKEN, data={"grant_type": "client_credentials"}, auth=(org["client_id"], org["secret"]))
    assert error(r) == (400, "invalid_grant", expected["cc_no_user"])
    assert client.post(TOKEN, data={"grant_type": "client_credentials"}, auth=(CID, SECRET)).status_code == 200


def test_device_descriptions(worded: tuple[httpx.Client, FrozenClock, Runtime, dict[str, str]]) -> None:
    client, clock, _, expected = worded
    started = client.post(TOKEN, data={"response_type": "device_code", "client_id": "PlatformCLI"}).json()
    poll = {"grant_type": "device", "client_id": "PlatformCLI", "code": started["device_code"]}
    assert error(client.post(TOKEN, data=poll)) == (400, "authorization_pending", expected["device_pending"])
    clock.advance(600)
    assert error(client.post(TOKEN, data=poll)) == (400, "expired_token", expected["device_expired"])


def test_wording_from_the_environment() -> None:
    config = Config.load(env={"MOCKOWN_SALESFORCE__WORDING__CODE_REUSED": "invalid_grant: reused"})
    assert config.salesforce.wording.code_reused == "invalid_grant: reused"
    assert config.salesforce.wording.code_expired == "expired authorization code"


def test_unknown_wording_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown setting salesforce\.wording\.code_reuse "):
        Config.load(overrides={"salesforce": {"wording": {"code_reuse": "x"}}})

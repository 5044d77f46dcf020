"""`private_key_jwt` client authentication (RFC 7523 §2.2), which the discovery document advertises: an RS256
client assertion signed with the key of the app's certificate stands in for the consumer secret at the token
and introspection endpoints. Found by Authlib's `PrivateKeyJWT` (tests/interop), which the mock used to refuse
with `invalid_client_id` although its discovery document lists the method."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockown.runtime import Runtime
from tests.conftest import CID, SECRET

from .flows.support import IDP_KEY, JWT_KEY, NOW, TOKEN, new_org
from .flows.support import assertion as signed

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def client_assertion(key: str = JWT_KEY, **claims: Any) -> str:
    body: dict[str, Any] = {"iss": CID, "sub": CID, "aud": "http://testserver/services/oauth2/token"}
    body.update({"exp": NOW + 300, "jti": "j1", **claims})
    return signed(key, **body)


def cc(client: httpx.Client, value: str | None = None, **extra: str) -> httpx.Response:
    data = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE}
    data["client_assertion"] = client_assertion() if value is None else value
    return client.post(TOKEN, data={**data, **extra})


def test_assertion_replaces_the_secret(client: httpx.Client) -> None:
    answer = cc(client)
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    seen = client.post(
        "/services/oauth2/introspect",
        data={"token": token, "client_assertion_type": ASSERTION_TYPE, "client_assertion": client_assertion()},
    )
    assert seen.status_code == 200 and seen.json()["active"] is True


@pytest.mark.parametrize(
    "aud", ["https://login.salesforce.com", "http://testserver", "http://testserver/services/oauth2/token/"]
)
def test_accepted_audiences(client: httpx.Client, aud: str) -> None:
    assert cc(client, client_assertion(aud=aud)).status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        client_assertion(IDP_KEY),  # another key
        client_assertion(sub="someone-else"),
        client_assertion(aud="https://elsewhere.example.com/token"),
        client_assertion(aud=["http://testserver/services/oauth2/token"]),
        client_assertion(exp=NOW - 181),  # past the 180 s skew
        client_assertion(exp=None),
        "not-a-jwt",
    ],
)
def test_bad_assertions_are_invalid_client(client: httpx.Client, value: str) -> None:
    answer = cc(client, value)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_client", answer.text


def test_wrong_assertion_type_and_missing_assertion(client: httpx.Client) -> None:
    data = {"grant_type": "client_credentials", "client_assertion": client_assertion()}
    assert client.post(TOKEN, data={**data, "client_assertion_type": "x"}).json()["error"] == "invalid_client"
    only_type = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE}
    assert client.post(TOKEN, data=only_type).json()["error"] == "invalid_client"


def test_issuer_names_the_client(client: httpx.Client) -> None:
    assert cc(client, client_assertion(iss="nobody", sub="nobody")).json()["error"] == "invalid_client_id"
    assert cc(client, client_id="other-client").json()["error"] == "invalid_client_id"  # body disagrees
    assert cc(client, client_id=CID).status_code == 200  # body agrees


def test_app_without_certificate_cannot_use_it(client: httpx.Client, runtime: Runtime) -> None:
    app = new_org(runtime, client_credentials_user=None)["app"]
    value = client_assertion(iss=app["client_id"], sub=app["client_id"])
    assert cc(client, value).json()["error"] == "invalid_client"


def test_a_client_secret_wins_over_an_assertion(client: httpx.Client) -> None:
    """Salesforce looks for the assertion only when no `client_secret` is given."""
    forged = client_assertion(IDP_KEY)
    assert cc(client, forged, client_id=CID, client_secret=SECRET).status_code == 200
    assert cc(client, client_assertion(), client_id=CID, client_secret="wrong").json()["error"] == "invalid_client"


def test_assertion_with_authorization_code_and_jwt_bearer_untouched(client: httpx.Client) -> None:
    """The JWT bearer grant (`assertion`, no client auth) is not client authentication: unchanged."""
    from .flows.support import jwt_bearer

    assert jwt_bearer(client, signed()).status_code == 200


def test_device_flow_start_checks_a_given_assertion(client: httpx.Client) -> None:
    """As a secret given at the device flow's start is checked, so is an assertion: a forged one is refused."""
    start = {"response_type": "device_code", "client_assertion_type": ASSERTION_TYPE}
    forged = client.post(TOKEN, data={**start, "client_assertion": client_assertion(IDP_KEY)})
    assert forged.status_code == 400 and forged.json()["error"] == "invalid_client", forged.text
    assert "device_code" in client.post(TOKEN, data={**start, "client_assertion": client_assertion()}).json()


@pytest.mark.parametrize("path", [TOKEN, "/services/oauth2/introspect"])
def test_every_refused_assertion_gets_the_invalid_client_status(path: str) -> None:
    """`invalid_client_status` is the status of `invalid_client`, whether the assertion is unreadable, of the
    wrong type, missing or wrongly signed (as a wrong secret's)."""
    from mockown import Config, FrozenClock, create_app
    from mockown.config import SalesforceSettings
    from mockown.http.inprocess import in_process_client
    from tests.conftest import T0

    app = create_app(Config(salesforce=SalesforceSettings(invalid_client_status=401)), clock=FrozenClock(T0))
    base = {"grant_type": "client_credentials", "token": "x", "client_assertion_type": ASSERTION_TYPE}
    with in_process_client(app) as c:
        for data in [
            {**base, "client_assertion": client_assertion(IDP_KEY)},  # wrongly signed
            {**base, "client_assertion": "not-a-jwt"},
            {**base, "client_assertion": client_assertion(), "client_assertion_type": "x"},
            base,  # no assertion
            {"grant_type": "client_credentials", "token": "x", "client_id": CID, "client_secret": "wrong"},
        ]:
            answer = c.post(path, data=data)
            assert answer.status_code == 401 and answer.json()["error"] == "invalid_client", answer.text
        garbled = c.post(
            path, data={"grant_type": "client_credentials", "token": "x"}, headers={"authorization": "Basic !"}
        )
        assert garbled.status_code == 401 and garbled.json()["error"] == "invalid_client", garbled.text


@pytest.mark.parametrize(
    ("aud", "status"),
    [("https://acme.my.salesforce.com", 400), ("https://acme.my.salesforce.com/services/oauth2/token", 200),
     ("https://login.salesforce.com", 200)],
)  # fmt: skip
def test_on_a_my_domain_its_own_url_is_no_audience(app: Any, aud: str, status: int) -> None:
    """As in the JWT bearer flow, a My Domain's own URL is not an accepted `aud` ("audience is invalid" there);
    the token endpoint's URL (RFC 7523) and the login host are."""
    from mockown.http.inprocess import in_process_client

    with in_process_client(app, base_url="https://acme.my.salesforce.com") as my_domain:
        answer = cc(my_domain, client_assertion(aud=aud))
    assert answer.status_code == status, answer.text
    if status == 400:
        assert answer.json()["error"] == "invalid_client"

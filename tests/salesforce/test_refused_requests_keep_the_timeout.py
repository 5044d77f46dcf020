"""A request that refuses a session does not reset its timeout: only a successful request does (spec 10, [OBS]
"Making a successful request to the Salesforce API resets the session timeout"). Each case uses a 2-hour session
90 minutes after its issue (past half its timeout, where a use slides it), then looks 45 minutes later: a refusal
that had touched it would have kept it alive."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import jwt
import pytest

from mockown.runtime import Runtime
from tests.salesforce.flows.support import JWT_KEY, URN
from tests.salesforce.flows.test_token_exchange import exchange as token_exchange
from tests.salesforce.helpers import introspect, password_token, rest

OTHER_ORG = "00D000000000001EAA"
ADMIN_18 = "005g000000Adm1NAAR"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _rest_without_api(client: httpx.Client, token: str) -> int:
    return rest(client, token).status_code


def _singleaccess_without_web(client: httpx.Client, token: str) -> int:
    return client.post("/services/oauth2/singleaccess", headers=_bearer(token)).status_code


def _identity_of_another_org(client: httpx.Client, token: str) -> int:
    return client.get(f"/id/{OTHER_ORG}/{ADMIN_18}", headers=_bearer(token)).status_code  # Wrong_Org


def _identity_of_no_user(client: httpx.Client, token: str) -> int:
    org = introspect(client, token)["sub"].split("/")[-2]
    return client.get(f"/id/{org}/005000000000001", headers=_bearer(token)).status_code  # Bad_Id


def _identity_bad_version(client: httpx.Client, token: str) -> int:
    org = introspect(client, token)["sub"].split("/")[-2]
    return client.get(f"/id/{org}/{ADMIN_18}", params={"version": "1.5"}, headers=_bearer(token)).status_code


def _identity_bad_callback(client: httpx.Client, token: str) -> int:
    """A JSONP `callback` that is no function name: 406 `Invalid_Callback`, checked after the session was found."""
    org = introspect(client, token)["sub"].split("/")[-2]
    return client.get(f"/id/{org}/{ADMIN_18}", params={"callback": "1bad"}, headers=_bearer(token)).status_code


def _userinfo_bad_callback(client: httpx.Client, token: str) -> int:
    return client.get("/services/oauth2/userinfo", params={"callback": "a..b"}, headers=_bearer(token)).status_code


def _frontdoor_without_web(client: httpx.Client, token: str) -> int:
    response = client.get("/secur/frontdoor.jsp", params={"sid": token, "retURL": "/home"})
    assert response.headers.get("location") != "/home"  # no browser session
    return response.status_code


def _exchange_without_actor(client: httpx.Client, token: str) -> int:
    return token_exchange(client, token, "access_token").status_code


REFUSALS: dict[str, tuple[str, Callable[[httpx.Client, str], int], int]] = {
    "rest-without-api": ("id", _rest_without_api, 401),
    "singleaccess-without-web": ("api", _singleaccess_without_web, 403),
    "identity-of-another-org": ("api id", _identity_of_another_org, 403),
    "identity-of-no-user": ("api id", _identity_of_no_user, 404),
    "identity-bad-version": ("api id", _identity_bad_version, 406),
    "identity-bad-callback": ("api id", _identity_bad_callback, 406),
    "userinfo-bad-callback": ("api id", _userinfo_bad_callback, 406),
    "frontdoor-without-web": ("api", _frontdoor_without_web, 302),
    "exchange-without-actor": ("api", _exchange_without_actor, 400),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_refused_request_does_not_reset_the_session_timeout(
    client: httpx.Client, runtime: Runtime, case: str
) -> None:
    scope, request, status = REFUSALS[case]
    token = password_token(client, scope=scope).json()["access_token"]
    runtime.clock.advance("90m")
    assert request(client, token) == status
    runtime.clock.advance("45m")  # 2 h 15 min after issue, 45 min after the refused request
    assert introspect(client, token)["active"] is False
    assert rest(client, token).status_code == 401


def test_a_served_request_resets_it(client: httpx.Client, runtime: Runtime) -> None:
    """The other side: REST, the identity URL, userinfo, singleaccess and an asset token served at 90 minutes
    each keep their session alive 45 minutes later."""
    actor = jwt.encode({"did": "device-42"}, JWT_KEY, "RS256")
    served: list[Callable[[str], httpx.Response]] = [
        lambda t: rest(client, t),
        lambda t: client.get(introspect(client, t)["sub"].replace("http://testserver", ""), headers=_bearer(t)),
        lambda t: client.get("/services/oauth2/userinfo", headers=_bearer(t)),
        lambda t: client.post("/services/oauth2/singleaccess", headers=_bearer(t)),
        lambda t: token_exchange(client, t, "access_token", actor_token=actor, actor_token_type=URN + "jwt"),
    ]
    tokens = [password_token(client, scope="api id web").json()["access_token"] for _ in served]
    runtime.clock.advance("90m")
    assert [call(token).status_code for call, token in zip(served, tokens, strict=True)] == [200] * len(served)
    runtime.clock.advance("45m")
    assert [introspect(client, token)["active"] for token in tokens] == [True] * len(served)

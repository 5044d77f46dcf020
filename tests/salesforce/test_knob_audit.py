"""Salesforce settings for what the spec leaves [UNK] (salesforce-oauth.md): each one, set away from its default,
changes the wire answer; the default keeps the answer the other tests pin."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.config import ConfigError
from mockown.http.inprocess import in_process_client
from tests.conftest import ADMIN, ADMIN_ID, CID, ORG, PASSWORD, SECRET
from tests.salesforce.helpers import code_tokens

REST = "/services/data/v60.0/sobjects"


def _client(clock: FrozenClock, **settings: Any) -> httpx.Client:
    return in_process_client(create_app(Config().replace(salesforce=settings), clock=clock))


def _token(c: httpx.Client, scope: str | None = None) -> str:
    data = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    response = c.post("/services/oauth2/token", data={**data, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def test_rest_401_challenge_is_a_setting(clock: FrozenClock) -> None:
    """Spec 9.1: 'WWW-Authenticate on 401: [UNK]'. Set, every REST 401 (no, unknown or revoked token) carries it;
    the body stays the INVALID_SESSION_ID list clients parse."""
    with _client(clock, rest_www_authenticate="Token") as c:
        for headers in ({}, {"Authorization": "Bearer nope"}):
            response = c.get(REST, headers=headers)
            assert response.status_code == 401 and response.headers["www-authenticate"] == "Token"
            assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"
        token = _token(c)
        assert c.get(REST, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert "www-authenticate" not in c.get(REST, headers={"Authorization": f"Bearer {token}"}).headers


def test_rest_401_has_no_challenge_by_default(client: httpx.Client) -> None:
    response = client.get(REST, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and "www-authenticate" not in response.headers


def test_rest_401_challenge_must_be_one_header_line() -> None:
    with pytest.raises(ConfigError, match="rest_www_authenticate"):
        Config.load(env={"MOCKOWN_SALESFORCE__REST_WWW_AUTHENTICATE": "Token\r\nSet-Cookie: x=1"})


def test_device_code_ttl_and_expired_error(clock: FrozenClock) -> None:
    """Spec 3.7: 'slow_down/expiry codes [UNK]': a device code lives device_code_ttl and then answers
    device_expired_error with the wording's device_expired text (the lifetimes test reads the defaults only)."""
    settings = {"device_code_ttl": 120, "device_expired_error": "invalid_grant", "wording": {"device_expired": "gone"}}
    with _client(clock, **settings) as c:
        start = c.post("/services/oauth2/token", data={"response_type": "device_code", "client_id": CID})
        assert start.status_code == 200, start.text
        poll = {"grant_type": "device", "client_id": CID, "code": start.json()["device_code"]}
        clock.advance(119)
        assert c.post("/services/oauth2/token", data=poll).json()["error"] == "authorization_pending"
        clock.advance(1)
        body = c.post("/services/oauth2/token", data=poll).json()
        assert (body["error"], body["error_description"]) == ("invalid_grant", "gone")


def test_device_interval(clock: FrozenClock) -> None:
    """Spec 3.7 (slow_down UNK, RFC 8628): the start's interval and the slow_down threshold are device_interval."""
    with _client(clock, device_interval=2) as c:
        start = c.post("/services/oauth2/token", data={"response_type": "device_code", "client_id": CID})
        assert start.json()["interval"] == 2
        poll = {"grant_type": "device", "client_id": CID, "code": start.json()["device_code"]}
        assert c.post("/services/oauth2/token", data=poll).json()["error"] == "authorization_pending"
        clock.advance(2)  # the default 5 s would still be slow_down here
        assert c.post("/services/oauth2/token", data=poll).json()["error"] == "authorization_pending"
        clock.advance(1)
        assert c.post("/services/oauth2/token", data=poll).json()["error"] == "slow_down"


IDENTITY_STATUSES = {
    "missing_oauth_token_status": 401,
    "wrong_org_status": 404,
    "bad_id_status": 400,
    "no_access_status": 403,
    "inactive_status": 410,
}


def test_identity_url_error_statuses(clock: FrozenClock) -> None:
    """Spec 6.2: the identity URL's error table is 'recalled, not verified' [UNK/INF] (spec 12 lists it among the
    unknowns worth making configurable): each word's status is a setting; the words stay, and the observed
    403 Bad_OAuth_Token stays fixed."""
    with _client(clock, identity_statuses=IDENTITY_STATUSES) as c:

        def get(path: str, scope: str | None = "full") -> tuple[int, str]:
            headers = {"Authorization": f"Bearer {code_tokens(c, scope=scope)['access_token']}"} if scope else {}
            r = c.get(path, headers=headers)
            return r.status_code, r.text

        assert get(f"/id/{ORG}/{ADMIN_ID}", None) == (401, "Missing_OAuth_Token")
        assert get("/id/00D5g000004Dev2EAC/" + ADMIN_ID) == (404, "Wrong_Org")
        assert get(f"/id/{ORG}/005g000000Nope1AAA") == (400, "Bad_Id")
        assert get(f"/id/{ORG}/notanid") == (400, "Bad_Id")
        assert get(f"/id/{ORG}/005g000000Int3GAAR", "id") == (403, "No_Access")
        assert get(f"/id/{ORG}/005g000000InactAAB") == (410, "Inactive")
        r = c.get(f"/id/{ORG}/{ADMIN_ID}", headers={"Authorization": "Bearer garbage"})
        assert (r.status_code, r.text) == (403, "Bad_OAuth_Token")


def test_an_identity_status_must_be_an_error_status() -> None:
    with pytest.raises(ConfigError, match=r"identity_statuses\.bad_id_status"):
        Config.load(env={"MOCKOWN_SALESFORCE__IDENTITY_STATUSES__BAD_ID_STATUS": "200"})

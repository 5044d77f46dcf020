"""SLAS rules that the third hand-driven mutation audit (mockown/b2c/slas.py) showed no test would miss if broken:
each test names the mutant it kills and passes on the real code."""

from __future__ import annotations

import httpx
import jwt

from mockown import FrozenClock
from mockown.b2c.models import SlasClient
from mockown.runtime import Runtime

from .test_slas import BASE, ORG, PRIVATE, SECRET, basic, private_guest, problem


def test_access_token_nbf_allows_a_verifier_whose_clock_is_behind(client: httpx.Client, clock: FrozenClock) -> None:
    """The SLAS access token is valid from 30 seconds before it was issued (`nbf` = `iat` - 30), so a resource server
    whose clock runs a few seconds behind SLAS's does not refuse a token it was just given as not yet valid (kills
    `nbf` = now: the tokens' `nbf` and `iat` were never compared)."""
    token = private_guest(client).json()["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iat"] == int(clock.now())
    assert claims["nbf"] == claims["iat"] - 30


def test_a_refresh_token_introspects_with_offline_access_first(client: httpx.Client, clock: FrozenClock) -> None:
    """SLAS /introspect of a refresh token answers `scope` led by `offline_access` (the documented example:
    `"scope":"offline_access openid"`, `"token_type":"refresh_token"`; kills the refresh token's scope answered as
    stored, without `offline_access`)."""
    tokens = private_guest(client).json()
    seen = client.post(BASE + "/introspect", data={"token": tokens["refresh_token"]}, headers=basic(PRIVATE, SECRET))
    body = seen.json()
    assert seen.status_code == 200 and body["active"] is True and body["token_type"] == "refresh_token"
    assert body["scope"].split()[0] == "offline_access"
    assert body["iat"] == int(clock.now())
    access = client.post(BASE + "/introspect", data={"token": tokens["access_token"]}, headers=basic(PRIVATE, SECRET))
    assert access.json()["token_type"] == "access_token"


def test_a_guest_session_introspects_as_the_guest(client: httpx.Client) -> None:
    """A guest's tokens introspect with `upn:Guest` in `sub` (as its `isb` names it: `uido:ecom::upn:Guest`), not
    with the login the session was made under (kills the guest/registered choice dropped from `_sub`)."""
    tokens = private_guest(client).json()
    for kind in ("access_token", "refresh_token"):
        body = client.post(BASE + "/introspect", data={"token": tokens[kind]}, headers=basic(PRIVATE, SECRET)).json()
        assert body["sub"] == f"usid:{tokens['usid']}::uido:ecom::upn:Guest", kind


def test_an_issuer_subject_of_exactly_256_characters_is_refused(
    client: httpx.Client, runtime: Runtime, clock: FrozenClock
) -> None:
    """The `isb` claim "must be less than 256 characters" (spec 2c): 255 is issued, 256 is the 400 (kills `>=` moved to
    `>` in `_issue`; the existing test went far over). A trusted-system `isb` grows by two per character of the
    login (upn and uidn), so a channel one character longer gives the even length."""
    clients = runtime.store.table(SlasClient)
    private = clients.get(f"{ORG}|{PRIVATE}")
    assert private is not None
    private.channels = [*private.channels, "RefArch2"]
    clients.put(private)
    data = {
        "grant_type": "client_credentials",
        "hint": "ts_ext_on_behalf_of",
        "login_id": "x" * 75 + "@idp.test",
        "idp_origin": "auth0",
        "client_id": PRIVATE,
    }
    issued = client.post(
        BASE + "/trusted-system/token", data={**data, "channel_id": "RefArch"}, headers=basic(PRIVATE, SECRET)
    )
    assert issued.status_code == 200, issued.text
    assert len(jwt.decode(issued.json()["access_token"], options={"verify_signature": False})["isb"]) == 255
    clock.advance(2)  # not the same login twice within a second (409 conflict)
    refused = client.post(
        BASE + "/trusted-system/token", data={**data, "channel_id": "RefArch2"}, headers=basic(PRIVATE, SECRET)
    )
    problem(refused, 400, "invalid_request", "Issuer Subject length must be less than 256 characters")

"""Races over real sockets: 100 clients at once against `mockown serve`, in memory and on a state file shared by
two worker processes. Each storm must end exactly as if its requests had run one after the other.

- 100 "Generate" clicks on the Edit Profile page for one user (the public way to make an Own API token) →
  exactly one token shown and stored, the other 99 refused with 409 ("revoke first").
- 100 uses of one refresh token of an app with rotation → exactly one new token pair; the 99 reuses of the
  rotated-out token then revoke the family (the new refresh token and its access token), as Salesforce does.
- 100 redemptions of one authorization code → exactly one token response; the replays revoke what it issued.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.persistence.servers import Server

from .support import OWNER, SOAK, code_form, get_code, introspect, seed_rotating_app, server, storm

N = 100
OWN_TOKEN = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
OWN_CLIENT = "0oa4c413eq8wwcEzP4h7"
API_TOKEN = re.compile(r"<code id='api-token'>([^<]+)</code>")


@pytest.fixture(scope="module", params=["memory", "sqlite"], ids=["memory", "sqlite-2-workers"])
def srv(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp: Path = tmp_path_factory.mktemp(f"storm-{request.param}")
    with server(tmp, request.param) as running:
        yield running


def test_generate_api_token_100_times_at_once_makes_one(srv: Server) -> None:
    email, password, user_id = OWNER
    with srv.client() as http:
        csrf = re.search(r"name='_csrf' value='([^']+)'", http.get("/own/profile").text)
        assert csrf
        r = http.post("/own/profile", data={"email": email, "password": password, "_csrf": csrf.group(1)})
        assert r.status_code == 200, r.text
        cookies = f"own_profile={r.cookies['own_profile']}; mockown_bid={http.cookies['mockown_bid']}"

    async def click(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post("/own/profile/token", data={"_csrf": csrf.group(1)}, headers={"Cookie": cookies})

    responses = storm(N, click, srv.base)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: N - 1}, statuses
    shown = [m.group(1) for r in responses if (m := API_TOKEN.search(r.text))]
    assert len(shown) == 1
    with srv.client() as http:
        stored = http.get("/_mockown/snapshot").json()["store"].get("own_api_tokens", [])
        assert [t["user_id"] for t in stored].count(str(user_id)) == 1, stored
        form = {"grant_type": "refresh_token", "client_id": OWN_CLIENT, "scope": "api:access"}
        ok = http.post(OWN_TOKEN, data={**form, "refresh_token": shown[0]})
        assert ok.status_code == 200, ok.text
        r = http.get("/api/v1/services", headers={"Authorization": f"Bearer {ok.json()['access_token']}"})
        assert r.status_code == 200, r.text


def test_one_rotating_refresh_token_used_100_times_at_once(srv: Server) -> None:
    with srv.client() as http:
        app = seed_rotating_app(http, rotation=True)
        first = http.post("/services/oauth2/token", data=code_form(app, get_code(http, app)))
        assert first.status_code == 200, first.text
        refresh = first.json()["refresh_token"]
    form = {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": app["client_id"]}
    form["client_secret"] = app["secret"]

    async def use(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post("/services/oauth2/token", data=form)

    responses = storm(N, use, srv.base)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 400: N - 1}, statuses
    assert all(r.json()["error"] == "invalid_grant" for r in responses if r.status_code == 400)
    won = next(r.json() for r in responses if r.status_code == 200)
    assert won["refresh_token"] != refresh
    with srv.client() as http:
        # the 99 reuses of the rotated-out token came after the rotation: the whole family is revoked
        assert not introspect(http, app, refresh)
        assert not introspect(http, app, won["refresh_token"])
        assert not introspect(http, app, won["access_token"])


def test_one_code_redeemed_100_times_at_once(srv: Server) -> None:
    with srv.client() as http:
        app = seed_rotating_app(http)
        code = get_code(http, app)
    form = code_form(app, code)

    async def redeem(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post("/services/oauth2/token", data=form)

    responses = storm(N, redeem, srv.base)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 400: N - 1}, statuses
    errors = {r.json()["error"] for r in responses if r.status_code == 400}
    assert errors == {"invalid_grant"}
    won = next(r.json() for r in responses if r.status_code == 200)
    with srv.client() as http:
        # a replayed code revokes what it issued (RFC 6749 §4.1.2): every replay came after the redemption
        assert not introspect(http, app, won["access_token"])
        assert not introspect(http, app, won["refresh_token"])


@pytest.mark.soak
@pytest.mark.skipif(not SOAK, reason="the long profile: make soak (MOCKOWN_SOAK=1)")
@pytest.mark.parametrize("round_", range(10))
def test_the_storms_again(srv: Server, round_: int) -> None:
    """`make soak`: ten more rounds of the refresh and code storms (each on a fresh app and code)."""
    test_one_rotating_refresh_token_used_100_times_at_once(srv)
    test_one_code_redeemed_100_times_at_once(srv)

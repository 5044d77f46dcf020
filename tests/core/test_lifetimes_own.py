"""Own lifetimes against the clock: the API token (180 days from creation, dead at that instant) and the access
token an exchange gives, whose `expires_in` (and JWT `exp`) must predict when the regional API stops taking it:
a client that re-exchanges at `issued + expires_in` never sees a 401 before then."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import jwt
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.own.service import OwnService
from tests.conftest import T0
from tests.own.conftest import OWNER, TOKEN_URL, exchange_form

START = FrozenClock(T0).now()
DAY = 86400
API_TTL = 180 * DAY
ACCESS_TTL = 3600


@contextmanager
def server(**own: object) -> Iterator[tuple[httpx.Client, FrozenClock, OwnService]]:
    clock = FrozenClock(T0)
    app = create_app(Config().replace(own=own) if own else Config(), clock=clock)
    with in_process_client(app) as client:
        yield client, clock, app.state.runtime.own


def services(client: httpx.Client, access: str) -> int:
    return client.get("/regions/app1/api/v1/services", headers={"Authorization": f"Bearer {access}"}).status_code


@settings(max_examples=20)
@given(
    exchanged=st.one_of(
        st.integers(API_TTL - ACCESS_TTL - 2, API_TTL - ACCESS_TTL + 2),
        st.integers(API_TTL - 3, API_TTL - 1),
        st.sampled_from([0, DAY, API_TTL - 1800, API_TTL - 1]),
    ),
    later=st.one_of(st.integers(0, 3), st.integers(ACCESS_TTL - 2, ACCESS_TTL + 2), st.sampled_from([1800, 10**6])),
)
def test_expires_in_predicts_when_the_access_token_stops_working(exchanged: int, later: int) -> None:
    with server() as (client, clock, own):
        raw = own.generate_api_token(OWNER)
        clock.advance(exchanged)
        response = client.post(TOKEN_URL, data=exchange_form(raw))
        assert response.status_code == 200, response.text
        body = response.json()
        expires_in = body["expires_in"]
        assert isinstance(expires_in, int) and 0 <= expires_in <= ACCESS_TTL
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == expires_in and claims["iat"] == START + exchanged
        clock.advance(later)
        assert services(client, body["access_token"]) == (200 if later < expires_in else 401)


@settings(max_examples=12)
@given(d=st.one_of(st.integers(API_TTL - 2, API_TTL + 2), st.sampled_from([0, API_TTL // 2, 10 * API_TTL])))
def test_api_token_lives_180_days_from_creation(d: int) -> None:
    with server() as (client, clock, own):
        raw = own.generate_api_token(OWNER)
        info = own.api_token_info(OWNER)
        assert info is not None and info["expires_at"] == "2026-06-30T00:00:00Z"  # T0 + 180 days
        clock.advance(d)
        response = client.post(TOKEN_URL, data=exchange_form(raw))
        assert response.status_code == (200 if d < API_TTL else 400), response.text


def test_without_revoke_cascade_the_access_token_keeps_its_full_hour() -> None:
    """`revoke_cascade: false`: an access token outlives its API token, so it gets its whole `expires_in`."""
    with server(revoke_cascade=False) as (client, clock, own):
        raw = own.generate_api_token(OWNER)
        clock.advance(API_TTL - 10)
        body = client.post(TOKEN_URL, data=exchange_form(raw)).json()
        assert body["expires_in"] == ACCESS_TTL
        clock.advance(ACCESS_TTL - 1)
        assert services(client, body["access_token"]) == 200


def test_clock_moved_back_never_advertises_a_negative_lifetime() -> None:
    with server() as (client, _clock, own):
        raw = own.generate_api_token(OWNER)
        assert client.post("/_mockown/clock", json={"set": START - 86400}).status_code == 200
        body = client.post(TOKEN_URL, data=exchange_form(raw)).json()
        assert 0 < body["expires_in"] <= ACCESS_TTL
        assert services(client, body["access_token"]) == 200


def test_outbox_keeps_sending_order_when_the_clock_moves_back() -> None:
    """The outbox lists e-mails oldest first and the plugin's `outbox.last()` takes the end of that list: an
    e-mail sent after the clock was moved back is still the last one sent (it sorted by its virtual send time)."""
    with server() as (client, clock, own):
        clock.advance("1d")
        own.generate_api_token(OWNER)
        assert client.post("/_mockown/clock", json={"set": START}).status_code == 200
        own.revoke_api_token(OWNER)
        subjects = [m["subject"] for m in client.get("/_mockown/outbox").json()["messages"]]
        assert len(subjects) == 2 and "revoked" in subjects[-1].lower(), subjects
        sent = [m["sent_at"] for m in client.get("/_mockown/outbox").json()["messages"]]
        assert sent[0] > sent[1]  # each keeps its own (virtual) send time


def test_an_api_token_with_under_a_second_left_is_not_exchanged() -> None:
    """`expires_in` is a whole number of seconds, at least 1 (contracts/own.yaml TokenResponse); with
    `revoke_cascade` the access token dies with its API token, so an exchange with less than a second of the API
    token left could only promise 0 (refused by the contract) or more than it delivers: it is `invalid_grant`,
    as at the expiry itself. One second left still gives a one-second access token."""
    with server() as (client, clock, own):
        raw = own.generate_api_token(OWNER)
        clock.advance(API_TTL - 1)
        body = client.post(TOKEN_URL, data=exchange_form(raw)).json()
        assert body["expires_in"] == 1
        clock.advance(0.5)
        refused = client.post(TOKEN_URL, data=exchange_form(raw))
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant", refused.text
        assert services(client, body["access_token"]) == 200  # the earlier access token still has its half second


@settings(max_examples=25)
@given(left=st.one_of(st.integers(1, 30), st.sampled_from([ACCESS_TTL, DAY])), delay=st.sampled_from([0.5, 10, 300]))
def test_an_exchange_always_gives_a_token_that_works_for_a_while(left: int, delay: float) -> None:
    """With the Own `propagation_delay` setting a fresh access token is refused (401) for `delay` seconds; with
    `revoke_cascade` it dies with its API token. An exchange whose API token has no more than `delay` (plus a
    second, expires_in's unit) left would give a token that is never usable: it is `invalid_grant`, as with under
    a second left (the client's remedy is the same: a new API token). Otherwise the token works from `delay` on
    until `expires_in`."""
    with server(propagation_delay=delay) as (client, clock, own):
        raw = own.generate_api_token(OWNER)
        clock.advance(API_TTL - left)
        response = client.post(TOKEN_URL, data=exchange_form(raw))
        if left - delay < 1:
            assert response.status_code == 400 and response.json()["error"] == "invalid_grant", response.text
            return
        assert response.status_code == 200, response.text
        body = response.json()
        assert services(client, body["access_token"]) == 401  # not yet propagated
        clock.advance(delay)
        assert body["expires_in"] > delay and services(client, body["access_token"]) == 200


def test_a_short_access_token_setting_is_not_blamed_on_the_api_token() -> None:
    """The refusal above is about the API token's life left: an access_token_ttl that is itself no longer than the
    delay (a configuration, not the client's API token) answers as it does without revoke_cascade, not with
    invalid_grant ('the refresh token is invalid or expired') for a fresh API token."""
    for cascade in (True, False):
        with server(access_token_ttl=5, propagation_delay=10, revoke_cascade=cascade) as (client, _clock, own):
            response = client.post(TOKEN_URL, data=exchange_form(own.generate_api_token(OWNER)))
            assert response.status_code == 200, (cascade, response.text)
            assert response.json()["expires_in"] == 5

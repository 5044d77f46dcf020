"""Marketing Cloud and B2C Commerce lifetimes against the clock: each token works while
`now < issued + expires_in` (the expiry instant itself is dead) and what the server advertises (`expires_in`,
`refresh_token_expires_in`, `exp`) predicts it."""

from __future__ import annotations

import jwt
from hypothesis import given
from hypothesis import strategies as st

from tests.b2c.test_ocapi import auth as ocapi_auth
from tests.b2c.test_slas import BASE as SLAS
from tests.b2c.test_slas import login as slas_login
from tests.b2c.test_slas import private_guest
from tests.b2c.test_slas import refresh as slas_refresh
from tests.core.lifetimes import FEW, START, around, bearer, server
from tests.marketing.test_marketing import BASE as MC
from tests.marketing.test_marketing import WEB, cc
from tests.marketing.test_marketing import code_for as mc_code
from tests.marketing.test_marketing import exchange as mc_exchange


@FEW
@given(data=st.data())
def test_marketing_cloud_access_token_lives_expires_in(data: st.DataObject) -> None:
    with server() as (client, clock, runtime):
        body = cc(client).json()
        ttl = body["expires_in"]
        assert ttl == runtime.config.marketing.access_token_ttl
        d = data.draw(around(ttl), label="d")
        assert client.get(f"{MC}/v2/userinfo", headers=bearer(body["access_token"])).json()["exp"] == START + ttl
        clock.advance(d)
        info = client.get(f"{MC}/v2/userinfo", headers=bearer(body["access_token"]))
        assert info.status_code == (200 if d < ttl else 401), info.text


@FEW
@given(data=st.data())
def test_slas_access_token_lives_expires_in(data: st.DataObject) -> None:
    with server() as (client, clock, runtime):
        body = private_guest(client).json()
        ttl = body["expires_in"]
        assert ttl == runtime.config.b2c.slas_expires_in
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        assert claims["exp"] == START + ttl and claims["iat"] == START
        d = data.draw(around(ttl), label="d")
        clock.advance(d)
        info = client.get(SLAS + "/userinfo", headers=bearer(body["access_token"]))
        assert info.status_code == (200 if d < ttl else 400), info.text


@FEW
@given(data=st.data())
def test_slas_refresh_token_expires_in_predicts_its_death(data: st.DataObject) -> None:
    """A private client's refresh keeps the same refresh token: each answer's `refresh_token_expires_in` counts
    down to the same instant, and the token is refused from that instant on."""
    with server() as (client, clock, runtime):
        body = private_guest(client).json()
        ttl = runtime.config.b2c.slas_guest_refresh_ttl
        assert body["refresh_token_expires_in"] == ttl
        first = data.draw(st.integers(0, ttl - 1), label="first")
        clock.advance(first)
        again = slas_refresh(client, body["refresh_token"], private=True)
        assert again.status_code == 200 and again.json()["refresh_token_expires_in"] == ttl - first
        d = data.draw(around(ttl - first), label="d")
        clock.advance(d)
        assert slas_refresh(client, body["refresh_token"], private=True).status_code == (
            200 if first + d < ttl else 400
        )


@FEW
@given(data=st.data())
def test_ocapi_jwt_lives_its_ttl(data: st.DataObject) -> None:
    with server() as (client, clock, runtime):
        ttl = runtime.config.b2c.ocapi_token_ttl
        token = ocapi_auth(client, "guest").headers["authorization"]
        claims = jwt.decode(token.removeprefix("Bearer "), options={"verify_signature": False})
        assert claims["exp"] == START + ttl
        d = data.draw(around(ttl), label="d")
        clock.advance(d)
        assert ocapi_auth(client, "refresh", {"Authorization": token}).status_code == (200 if d < ttl else 401)


def test_slas_login_after_the_clock_moved_back_is_no_double_login() -> None:
    """The 409 is for the same shopper logging in twice within 1 second; a login after the clock was moved back
    (a harness resetting time) is not one. Two logins at that instant still are."""
    with server() as (client, clock, _runtime):
        clock.advance(100)
        assert slas_login(client).status_code == 303
        assert client.post("/_mockown/clock", json={"set": START}).status_code == 200
        assert slas_login(client).status_code == 303
        assert slas_login(client).status_code == 409


def test_marketing_cloud_used_refresh_token_stays_used_when_the_clock_moves_back() -> None:
    """Rotation voids a refresh token on use (refresh_grace 0 by default); moving the clock back to before that
    use must not bring it back (it was usable again: `now < used_at + grace` held before the use)."""
    with server() as (client, clock, _runtime):
        body = mc_exchange(client, WEB, mc_code(client, WEB)).json()
        clock.advance(100)
        data = {"grant_type": "refresh_token", "refresh_token": body["refresh_token"], **WEB}
        assert client.post(f"{MC}/v2/token", json=data).status_code == 200
        assert client.post(f"{MC}/v2/token", json=data).status_code == 400  # used
        assert client.post("/_mockown/clock", json={"set": START}).status_code == 200
        assert client.post(f"{MC}/v2/token", json=data).status_code == 400  # still used


@FEW
@given(offset=st.one_of(st.integers(0, 3), st.integers(56, 64), st.integers(296, 304), st.integers(0, 10**6)))
def test_slas_rate_limit_windows_follow_the_clock(offset: int) -> None:
    """The 1- and 5-minute windows are aligned to the clock (T0 is aligned to both): `Reset` is the seconds left
    in the current window (never 0, never more than the window) and a new window starts its count afresh."""
    with server() as (client, clock, _runtime):
        clock.advance(offset)
        first, second = private_guest(client), private_guest(client)
        for name, size in (("1m", 60), ("5m", 300)):
            assert first.headers[f"x-ratelimit-{name}-reset"] == str(size - offset % size)
            used = int(first.headers[f"x-ratelimit-{name}-remaining"]) - int(
                second.headers[f"x-ratelimit-{name}-remaining"]
            )
            assert used == 1
        clock.advance(60 - offset % 60)  # the next 1-minute window
        third = private_guest(client)
        assert third.headers["x-ratelimit-1m-reset"] == "60"
        assert third.headers["x-ratelimit-1m-remaining"] == str(int(third.headers["x-ratelimit-1m-limit"]) - 1)

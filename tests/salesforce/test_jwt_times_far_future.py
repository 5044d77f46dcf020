"""JWT times (`exp`, `nbf`) at a far-future clock. A time above a fixed 1e11 (the year 5138 in seconds) was read
as milliseconds, so after 5138 (the clock goes to 8999-12-22) a valid assertion with `exp = now + 180` read as an
instant of 1973 and was refused as expired: the JWT bearer grant, `private_key_jwt` client assertions and
token-exchange subject tokens alike. `jwtutil.seconds` now tells milliseconds by the clock (`ms_threshold`):
seconds up to 1,000 years ahead are seconds at any clock, milliseconds near the clock still milliseconds, and
before the year 4138 every value reads as it always did."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.clock import CLOCK_LATEST, EARLIEST, LONGEST, iso
from mockown.http.inprocess import in_process_client
from mockown.salesforce.jwtutil import MS_THRESHOLD, seconds
from tests.conftest import ADMIN, CID, SECRET

from .flows.support import IDP_KEY, JWT_KEY, TOKEN, TOKEN_EXCHANGE, URN

CLOCKS = ["5200-01-01T00:00:00Z", iso(CLOCK_LATEST)]
CLIENT_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture(params=CLOCKS)
def far(request: pytest.FixtureRequest) -> Iterator[tuple[httpx.Client, int]]:
    clock = FrozenClock(request.param)
    with in_process_client(create_app(Config(), clock=clock)) as client:
        yield client, int(clock.now())


def jwt_bearer(client: httpx.Client, exp: Any) -> httpx.Response:
    claims = {"iss": CID, "sub": ADMIN, "aud": "https://login.salesforce.com", "exp": exp}
    assertion = jwt.encode(claims, JWT_KEY, algorithm="RS256")
    return client.post(
        TOKEN, data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
    )


def client_credentials(client: httpx.Client, exp: Any) -> httpx.Response:
    claims = {"iss": CID, "sub": CID, "aud": "http://testserver/services/oauth2/token", "exp": exp, "jti": "j1"}
    data = {"grant_type": "client_credentials", "client_assertion_type": CLIENT_ASSERTION}
    return client.post(TOKEN, data={**data, "client_assertion": jwt.encode(claims, JWT_KEY, algorithm="RS256")})


def exchange(client: httpx.Client, **times: Any) -> httpx.Response:
    claims = {"iss": "https://idp.mockown.test", "sub": "ext-1", "email": ADMIN, **times}
    data = {"grant_type": TOKEN_EXCHANGE, "client_id": CID, "client_secret": SECRET}
    data.update(subject_token=jwt.encode(claims, IDP_KEY, algorithm="RS256"), subject_token_type=URN + "jwt")
    return client.post(TOKEN, data=data)


def test_jwt_bearer_assertion_at_a_far_future_clock(far: tuple[httpx.Client, int]) -> None:
    client, now = far
    for exp in (now + 180, str(now + 180), now - 179, (now + 180) * 1000, str((now + 300) * 1000)):
        answer = jwt_bearer(client, exp)
        assert answer.status_code == 200, (exp, answer.text)
    for exp in (now - 181, str(now - 181), (now - 181) * 1000):
        # an expired assertion: the spec's [OBS] wording (salesforce-oauth.md, JWT bearer errors)
        assert jwt_bearer(client, exp).json() == {
            "error": "invalid_grant",
            "error_description": "expired authorization code",
        }


def test_private_key_jwt_client_assertion_at_a_far_future_clock(far: tuple[httpx.Client, int]) -> None:
    client, now = far
    for exp in (now + 300, str(now + 300), (now + 300) * 1000):
        answer = client_credentials(client, exp)
        assert answer.status_code == 200, (exp, answer.text)
    for exp in (now - 181, (now - 181) * 1000):
        assert client_credentials(client, exp).json()["error"] == "invalid_client"


def test_token_exchange_subject_times_at_a_far_future_clock(far: tuple[httpx.Client, int]) -> None:
    client, now = far
    for times in ({"exp": now + 300}, {"exp": (now + 300) * 1000}, {"exp": now + 300, "nbf": now - 60}):
        answer = exchange(client, **times)
        assert answer.status_code == 200, (times, answer.text)
    refused = {
        "expired subject token": [{"exp": now - 181}, {"exp": (now - 181) * 1000}],
        "subject token not yet valid": [{"exp": now + 900, "nbf": now + 600}, {"nbf": (now + 600) * 1000}],
    }
    for description, cases in refused.items():
        for times in cases:
            assert exchange(client, **times).json()["error_description"] == description, times


def _before(value: float) -> float:
    """The rule before: a fixed threshold."""
    return value / 1000 if value > MS_THRESHOLD else value


@given(
    now=st.floats(min_value=EARLIEST, max_value=CLOCK_LATEST),
    ahead=st.floats(min_value=-LONGEST, max_value=LONGEST),
)
def test_a_time_in_seconds_is_seconds_at_any_clock(now: float, ahead: float) -> None:
    assert seconds(now + ahead, now) == now + ahead


@given(now=st.integers(min_value=2 * 10**8, max_value=int(CLOCK_LATEST)), ahead=st.integers(-(10**7), 10**7))
def test_a_time_in_milliseconds_near_the_clock_is_milliseconds(now: int, ahead: int) -> None:
    assert seconds((now + ahead) * 1000, now) == now + ahead
    assert seconds(str((now + ahead) * 1000), now) == now + ahead


@given(
    now=st.floats(min_value=EARLIEST, max_value=MS_THRESHOLD - LONGEST),
    value=st.floats(min_value=-1e20, max_value=1e20) | st.integers(min_value=-(10**20), max_value=10**20),
)
def test_before_the_year_4138_every_time_reads_as_it_did(now: float, value: float) -> None:
    assert seconds(value, now) == _before(float(value))

"""Bad input never gets a 500 on the flows of this package: random parameters, tokens and bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.conftest import CID, SECRET

from .support import JWT_BEARER, JWT_KEY, TOKEN_EXCHANGE, URN

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
CLAIMS = st.dictionaries(
    st.sampled_from(["iss", "sub", "prn", "aud", "exp", "nbf", "email", "did", "x"]),
    JSONISH | st.sampled_from([CID, "admin@mockown.test", "https://login.salesforce.com", "https://idp.mockown.test"]),
    max_size=6,
)
KEYS = st.sampled_from(
    ["grant_type", "client_id", "client_secret", "assertion", "subject_token", "subject_token_type", "actor_token",
     "actor_token_type", "requested_token_type", "scope", "code", "response_type"]
)  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from([JWT_BEARER, TOKEN_EXCHANGE, "device", "hybrid_auth_code", "hybrid_refresh", "device_code",
                     URN + "jwt", URN + "access_token", URN + "saml2", CID, SECRET, "PlatformCLI"]),
)  # fmt: skip


@pytest.fixture(scope="module")
def fuzz_client() -> Iterator[httpx.Client]:
    with in_process_client(create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))) as c:
        yield c


def oauth_answer(r: httpx.Response) -> None:
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert set(r.json()) == {"error", "error_description"}


@FUZZ
@given(params=st.lists(st.tuples(KEYS, VALUES), max_size=8))
def test_token_endpoint_grants(fuzz_client: httpx.Client, params: list[tuple[str, str]]) -> None:
    oauth_answer(fuzz_client.post("/services/oauth2/token", content=urlencode(params), headers=FORM))


@FUZZ
@given(claims=CLAIMS, header=st.dictionaries(st.sampled_from(["kid", "typ", "x"]), st.text(max_size=5), max_size=2))
def test_signed_assertions_and_subject_tokens(
    fuzz_client: httpx.Client, claims: dict[str, object], header: dict[str, str]
) -> None:
    token = jwt.api_jws.PyJWS().encode(json.dumps(claims).encode(), JWT_KEY, algorithm="RS256", headers=header)
    oauth_answer(fuzz_client.post("/services/oauth2/token", data={"grant_type": JWT_BEARER, "assertion": token}))
    data = {"grant_type": TOKEN_EXCHANGE, "client_id": CID, "client_secret": SECRET, "subject_token": token}
    oauth_answer(fuzz_client.post("/services/oauth2/token", data={**data, "subject_token_type": URN + "jwt"}))


@FUZZ
@given(body=JSONISH)
def test_registration_bodies(fuzz_client: httpx.Client, body: object) -> None:
    headers = {"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN", "Content-Type": "application/json"}
    r = fuzz_client.post("/services/oauth2/register", content=json.dumps(body), headers=headers)
    assert r.status_code in (201, 400), r.text
    if r.status_code == 400:
        assert r.json()["error"] in ("invalid_client_metadata", "invalid_redirect_uri")


@FUZZ
@given(
    metadata=st.fixed_dictionaries(
        {"redirect_uris": st.lists(st.text(max_size=30), min_size=1, max_size=2)},
        optional={"jwks": JSONISH, "scope": JSONISH, "token_endpoint_auth_method": JSONISH, "contacts": JSONISH},
    )
)
def test_registration_metadata(fuzz_client: httpx.Client, metadata: dict[str, object]) -> None:
    headers = {"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN"}
    r = fuzz_client.post("/services/oauth2/register", json=metadata, headers=headers)
    assert r.status_code in (201, 400), r.text


@FUZZ
@given(
    path=st.sampled_from(["/setup/connect", "/services/oauth2/authorize/login", "/services/oauth2/authorize/consent"]),
    params=st.lists(
        st.tuples(
            st.sampled_from(["_csrf", "q", "action", "decision", "user_code", "username", "password"]),
            st.text(max_size=40),
        ),
        max_size=6,
    ),
)
def test_page_forms(fuzz_client: httpx.Client, path: str, params: list[tuple[str, str]]) -> None:
    r = fuzz_client.post(path, content=urlencode(params), headers=FORM)
    assert r.status_code in (200, 302, 400, 403), r.text

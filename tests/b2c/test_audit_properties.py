"""Adversarial properties of the B2C OAuth servers (spec part 2): whatever a client sends, the answer is one of
the endpoint's documented statuses in its own dialect, never a 5xx."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

APP = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
CLIENT = in_process_client(APP)
AM = "http://account.demandware.com/dwsso/oauth2/access_token"
SLAS = "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2"
OCAPI = "http://zzxy-001.dx.commercecloud.salesforce.com/s/RefArch/dw/shop/v24_5/customers/auth"
RATE = [f"x-ratelimit-{w}-{k}" for w in ("1m", "5m") for k in ("limit", "remaining", "reset")]

# credential halves rich in what form-url-decoding and Basic parsing trip over
HALF = st.lists(
    st.sampled_from(["%", "+", ":", "a", "F", "f", "0", "z", "é", "\x00", " ", "%ff", "%C3", "%2B", "%3A"]), max_size=12
).map("".join)
VALUE = st.one_of(st.text(max_size=40), st.sampled_from(["", "x" * 5000, "\ud7ff", "a%zz", "guest", "RefArch"]))


def am_shape(response: Any) -> None:
    assert response.status_code in (200, 400, 401), response.text
    assert response.headers["content-type"] == "application/json;charset=UTF-8"
    assert "x-ratelimit-remaining" in response.headers
    if response.status_code != 200:
        assert set(response.json()) == {"error", "error_description"}
    if response.status_code == 401:
        assert response.headers["www-authenticate"] == 'Basic realm="/"'


@settings(max_examples=150, deadline=None)
@given(
    left=HALF,
    right=HALF,
    grant=st.sampled_from(["client_credentials", "password", "refresh_token", "authorization_code", "x"]),
)
def test_am_any_basic_credential_gets_an_am_answer(left: str, right: str, grant: str) -> None:
    header = "Basic " + base64.b64encode(f"{left}:{right}".encode()).decode()
    am_shape(CLIENT.post(AM, data={"grant_type": grant}, headers={"Authorization": header}))


@settings(max_examples=150, deadline=None)
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "grant_type",
                "client_id",
                "client_secret",
                "scope",
                "username",
                "password",
                "code",
                "code_verifier",
                "redirect_uri",
                "refresh_token",
                "client_assertion_type",
                "client_assertion",
            ]
        ),
        VALUE,
    )
)
def test_am_any_form_gets_an_am_answer(fields: dict[str, str]) -> None:
    am_shape(CLIENT.post(AM, data=fields))


@settings(max_examples=150, deadline=None)
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "grant_type",
                "client_id",
                "channel_id",
                "code",
                "code_verifier",
                "redirect_uri",
                "refresh_token",
                "usid",
                "dnt",
                "login_id",
                "dwsid",
                "dwsgst",
                "hint",
                "idp_origin",
            ]
        ),
        VALUE,
    ),
    path=st.sampled_from(["/token", "/session-bridge/token", "/trusted-system/token", "/revoke", "/introspect"]),
    basic=st.booleans(),
)
def test_slas_any_form_gets_a_slas_answer(fields: dict[str, str], path: str, basic: bool) -> None:
    auth = ("mockown-slas-private", "MockownSlasSecret0001") if basic else None
    response = CLIENT.post(SLAS + path, data=fields, auth=auth)
    assert response.status_code in (200, 400, 401, 409), response.text
    assert all(name in response.headers for name in RATE)
    if response.status_code != 200:
        assert response.headers["content-type"] == "application/problem+json"
        assert set(response.json()) == {"error", "error_description"}


@settings(max_examples=150, deadline=None)
@given(
    query=st.dictionaries(
        st.sampled_from(
            ["client_id", "redirect_uri", "response_type", "hint", "code_challenge", "channel_id", "usid", "state"]
        ),
        VALUE,
    )
)
def test_slas_any_authorize_query_gets_a_slas_answer(query: dict[str, str]) -> None:
    response = CLIENT.get(SLAS + "/authorize", params=query)
    assert response.status_code in (303, 400, 401), response.text
    assert all(name in response.headers for name in RATE)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    body=st.one_of(JSON, st.fixed_dictionaries({"type": JSON})),
    authorization=st.sampled_from(
        [None, "Bearer ", "Bearer x", "Basic !!", "Basic " + base64.b64encode(b":").decode()]
    ),
    cookie=st.sampled_from([None, "dwsid=", "dwsid=nope", "dwsid=%ff"]),
)
def test_ocapi_any_auth_document_gets_a_fault(body: Any, authorization: str | None, cookie: str | None) -> None:
    headers = {"Content-Type": "application/json", "x-dw-client-id": "a" * 30}
    if authorization is not None:
        headers["Authorization"] = authorization
    if cookie is not None:
        headers["Cookie"] = cookie
    response = CLIENT.post(OCAPI, content=json.dumps(body).encode(), headers=headers)
    assert response.status_code in (200, 400, 401), response.text
    if response.status_code != 200:
        assert set(response.json()) == {"_v", "fault"} and {"type", "message"} <= set(response.json()["fault"])

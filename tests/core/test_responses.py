"""`http/responses.py` sends exactly what Starlette's JSONResponse would (body and header pairs, in order)."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import JSONResponse

from mockown.http.responses import JsonBody, JsonHeaders, Prepared
from tests.conftest import CID, SECRET

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
HEADER_SETS = st.sampled_from([{}, {"Cache-Control": "no-store", "Pragma": "no-cache"}, {"Sforce-Limit-Info": "x=1"}])
TYPES = st.sampled_from(["application/json", "application/json;charset=UTF-8"])


@given(JSON_VALUES, HEADER_SETS, TYPES, st.sampled_from([200, 201, 400]))
def test_json_body_is_starlettes_json_response(content: Any, headers: dict[str, str], media: str, status: int) -> None:
    ours = JsonBody(content, JsonHeaders(media, headers), status)
    theirs = JSONResponse(content, status_code=status, headers=headers, media_type=media)
    assert (ours.status_code, ours.body, ours.raw_headers) == (theirs.status_code, theirs.body, theirs.raw_headers)


def test_a_given_content_type_is_kept() -> None:
    ours = JsonBody({"a": 1}, JsonHeaders("application/json", {"Content-Type": "text/x-custom"}))
    theirs = JSONResponse({"a": 1}, headers={"Content-Type": "text/x-custom"}, media_type="application/json")
    assert ours.raw_headers == theirs.raw_headers


def test_prepared_bytes_carry_the_same_headers() -> None:
    body = b'{"issuer":"http://x"}'
    ours = Prepared(body, JsonHeaders("application/json;charset=UTF-8"))
    theirs = JSONResponse({"issuer": "http://x"}, media_type="application/json;charset=UTF-8")
    assert (ours.body, ours.raw_headers) == (theirs.body, theirs.raw_headers)


def test_the_endpoints_send_salesforce_content_types(client: httpx.Client) -> None:
    discovery = client.get("/.well-known/openid-configuration")
    token = client.post("/services/oauth2/token", data={"grant_type": "client_credentials"}, auth=(CID, SECRET))
    for r in (discovery, token):
        assert r.headers["content-type"] == "application/json;charset=UTF-8"
        assert int(r.headers["content-length"]) == len(r.content)
    assert token.status_code == 200 and token.headers["cache-control"] == "no-store"
    assert token.headers["pragma"] == "no-cache" and "cache-control" not in discovery.headers

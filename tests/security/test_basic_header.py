"""An `Authorization: Basic` header whose credentials are not ASCII (a header carries bytes: Starlette reads them as
Latin-1, so `Basic é` arrives as the text `Basic Ã©`) is not base64: a refusal in the endpoint's dialect, never
`base64.b64decode`'s ValueError as a 500. Found by an odd-input probe of SLAS `/token`; every server that reads
Basic credentials through `security.b64_pair` had it."""

from __future__ import annotations

import httpx
import pytest

from mockown.security import b64_pair, basic_pair

NON_ASCII = ["Basic é".encode(), "Basic ÿÿÿÿ".encode("latin-1"), "Basic QUJD\xa0".encode("latin-1")]


@pytest.mark.parametrize("value", ["é", "Ã©", "QUJD\xa0", "\u0663\u0663\u0663\u0663", "Og==é"])
def test_a_non_ascii_value_is_no_pair(value: str) -> None:
    assert b64_pair(value) is None
    assert basic_pair("Basic " + value) is None


@pytest.mark.parametrize(
    "path",
    [
        "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2/token",
        "/services/oauth2/token",
        "/services/oauth2/introspect",
        "/dwsso/oauth2/access_token",
        "/dw/oauth2/access_token",
        "/b2c/instances/x/dw/oauth2/access_token",
    ],
)
@pytest.mark.parametrize("header", NON_ASCII)
def test_a_non_ascii_basic_header_is_refused_as_any_non_base64_one(
    client: httpx.Client, path: str, header: bytes
) -> None:
    form = {"grant_type": "client_credentials"}
    response = client.post(path, headers={b"Authorization": header}, data=form)
    garbage = client.post(path, headers={"Authorization": "Basic !!!!"}, data=form)
    assert 400 <= garbage.status_code < 500
    assert (response.status_code, response.text) == (garbage.status_code, garbage.text)

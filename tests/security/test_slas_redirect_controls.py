"""A SLAS `redirect_uri` with a tab, CR or LF in it matches no registered `*.` wildcard pattern. Python's `urlsplit`
drops those characters (as the WHATWG parser does), so `https://evil.com<LF>.example.com/callback` and
`https://a.example.com<TAB>/callback` matched `https://*.example.com/callback` while the URI the code was sent to (and
bound to) was another string: `/authorize` answered 303 to `https://evil.com%0A.example.com/callback?code=...`. The
match is now on the URI as sent (the label rule already refused every other escape)."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockown.b2c.slas import redirect_matches

SLAS = "/b2c/kv7kzm78/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2"
PATTERN = "https://*.example.com/callback"
CONTROLS = ["\t", "\n", "\r"]


@pytest.mark.parametrize("char", CONTROLS)
@pytest.mark.parametrize("where", ["https://evil.com{}.example.com/callback", "https://a.example.com{}/callback",
                                   "https://a.example.com/callback{}", "https://a.exam{}ple.com/callback"])  # fmt: skip
def test_a_control_character_never_matches_a_wildcard(client: httpx.Client, char: str, where: str) -> None:
    uri = where.format(char)
    assert not redirect_matches(PATTERN, uri)
    query = {"client_id": "mockown-slas-private", "response_type": "code", "redirect_uri": uri, "hint": "guest"}
    r = client.get(SLAS + "/authorize", params={**query, "channel_id": "RefArch"})
    assert r.status_code == 400
    assert "location" not in r.headers


@given(
    st.text(alphabet="\t\n\r", min_size=1), st.integers(min_value=0, max_value=len("https://a.example.com/callback"))
)
def test_any_tab_or_newline_anywhere_is_no_match(inserted: str, at: int) -> None:
    uri = "https://a.example.com/callback"
    assert redirect_matches(PATTERN, uri)
    assert not redirect_matches(PATTERN, uri[:at] + inserted + uri[at:])

"""mockown.security rules that the third hand-driven mutation audit showed no test would miss if broken: each test
names the mutant it kills and passes on the real code."""

from __future__ import annotations

import base64

import httpx
import pytest

from mockown.runtime import Runtime
from mockown.security import basic_pair, same_origin, script_url
from tests.conftest import ADMIN, CID, PASSWORD, SECRET
from tests.salesforce.helpers import new_org


@pytest.mark.parametrize("lead", ["\x00", "\x01", "\x08", "\x1b", "\x1f", " \x02 "])
def test_a_script_url_behind_c0_control_characters_is_a_script_url(lead: str) -> None:
    """The WHATWG URL parser strips every leading C0 control character and space, not only whitespace: a browser
    runs `\\x01javascript:...` as script (kills the leading strip narrowed to `str.strip()`, whitespace only)."""
    assert script_url(lead + "javascript:alert(1)")
    assert script_url(lead + "data:text/html,<script>alert(1)</script>")
    assert not script_url(lead + "https://app.example.com/callback")


@pytest.mark.parametrize("scheme", ["basic", "BASIC", "bAsIc"])
def test_the_basic_scheme_is_case_insensitive(client: httpx.Client, scheme: str) -> None:
    """HTTP Basic's scheme name is case-insensitive (RFC 7235 2.1): `basic <credentials>` authenticates a client as
    `Basic` does (kills the scheme compared as written in `basic_pair`)."""
    creds = base64.b64encode(f"{CID}:{SECRET}".encode()).decode()
    assert basic_pair(f"{scheme} {creds}") == (CID, SECRET)
    r = client.post(
        "/services/oauth2/token",
        data={"grant_type": "password", "username": ADMIN, "password": PASSWORD},
        headers={"Authorization": f"{scheme} {creds}"},
    )
    assert r.status_code == 200, r.text


def test_an_origin_of_null_is_judged_by_sec_fetch_site() -> None:
    """`Origin: null` (a privacy-sensitive context: a redirect across origins, a sandboxed frame) names no origin, so
    `Sec-Fetch-Site` decides as when Origin is absent: same-origin passes, cross-site does not (kills `null` read as
    an origin in `same_origin`, which refused the same-origin form post that a redirect made `null`)."""
    base = {"origin": "null", "host": "login.example.test"}
    assert same_origin({**base, "sec-fetch-site": "same-origin"})
    assert same_origin({**base, "sec-fetch-site": "none"})
    assert not same_origin({**base, "sec-fetch-site": "cross-site"})


def test_a_basic_secret_may_hold_a_colon(client: httpx.Client, runtime: Runtime) -> None:
    """RFC 7617 2: the user-id ends at the first colon, the password may hold more: a consumer secret with a raw
    `:` authenticates in HTTP Basic (kills the pair split at the last colon in `b64_pair`; the existing test sent
    the colon percent-encoded)."""
    org = new_org(runtime, client_secret="s3cr:et:with:colons")
    assert basic_pair("Basic " + base64.b64encode(f"{org['client_id']}:s3cr:et:with:colons".encode()).decode()) == (
        org["client_id"],
        "s3cr:et:with:colons",
    )
    creds = base64.b64encode(f"{org['client_id']}:s3cr:et:with:colons".encode()).decode()
    r = client.post(
        "/services/oauth2/token",
        data={"grant_type": "password", "username": org["username"], "password": org["password"]},
        headers={"Authorization": f"Basic {creds}"},
    )
    assert r.status_code == 200, r.text

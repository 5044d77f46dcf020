"""`mockown.security` rules that a hand-driven mutation audit showed no test would miss if broken (each test
names the mutant it kills)."""

from __future__ import annotations

import base64

import httpx
import pytest

from mockown import security
from mockown.runtime import Runtime
from tests.conftest import CID, SECRET


@pytest.mark.parametrize(
    ("secret", "masked"),
    [
        ("12345678", "********"),
        ("1234567", "********"),  # nor its length
        ("123456789", "********"),  # was `1234…6789`: 8 of its 9 characters
        ("JwtSecret", "********"),
        ("123456789012345", "********"),  # under 4 * keep characters: nothing of it
        ("1234567890123456", "1234…"),  # 4 * keep: its first keep characters, a quarter of it
        ("MOCKOWNDEMOSECRET0123456789ABCDEF", "MOCK…"),  # never its end
        ("", ""),
    ],
)
def test_mask_shows_at_most_a_quarter_of_a_secret_and_never_its_end(secret: str, masked: str) -> None:
    """Kills `len(secret) < keep * 4` -> `<=` or a smaller factor (security.mask), and the old `head…tail` form
    that showed 8 characters of any secret of 9 or more (`JwtS…cret`)."""
    assert security.mask(secret) == masked
    assert security.mask("abcdefghijkl", keep=3) == "abc…"
    assert security.mask("abcdefghijk", keep=3) == "********"


def test_basic_credentials_must_be_strict_base64() -> None:
    """Kills `validate=True` dropped (security.b64_pair): characters outside the base64 alphabet make the header
    unreadable instead of being skipped."""
    good = base64.b64encode(b"client:secret").decode()
    assert security.b64_pair(good) == ("client", "secret")
    for bad in (good[:4] + "*" + good[4:], good[:4] + "!" + good[4:], good[:4] + "-" + good[4:]):
        assert security.b64_pair(bad) is None
        assert security.basic_pair("Basic " + bad) is None


def test_token_endpoint_refuses_a_basic_header_with_junk_in_it(client: httpx.Client, runtime: Runtime) -> None:
    """The same rule at the token endpoint: `invalid_client`, not a token for the credentials hidden in it."""
    good = base64.b64encode(f"{CID}:{SECRET}".encode()).decode()
    data = {"grant_type": "client_credentials"}
    assert client.post("/services/oauth2/token", data=data, headers={"Authorization": f"Basic {good}"}).is_success
    junk = good[:8] + "*" + good[8:]
    r = client.post("/services/oauth2/token", data=data, headers={"Authorization": f"Basic {junk}"})
    assert r.status_code == runtime.config.salesforce.invalid_client_status
    assert r.json()["error"] == "invalid_client"

"""Dynamic client registration (spec 8) reads `scope` with the token endpoint's rule (spec 1.2 "space-separated",
RFC 6749 §3.3 SP): spaces delimit, any other whitespace stays inside a scope-token, which then names no scope, so
the app is refused (`invalid_client_metadata`) instead of being registered with scopes the token endpoint would
refuse to read from the same string."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

REGISTER = "/services/oauth2/register"
IAT = {"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN"}
APP = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))  # no function-scoped fixtures in @given


def _register(client: httpx.Client, scope: str) -> httpx.Response:
    return client.post(REGISTER, json={"redirect_uris": ["http://localhost/cb"], "scope": scope}, headers=IAT)


def test_spaces_delimit_registered_scopes(client: httpx.Client) -> None:
    r = _register(client, "  api   refresh_token api ")
    assert r.status_code == 201, r.text
    assert r.json()["scopes"] == ["api", "refresh_token"]


@pytest.mark.parametrize("other", ["\t", "\n", "\r", "\x0b", "\x0c", "\u00a0", "\u3000", "\u2003"])
def test_other_whitespace_is_no_delimiter_at_registration(client: httpx.Client, other: str) -> None:
    r = _register(client, f"api{other}refresh_token")
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_client_metadata"


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(st.sampled_from(["api", "refresh_token", "openid", "id", "web"]), min_size=1, max_size=4),
    joiner=st.sampled_from(["\t", "\n", "\u00a0", "\u2003"]),
)
def test_registration_accepts_exactly_what_the_shared_split_reads(names: list[str], joiner: str) -> None:
    from mockown.salesforce.discovery import scope_tokens  # the one split the token endpoint also uses

    spaced = " ".join(names)
    assert scope_tokens(spaced) == names
    joined = joiner.join(names)
    with in_process_client(APP) as client:
        spaced_r, joined_r = _register(client, spaced), _register(client, joined)
    assert spaced_r.status_code == 201 and spaced_r.json()["scopes"] == list(dict.fromkeys(names))
    assert joined_r.status_code == (201 if len(names) == 1 else 400)

"""Salesforce's `scope` is space-separated (spec 1.2: "space-separated"; RFC 6749 §3.3: scope-tokens delimited by
SP, %x20). Other whitespace is no delimiter: a tab, a line feed, a no-break space inside the value makes a
scope-token that is no scope, `invalid_scope` (spec 1.5), as Marketing Cloud and Account Manager answer."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from tests.salesforce.helpers import password_token

INVALID_SCOPE = {"error": "invalid_scope", "error_description": "requested scope is invalid, unknown, or malformed"}
APP = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))  # no function-scoped fixtures in @given


def _scopes(client: httpx.Client, runtime: Runtime, scope: str) -> list[str]:
    r = password_token(client, scope=scope)
    assert r.status_code == 200, r.text
    token = runtime.salesforce.live_access(r.json()["access_token"])
    assert token is not None
    return list(token.scopes)


def test_spaces_and_plus_delimit_scopes(client: httpx.Client, runtime: Runtime) -> None:
    assert _scopes(client, runtime, "api  refresh_token") == ["api", "refresh_token"]
    assert _scopes(client, runtime, "api+web") == ["api", "web"]  # `+`: the space of a twice-encoded form
    assert _scopes(client, runtime, " api ") == ["api"]
    assert len(_scopes(client, runtime, "  ")) > 1  # only spaces: none asked, every scope of the app


@pytest.mark.parametrize("other", ["\t", "\n", "\r", "\x0b", "\x0c", "\u00a0", "\u3000", "\u2003"])
def test_other_whitespace_is_no_delimiter(client: httpx.Client, other: str) -> None:
    r = password_token(client, scope=f"api{other}refresh_token")
    assert (r.status_code, r.json()) == (400, INVALID_SCOPE)
    r = password_token(client, scope=f"api {other}")  # a token that is only that character
    assert (r.status_code, r.json()) == (400, INVALID_SCOPE)
    r = password_token(client, scope=f"cdp_query{other}api")  # a cdp_* prefix does not make it a name
    assert (r.status_code, r.json()) == (400, INVALID_SCOPE)


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(st.sampled_from(["api", "web", "refresh_token", "id", "openid"]), min_size=1, max_size=4),
    glue=st.sampled_from(["\t", "\n", "\u00a0", "\u3000", "\u2028", "\x85"]),
)
def test_a_scope_list_joined_by_anything_but_spaces_is_refused(names: list[str], glue: str) -> None:
    if len(names) < 2:
        names = [*names, "api"]
    with in_process_client(APP) as client:
        r = password_token(client, scope=glue.join(names))
    assert (r.status_code, r.json()) == (400, INVALID_SCOPE)

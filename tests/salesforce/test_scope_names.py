"""One rule says which names are Salesforce scopes (`discovery.known_scope`): registration (spec 8) refuses a
scope the token endpoint would refuse as unknown (spec 1.5 invalid_scope), and accepts every one it would grant."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.salesforce.discovery import SCOPES
from mockown.salesforce.errors import OAuthError

APP = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))  # no function-scoped fixtures in @given
NAMES = st.one_of(
    st.sampled_from(SCOPES),
    st.sampled_from(["cdp_", "cdp_x", "CDP_api", "API", "bogus", "api:access", "refresh-token", "offline"]),
    # one name each: no `+` (the token endpoint reads it as the space of a twice-encoded form, JSON does not)
    st.text(st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="+"), min_size=1, max_size=12),
)


def _token_endpoint_knows(name: str) -> bool:
    service = APP.state.runtime.salesforce
    full_app = dataclasses.replace(service.apps.all()[0], scopes=["full"])  # allows every scope: only names count
    try:
        service.grant_scopes(full_app, name)
    except OAuthError:
        return False
    return True


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES)
def test_registration_and_the_token_endpoint_agree_on_scope_names(name: str) -> None:
    with in_process_client(APP) as client:
        r = client.post(
            "/services/oauth2/register",
            json={"redirect_uris": ["http://localhost/cb"], "scope": name},
            headers={"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN"},
        )
    assert r.status_code in (201, 400), r.text
    assert (r.status_code == 201) == _token_endpoint_knows(name), (name, r.text)

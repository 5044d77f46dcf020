"""A refused token request leaves the stored state as it was (property): valid requests of each grant with one or two
parameters dropped or replaced by wrong values; every 4xx answer must find the store unchanged. The deliberate
exceptions are not generated here: a wrong password counts toward the lockout, a device poll records its time
(RFC 8628 `slow_down`), and a replayed code revokes what it issued (spec 3.1)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.conftest import CALLBACK, CID, SECRET, T0
from tests.reliability.support import examples  # make soak: MOCKOWN_SOAK=1
from tests.salesforce.helpers import TOKEN, code_tokens, get_code, pkce_pair

APP = create_app(Config(), clock=FrozenClock(T0))
CLIENT = in_process_client(APP)
RUNTIME = APP.state.runtime


def _bases() -> dict[str, dict[str, str]]:
    """Fresh valid requests (a new code and refresh token: a request that succeeds spends them)."""
    verifier, challenge = pkce_pair()
    code = get_code(CLIENT, code_challenge=challenge, scope="api refresh_token openid")
    refresh = code_tokens(CLIENT)["refresh_token"]
    auth = {"client_id": CID, "client_secret": SECRET}
    return {
        "code": {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                 "code_verifier": verifier, **auth},
        "hybrid_code": {"grant_type": "hybrid_auth_code", "code": code, "redirect_uri": CALLBACK,
                        "code_verifier": verifier, **auth},
        "refresh": {"grant_type": "refresh_token", "refresh_token": refresh, **auth},
        "hybrid_refresh": {"grant_type": "hybrid_refresh", "refresh_token": refresh, **auth},
        "client_credentials": {"grant_type": "client_credentials", **auth},
    }  # fmt: skip


BASES = [_bases()]
NAMES = ["grant_type", "code", "client_id", "client_secret", "redirect_uri", "code_verifier", "refresh_token", "scope",
         "format", "client_assertion", "client_assertion_type"]  # fmt: skip
WRONG = ["", "x", "wrong-" + "v" * 50, CID, SECRET, "PlatformCLI", "http://localhost:8080/other", "api bogus", "yaml"]
Changes = list[tuple[str, str | None]]
CHANGES = st.lists(st.tuples(st.sampled_from(NAMES), st.none() | st.sampled_from(WRONG)), min_size=1, max_size=2)


def _state() -> dict[str, Any]:
    dump = RUNTIME.store.dump()
    dump.pop("_meta", None)
    return dump


@settings(max_examples=examples(120, 1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(BASES[0])), CHANGES, st.booleans())
def test_a_refused_token_request_changes_nothing(grant: str, changes: Changes, basic: bool) -> None:
    form = dict(BASES[0][grant])
    for name, value in changes:
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    auth = (form.pop("client_id", ""), form.pop("client_secret", "")) if basic else None
    before = _state()
    r = CLIENT.post(TOKEN, data=form, auth=auth)
    assert r.status_code < 500, r.text
    if r.status_code == 200:
        BASES[0] = _bases()  # it spent the code or refresh token (and a replay would rightly revoke)
        return
    assert r.status_code == 400, r.text
    assert _state() == before, (form, r.text)

"""Salesforce rules that the third hand-driven mutation audit (mockown/salesforce service, grants, introspection,
revocation) showed no test would miss if broken: each test names the mutant it kills (the rule dropped or its
boundary moved, and the suite stayed green) and passes on the real code."""

from __future__ import annotations

import httpx

from mockown.clock import FrozenClock
from mockown.runtime import Runtime
from mockown.salesforce.models import User
from tests.conftest import ADMIN_ID

from .helpers import password_token


def test_a_lockout_that_ran_out_starts_the_count_again(
    client: httpx.Client, clock: FrozenClock, runtime: Runtime
) -> None:
    """Ten wrong passwords lock the user for 15 minutes; once that is over the count starts from zero, so one more
    wrong password does not lock them again (kills `failed_logins = 0` dropped when the lock is set)."""
    for _ in range(10):
        assert password_token(client, password="wrong").status_code == 400
    user = runtime.store.table(User).get(ADMIN_ID)
    assert user is not None and user.failed_logins == 0 and user.locked_until == clock.now() + 15 * 60
    clock.advance("15m")
    assert password_token(client, password="wrong").status_code == 400
    assert password_token(client).status_code == 200

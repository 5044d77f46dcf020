"""Own token rules that a hand-driven mutation audit showed no test would miss if broken (each test names the
mutant it kills)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import httpx

from mockown import FrozenClock
from mockown.own.service import OwnService
from tests.own.conftest import OWNER, SALES, SALES_ADMIN, TOKEN_URL, exchange_form

DAY = 86400
INVALID = {"error": "invalid_grant", "error_description": "The refresh token is invalid or expired."}


def test_exchange_refuses_the_api_token_of_a_deactivated_user(client: httpx.Client, own: OwnService) -> None:
    """Kills `not user.active` dropped from the Okta exchange (own/tokens.exchange): no access token is minted
    for a user who was deactivated (the bearer check refusing it later is not enough: the exchange answers
    invalid_grant itself), and reactivation makes the same API token usable again."""
    raw = own.generate_api_token(OWNER)
    user = own.user(OWNER)
    assert user is not None
    user.active = False
    own.users.put(user)
    r = client.post(TOKEN_URL, data=exchange_form(raw))
    assert r.status_code == 400
    assert r.json() == INVALID
    user.active = True
    own.users.put(user)
    assert client.post(TOKEN_URL, data=exchange_form(raw)).status_code == 200


def test_no_access_token_that_could_never_be_used(
    configured: Callable[..., tuple[httpx.Client, OwnService]], clock: FrozenClock
) -> None:
    """Kills `left - propagation_delay < 1` -> `< 0` (own/tokens.exchange, revoke_cascade on by default): with
    a 10 s propagation delay, an API token with 10.5 s left would give an access token that dies (with its API
    token) before it becomes usable; with 11 s left it still gets one, usable for its last second."""
    client, own = configured(propagation_delay=10)
    raw = own.generate_api_token(OWNER)
    clock.advance(180 * DAY - 11)
    ok = client.post(TOKEN_URL, data=exchange_form(raw))
    assert ok.status_code == 200, ok.text
    client, own = configured(propagation_delay=10)  # a fresh app: a fresh API token, made now
    raw = own.generate_api_token(OWNER)
    clock.advance(180 * DAY - 10.5)
    r = client.post(TOKEN_URL, data=exchange_form(raw))
    assert r.status_code == 400
    assert r.json() == INVALID


def test_no_one_reaches_a_service_of_another_account(own: OwnService) -> None:
    """Kills the account check dropped from `OwnService.can_reach` (own/service.py): a service of another
    account is out of reach even for a master admin (who reaches every Business Unit of *their* account) and
    for a user whose Business Units carry the same name. The routes look services up by account first, so only
    the rule itself shows it; it is the one every scoping caller (jobs, seeding, events) relies on."""
    from mockown.own.service import Principal

    for user_id in (OWNER, SALES_ADMIN):
        user = own.user(user_id)
        assert user is not None
        account = own.accounts.get(user.account_id)
        assert account is not None
        principal = Principal(user=user, account=account)
        mine = own.services.get(f"app1:{SALES}")
        assert mine is not None and mine.account_id == account.id
        assert own.can_reach(principal, mine)
        foreign = dataclasses.replace(mine, account_id=f"{account.id}-other")
        assert not own.can_reach(principal, foreign)

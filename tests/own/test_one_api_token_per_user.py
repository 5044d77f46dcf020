"""One API token per user (spec S2-S4), in the user's account. A restore refuses a snapshot with two for one user
(the profile page showed one, revoking ended one, the other stayed alive) or one in another account; and revoking
or replacing ends every token the user holds even in a store that has more than one (edited by hand). (Two tokens of
one user in a snapshot: tests/control/test_restore_rules.py, with the other values no two rows share.)"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable

import httpx

from mockown.own.models import ApiToken
from mockown.own.service import OwnService
from mockown.own.tokens import REVOKE_PATH
from tests.control.test_restore_rules import _refused
from tests.control.test_restore_types import Used
from tests.control.test_restore_types import used as used  # the fixture: an app with tokens issued, on each store
from tests.own.conftest import CLIENT_ID, OWNER, PASSWORDS, TOKEN_URL, exchange_form

SECOND = "second-api-token-of-the-owner"


def test_a_snapshot_with_an_api_token_in_another_account_is_refused(used: Used) -> None:
    bad = copy.deepcopy(used.snapshot())
    rows = bad["store"]["own_api_tokens"]
    (index,) = [i for i, row in enumerate(rows) if row["user_id"] == str(OWNER)]
    account = rows[index]["account_id"]
    rows[index]["account_id"] = "999999"
    message = f"own_api_tokens[{index}].account_id: expected {account!r}, the account of user {OWNER}, got '999999'"
    _refused(used, bad, message)


def test_a_snapshot_of_api_tokens_of_different_users_restores(used: Used) -> None:
    snap = used.snapshot()
    assert used.restore(snap).status_code == 200
    assert used.client.post(TOKEN_URL, data=exchange_form(used.own_api_token)).status_code == 200


def _two_tokens(client: httpx.Client, own: OwnService) -> list[str]:
    """The owner with a second live API token put into the store by hand (no request makes one)."""
    first = own.generate_api_token(OWNER, PASSWORDS[OWNER])
    (stored,) = own.api_tokens.find("user_id", str(OWNER))
    second = ApiToken(
        id=hashlib.sha256(SECOND.encode()).hexdigest(),
        user_id=stored.user_id,
        account_id=stored.account_id,
        created_at=stored.created_at,
        expires_at=stored.expires_at,
    )
    own.api_tokens.put(second)
    for raw in (first, SECOND):
        assert client.post(TOKEN_URL, data=exchange_form(raw)).status_code == 200
    return [first, SECOND]


def _revoke_page(client: httpx.Client, own: OwnService, raws: list[str]) -> None:
    own.revoke_api_token(OWNER)


def _revoke_okta(client: httpx.Client, own: OwnService, raws: list[str]) -> None:
    assert client.post(REVOKE_PATH, data={"token": raws[1], "client_id": CLIENT_ID}).status_code == 200


def test_revoking_ends_every_api_token_of_the_user(client: httpx.Client, own: OwnService) -> None:
    for revoke in (_revoke_page, _revoke_okta):
        raws = _two_tokens(client, own)
        revoke(client, own, raws)
        for raw in raws:
            assert client.post(TOKEN_URL, data=exchange_form(raw)).status_code == 400, revoke.__name__
        assert own.api_tokens.find("user_id", str(OWNER)) == []


def test_replacing_ends_every_api_token_of_the_user(configured: Callable[..., tuple[httpx.Client, OwnService]]) -> None:
    client, own = configured(token_conflict="replace")
    raws = _two_tokens(client, own)
    new = own.generate_api_token(OWNER, PASSWORDS[OWNER])
    for raw in raws:
        assert client.post(TOKEN_URL, data=exchange_form(raw)).status_code == 400
    assert client.post(TOKEN_URL, data=exchange_form(new)).status_code == 200
    assert len(own.api_tokens.find("user_id", str(OWNER))) == 1

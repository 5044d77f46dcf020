"""Own API-token rules (mockown/own/tokens.py) that the third hand-driven mutation audit showed no test would miss if
broken: each test names the mutant it kills and passes on the real code."""

from __future__ import annotations

import re

import httpx
import jwt

from mockown import FrozenClock
from mockown.outbox import messages
from mockown.own.service import OwnService
from mockown.own.tokens import REVOKE_PATH
from mockown.runtime import Runtime
from tests.own.conftest import CLIENT_ID, EMAILS, OWNER, PASSWORDS, SALES_ADMIN, TOKEN_URL, exchange_form

DAY = 86400


def _claims(client: httpx.Client, own: OwnService, user: int) -> dict[str, object]:
    raw = own.generate_api_token(user)
    body = client.post(TOKEN_URL, data=exchange_form(raw)).json()
    claims: dict[str, object] = jwt.decode(body["access_token"], options={"verify_signature": False})
    return claims


def test_the_access_token_names_the_user_as_okta_does(client: httpx.Client, own: OwnService) -> None:
    """The exchanged access token is an Okta access token: `sub` is the user's login (their e-mail) and `uid` their
    Okta user id, `00u` and 17 more characters, one per user (kills `sub` from another field and the id's width
    changed: no test read either claim)."""
    owner, admin = _claims(client, own, OWNER), _claims(client, own, SALES_ADMIN)
    assert owner["sub"] == EMAILS[OWNER] and admin["sub"] == EMAILS[SALES_ADMIN]
    for claims in (owner, admin):
        assert isinstance(claims["uid"], str) and re.fullmatch(r"00u[0-9A-Za-z]{17}", claims["uid"]), claims["uid"]
    assert owner["uid"] != admin["uid"]


def test_an_expired_api_token_revoked_at_okta_sends_no_mail_and_no_event(
    client: httpx.Client, own: OwnService, runtime: Runtime, clock: FrozenClock
) -> None:
    """/v1/revoke of an API token past its 180 days: it is gone already as far as anyone can tell, so the answer is
    Okta's 200 and nothing is announced: no `api_token_revoked` event, no revocation e-mail (kills the expiry check
    dropped from `revoke_access`: the dead token was 'revoked' again, with the mail)."""
    raw = own.generate_api_token(OWNER)
    clock.advance(180 * DAY)
    events, mails = len(own.events.all()), len(messages(runtime))
    r = client.post(REVOKE_PATH, data={"token": raw, "client_id": CLIENT_ID})
    assert (r.status_code, r.content) == (200, b"")
    assert len(own.events.all()) == events and len(messages(runtime)) == mails
    assert own.api_token_info(OWNER) is None


def test_a_legacy_session_ends_at_the_access_token_lifetime(client: httpx.Client, clock: FrozenClock) -> None:
    """A legacy `X-SESSION-ID` session lives `access_token_ttl` (3600 s): it works a second before and is 401 at
    exactly that moment (kills the lifetime doubled and `>=` moved to `>` in the legacy session checks)."""
    r = client.post("/api/auth/v1/login", data={"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]})
    session = {"X-SESSION-ID": r.json()["session_id"]}
    clock.advance(3599)
    assert client.get("/api/v1/services", headers=session).status_code == 200
    clock.advance(1)
    assert client.get("/api/v1/services", headers=session).status_code == 401


def test_the_bearer_scheme_is_case_insensitive(client: httpx.Client, own: OwnService) -> None:
    """`Authorization: bearer <token>` or `BEARER <token>` works as `Bearer` does (RFC 7235 2.1: the scheme is
    case-insensitive) (kills the scheme compared as written in `authenticate`: only a refused lower-case scheme with
    a forged token was tested)."""
    access = client.post(TOKEN_URL, data=exchange_form(own.generate_api_token(OWNER))).json()["access_token"]
    for scheme in ("bearer", "BEARER", "Bearer"):
        assert client.get("/api/v1/services", headers={"Authorization": f"{scheme} {access}"}).status_code == 200


def test_an_api_token_exchange_is_journaled_under_its_account_and_user(client: httpx.Client, own: OwnService) -> None:
    """The exchange at the auth host names no account: the journal finds it from the API token (the
    `refresh_token`), so `?account=` filters and account-scoped fault rules see the request (kills the API-token
    look-up dropped from the journal's `_resolve_own`)."""
    raw = own.generate_api_token(OWNER)
    client.delete("/_mockown/journal")
    assert client.post(TOKEN_URL, data=exchange_form(raw)).status_code == 200
    (entry,) = client.get("/_mockown/journal").json()["entries"]
    user = own.user(OWNER)
    assert user is not None
    assert (entry["account"], entry["user"]) == (str(user.account_id), EMAILS[OWNER])

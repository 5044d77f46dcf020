"""Own API-token rules (mockown/own/tokens.py) that the third hand-driven mutation audit showed no test would miss if
broken: each test names the mutant it kills and passes on the real code."""

from __future__ import annotations

import re

import httpx
import jwt

from mockown.own.service import OwnService
from tests.own.conftest import EMAILS, OWNER, SALES_ADMIN, TOKEN_URL, exchange_form


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

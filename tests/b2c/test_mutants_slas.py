"""SLAS rules that the third hand-driven mutation audit (mockown/b2c/slas.py) showed no test would miss if broken:
each test names the mutant it kills and passes on the real code."""

from __future__ import annotations

import httpx
import jwt

from mockown import FrozenClock

from .test_slas import private_guest


def test_access_token_nbf_allows_a_verifier_whose_clock_is_behind(client: httpx.Client, clock: FrozenClock) -> None:
    """The SLAS access token is valid from 30 seconds before it was issued (`nbf` = `iat` - 30), so a resource server
    whose clock runs a few seconds behind SLAS's does not refuse a token it was just given as not yet valid (kills
    `nbf` = now: the tokens' `nbf` and `iat` were never compared)."""
    token = private_guest(client).json()["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iat"] == int(clock.now())
    assert claims["nbf"] == claims["iat"] - 30

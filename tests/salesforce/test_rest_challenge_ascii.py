"""`salesforce.rest_www_authenticate` is a header value: a character a header cannot carry (beyond latin-1, as
Starlette encodes headers) is refused at start. It was accepted, and every REST 401 then raised UnicodeEncodeError
(a 500 in place of `INVALID_SESSION_ID`)."""

from __future__ import annotations

import pytest

from mockown import Config
from mockown.config import ConfigError


@pytest.mark.parametrize("value", ["Token €", "Token \u2028", 'Bearer realm="\u00e9\u4e2d"'])
def test_a_challenge_a_header_cannot_carry_is_refused_at_start(value: str) -> None:
    with pytest.raises(ConfigError, match="rest_www_authenticate"):
        Config.load(env={"MOCKOWN_SALESFORCE__REST_WWW_AUTHENTICATE": value})


def test_a_printable_ascii_challenge_is_accepted() -> None:
    value = 'Bearer realm="Salesforce", error="invalid_token"'
    assert (
        Config.load(env={"MOCKOWN_SALESFORCE__REST_WWW_AUTHENTICATE": value}).salesforce.rest_www_authenticate == value
    )

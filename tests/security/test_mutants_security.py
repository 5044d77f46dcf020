"""mockown.security rules that the third hand-driven mutation audit showed no test would miss if broken: each test
names the mutant it kills and passes on the real code."""

from __future__ import annotations

import pytest

from mockown.security import script_url


@pytest.mark.parametrize("lead", ["\x00", "\x01", "\x08", "\x1b", "\x1f", " \x02 "])
def test_a_script_url_behind_c0_control_characters_is_a_script_url(lead: str) -> None:
    """The WHATWG URL parser strips every leading C0 control character and space, not only whitespace: a browser
    runs `\\x01javascript:...` as script (kills the leading strip narrowed to `str.strip()`, whitespace only)."""
    assert script_url(lead + "javascript:alert(1)")
    assert script_url(lead + "data:text/html,<script>alert(1)</script>")
    assert not script_url(lead + "https://app.example.com/callback")

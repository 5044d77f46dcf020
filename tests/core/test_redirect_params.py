"""`redirects.add_params`: the registered redirect URI, byte for byte, with the parameters added (a round trip
through `urlsplit`/`urlunsplit` turned `myapp:///cb` into `myapp:/cb` and `x-app://` into `x-app:`)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockown.redirects import add_params


@pytest.mark.parametrize(
    ("uri", "fragment", "expected"),
    [
        ("myapp:///oauth/done", False, "myapp:///oauth/done?code=c&state=s"),
        ("myapp:///oauth/done", True, "myapp:///oauth/done#code=c&state=s"),
        ("x-app://", False, "x-app://?code=c&state=s"),
        ("x-app://", True, "x-app://#code=c&state=s"),
        ("com.example.app:/cb", False, "com.example.app:/cb?code=c&state=s"),
        ("https://h/cb?a=1", False, "https://h/cb?a=1&code=c&state=s"),
        ("https://h/cb?", False, "https://h/cb?code=c&state=s"),
        ("https://h/cb?a=%20b", False, "https://h/cb?a=%20b&code=c&state=s"),  # the query is kept as written
        ("https://h/cb#keep", False, "https://h/cb?code=c&state=s#keep"),
        ("https://h/cb#old", True, "https://h/cb#code=c&state=s"),
    ],
)
def test_parameters_are_added_to_the_uri_as_written(uri: str, fragment: bool, expected: str) -> None:
    assert add_params(uri, {"code": "c", "state": "s"}, fragment=fragment) == expected


def test_no_parameters_leave_the_uri_as_it_is() -> None:
    assert add_params("x-app://", {}) == "x-app://"
    assert add_params("x-app://", [], fragment=True) == "x-app://"


_TEXT = st.text(st.characters(codec="ascii", exclude_characters="#?&=%"), max_size=8)
_URI = st.builds(
    lambda scheme, host, path, query: f"{scheme}://{host}/{path}" + (f"?{query}" if query else ""),
    st.from_regex(r"[a-z][a-z0-9+.-]{0,8}", fullmatch=True),
    st.sampled_from(["", "h", "example.com:8443"]),
    st.from_regex(r"[a-z/]{0,10}", fullmatch=True),
    st.from_regex(r"([a-z]=[a-z0-9]{0,3}){0,1}", fullmatch=True),
)


@given(_URI, st.dictionaries(st.from_regex(r"[a-z_]{1,6}", fullmatch=True), _TEXT, min_size=1), st.booleans())
def test_the_uri_is_a_prefix_and_the_values_read_back(uri: str, values: dict[str, str], fragment: bool) -> None:
    found = add_params(uri, values, fragment=fragment)
    assert found.startswith(uri + ("#" if fragment else "&" if "?" in uri else "?"))
    parts = urlsplit(found)
    added = parse_qsl(parts.fragment if fragment else parts.query, keep_blank_values=True)
    assert dict(added[-len(values) :]) == values

"""A seed value of the wrong JSON type is refused (`400 invalid_seed`, naming the field), not coerced: a string
where a list belongs used to be taken character by character, a mapping where a string belongs was stored as its
Python repr, `active: "false"` made an active user, ...

The property: the default fixture document with one value (at any path) replaced by a value of another JSON type
is answered 201 or 400 `invalid_seed`, never a 500; and a 201 never comes from a replacement the field's type (its
type in the default document) forbids."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import Config, create_app
from mockown.http.inprocess import in_process_client
from mockown.seed import default_fixtures, read_document

Path = tuple[str | int, ...]
DEFAULT = read_document(default_fixtures())


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    raise AssertionError(f"not a JSON value: {value!r}")  # the fixture holds no YAML dates


def _paths(value: Any, path: Path = ()) -> list[tuple[Path, str]]:
    found = [(path, _kind(value))] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


PATHS = _paths(DEFAULT)
KINDS = ["string", "number", "bool", "null", "list", "mapping"]

# Replacements that must be refused, by the field's kind in the default document. What is left out is allowed
# on purpose:
FORBIDDEN = {
    "list": {"string", "number", "bool", "mapping"},  # null: the section's defaults
    "mapping": {"string", "number", "bool", "list"},  # null: defaults (an org, an account, ... of defaults)
    # a number is allowed: a whole number is read as its digits (YAML reads `password: 1234` as a number) and a
    # duration (`session_timeout: 2h`) may be seconds
    "string": {"list", "mapping", "bool"},
    # a string is allowed: ids (Own ids, marketing EIDs/MIDs) may be written as digit strings
    "number": {"list", "mapping", "bool"},
    "bool": {"string", "number", "list", "mapping"},
    "null": set(),  # `client_secret: null` (no secret): the field's type is not in the document
}

SCALAR = st.none() | st.booleans() | st.integers(-5, 10**6) | st.text(max_size=8)
VALUES = {
    "string": st.sampled_from(["", "x", "true", "false", "12", "http://x", "2h"]) | st.text(max_size=10),
    "number": st.integers(-(10**6), 10**8) | st.floats(allow_nan=False, allow_infinity=False),
    "bool": st.booleans(),
    "null": st.none(),
    "list": st.lists(SCALAR, max_size=3),
    "mapping": st.dictionaries(st.text(max_size=5), SCALAR, max_size=2),
}


def _replace(document: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    parent: Any = changed
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return changed


def _seed(document: Any) -> httpx.Response:
    app = create_app(Config(seed_defaults=False))
    with in_process_client(app) as client:
        return client.post("/_mockown/seed", json=document)


@st.composite
def _replacements(draw: st.DrawFn) -> tuple[Path, str, str, Any]:
    path, original = draw(st.sampled_from(PATHS))
    kind = draw(st.sampled_from([k for k in KINDS if k != original]))
    return path, original, kind, draw(VALUES[kind])


def test_the_default_document_seeds() -> None:
    response = _seed(DEFAULT)
    assert response.status_code == 201, response.text


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_replacements())
def test_a_value_of_another_type_is_refused_or_harmless(replacement: tuple[Path, str, str, Any]) -> None:
    path, original, kind, value = replacement
    response = _seed(_replace(DEFAULT, path, value))
    assert response.status_code in (201, 400), response.text
    if response.status_code == 400:
        assert response.json()["error"] == "invalid_seed", response.text
        return
    assert kind not in FORBIDDEN[original], f"{'.'.join(map(str, path))}: a {original} replaced by {value!r} seeded"


SF_APP: Path = ("salesforce", "orgs", 0, "apps", 0)
SF_USER: Path = ("salesforce", "orgs", 0, "users", 0)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ((*SF_APP, "callback_urls"), "http://x", "callback_urls"),
        ((*SF_APP, "scopes"), "api refresh_token", "scopes"),
        ((*SF_APP, "rotation"), "false", "rotation"),
        ((*SF_APP, "session_timeout"), ["2h"], "session_timeout"),
        ((*SF_APP, "token_exchange", "tokens", "mockown-demo-external-token"), ["a"], "tokens"),
        ((*SF_USER, "username"), {"a": 1}, "username"),
        ((*SF_USER, "active"), "false", "active"),
        ((*SF_USER, "first_name"), True, "first_name"),
        (("salesforce", "orgs", 0, "api_limit"), "15000", "api_limit"),
        (("salesforce", "orgs", 0), [], "org"),
        (("marketing", "tenants", 0, "business_units"), "10123456", "business_units"),
        (("marketing", "tenants", 0, "eid"), True, "eid"),
        (("own", "accounts", 0, "users", 0, "business_units"), "Sales", "business_units"),
        (("own", "accounts", 0, "services", 0, "backups"), "3", "backups"),
        (("own", "accounts", 0, "services", 0, "sandbox"), "no", "sandbox"),
        (("b2c", "instances", 0, "sites", 0, "client_ids"), "abc", "client_ids"),
        (("b2c", "slas", "tenants", 0, "clients", 0, "redirect_uris"), "http://x", "redirect_uris"),
        (("b2c", "instances", 0, "sites", 0, "customers"), {}, "customers"),
    ],
)
def test_examples_are_refused_naming_the_field(path: Path, value: Any, field: str) -> None:
    response = _seed(_replace(DEFAULT, path, value))
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_seed"
    assert field in response.json()["message"], response.text


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("own", "accounts", 0, "id"), "1001"),  # ids: a number or its digits
        (("marketing", "tenants", 0, "eid"), "10123456"),
        (("marketing", "tenants", 0, "users", 0, "id"), "700123456"),
        ((*SF_APP, "session_timeout"), 7200),  # durations: seconds or "2h"
        ((*SF_USER, "password"), 12345678),  # a whole number as its digits (YAML reads `password: 12345678` so)
        ((*SF_USER, "first_name"), None),  # null: the default
        ((*SF_APP, "scopes"), None),
    ],
)
def test_deliberate_forms_still_seed(path: Path, value: Any) -> None:
    response = _seed(_replace(DEFAULT, path, value))
    assert response.status_code == 201, response.text


def test_a_number_as_text_is_its_digits() -> None:
    response = _seed(_replace(DEFAULT, (*SF_USER, "password"), 12345678))
    users = response.json()["salesforce"]["orgs"][0]["users"]
    assert users[0]["password"] == "12345678"


@pytest.mark.parametrize(
    "written",
    ["0123", "0000", "0x1F", "0o17", "1:20", "1_000", "1:20.5", "1_0.5", "2026-01-01", "2026-01-01T10:00:00Z"],
)
def test_yaml_text_is_read_as_written(written: str) -> None:
    """A YAML seed's unquoted `password: 0123` was the octal 83 (a text field then stored "83"), `0x1F` 31, `1:20`
    the sexagesimal 80, a timestamp a `datetime` written back in another form: the password seeded was not the one
    written, so signing in with it failed."""
    document = f"salesforce:\n  orgs:\n    - users:\n        - username: u@yaml.test\n          password: {written}\n"
    with in_process_client(create_app(Config(seed_defaults=False))) as client:
        response = client.post("/_mockown/seed", content=document, headers={"Content-Type": "application/yaml"})
        assert response.status_code == 201, response.text
        assert response.json()["salesforce"]["orgs"][0]["users"][0]["password"] == written


@pytest.mark.parametrize(("written", "read"), [("5", 5), ("-3", -3), ("2.5", 2.5), ("1.5e+3", 1500.0), ("true", True)])
def test_plain_yaml_numbers_and_booleans_stay_typed(written: str, read: Any) -> None:
    from mockown.seed import _parse_yaml

    assert _parse_yaml(f"value: {written}") == {"value": read}


def test_a_numeric_field_refuses_octal_looking_text_naming_it() -> None:
    document = "own:\n  accounts:\n    - id: 0x10\n"
    with in_process_client(create_app(Config(seed_defaults=False))) as client:
        response = client.post("/_mockown/seed", content=document, headers={"Content-Type": "application/yaml"})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_seed"
    assert "'0x10'" in response.json()["message"], response.text

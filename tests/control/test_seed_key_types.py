"""YAML reads `1:`, `null:`, `true:` or a `!!binary` key as a key that is not text. Next to text keys, the seed's
check for unknown fields sorted them together: a TypeError, which was a 500 at the top of the document and, in a
section, a 400 that did not say where ("'<' not supported between instances of 'str' and 'int'"). Such a key is
refused as what it is, naming the mapping it is in."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

CASES = [  # (YAML, where the message says the key is)
    ("1: a\nfoo: b\n", "the seed document: a field name must be text, not a number (1)"),
    ("null: 1\nfoo: 2\n", "the seed document: a field name must be text, not null"),
    ("? !!binary aGVsbG8=\n: 1\nx: 2\n", "the seed document: a field name must be text, not a bytes (b'hello')"),
    ("salesforce:\n  orgs:\n    - 1: a\n      bogus: b\n", "salesforce org: a field name must be text"),
    ("salesforce: {orgs: [{users: [{true: a, x: b}]}]}\n", "salesforce user: a field name must be text"),
    ("salesforce: {orgs: [{apps: [{token_exchange: {1: a, x: b}}]}]}\n", "token_exchange: a field name must be text"),
    ("own:\n  accounts:\n    - {5: a, x: b}\n", "own account: a field name must be text, not a number (5)"),
    ("b2c: {instances: [{1: a, z: b}]}\n", "b2c instance: a field name must be text, not a number (1)"),
    ("marketing: {tenants: [{1.5: a, z: b}]}\n", "marketing tenant: a field name must be text, not a number (1.5)"),
]


@pytest.fixture
def client() -> Any:
    with in_process_client(create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))) as client:
        yield client


def _seed(client: Any, document: str) -> Any:
    return client.post("/_mockown/seed", content=document.encode(), headers={"Content-Type": "application/yaml"})


@pytest.mark.parametrize(("document", "message"), CASES)
def test_a_key_that_is_not_text_is_refused_naming_its_mapping(client: Any, document: str, message: str) -> None:
    answer = _seed(client, document)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_seed"
    assert message in answer.json()["message"]


_KEYS = st.one_of(st.integers(), st.none(), st.booleans(), st.floats(allow_nan=False), st.text(max_size=4))
_PLACES = ["{}", "{{salesforce: {{orgs: [{}]}}}}", "{{own: {{accounts: [{}]}}}}", "{{b2c: {{instances: [{}]}}}}",
           "{{marketing: {{tenants: [{}]}}}}", "{{b2c: {{slas: {{tenants: [{}]}}}}}}"]  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.lists(_KEYS, min_size=1, max_size=4, unique_by=repr), place=st.sampled_from(_PLACES))
def test_any_mix_of_keys_is_a_seed_answer_never_a_500(client: Any, keys: list[Any], place: str) -> None:
    mapping = yaml.safe_dump({key: 1 for key in keys}, sort_keys=False, default_flow_style=True).strip()
    answer = _seed(client, place.format(mapping))
    assert answer.status_code in (201, 400), answer.text
    if answer.status_code == 400:
        assert answer.json()["error"] in ("invalid_seed", "invalid_request"), answer.text
        assert "not supported between instances" not in answer.json()["message"]

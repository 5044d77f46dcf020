"""Reading a seed file: YAML (JSON is YAML too), read once per file version; what is wrong is a `SeedError`; the
default seed from its parsed twin."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import mockown.seed as seed_module
from mockown.seed import DEFAULT_TWIN, SeedError, default_fixtures, read_document


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"salesforce: [unclosed\n", "cannot read seed file"),  # a YAML error
        (b"salesforce:\n  orgs: []\n\xff\xfe\n", "cannot read seed file"),  # not UTF-8
        (b"- a list\n", "must hold a mapping"),
    ],
)
def test_a_bad_seed_file_is_a_seed_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "seed.yaml"
    path.write_bytes(content)
    with pytest.raises(SeedError, match=message):
        read_document(path)


def test_yaml_and_json_seed_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("salesforce:\n  orgs:\n    - name: Acme  # a comment\n")
    (tmp_path / "a.json").write_text('{"salesforce": {"orgs": [{"name": "Acme"}]}}')
    assert read_document(tmp_path / "a.yaml") == read_document(tmp_path / "a.json")
    first = read_document(tmp_path / "a.yaml")
    first["salesforce"]["orgs"].clear()  # each read is a fresh copy
    assert read_document(tmp_path / "a.yaml") == {"salesforce": {"orgs": [{"name": "Acme"}]}}


def test_the_default_seed_twin_is_current() -> None:
    """`mockown/_default_seed.json` is fixtures/default.yaml parsed: start-up reads it instead of loading PyYAML.
    After an edit of default.yaml (the twin no longer matches its bytes, and start-up parses YAML again), run
    `make fixtures`."""
    import yaml

    data = default_fixtures().read_bytes()
    twin = json.loads(DEFAULT_TWIN.read_text(encoding="utf-8"))
    assert twin["sha256"] == hashlib.sha256(data).hexdigest(), "fixtures/default.yaml changed: run `make fixtures`"
    assert twin["document"] == yaml.safe_load(data), "the twin is not default.yaml parsed: run `make fixtures`"
    assert read_document(default_fixtures()) == twin["document"]


def test_a_twin_stands_only_for_the_bytes_it_was_made_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("salesforce: {orgs: []}\n")
    twin = tmp_path / "twin.json"
    monkeypatch.setattr(seed_module, "DEFAULT_TWIN", twin)
    made_from = hashlib.sha256(seed.read_bytes()).hexdigest()
    twin.write_text(json.dumps({"sha256": made_from, "document": {"from": "the twin"}}))
    assert read_document(seed) == {"from": "the twin"}  # the same bytes: the twin is used
    seed.write_text("salesforce: {orgs: [{name: Edited}]}\n")  # other bytes (another size: a new cache key)
    assert read_document(seed) == {"salesforce": {"orgs": [{"name": "Edited"}]}}
    for broken in ("not json", "[]", '{"sha256": 1}'):
        twin.write_text(broken)
        seed.write_text(f"# {broken}\nsalesforce: {{orgs: []}}\n")
        assert read_document(seed) == {"salesforce": {"orgs": []}}

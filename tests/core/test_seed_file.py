"""Reading a seed file: YAML (JSON is YAML too), read once per file version; what is wrong is a `SeedError`."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockown.seed import SeedError, read_document


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

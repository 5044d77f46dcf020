"""Claims of the README that drift when code changes under it: its table of contents, the repository paths it
names, and the counts its "Guarantees" table gives for the suites that sweep every operation or route."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _slug(title: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def test_the_contents_link_every_chapter() -> None:
    contents = README.split("\nContents: ", 1)[1].split("\n\n", 1)[0]
    linked = re.findall(r"\]\(#([^)]+)\)", contents)
    chapters = [_slug(title) for title in re.findall(r"(?m)^## (.+)$", README)]
    assert sorted(set(linked)) == sorted(linked), "a chapter is linked twice"
    assert set(linked) <= set(chapters), f"links to no chapter: {set(linked) - set(chapters)}"
    assert set(chapters) <= set(linked), f"chapters missing from the contents: {set(chapters) - set(linked)}"


def test_the_repository_paths_the_readme_names_exist() -> None:
    named = set(re.findall(r"(?<![\w/.])((?:tests|mockown|contracts|fixtures|bench)/[\w./*-]*\w)", README))
    named = {path for path in named if not path.startswith("mockown/_contracts")}  # the wheel's name of contracts/
    assert len(named) > 20
    missing = sorted(path for path in named if not any(ROOT.glob(path)))  # a glob (test_lifetimes_*.py) too
    assert not missing, f"the README names paths that do not exist: {missing}"


def _guarantee(prefix: str) -> str:
    rows = [line for line in README.splitlines() if line.startswith(f"| **{prefix}")]
    assert len(rows) == 1, f"the Guarantees table has {len(rows)} rows starting with {prefix!r}"
    return rows[0]


def test_the_fuzzing_counts_are_the_suites() -> None:
    from tests.reliability import test_schema_fuzz as fuzz

    operations = sum(len(fuzz.operations(name)) for name in fuzz.SPECS)
    runs = len(fuzz.operation_ids())
    row = _guarantee("Fuzzing.")
    assert f"B2C: {operations} operations)" in row
    assert f"{fuzz.QUICK} examples per operation and mode: {runs} runs" in row
    assert f"{fuzz.DEEP} per operation and mode" in row


def test_the_body_limit_count_is_the_suites() -> None:
    from tests.security import test_body_limit as body_limit

    pairs = len(body_limit.body_routes())
    assert f"({pairs} route \u00d7 method pairs, form and JSON)" in _guarantee("Body limit.")

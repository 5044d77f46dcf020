"""The README's "Testing with mockown" chapter: every ```python block headed `# file: NAME` is written out as
that file and the lot runs as a user's suite would (pytester, the plugin from its entry point)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.plugin.test_pytester import run

README = Path(__file__).resolve().parents[2] / "README.md"


def chapter_files() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    assert "\n## Testing with mockown\n" in text, "the README lost its testing chapter"
    chapter = text.split("\n## Testing with mockown\n", 1)[1].split("\n## ", 1)[0]
    files: dict[str, str] = {}
    for block in re.findall(r"```python\n(.*?)```", chapter, re.DOTALL):
        first, _, body = block.partition("\n")
        match = re.fullmatch(r"# file: (\S+\.py)", first.strip())
        assert match, f"a python block without a '# file:' line: {first!r}"
        files[match.group(1)] = body
    return files


def test_readme_testing_examples_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    files = chapter_files()
    assert {"conftest.py", "test_first.py", "test_intercept_example.py", "test_intercept_script.py"} <= set(files)
    for name, body in files.items():
        (pytester.path / name).write_text(body, encoding="utf-8")
    monkeypatch.delenv("MOCKOWN_URL", raising=False)
    expected = sum(len(re.findall(r"^def test_", body, re.MULTILINE)) for body in files.values())
    # warnings as errors, as in a strict suite (this repository's own): a socket an example leaves open is a
    # ResourceWarning pytest reports when it collects it, after the tests, which fails the run, not a test
    result = run(pytester, "-q", "-W", "error")
    result.assert_outcomes(passed=expected)
    assert result.ret == 0, result.stdout.str()[-3000:]

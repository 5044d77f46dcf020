"""The README's Own "API tokens" Python block, run as written on an in-process app."""

from __future__ import annotations

import re
from pathlib import Path

from mockown.http.app import create_app

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_own_api_token_calls_run_as_written() -> None:
    section = README.read_text(encoding="utf-8").split("\n### API tokens\n", 1)[1].split("\n### ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README lost its API-token example"
    app = create_app()
    runtime = app.state.runtime
    namespace = {"runtime": runtime}
    exec(compile(match.group(1), "README.md (API tokens)", "exec"), namespace)
    assert isinstance(namespace["raw"], str) and namespace["raw"]
    assert runtime.own.accounts.get("1001") is None  # the block ends with reset_account(1001): the account is gone

"""Every third-party package mockown imports at run time is one of its `[project] dependencies`: `pip install
mockown` and the Docker image (runtime dependencies only) have it. A package only the test extra installs would
answer 500 (ModuleNotFoundError) on the first request that imports it, however lazily."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "mockown"

# imported only by the test helpers a user's own suite runs (the pytest plugin, mockown.testing), which need the
# packages that suite already has: pytest, and `requests` (with its urllib3) only when it is installed and patched
OPTIONAL = {
    "pytest": {"mockown/pytest_plugin.py", "mockown/testing/handle.py"},
    "requests": {"mockown/testing/interceptor.py"},
    "urllib3": {"mockown/testing/interceptor.py"},
}


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_normalized(re.split(r"[^A-Za-z0-9._-]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def third_party_imports() -> dict[str, set[str]]:
    """Top-level module -> the files under mockown/ that import it (anywhere: start-up, lazily, TYPE_CHECKING)."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top != "mockown" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(path.relative_to(ROOT).as_posix())
    return found


def test_the_walk_sees_the_imports_it_checks() -> None:
    imports = third_party_imports()
    assert {"starlette", "uvicorn", "jwt", "yaml", "faker"} <= imports.keys()
    assert "mockown/own/data.py" in imports["faker"]  # a lazy import inside a function counts


def test_every_runtime_import_is_a_runtime_dependency() -> None:
    runtime = runtime_dependencies()
    distributions = packages_distributions()
    missing = []
    for module, files in sorted(third_party_imports().items()):
        if module in OPTIONAL and files <= OPTIONAL[module]:
            continue
        names = {_normalized(d) for d in distributions.get(module, [module])}
        if not names & runtime:
            missing.append(f"{module} ({', '.join(sorted(names))}) imported by {', '.join(sorted(files))}")
    assert not missing, "not in [project] dependencies: " + "; ".join(missing)


def test_the_optional_imports_stay_where_they_are_allowed() -> None:
    imports = third_party_imports()
    for module, allowed in OPTIONAL.items():
        assert imports.get(module, set()) <= allowed, f"{module} imported outside the test helpers"

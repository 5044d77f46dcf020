"""The package says it is typed (PEP 561), so a user's type checker and IDE see the handle's annotations
(`mockown.issue_token()` is a ``dict[str, Any]``, `mockown.clock.advance()` a ``float``) instead of ``Any``."""

from __future__ import annotations

from importlib import resources


def test_the_package_ships_a_py_typed_marker() -> None:
    # without it mypy --strict reports: Skipping analyzing "mockown.testing": module is installed, but missing
    # library stubs or py.typed marker [import-untyped], and every name from mockown is Any
    assert resources.files("mockown").joinpath("py.typed").is_file()

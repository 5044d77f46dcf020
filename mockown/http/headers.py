"""The first value of a header in an ASGI scope's raw header list (names compared case-insensitively)."""

from __future__ import annotations

from collections.abc import Iterable


def first_header(raw: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """The first value of the header `name` (lower-case bytes) in `raw`, or None: what `Headers.get` finds,
    without building a `Headers` object for one look-up on a hot path."""
    for key, value in raw:
        if key.lower() == name:
            return value
    return None

"""After a browser module, the main thread has no running event loop again (other tests use asyncio.run)."""

from __future__ import annotations

import asyncio


def test_asyncio_run_works_in_this_module() -> None:
    async def answer() -> int:
        return 42

    assert asyncio.run(answer()) == 42

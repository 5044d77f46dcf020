"""Requests refused up front, in the dialect of the endpoint, before any other check.

`PathGuard`: a path with a control character (a raw or %-encoded newline, NUL, ...) is no resource: 404.
(Starlette's route patterns end in `$`, which also matches before a final newline, so `/services/data/%0A`
would otherwise reach `/services/data/`.)

`BodyLimit`: bodies over the limit get 413.

`read_params` / `read_body` already stop reading at `max_body_bytes` (1 MiB by default); this middleware makes
the answer the same for every endpoint, also for one that would refuse the request for another reason
first (no credential, unknown tenant) or never read the body: a body *declared* (`Content-Length`) larger
than the limit gets 413 without being read. The control plane's limit is the larger one its seed and
restore documents need.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import dialect_for


def limit_for(path: str, default: int) -> int:
    from .control import BIG_BODY
    from .journal import CONTROL_PREFIX

    if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
        return max(default, BIG_BODY)
    return default


class PathGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(ord(c) < 32 or ord(c) == 127 for c in scope["path"]):
            dialect = dialect_for(scope["app"].state.dialects, scope["path"])
            await dialect(404, "Not Found", "no such resource").response()(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = next((v for k, v in scope.get("headers", []) if k.lower() == b"content-length"), None)
            if declared is not None and declared.strip().isdigit():
                app = scope["app"]
                limit = limit_for(scope["path"], app.state.runtime.config.max_body_bytes)
                if int(declared) > limit:
                    dialect = dialect_for(app.state.dialects, scope["path"])
                    error = dialect(413, "Payload Too Large", f"request body larger than {limit} bytes")
                    await error.response()(scope, receive, send)
                    return
        await self.app(scope, receive, send)

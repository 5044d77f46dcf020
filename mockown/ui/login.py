"""The authorize flow's login and consent page (plain HTML that works without JavaScript)."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from ..salesforce.authorize import NeedsLogin


def render_login(request: Request, decision: NeedsLogin) -> HTMLResponse:
    app = decision.request.app
    hint = escape(decision.request.login_hint or "")
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Login | Salesforce</title></head><body>"
        f"<h1>Log in to {escape(app.name)}</h1>"
        "<p>Interactive login is not available on this server yet. Pass <code>login_hint</code> with the "
        "username of a seeded user, on a connected app with <code>auto_approve: true</code>.</p>"
        f"<p>Requested user: <code>{hint or '(none)'}</code></p></body></html>"
    )
    return HTMLResponse(body, status_code=200)

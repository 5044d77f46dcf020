"""`/_mockown/ui`: a server-rendered page of the whole state, with buttons for the common transitions.

Plain HTML forms (no JavaScript): advance / freeze the clock, revoke a token, approve a device code,
reset. Each form posts to `/_mockown/ui/<action>` and is redirected back (303) with a one-line notice.
Secrets never appear: tokens are stored hashed and shown by a prefix of their hash, client secrets masked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import ids, security
from ..clock import iso
from ..errors import ControlError
from ..http.api import root_path, runtime_of
from ..http.forms import read_body
from ..http.journal import is_secret_name
from ..store import RECORD_TYPES
from .csrf import PAGE_HEADERS
from .paths import DASHBOARD as UI

if TYPE_CHECKING:
    from ..runtime import Runtime
    from ..salesforce.models import AccessToken, ConnectedApp, RefreshToken, User

ROW_LIMIT = 200
_SHOWN = {"sf_orgs", "sf_users", "sf_apps", "sf_access_tokens", "sf_refresh_tokens", "sf_device_codes", "outbox",
          "own_jobs", "own_api_tokens"}  # fmt: skip

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f7f9}
header{background:#0b5cab;color:#fff;padding:10px 20px;display:flex;gap:24px;align-items:center;flex-wrap:wrap}
header h1{font-size:18px;margin:0}
main{padding:12px 20px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:12px 0;padding:8px 14px}
h2{font-size:15px;margin:6px 0 8px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #eceef1;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f4f6}
code{font:12px ui-monospace,monospace}
.live{color:#0a7d32;font-weight:600}.dead{color:#a0a0a0}.revoked{color:#b3261e}
.notice{background:#e8f3ff;border:1px solid #9cc7f5;padding:6px 12px;border-radius:4px}
.error{background:#fdecea;border-color:#f4b4ae}
form.inline{display:inline}
.empty{color:#888;font-style:italic}
"""


def _html(text: Any) -> str:
    return escape("" if text is None else str(text))


def _when(ts: float | None) -> str:
    return iso(ts) if ts else ""


def _short(digest: str) -> str:
    return f"#{digest[:10]}…"


def _button(action: str, label: str, fields: dict[str, str], test_id: str) -> str:
    hidden = "".join(f"<input type='hidden' name='{_html(k)}' value='{_html(v)}'>" for k, v in fields.items())
    return (
        f"<form class='inline' method='post' action='{UI}/{action}'>{hidden}"
        f"<button type='submit' data-testid='{_html(test_id)}'>{_html(label)}</button></form>"
    )


def _table(headers: list[str], rows: list[list[str]], test_id: str, empty: str = "none") -> str:
    if not rows:
        return f"<p class='empty' data-testid='{test_id}-empty'>{_html(empty)}</p>"
    head = "".join(f"<th>{_html(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table data-testid='{test_id}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(title: str, inner: str, test_id: str) -> str:
    return f"<section id='{test_id}' data-testid='section-{test_id}'><h2>{_html(title)}</h2>{inner}</section>"


# -- sections ------------------------------------------------------------------------------------------
def _clock(runtime: Runtime) -> str:
    clock = runtime.clock
    state = "frozen" if clock.frozen else "running"
    toggle = (
        _button("clock", "Unfreeze", {"unfreeze": "true"}, "clock-unfreeze")
        if clock.frozen
        else _button("clock", "Freeze", {"freeze": "true"}, "clock-freeze")
    )
    form = (
        f"<form class='inline' method='post' action='{UI}/clock'>"
        "<label>Advance by <input name='advance' value='1h' size='8' data-testid='advance-input'></label> "
        "<button type='submit' data-testid='clock-advance'>Advance</button></form> "
    )
    return _section(
        "Clock",
        f"<p>Now: <code data-testid='clock-now'>{_html(iso(clock.now()))}</code> ({state}) {form}{toggle}</p>",
        "clock",
    )


def _token_row(
    kind: str,
    t: AccessToken | RefreshToken,
    status: str,
    live: bool,
    user: User | None,
    app: ConnectedApp | None,
    expires: str,
) -> list[str]:
    """A row of the tokens table; a live token gets a Revoke button."""
    action = _button("revoke", "Revoke", {"kind": kind, "id": t.id}, f"revoke-{t.id[:10]}") if live else ""
    return [
        kind,
        f"<code data-testid='token-{t.id[:10]}'>{_html(_short(t.id))}</code>",
        f"<span class='{'live' if live else 'revoked' if t.revoked else 'dead'}' "
        f"data-testid='status-{t.id[:10]}'>{status}</span>",
        _html(user.username if user else t.user_id),
        _html(app.name if app else t.app_id),
        _html(" ".join(t.scopes)),
        _when(t.issued_at),
        expires,
        action,
    ]


def _salesforce(runtime: Runtime) -> str:
    from ..salesforce.api_limit import used
    from ..salesforce.models import DeviceCode

    sf = runtime.salesforce
    now = runtime.clock.now()
    orgs = sorted(sf.orgs.all(), key=lambda o: o.created_at)
    users = {u.id: u for u in sf.users.all()}
    apps = {a.id: a for a in sf.apps.all()}
    org_rows = [
        [
            f"<code>{_html(o.id)}</code>",
            _html(o.name),
            _html(o.organization_type + (" (sandbox)" if o.is_sandbox else "") + (", Dev Hub" if o.dev_hub else "")),
            f"{used(o, now)}/{o.api_limit}",
            str(sum(1 for u in users.values() if u.org_id == o.id)),
            str(sum(1 for a in apps.values() if a.org_id == o.id)),
            _button("reset-org", "Reset org", {"org": o.id}, f"reset-org-{o.id}"),
        ]
        for o in orgs
    ]
    user_rows = [
        [
            _html(u.username),
            _html(u.display_name),
            f"<code>{_html(u.id)}</code>",
            f"<code>{_html(u.org_id)}</code>",
            _html(u.profile),
            "<span class='live'>active</span>" if u.active else "<span class='dead'>inactive</span>",
            "locked" if u.locked(now) else "",
        ]
        for u in sorted(users.values(), key=lambda u: u.username)
    ]
    app_rows = [
        [
            _html(a.name),
            f"<code>{_html(_client_id(a.client_id))}</code>",
            f"<code>{_html(security.mask(a.client_secret))}</code>" if a.client_secret else "(public)",
            f"<code>{_html(a.org_id)}</code>",
            _html(" ".join(a.scopes)),
            _html(a.refresh_token_policy + (", rotation" if a.rotation else "")),
            _html(", ".join(a.callback_urls)),
        ]
        for a in sorted(apps.values(), key=lambda a: a.name)
    ]
    token_rows = []
    for t in sorted(sf.access_tokens.all(), key=lambda t: t.issued_at, reverse=True)[:ROW_LIMIT]:
        parent = sf.refresh_tokens.get(t.refresh_id) if t.refresh_id else None
        live = t.live(now) and not (parent is not None and parent.revoked)
        status = "revoked" if t.revoked else "live" if live else "expired"
        user, app = users.get(t.user_id), apps.get(t.app_id)
        token_rows.append(_token_row("access", t, status, live, user, app, _when(t.expires_at())))
    for r in sorted(sf.refresh_tokens.all(), key=lambda r: r.issued_at, reverse=True)[:ROW_LIMIT]:
        app = apps.get(r.app_id)
        live = not r.revoked and not r.rotated and (app is None or sf.refresh_live(r, app, now))
        status = "revoked" if r.revoked else "rotated" if r.rotated else "live" if live else "expired"
        user = users.get(r.user_id)
        token_rows.append(_token_row("refresh", r, status, live, user, app, ""))
    device_rows = []
    for d in sorted(runtime.store.table(DeviceCode).all(), key=lambda d: d.issued_at, reverse=True)[:ROW_LIMIT]:
        if d.used:
            status = "used"
        elif d.denied:
            status = "denied"
        elif now >= d.expires_at:
            status = "expired"
        elif d.user_id:
            status = "approved"
        else:
            status = "pending"
        action = ""
        if status == "pending":
            default_user = next((u.username for u in users.values() if u.org_id == d.org_id and u.active), "")
            action = (
                f"<form class='inline' method='post' action='{UI}/approve-device'>"
                f"<input type='hidden' name='user_code' value='{_html(d.user_code)}'>"
                f"<input name='username' value='{_html(default_user)}' size='24' "
                f"data-testid='device-user-{_html(d.user_code)}'> "
                f"<button type='submit' data-testid='approve-{_html(d.user_code)}'>Approve</button></form>"
            )
        app = apps.get(d.app_id)
        device_rows.append(
            [
                f"<code>{_html(d.user_code)}</code>",
                _html(app.name if app else d.app_id),
                f"<span data-testid='device-status-{_html(d.user_code)}'>{status}</span>",
                _when(d.expires_at),
                action,
            ]
        )
    return "".join(
        [
            _section(
                "Salesforce orgs",
                _table(["id", "name", "type", "API usage", "users", "apps", ""], org_rows, "orgs"),
                "orgs",
            ),
            _section(
                "Users",
                _table(["username", "name", "id", "org", "profile", "status", ""], user_rows, "users"),
                "users",
            ),
            _section(
                "Connected apps",
                _table(["name", "client id", "secret", "org", "scopes", "refresh", "callbacks"], app_rows, "apps"),
                "apps",
            ),
            _section(
                "Tokens (hashes; the raw values are never stored)",
                _table(
                    ["kind", "token", "status", "user", "app", "scopes", "issued", "expires", ""],
                    token_rows,
                    "tokens",
                    "no tokens issued yet",
                ),
                "tokens",
            ),
            _section(
                "Device codes",
                _table(["user code", "app", "status", "expires", ""], device_rows, "devices", "no device flows"),
                "devices",
            ),
        ]
    )


def _client_id(client_id: str) -> str:
    """A consumer key as the apps table shows it: whole when short (`JwtApp`), else its head and tail for width
    (`3MVG9Mockown…0000`). Not a secret (clients send it in the clear), so not `security.mask`, which shows
    nothing of a short value."""
    return client_id if len(client_id) <= 24 else f"{client_id[:12]}…{client_id[-4:]}"


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "progress" and isinstance(value, int | float):
        return f"<progress max='100' value='{value}'></progress> {value}%"
    if is_secret_name(name) and isinstance(value, str) and value:
        return f"<code>{_html(security.mask(value))}</code>"
    if isinstance(value, float) and value > 1e9 and name.endswith(("_at", "time", "_from", "until")):
        return _html(iso(value))
    text = str(value)
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
        return f"<code>{_html(_short(text))}</code>"
    if len(text) > 80:
        text = text[:77] + "…"
    return _html(text)


def _other_tables(runtime: Runtime) -> str:
    """Every other kind of state (Own accounts, services, jobs, ... of any API), generically."""
    parts = []
    for name in sorted(RECORD_TYPES):
        if name in _SHOWN or name.endswith(("web_sessions", "_sessions")):
            continue
        meta = RECORD_TYPES[name]
        rows = runtime.store.table(meta.cls).all()
        if not rows:
            continue
        fields = [f.name for f in dataclasses.fields(meta.cls)]
        body = [[_cell(f, getattr(r, f, None)) for f in fields] for r in rows[:ROW_LIMIT]]
        title = name.replace("_", " ").capitalize() + (
            f" (first {ROW_LIMIT} of {len(rows)})" if len(rows) > ROW_LIMIT else ""
        )
        parts.append(_section(title, _table(fields, body, f"table-{name}"), f"table-{name}"))
    return "".join(parts)


def _own_jobs(runtime: Runtime) -> str:
    """Own jobs with their progress as the API reports it."""
    if getattr(type(runtime), "own", None) is None:
        return ""
    from ..own import jobs
    from ..own.models import Job

    own = cast(Any, runtime).own
    rows = []
    for job in sorted(runtime.store.table(Job).all(), key=lambda j: j.created_at, reverse=True)[:ROW_LIMIT]:
        job = jobs.settle(own, job, poll=False)  # brought up to the clock as the API would, without a poll
        percent = jobs.percent(own, job)
        rows.append(
            [
                f"<code>{_html(job.id)}</code>",
                _html(job.kind),
                _html(job.title),
                f"<span data-testid='job-status-{_html(job.num)}'>{_html(jobs.status(own, job))}</span>",
                f"<progress max='100' value='{percent}'></progress> "
                f"<span data-testid='job-progress-{_html(job.num)}'>{percent}%</span>",
                _html(job.account_id),
                _when(job.created_at),
            ]
        )
    table = _table(["job", "kind", "title", "status", "progress", "account", "created"], rows, "own-jobs", "no jobs")
    return _own_api_tokens(runtime, own) + _section("Own jobs", table, "own-jobs")


def _own_api_tokens(runtime: Runtime, own: Any) -> str:
    from ..own.models import ApiToken

    now = runtime.clock.now()
    rows = []
    for token in sorted(runtime.store.table(ApiToken).all(), key=lambda t: t.created_at, reverse=True)[:ROW_LIMIT]:
        user = own.user(token.user_id)
        email = user.email if user is not None else token.user_id
        live = now < token.expires_at
        rows.append(
            [
                f"<code>…{_html(token.hint)}</code>",
                f"<span data-testid='own-token-user-{_html(token.user_id)}'>{_html(email)}</span>",
                _html(token.account_id),
                f"<span class='{'live' if live else 'dead'}'>{'live' if live else 'expired'}</span>",
                _when(token.created_at),
                _when(token.expires_at),
                _when(token.last_used_at),
                _button("revoke-own", "Revoke", {"user": token.user_id}, f"revoke-own-{token.user_id}"),
            ]
        )
    headers = ["token", "user", "account", "status", "created", "expires", "last used", ""]
    table = _table(headers, rows, "own-api-tokens", "no API tokens")
    return _section("Own API tokens (one per user; shown once when generated)", table, "own-api-tokens")


def _outbox(runtime: Runtime) -> str:
    from ..outbox import messages

    rows = []
    for m in reversed(messages(runtime)[-50:]):
        body = f"<details><summary>body</summary><pre>{_html(m.body)}</pre></details>"
        rows.append([_when(m.sent_at), _html(m.to), _html(m.subject), _html(m.kind), body])
    table = _table(["sent", "to", "subject", "kind", ""], rows, "outbox", "no e-mails")
    return _section("Outbox (newest first)", table, "outbox")


def _journal(runtime: Runtime) -> str:
    entries = runtime.control.journal.entries(limit=50)
    rows = [
        [
            str(e.id),
            _when(e.time),
            _html(e.method),
            f"<code>{_html(e.path)}</code>",
            str(e.status),
            _html(e.grant_type),
            f"<code>{_html(e.org or e.account or '')}</code>",
            f"fault {e.fault}" if e.fault else "",
        ]
        for e in reversed(entries)
    ]
    return _section(
        "Journal (newest first, last 50)",
        _table(["#", "time", "method", "path", "status", "grant", "org / account", ""], rows, "journal", "no requests"),
        "journal",
    )


def render(runtime: Runtime, notice: str | None, error: bool, root: str = "") -> str:
    """The page; `root` is the app's root path as a URL path (`api.root_path`: `--root-path`, a `Mount`), which its
    forms and links go under."""
    header = (
        "<header><h1>mockown</h1>"
        f"<span>store: {_html(runtime.store.kind)}</span>"
        f"<a style='color:#fff' href='/_mockown/openapi.yaml'>control-plane API</a>"
        + _button("reset", "Reset everything", {}, "reset-all")
        + "</header>"
    )
    note = ""
    if notice:
        note = f"<p class='notice{' error' if error else ''}' data-testid='notice' role='status'>{_html(notice)}</p>"
    sections = (_clock, _salesforce, _own_jobs, _other_tables, _outbox, _journal)
    body = "".join(section(runtime) for section in sections)
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>mockown dashboard</title>"
        f"<meta name='viewport' content='width=device-width'><style>{_CSS}</style></head>"
        f"<body>{header}<main>{note}{body}</main></body></html>"
    )
    # every form action and link of the page is `='/_mockown/...'` (a quote in shown data is escaped: no match)
    return html.replace("='/_mockown/", f"='{_html(root)}/_mockown/") if root else html


# -- endpoints -----------------------------------------------------------------------------------------
async def page(request: Request) -> Response:
    runtime = runtime_of(request)
    notice = request.query_params.get("notice")
    error = request.query_params.get("error") == "1"
    # no other site may frame the page: its buttons post same-origin from inside a frame (clickjacking)
    headers = {"Cache-Control": "no-store", **PAGE_HEADERS}
    return HTMLResponse(render(runtime, notice, error, root_path(request)), headers=headers)


def _back(request: Request, notice: str, error: bool = False) -> Response:
    root = root_path(request)  # under `--root-path` / a `Mount`: back under it (URL-encoded)
    return RedirectResponse(f"{root}{UI}?notice={quote(notice)}{'&error=1' if error else ''}", status_code=303)


async def action(request: Request) -> Response:
    name = request.path_params["action"]
    perform = ACTIONS.get(name)
    if perform is None:  # not a button of the page: no such resource, as any other unknown path
        raise HTTPException(404)
    runtime = runtime_of(request)
    raw = await read_body(request, runtime.config.max_body_bytes)
    try:
        form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return _back(request, "malformed form", True)
    try:
        return _back(request, perform(runtime, form))
    except ControlError as exc:  # the control plane's refusal (an org reset already, from a stale page): a notice
        return _back(request, exc.message, True)
    except (ValueError, LookupError) as exc:
        return _back(request, str(exc), True)


def _clock_action(runtime: Runtime, form: dict[str, str]) -> str:
    clock = runtime.clock
    if form.get("advance"):
        clock.advance(form["advance"])
        return f"clock advanced by {form['advance']}: now {iso(clock.now())}"
    if form.get("freeze"):
        clock.freeze()
        return f"clock frozen at {iso(clock.now())}"
    if form.get("unfreeze"):
        clock.unfreeze()
        return "clock running"
    raise ValueError("nothing to do with the clock")


def _approve_device(runtime: Runtime, form: dict[str, str]) -> str:
    from ..salesforce.device import DeviceError, decide

    user = runtime.salesforce.user_by_username(form.get("username"))
    if user is None:
        raise ValueError(f"no such user: {form.get('username')}")
    try:
        decide(runtime.salesforce, form.get("user_code"), user, allow=True)
    except DeviceError as exc:
        raise ValueError(str(exc)) from None
    return f"device code {form.get('user_code')} approved as {user.username}"


def _revoke_own(runtime: Runtime, form: dict[str, str]) -> str:
    from ..errors import MockownError

    user_id = form.get("user", "")
    try:
        cast(Any, runtime).own.revoke_api_token(user_id, source="web app")
    except MockownError as exc:
        raise ValueError(str(exc)) from None
    return f"the API token of Own user {user_id} was revoked"


def _reset(runtime: Runtime, form: dict[str, str]) -> str:
    from ..http.control import reset_all

    reset_all(runtime)
    return "everything reset to the seed data"


def _reset_org(runtime: Runtime, form: dict[str, str]) -> str:
    from ..http.control import reset_org

    org = ids.to18(form.get("org", ""))
    reset_org(runtime, org)
    return f"org {org} reset"


def _revoke(runtime: Runtime, form: dict[str, str]) -> str:
    kind, token_id = form.get("kind", ""), form.get("id", "")
    sf = runtime.salesforce
    with runtime.store.atomic():
        if kind == "access":
            token = sf.access_tokens.get(token_id)
            if token is None:
                raise LookupError("no such token")
            if not token.revoked:
                token.revoked = True
                sf.access_tokens.put(token)
        elif kind == "refresh":
            rt = sf.refresh_tokens.get(token_id)
            if rt is None:
                raise LookupError("no such token")
            sf.revoke_family(rt.family_id)
        else:
            raise ValueError("kind is access or refresh")
    return f"{kind} token {_short(token_id)} revoked"


# the page's buttons (`POST /_mockown/ui/<name>`): each does one thing and says what, or raises ValueError /
# LookupError for an error notice
ACTIONS: dict[str, Callable[[Runtime, dict[str, str]], str]] = {
    "clock": _clock_action,
    "revoke": _revoke,
    "approve-device": _approve_device,
    "revoke-own": _revoke_own,
    "reset": _reset,
    "reset-org": _reset_org,
}

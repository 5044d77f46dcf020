"""The request journal: what the server received, newest last, secrets redacted.

`JournalMiddleware` is the outer of the two observing middlewares. For every request outside the control
plane it buffers the body (up to the configured limit), works out who the request is about (org, Own account,
client id, grant type) once, leaves that `RequestInfo` in the ASGI scope for the fault middleware, replays
the body to the app, and records an `Entry` with the final status. Parameter values, headers and query
values that carry secrets (tokens, secrets, passwords, codes, assertions, `Authorization`) are redacted
before anything is stored or logged.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import ids, security
from ..clock import iso
from .forms import FORM_KEY, BadBody, Params, read_params

if TYPE_CHECKING:
    from ..runtime import Runtime

log = logging.getLogger("mockown.request")

CONTROL_PREFIX = "/_mockown"
REDACTED = "[redacted]"
INFO_KEY = "mockown.request"

# Parameter / query names whose values are secrets. `code` alone (authorization code) and anything that
# names a token, secret, password, assertion, verifier or session.
_SECRET_NAME = re.compile(
    r"(token|secret|password|passwd|assertion|verifier|session|signature|api[_-]?key|^code$|_code$|^otp$)",
    re.IGNORECASE,
)
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-session-id", "x-api-key", "x-sfdc-session"}
)


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def _redact_value(key: str, value: str) -> str:
    if is_secret_name(key) and value:
        return REDACTED
    if value[:1] in ("{", "["):  # a nested JSON object of a JSON body: its secrets go too
        try:
            nested = json.loads(value)
        except ValueError:
            return value
        return json.dumps(_redact_json(nested))
    return value


def _redact_json(data: Any) -> Any:
    if isinstance(data, dict):
        secret = {k for k, v in data.items() if is_secret_name(str(k)) and v not in (None, "")}
        return {k: REDACTED if k in secret else _redact_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_redact_json(v) for v in data]
    return data


def redact_params(items: Iterable[tuple[str, str]]) -> dict[str, str | list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in items:
        out.setdefault(key, []).append(_redact_value(key, value))
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def redact_header(name: str, value: str) -> str:
    lname = name.lower()
    if lname in ("authorization", "proxy-authorization"):
        scheme, _, rest = value.partition(" ")
        return f"{scheme} {REDACTED}" if rest else REDACTED
    if lname in _SECRET_HEADERS:
        return REDACTED
    return value


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers:
        lname = name.lower()
        redacted = redact_header(lname, value)
        out[lname] = f"{out[lname]}, {redacted}" if lname in out else redacted
    return out


def redact_query(query: str) -> str:
    if not query:
        return ""
    try:
        items = parse_qsl(query, keep_blank_values=True, max_num_fields=1000)
    except ValueError:
        return REDACTED
    return "&".join(f"{k}={REDACTED if is_secret_name(k) and v else v}" for k, v in items)


@dataclass
class RequestInfo:
    """What the middlewares know about a request before the app sees it (shared through the scope)."""

    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    params: Params = field(default_factory=Params)
    grant_type: str | None = None
    org: str | None = None
    account: str | None = None
    client_id: str | None = None
    user: str | None = None
    bearer: str | None = None

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key == lname:
                return value
        return None


@dataclass
class Entry:
    id: int
    time: float
    method: str
    path: str
    query: str
    headers: dict[str, str]
    params: dict[str, str | list[str]]
    grant_type: str | None
    org: str | None
    account: str | None
    client_id: str | None
    user: str | None
    status: int = 0
    duration_ms: float = 0.0
    fault: int | None = None  # the fault rule that acted on this request
    closed: bool = False  # the connection was closed by a fault

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": iso(self.time, millis=True),
            "timestamp": self.time,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "params": self.params,
            "grant_type": self.grant_type,
            "org": self.org,
            "account": self.account,
            "client_id": self.client_id,
            "user": self.user,
            "status": self.status,
            "duration_ms": self.duration_ms,
            "fault": self.fault,
            "closed": self.closed,
        }


def _norm_org(value: str | None) -> str | None:
    if not value:
        return value
    try:
        return ids.to18(value)
    except ValueError:
        return value


@dataclass(frozen=True)
class JournalFilter:
    path: str | None = None
    method: str | None = None
    org: str | None = None
    account: str | None = None
    grant_type: str | None = None
    client_id: str | None = None
    status: int | None = None
    since: int | None = None  # only entries with a larger id

    @classmethod
    def from_params(cls, params: Mapping[str, str | None]) -> JournalFilter:
        status = params.get("status")
        since = params.get("since")
        try:
            return cls(
                path=params.get("path") or None,
                method=(params.get("method") or "").upper() or None,
                org=_norm_org(params.get("org") or None),
                account=params.get("account") or None,
                grant_type=params.get("grant_type") or None,
                client_id=params.get("client_id") or None,
                status=int(status) if status else None,
                since=int(since) if since else None,
            )
        except ValueError:
            raise ValueError("status and since must be integers") from None

    def __call__(self, entry: Entry) -> bool:
        if self.path is not None:
            if any(c in self.path for c in "*?["):
                if not fnmatch.fnmatchcase(entry.path, self.path):
                    return False
            elif entry.path != self.path:
                return False
        return (
            (self.method is None or entry.method == self.method)
            and (self.org is None or entry.org == self.org)
            and (self.account is None or entry.account == self.account)
            and (self.grant_type is None or entry.grant_type == self.grant_type)
            and (self.client_id is None or entry.client_id == self.client_id)
            and (self.status is None or entry.status == self.status)
            and (self.since is None or entry.id > self.since)
        )


class Journal:
    """A bounded, thread-safe list of entries (the oldest drop off once `size` is reached)."""

    def __init__(self, size: int = 10000) -> None:
        self._entries: deque[Entry] = deque(maxlen=max(size, 1))
        self._lock = threading.Lock()
        self._seq = 0
        self.dropped = 0

    def next_id(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def add(self, entry: Entry) -> None:
        with self._lock:
            if len(self._entries) == self._entries.maxlen:
                self.dropped += 1
            self._entries.append(entry)

    def entries(self, where: JournalFilter | None = None, limit: int | None = None) -> list[Entry]:
        with self._lock:
            found = [e for e in self._entries if where is None or where(e)]
        if limit is not None and limit >= 0:
            found = found[-limit:] if limit else []
        return found

    def counts(self, where: JournalFilter | None = None) -> dict[str, Any]:
        found = self.entries(where)
        by_path: dict[str, int] = {}
        by_grant: dict[str, int] = {}
        by_status: dict[str, int] = {}
        for e in found:
            key = f"{e.method} {e.path}"
            by_path[key] = by_path.get(key, 0) + 1
            if e.grant_type:
                by_grant[e.grant_type] = by_grant.get(e.grant_type, 0) + 1
            by_status[str(e.status)] = by_status.get(str(e.status), 0) + 1
        return {"count": len(found), "by_path": by_path, "by_grant_type": by_grant, "by_status": by_status}

    def clear(self) -> int:
        with self._lock:
            n = len(self._entries)
            self._entries.clear()
            self.dropped = 0
            return n

    def __len__(self) -> int:
        return len(self._entries)


# -- who a request is about ----------------------------------------------------------------------------
def _bearer(headers: list[tuple[str, str]], query: Params) -> str | None:
    for key, value in headers:
        if key == "authorization":
            scheme, _, rest = value.strip().partition(" ")
            if scheme.lower() in ("bearer", "oauth") and rest.strip():
                return rest.strip()
    return query.get("oauth_token")


def resolve(runtime: Runtime, info: RequestInfo) -> None:
    """Fill in org / account / client id / user for the journal and for fault matching (read-only)."""
    params = info.params
    info.grant_type = params.get("grant_type")
    info.client_id = params.get("client_id")
    path = info.path
    if path.startswith(("/services/", "/id/", "/.well-known/")):
        _resolve_salesforce(runtime, info)
    if getattr(type(runtime), "own", None) is not None and path.startswith(("/api/", "/regions/", "/oauth2/")):
        try:
            _resolve_own(runtime, info)
        except Exception:  # the Own API is optional here; its own code reports real problems
            log.debug("could not resolve the Own account of %s", path, exc_info=True)


def _resolve_own(runtime: Runtime, info: RequestInfo) -> None:
    own: Any = cast(Any, runtime).own
    hook = getattr(own, "account_for_request", None)
    if callable(hook):
        info.account = hook(path=info.path, bearer=info.bearer, params=info.params)
        return
    found = None
    if info.bearer:
        found = own.access_tokens.get(security.token_hash(info.bearer))
    api_token = info.params.get("refresh_token")
    if found is None and api_token:
        found = own.api_tokens.get(security.token_hash(api_token))
    if found is not None:
        account = getattr(found, "account_id", None)
        info.account = str(account) if account is not None else None
        user = own.user(found.user_id)
        info.user = getattr(user, "email", None)


def _resolve_salesforce(runtime: Runtime, info: RequestInfo) -> None:
    service = runtime.salesforce
    if info.path.startswith("/id/"):
        parts = info.path.split("/")
        if len(parts) > 2 and ids.is_valid(parts[2]):
            info.org = ids.to18(parts[2])
    if info.bearer:
        token = service.access_tokens.get(security.token_hash(info.bearer))
        if token is not None:
            info.org = token.org_id
            user = service.user(token.user_id)
            info.user = user.username if user else None
    client_id = info.client_id
    if client_id is None:
        auth = info.header("authorization") or ""
        if auth.lower().startswith("basic "):
            import base64
            from urllib.parse import unquote

            try:
                decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
                client_id = unquote(decoded.partition(":")[0]) or None
            except (ValueError, UnicodeDecodeError):
                client_id = None
            info.client_id = client_id
    if client_id:
        app = service.app_by_client_id(client_id)
        if app is not None and info.org is None:
            info.org = app.org_id
    username = info.params.get("username")
    if username:
        info.user = username.strip().lower()
        if info.org is None:
            user = service.user_by_username(username)
            if user is not None:
                info.org = user.org_id
    refresh = info.params.get("refresh_token") or info.params.get("token")
    if refresh and info.org is None:
        digest = security.token_hash(refresh)
        found = service.refresh_tokens.get(digest) or service.access_tokens.get(digest)
        if found is not None:
            info.org = found.org_id


# -- the middleware ------------------------------------------------------------------------------------
def _decode_headers(scope: Scope) -> list[tuple[str, str]]:
    return [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers", [])]


class JournalMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        runtime: Runtime = scope["app"].state.runtime
        started = time.perf_counter()
        limit = runtime.config.max_body_bytes
        chunks: list[bytes] = []
        total = 0
        more = True
        disconnect: Message | None = None
        while more:
            message = await receive()
            if message["type"] != "http.request":
                disconnect = message
                break
            chunk = message.get("body", b"")
            chunks.append(chunk)
            total += len(chunk)
            more = message.get("more_body", False)
            if total > limit:
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                if disconnect is not None and not body:
                    return disconnect
                return {"type": "http.request", "body": body, "more_body": more}
            if disconnect is not None:
                return disconnect
            return await receive()

        headers = _decode_headers(scope)
        query = scope.get("query_string", b"").decode("latin-1")
        info = RequestInfo(method=scope["method"], path=scope["path"], query=query, headers=headers)
        if body and not more and total <= limit:  # an empty body has no parameters
            sent = False

            async def once() -> Message:
                nonlocal sent
                if sent:
                    return {"type": "http.disconnect"}
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            parse_scope = dict(scope)
            try:
                info.params = await read_params(Request(parse_scope, once), limit, json_ok=True)
            except BadBody:
                info.params = Params()
            if FORM_KEY in parse_scope:  # the endpoint's own read of this form body reuses the parse
                scope[FORM_KEY] = parse_scope[FORM_KEY]
        try:
            qparams = Params(parse_qsl(query, keep_blank_values=True, max_num_fields=1000))
        except ValueError:
            qparams = Params()
        info.params = info.params.merged_under(qparams)
        info.bearer = _bearer(headers, qparams)
        try:
            resolve(runtime, info)
        except Exception:  # resolution is best effort; the app itself reports real problems
            log.debug("could not resolve the subject of %s %s", info.method, info.path, exc_info=True)
        scope[INFO_KEY] = info
        journal = runtime.control.journal
        entry = Entry(
            id=journal.next_id(),
            time=runtime.clock.now(),
            method=info.method,
            path=info.path,
            query=redact_query(query),
            headers=redact_headers(headers),
            params=redact_params(info.params.items()),
            grant_type=info.grant_type,
            org=info.org,
            account=info.account,
            client_id=info.client_id,
            user=info.user,
        )
        scope["mockown.entry"] = entry

        recorded = False

        def record() -> None:
            nonlocal recorded
            recorded = True
            entry.duration_ms = round((time.perf_counter() - started) * 1000, 3)
            journal.add(entry)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    extra={
                        "fields": {
                            "method": entry.method,
                            "path": entry.path,
                            "status": entry.status,
                            "ms": entry.duration_ms,
                            "grant_type": entry.grant_type,
                            "org": entry.org,
                            "account": entry.account,
                            "client_id": entry.client_id,
                            "fault": entry.fault,
                            "closed": entry.closed or None,
                        }
                    },
                )

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body", False) and not recorded:
                record()  # before the last byte goes out: a client that has its answer finds the entry
            await send(message)

        try:
            await self.app(scope, replay, recording_send)
        except BaseException:
            if entry.status == 0:
                entry.status = 500
            raise
        finally:
            if not recorded:
                record()

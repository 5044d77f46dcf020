"""The request journal: what the server received, newest last, secrets redacted.

For every request outside the control plane, the request pipeline (`pipeline.py`) buffers the body (up to
the configured limit), works out who the request is about (org, Own account, client id, grant type) once
(`resolve`), hands that `RequestInfo` to the fault rules, replays the body to the app, and
records an `Entry` with the final status. Parameter values, headers and query values that carry secrets
(tokens, secrets, passwords, codes, assertions, `Authorization`) are redacted before anything leaves an entry
(`Entry` keeps the raw request and redacts it when first read) or is logged.
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import logging
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, unquote_plus

from .. import ids, security
from ..clock import iso
from ..fieldwise import Fieldwise, Value
from .forms import NO_PARAMS, BadBody, Params, parse_json

if TYPE_CHECKING:
    from ..runtime import Runtime

log = logging.getLogger("mockown.request")

CONTROL_PREFIX = "/_mockown"
REDACTED = "[redacted]"

# Parameter / query names whose values are secrets. `code` alone (authorization code) and anything that
# names a token, secret, password, assertion, verifier or session; the form pages' anti-CSRF token (`_csrf`);
# B2C's storefront session (`dwsid`) and the OCAPI JWTs the SLAS session bridge takes (`dwsgst`, `dwsrst`).
_SECRET_NAME = re.compile(
    r"(token|secret|password|passwd|assertion|verifier|session|signature|api[_-]?key|csrf|^code$|_code$|^otp$"
    r"|(^|_)sid$|^dws(id|gst|rst)$)",
    re.IGNORECASE,
)
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-session-id", "x-api-key", "x-sfdc-session"}
    | {"x-slas-client-auth"}  # SLAS Strict Client Auth: base64(client_id:client_secret)
)


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def _redact_value(key: str, value: str) -> str:
    if is_secret_name(key) and value:
        return REDACTED
    if value[:1] in ("{", "["):  # a nested JSON object of a JSON body: its secrets go too
        try:
            nested = parse_json(value)
        except BadBody:  # not JSON after all, or JSON no parser reads (too deep, a number too long)
            return value
        try:
            return json.dumps(_redact_json(nested))
        except RecursionError:  # nested deeper than the walk goes: a secret inside cannot be told apart
            return REDACTED
    return value


def _redact_json(data: Any) -> Any:
    if isinstance(data, dict):
        secret = {k for k, v in data.items() if is_secret_name(str(k)) and v not in (None, "")}
        return {k: REDACTED if k in secret else _redact_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_redact_json(v) for v in data]
    return data


# What no client names a parameter: markup, quotes, braces, control characters. Such a "name" is the text of a
# body that is no form read as one (a SOAP envelope sent as text/plain to a mistyped path, JSON as text), and
# may hold a password the redaction by name cannot see. So are the other "parameters" of such a body: a secret
# holding '&' then '=' ('Pa&amp;ss=w0rd' in XML) makes a plain-looking name ('amp;ss') whose value is the rest
# of the text. A body with any name that is no name is no form: none of its parameters is shown.
_NOT_A_NAME = re.compile(r"[<>\"'{}\x00-\x1f\x7f]")
_MAX_NAME = 256


def redact_params(items: Iterable[tuple[str, str]]) -> dict[str, str | list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in items:
        if len(key) > _MAX_NAME or _NOT_A_NAME.search(key):
            return {REDACTED: REDACTED}
        out.setdefault(key, []).append(_redact_value(key, value))
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def redact_header(name: str, value: str) -> str:
    lname = name.lower()
    if lname in ("authorization", "proxy-authorization"):
        scheme, _, rest = value.partition(" ")
        return f"{scheme} {REDACTED}" if rest else REDACTED
    if lname in _SECRET_HEADERS or is_secret_name(lname):
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


@dataclass(slots=True, repr=False, eq=False)  # made for every request
class RequestInfo(Fieldwise):
    """What the pipeline knows about a request before the app sees it (for the journal and the fault rules)."""

    method: str
    path: str
    params: Params = NO_PARAMS  # Params are never changed in place: one shared empty set
    grant_type: str | None = None
    org: str | None = None
    account: str | None = None
    client_id: str | None = None
    user: str | None = None
    bearer: str | None = None
    authorization: str | None = None  # the first Authorization header, as sent
    session_id: str | None = None  # the legacy Own API's X-SESSION-ID, as sent (only without Authorization)


class Entry:
    """One journal entry. It keeps the raw query, headers and parameters of the request and redacts them
    when they are first read (`query`, `headers`, `params`, `to_json()`): nothing unredacted leaves it."""

    __slots__ = (
        "_headers",
        "_params",
        "_query",
        "_redacted",
        "account",
        "client_id",
        "closed",
        "elapsed",
        "fault",
        "grant_type",
        "id",
        "method",
        "org",
        "path",
        "status",
        "time",
        "user",
    )  # fmt: skip

    def __init__(
        self,
        time: float,
        method: str,
        path: str,
        query: str,
        headers: list[tuple[bytes, bytes]],
        params: Params,
        grant_type: str | None,
        org: str | None,
        account: str | None,
        client_id: str | None,
        user: str | None,
    ) -> None:
        self.time = time
        self.method = method
        self.path = path
        self._query = query
        self._headers = headers
        self._params = params
        self.grant_type = grant_type
        self.org = org
        self.account = account
        self.client_id = client_id
        self.user = user
        self.status = 0
        self.elapsed = 0.0  # seconds from the request's arrival to its answer (`duration_ms` rounds it when read)
        self.fault: int | None = None  # the fault rule that acted on this request
        self.closed = False  # the connection was closed by a fault
        self._redacted: tuple[str, dict[str, str], dict[str, str | list[str]]] | None = None
        self.id = 0  # given by `Journal.add`: ids rise in the order entries are added (the journal's order)

    @property
    def duration_ms(self) -> float:
        """Milliseconds from the request's arrival to its answer, to the microsecond (rounded here, when read:
        `round` to digits costs ~0.7 µs, and most entries are never read)."""
        return round(self.elapsed * 1000, 3)

    def _redact(self) -> tuple[str, dict[str, str], dict[str, str | list[str]]]:
        done = self._redacted
        if done is None:
            done = (
                redact_query(self._query),
                redact_headers(_decode_headers(self._headers)),
                redact_params(self._params.items()),
            )
            self._redacted = done
            # the raw values are not needed any more: keep only the redacted forms
            self._query, self._headers, self._params = "", [], Params()
        return done

    @property
    def query(self) -> str:
        return self._redact()[0]

    @property
    def headers(self) -> dict[str, str]:
        return self._redact()[1]

    @property
    def params(self) -> dict[str, str | list[str]]:
        return self._redact()[2]

    def forget_params(self) -> None:
        """Record no body parameters: an endpoint whose body is no form (a SOAP envelope, whatever Content-Type
        it came with) says so, as the text read as a form would name a parameter after a password."""
        self._params = NO_PARAMS
        if self._redacted is not None:
            self._redacted = (self._redacted[0], self._redacted[1], {})

    def __repr__(self) -> str:
        return f"Entry(id={self.id}, method={self.method!r}, path={self.path!r}, status={self.status})"

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


FILTER_NAMES = ("path", "method", "org", "account", "grant_type", "client_id", "status", "since")
_WHOLE = re.compile(r"-?[0-9]+")


def whole_number(text: str) -> int:
    """A query parameter's integer: ASCII digits, with an optional minus. ValueError for anything else (`int()`
    also reads `1_000`, `+5`, padding and other scripts' digits such as `٣`, which no client means as a number)."""
    if not _WHOLE.fullmatch(text):
        raise ValueError(text)
    return int(text)


@dataclass(frozen=True, repr=False, eq=False)
class JournalFilter(Value):
    """The control plane's filter over journal entries (every given field must match)."""

    path: str | None = None
    method: str | None = None
    org: str | None = None
    account: str | None = None
    grant_type: str | None = None
    client_id: str | None = None
    status: int | None = None
    since: int | None = None  # only entries with a larger id (added later)

    @classmethod
    def from_params(cls, params: Mapping[str, str | None]) -> JournalFilter:
        """The filter of a query's parameters; ValueError names an unknown one (a typo matched everything)."""
        unknown = sorted(set(params) - set(FILTER_NAMES))
        if unknown:
            raise ValueError(f"unknown journal filter {unknown[0]!r} (known: {', '.join(FILTER_NAMES)})")
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
                status=whole_number(status) if status else None,
                since=whole_number(since) if since else None,
            )
        except ValueError:
            raise ValueError("status and since must be integers") from None

    def matches_all(self) -> bool:
        """Whether no filter is set (none given, or each empty): every entry matches."""
        return all(getattr(self, name) is None for name in FILTER_NAMES)

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
    """A bounded, thread-safe list of entries (the oldest drop off once `size` is reached).

    An entry gets its id when it is added, not when its request arrives: a request is added when it is answered,
    so a slow one goes in after quicker ones that came later. Ids given then rise in the journal's order, and
    `since=<the last id seen>` (a poller's cursor, the plugin's `journal.mark()`) misses no entry added after it."""

    def __init__(self, size: int = 10000) -> None:
        self._entries: deque[Entry] = deque(maxlen=size)  # 0: none kept (each entry counts as dropped)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.dropped = 0

    def add(self, entry: Entry) -> None:
        with self._lock:
            entry.id = next(self._ids)
            if len(self._entries) == self._entries.maxlen:
                self.dropped += 1
            self._entries.append(entry)

    def entries(self, where: JournalFilter | None = None, limit: int | None = None) -> list[Entry]:
        with self._lock:
            if limit is None or limit < 0:
                return [e for e in self._entries if where is None or where(e)]
            found: list[Entry] = []  # the newest `limit` matches: walk from the newest end, stop when enough
            for e in reversed(self._entries):
                if len(found) >= limit:
                    break
                if where is None or where(e):
                    found.append(e)
        found.reverse()
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

    def remove(self, where: JournalFilter) -> int:
        """Drop the entries `where` matches (the others stay, in order); how many were dropped. `dropped` is
        unchanged: it counts what fell off the end (`journal_size`), not what was removed on purpose."""
        with self._lock:
            kept = [e for e in self._entries if not where(e)]
            removed = len(self._entries) - len(kept)
            if removed:
                self._entries.clear()
                self._entries.extend(kept)
            return removed

    def clear(self) -> int:
        with self._lock:
            n = len(self._entries)
            self._entries.clear()
            self.dropped = 0
            return n

    def __len__(self) -> int:
        return len(self._entries)


# -- who a request is about ----------------------------------------------------------------------------
def bearer_of(authorization: bytes | None, query: Params) -> str | None:
    """The bearer token of a request: its `Authorization: Bearer|OAuth` header, else `?oauth_token=`."""
    if authorization is not None:
        scheme, _, rest = authorization.decode("latin-1").strip().partition(" ")
        if scheme.lower() in ("bearer", "oauth") and rest.strip():
            return rest.strip()
    return query.get("oauth_token")


def names_nobody(path: str, has_params: bool, authorization: object, session_id: object = None) -> bool:
    """Whether a request with no parameters (`has_params` false), no Authorization header (None), no legacy Own
    `X-SESSION-ID` (None) and this path names no org, account, client or user: `resolve` finds nothing in it, and
    the pipeline journals it at once."""
    return not has_params and authorization is None and session_id is None and not path.startswith("/id/")


def resolve(runtime: Runtime, info: RequestInfo) -> None:
    """Fill in org / account / client id / user for the journal and for fault matching (read-only)."""
    params = info.params
    path = info.path
    if names_nobody(path, bool(params), info.authorization, info.session_id):
        return
    info.grant_type = params.get("grant_type")
    client_id = params.get("client_id")
    if client_id is None:  # only a request that names no client_id pays for the other ways of naming one
        client_id = params.get("clientId") or _basic_client(info)
    info.client_id = client_id
    if path.startswith(("/services/", "/id/", "/.well-known/")):
        _resolve_salesforce(runtime, info)
    if getattr(type(runtime), "own", None) is not None and path.startswith(("/api/", "/regions/", "/oauth2/")):
        try:
            _resolve_own(runtime, info)
        except Exception:  # the Own API is optional here; its own code reports real problems
            log.debug("could not resolve the Own account of %s", path, exc_info=True)


def _basic_client(info: RequestInfo) -> str | None:
    """The client an OAuth request authenticates with HTTP Basic: on a token request (`grant_type`, RFC 6749
    §2.3.1) or a revocation or introspection (`token`, RFC 7009 §2.1, RFC 7662 §2.1), on any API (Salesforce,
    Account Manager, SLAS), the user name of `Authorization: Basic` is the client id (form-URL-encoded). Elsewhere
    Basic carries a user's credentials (OCAPI's customer login, SLAS's shopper login, the Business Manager
    grant), which name no client."""
    auth = info.authorization
    if auth is None or auth[:6].lower() != "basic ":
        return None
    if info.grant_type is None and "token" not in info.params:
        return None
    pair = security.basic_pair(auth)
    return (unquote_plus(pair[0]) or None) if pair else None


def _resolve_own(runtime: Runtime, info: RequestInfo) -> None:
    """The Own account (and user) a request names, by the hash of what it carries, in the order the Own API reads
    them: a Bearer access token; the API token of an exchange (`refresh_token`); a legacy session
    (`X-SESSION-ID`); the access or API token Okta's `/v1/revoke` is given (`token`); the e-mail of a legacy
    login. Each look-up only for a request that carries its input (the token request pays for none past its own)."""
    own: Any = cast(Any, runtime).own
    hook = getattr(own, "account_for_request", None)
    if callable(hook):
        info.account = hook(path=info.path, bearer=info.bearer, params=info.params)
        return
    params = info.params
    found = None
    if info.bearer:
        found = own.access_tokens.get(security.token_hash(info.bearer))
    if found is None:
        api_token = params.get("refresh_token")
        if api_token:
            found = own.api_tokens.get(security.token_hash(api_token))
    if found is None and info.session_id:
        found = own.legacy_sessions.get(security.token_hash(info.session_id.strip()))
    if found is None:
        token = params.get("token")
        if token:
            digest = security.token_hash(token)
            found = own.access_tokens.get(digest) or own.api_tokens.get(digest)
    if found is not None:
        account = getattr(found, "account_id", None)
        info.account = str(account) if account is not None else None
        user = own.user(found.user_id)
        info.user = getattr(user, "email", None)
        return
    email = params.get("email")
    if email and info.path.endswith(_LEGACY_LOGIN):
        user = own.user_by_email(email)
        if user is not None:
            info.account, info.user = str(user.account_id), user.email


_LEGACY_LOGIN = ("/api/auth/v1/login", "/api/auth/v1/login/")  # the legacy Own login, under /regions/<r> too


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
def _decode_headers(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in raw]

"""Fault rules: make the next calls fail, slow down or drop, on demand.

A rule *matches* a request by method, path (exact, or a glob with ``*``), grant type, org, Own account
and client id; it is *limited* by a count (`times`: the next N matching calls), a seeded probability, and
a window on the virtual clock (`from` / `until`, or `for` a duration from now); and it *acts* by any of:
waiting (`latency`: fixed, or uniform between `min` and `max`), answering with a `status` whose body is
rendered in the dialect of the endpoint hit (or an explicit `body`), and closing the connection (`close`).
The first active rule that matches wins. Control-plane paths (`/_mockown/...`) are never affected.

Presets build rules for the documented failure modes of the real services (see `PRESETS`), and the
preset `salesforce.expire_session` is an immediate state transition rather than a rule.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import random
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import ids, security
from ..clock import check_instant, iso, parse_duration, parse_instant
from ..errors import DialectTable, brief, dialect_for
from ..fieldwise import Fieldwise, Value
from .journal import CONTROL_PREFIX, Entry, RequestInfo

if TYPE_CHECKING:
    from ..runtime import Runtime

_PHRASES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
# the Own regional API: /api/v1/... and /regions/<region>/api/v1/... (fnmatch's * also matches "/" and nothing)
OWN_PATHS = ("/*api/v1/*",)
OWN_TOKEN_PATH = "/oauth2/*/v1/token"
SF_REST_PATHS = "/services/data/v*"
SF_TOKEN_PATH = "/services/oauth2/token"


class FaultError(ValueError):
    """A rule that cannot be used; the message names the field."""


def phrase(status: int) -> str:
    return _PHRASES.get(status, "Error")


@dataclass(repr=False, eq=False)
class FaultRule(Fieldwise):
    """A fault rule: which requests it matches and what it does to them."""

    id: int
    name: str | None = None
    # matching
    method: str | None = None
    path: str | None = None
    grant_type: str | None = None
    org: str | None = None
    account: str | None = None
    client_id: str | None = None
    # acting
    status: int | None = None
    error: str | None = None  # replaces the dialect's error code
    message: str | None = None
    body: Any = None  # an explicit body (JSON value or text) instead of the dialect's
    headers: dict[str, str] = field(default_factory=dict)
    latency: tuple[float, float] | None = None  # (min, max) seconds; min == max for a fixed delay
    close: bool = False
    # special behaviours of presets
    propagation: float = 0.0  # refuse Own access tokens younger than this many (virtual) seconds
    # limits
    times: int | None = None
    probability: float = 1.0
    seed: int | str | None = None
    start: float | None = None
    until: float | None = None
    # bookkeeping
    hits: int = 0
    preset: str | None = None
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def remaining(self) -> int | None:
        return None if self.times is None else max(self.times - self.hits, 0)

    def active(self, now: float) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.start is not None and now < self.start:
            return False
        return not (self.until is not None and now >= self.until)

    def matches(self, info: RequestInfo) -> bool:
        if self.method is not None and info.method != self.method:
            return False
        if self.path is not None:
            if any(c in self.path for c in "*?["):
                if not fnmatch.fnmatchcase(info.path, self.path):
                    return False
            elif info.path != self.path:
                return False
        return (
            (self.grant_type is None or info.grant_type == self.grant_type)
            and (self.org is None or info.org == self.org)
            and (self.account is None or info.account == self.account)
            and (self.client_id is None or info.client_id == self.client_id)
        )

    def to_json(self, now: float) -> dict[str, Any]:
        latency: Any = None
        if self.latency is not None:
            low, high = self.latency
            latency = low if low == high else {"min": low, "max": high}
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "preset": self.preset,
            "match": {
                k: v
                for k, v in (
                    ("method", self.method),
                    ("path", self.path),
                    ("grant_type", self.grant_type),
                    ("org", self.org),
                    ("account", self.account),
                    ("client_id", self.client_id),
                )
                if v is not None
            },
            "status": self.status,
            "error": self.error,
            "message": self.message,
            "body": self.body,
            "headers": self.headers,
            "latency": latency,
            "close": self.close,
            "times": self.times,
            "remaining": self.remaining,
            "hits": self.hits,
            "probability": self.probability,
            "seed": self.seed,
            "from": iso(self.start, millis=True) if self.start is not None else None,
            "until": iso(self.until, millis=True) if self.until is not None else None,
            "active": self.active(now),
        }
        if self.propagation:
            out["propagation_delay"] = self.propagation
        return out


_MATCH_KEYS = ("method", "path", "grant_type", "org", "account", "client_id")
_RULE_KEYS = {
    "name", *_MATCH_KEYS, "status", "error", "message", "body", "headers", "latency", "close", "times",
    "probability", "seed", "from", "until", "for", "match",
}  # fmt: skip


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str | int):
        raise FaultError(f"{key} must be a string")
    return str(value)


# The statuses whose response has no content (RFC 9110 15.3.5, 15.3.6, 15.4.5): a fault answers with a body.
NO_CONTENT = frozenset({204, 205, 304})
# A header name is an RFC 9110 token (5.1, 5.6.2); a value is latin-1 (visible characters, obs-text, spaces and
# tabs inside: 5.5), which is what an HTTP/1.1 server writes (h11 refuses leading or trailing whitespace).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(r"(?:[\x21-\x7e\x80-\xff](?:[ \t]*[\x21-\x7e\x80-\xff])*)?")
# The headers the server writes itself: the framing of the body (RFC 9112 6) and the hop-by-hop ones of the
# connection (RFC 9110 7.6.1). A rule's body is rendered by the server; `close` drops the connection.
OWNED_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "upgrade", "te", "trailer"}
)


def _headers(headers: Any) -> dict[str, str]:
    """A rule's `headers`, each name an HTTP token the server does not own and each value one it can send."""
    if not isinstance(headers, Mapping):
        raise FaultError("headers must be an object of header names to values")
    out: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise FaultError(f"headers: {name!r} is not a header name (letters, digits and !#$%&'*+-.^_`|~)")
        if name.lower() in OWNED_HEADERS:
            raise FaultError(f"headers: {name} is written by the server (the body's framing, the connection)")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise FaultError(f"headers: the value of {name} must be a string or a number")
        text = str(value)
        if not _FIELD_VALUE.fullmatch(text):
            raise FaultError(
                f"headers: the value of {name} must be latin-1 text without control characters (CR, LF, NUL) "
                "or leading or trailing whitespace"
            )
        out[name] = text
    return out


def _duration(value: Any, key: str) -> float:
    try:
        seconds = parse_duration(value)
    except (ValueError, TypeError, AttributeError):
        raise FaultError(f"{key}: not a duration: {value!r} (use seconds or e.g. '250ms', '2s')") from None
    if seconds < 0:
        raise FaultError(f"{key} must not be negative")
    return seconds


def flatten_match(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with the fields under `match` among the others; one given both ways is refused (which was meant?)."""
    merged = dict(data)
    match = merged.pop("match", None)
    if match is not None:
        if not isinstance(match, Mapping) or set(match) - set(_MATCH_KEYS):
            raise FaultError(f"match holds only {', '.join(_MATCH_KEYS)}")
        twice = sorted(set(match) & set(merged))
        if twice:
            raise FaultError(f"{twice[0]} is given twice, flat and under match: give it once")
        merged.update(match)
    return merged


def build_rule(rule_id: int, data: Mapping[str, Any], now: float, default_seed: int) -> FaultRule:
    """A rule from its JSON form (flat, or with the matching fields under `match`)."""
    if not isinstance(data, Mapping):
        raise FaultError("a fault rule is a JSON object")
    unknown = sorted(set(data) - _RULE_KEYS)
    if unknown:
        raise FaultError(f"unknown fault field {unknown[0]!r} (known: {', '.join(sorted(_RULE_KEYS))})")
    merged = flatten_match(data)
    rule = FaultRule(id=rule_id, name=_opt_str(merged, "name"))
    method = merged.get("method")
    if method is not None and method != "" and not (isinstance(method, str) and _TOKEN.fullmatch(method)):
        raise FaultError(f"method: not an HTTP method: {brief(method)}")
    rule.method = method.upper() if method else None
    rule.path = _opt_str(merged, "path")
    if rule.path is not None and not rule.path.startswith("/"):
        raise FaultError("path must start with '/' (a glob such as /services/data/* is allowed)")
    if rule.path is not None and rule.path.startswith(CONTROL_PREFIX):
        raise FaultError("faults never apply to the control plane")
    rule.grant_type = _opt_str(merged, "grant_type")
    org = _opt_str(merged, "org")
    if org is not None:
        try:
            org = ids.to18(org)
        except ValueError:
            raise FaultError(f"org: not a Salesforce org id: {org!r}") from None
    rule.org = org
    rule.account = _opt_str(merged, "account")
    rule.client_id = _opt_str(merged, "client_id")
    status = merged.get("status")
    if status is not None:
        if isinstance(status, bool) or not isinstance(status, int | str):
            raise FaultError("status must be an HTTP status code")
        try:
            status = int(status)
        except ValueError:
            raise FaultError("status must be an HTTP status code") from None
        if not 200 <= status <= 599:
            raise FaultError(f"status must be between 200 and 599, not {status}")
        if status in NO_CONTENT:  # RFC 9110 15.3.5, 15.3.6, 15.4.5: a fault's answer always has content
            raise FaultError(f"status {status} cannot be a fault's status: it has no content (RFC 9110)")
    rule.status = status
    rule.error = _opt_str(merged, "error")
    rule.message = _opt_str(merged, "message")
    rule.body = merged.get("body")
    if rule.body is not None and rule.status is None:
        raise FaultError("body needs a status")
    if (rule.error or rule.message) and rule.status is None:
        raise FaultError("error and message need a status")
    if rule.body is not None and (rule.error or rule.message):  # both were listed, and the body alone answered
        raise FaultError("give either body or error and message (which the endpoint's dialect renders), not both")
    rule.headers = _headers(merged.get("headers") or {})
    latency = merged.get("latency")
    if latency is not None:
        if isinstance(latency, Mapping):
            if "fixed" in latency:
                if set(latency) != {"fixed"}:
                    raise FaultError("latency is a duration, {'fixed': d} or {'min': d, 'max': d}: not both")
                low = high = _duration(latency["fixed"], "latency.fixed")
            else:
                if set(latency) - {"min", "max"} or "max" not in latency:
                    raise FaultError("latency is a duration, {'fixed': d} or {'min': d, 'max': d}")
                low = _duration(latency.get("min", 0), "latency.min")
                high = _duration(latency["max"], "latency.max")
                if high < low:
                    raise FaultError("latency.max must not be below latency.min")
        elif isinstance(latency, list) and len(latency) == 2:
            low, high = _duration(latency[0], "latency[0]"), _duration(latency[1], "latency[1]")
            if high < low:
                raise FaultError("latency.max must not be below latency.min")
        else:
            low = high = _duration(latency, "latency")
        if high > 600:
            raise FaultError("latency is at most 600 seconds")
        rule.latency = (low, high)
    close = merged.get("close", False)
    if not isinstance(close, bool):
        raise FaultError("close must be true or false")
    rule.close = close
    if rule.status is None and rule.latency is None and not rule.close:
        raise FaultError("a fault rule needs at least one of status, latency or close")
    times = merged.get("times")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise FaultError("times must be a positive integer")
    rule.times = times
    probability = merged.get("probability", 1.0)
    if isinstance(probability, bool) or not isinstance(probability, int | float) or not 0 <= probability <= 1:
        raise FaultError("probability must be a number between 0 and 1")
    rule.probability = float(probability)
    seed = merged.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | str)):
        raise FaultError("seed must be an integer or a string")
    rule.seed = seed
    rule._rng = random.Random(f"{default_seed}:{rule_id}" if seed is None else f"seed:{seed}")
    for key in ("from", "until"):
        if merged.get(key) is not None:
            try:
                value = check_instant(parse_instant(merged[key]))
            except (ValueError, TypeError, AttributeError, OverflowError):
                raise FaultError(f"{key}: not an instant (epoch seconds or ISO 8601)") from None
            if key == "from":
                rule.start = value
            else:
                rule.until = value
    if merged.get("for") is not None:
        if rule.until is not None:
            raise FaultError("give either until or for, not both")
        until = (rule.start if rule.start is not None else now) + _duration(merged["for"], "for")
        try:
            rule.until = check_instant(until)
        except ValueError:
            raise FaultError("for: the window would end beyond what the clock can show") from None
    if rule.start is not None and rule.until is not None and rule.until <= rule.start:
        raise FaultError("the window ends before it begins: until (or from + for) must be after from")
    return rule


# -- presets -------------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False, eq=False)
class Preset(Value):
    """A named fault preset: its parameters, how it builds a rule and what the rule does."""

    name: str
    description: str
    parameters: dict[str, str]
    build: Callable[[Runtime, dict[str, Any]], dict[str, Any]] | None = None
    act: Callable[[Runtime, dict[str, Any]], dict[str, Any]] | None = None


def _limit_info(runtime: Runtime, org_id: str | None) -> str:
    from ..salesforce.api_limit import limit_info

    limit = runtime.config.salesforce.daily_api_limit
    if org_id:
        org = runtime.salesforce.orgs.get(org_id)
        if org is not None:
            limit = org.api_limit
    return limit_info(limit + 1, limit)


def preset_org(runtime: Runtime, value: Any) -> str | None:
    """A preset's `org` parameter: the 18-character id of an org the server has (None when not given)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not ids.is_valid(value):
        raise FaultError(f"org: not a Salesforce org id: {brief(value)}")
    org_id = ids.to18(value)
    if runtime.salesforce.orgs.get(org_id) is None:
        raise FaultError(f"org: no such org: {org_id}")
    return org_id


def preset_account(runtime: Runtime, value: Any) -> str | None:
    """A preset's `account` parameter: the id of an Own account the server has, as text (None when not given). An
    unknown one matched no request: the preset added nothing but a rule that never fires."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FaultError(f"account: an Own account id is a string or a number, not {brief(value)}")
    key = str(value)
    if runtime.own.accounts.get(key) is None:
        raise FaultError(f"account: no such Own account: {key}")
    return key


# The presets answer with a status, an error code and a message, rendered by the dialect of the endpoint hit (the
# REST list, OAuth JSON, Own's body): the `error` and `message` a request gives replace theirs, as any other field.
def _request_limit(runtime: Runtime, p: dict[str, Any]) -> dict[str, Any]:
    from ..salesforce.errors import request_limit_exceeded

    org = p.pop("org", None)  # checked by `Faults.add` (`preset_org`)
    refused = request_limit_exceeded(_limit_info(runtime, org))  # the answer of a call over the limit
    rule = {
        "path": SF_REST_PATHS,
        "status": refused.status,
        "error": refused.error_code,
        "message": refused.message,
        "headers": dict(refused.headers),
    }
    if org:
        rule["org"] = org
    return rule


def _invalid_session(runtime: Runtime, p: dict[str, Any]) -> dict[str, Any]:
    from ..salesforce.errors import invalid_session

    p.setdefault("times", 1)
    refused = invalid_session()
    return {"path": SF_REST_PATHS, "status": refused.status, "error": refused.error_code, "message": refused.message}


def _rate_limit(runtime: Runtime, p: dict[str, Any]) -> dict[str, Any]:
    return {
        "method": "POST",
        "path": SF_TOKEN_PATH,
        "status": 400,
        "error": "rate_limit_exceeded",
        "message": "number of logins exceeded",
    }


def _own_429(runtime: Runtime, p: dict[str, Any]) -> dict[str, Any]:
    retry_after = p.pop("retry_after", 30)
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
        raise FaultError("retry_after must be a number of seconds")
    return {
        "path": p.pop("path", OWN_PATHS[0]),
        "status": 429,
        "message": "Rate limit exceeded, retry later",
        "headers": {"Retry-After": str(retry_after)},
    }


def _own_503(runtime: Runtime, p: dict[str, Any]) -> dict[str, Any]:
    return {"path": p.pop("path", OWN_PATHS[0]), "status": 503, "message": "The service is temporarily unavailable"}


def _own_propagation(runtime: Runtime, p: dict[str, Any]) -> dict[str, Any]:
    seconds = _duration(p.pop("seconds", 10), "seconds")
    return {
        "path": p.pop("path", OWN_PATHS[0]),
        "_propagation": seconds,
        "status": 401,  # as the API's own 401 for a token it does not know
        "message": "Invalid or expired access token",
        "headers": {"WWW-Authenticate": 'Bearer realm="own"'},
    }


def _expire_session(runtime: Runtime, p: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(p) - {"token", "org", "user"})
    if unknown:
        raise FaultError(f"salesforce.expire_session takes token, org or user, not {unknown[0]!r}")
    service = runtime.salesforce
    raw = p.get("token")
    if raw is not None and not isinstance(raw, str):
        raise FaultError(f"token: an access token is a string, not {brief(raw)}")
    if raw:
        with runtime.store.atomic():  # read where it is written: a copy read before could undo another worker's
            token = service.access_tokens.get(security.token_hash(raw))
            if token is None or not token.live(runtime.clock.now()):
                return {"expired": 0}
            token.revoked = True  # the session ends now: REST answers 401, introspection says inactive
            service.access_tokens.put(token)
        return {"expired": 1}
    org, user = p.get("org"), p.get("user")
    if not org and not user:
        raise FaultError("salesforce.expire_session needs token, org or user")
    org_id = org  # checked by `Faults.add` (`preset_org`)
    user_id = None
    if user:
        if not isinstance(user, str) or not ("@" in user or ids.is_valid(user)):
            raise FaultError(f"user: neither a username nor a Salesforce user id: {brief(user)}")
        found = service.user_by_username(user) if "@" in user else service.user(ids.to18(user))
        if found is None:
            raise FaultError(f"user: no such user: {user}")
        user_id = found.id
    return {"expired": service.expire_sessions(org_id=org_id, user_id=user_id)}


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "salesforce.request_limit_exceeded",
            "REST calls answer 403 REQUEST_LIMIT_EXCEEDED with Sforce-Limit-Info over the limit, no Retry-After",
            {"org": "only this org", "times": "only the next N calls"},
            build=_request_limit,
        ),
        Preset(
            "salesforce.invalid_session",
            "the next N REST calls answer 401 INVALID_SESSION_ID (default N = 1)",
            {"times": "N (default 1)", "org": "only this org"},
            build=_invalid_session,
        ),
        Preset(
            "salesforce.rate_limit_exceeded",
            "the token endpoint answers 400 rate_limit_exceeded 'number of logins exceeded'",
            {"times": "only the next N calls", "grant_type": "only this grant", "org": "only this org"},
            build=_rate_limit,
        ),
        Preset(
            "salesforce.expire_session",
            "end sessions now (not a rule): one access token, or every session of an org or a user",
            {"token": "the access token", "org": "every session of the org", "user": "username or user id"},
            act=_expire_session,
        ),
        Preset(
            "own.rate_limited",
            "Own API calls answer 429 Too Many Requests with Retry-After",
            {"retry_after": "seconds (default 30)", "times": "only the next N calls", "account": "only this account"},
            build=_own_429,
        ),
        Preset(
            "own.unavailable",
            "Own API calls answer 503 Service Unavailable",
            {"times": "only the next N calls", "account": "only this account"},
            build=_own_503,
        ),
        Preset(
            "own.propagation_delay",
            "Own access tokens are refused with 401 until they are N seconds old (virtual clock)",
            {"seconds": "N (default 10)", "account": "only this account"},
            build=_own_propagation,
        ),
    )
}


# -- the registry --------------------------------------------------------------------------------------
class Faults:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._seq = 0
        # Own access tokens seen leaving the token endpoint: hash -> issue time (for propagation delay)
        self.own_tokens: dict[str, float] = {}

    def add(self, data: Mapping[str, Any]) -> FaultRule | dict[str, Any]:
        """A new rule from its JSON form or a preset (`{"preset": name, ...}`); a preset may act at once."""
        payload = dict(data)
        propagation = 0.0
        preset_name = payload.pop("preset", None)
        if preset_name is not None:
            preset = PRESETS.get(preset_name) if isinstance(preset_name, str) else None
            if preset is None:
                raise FaultError(f"unknown preset {brief(preset_name)} (known: {', '.join(sorted(PRESETS))})")
            if preset.build is not None:  # a rule: `match.org` is its `org`, checked and overriding alike
                payload = flatten_match(payload)
            if "org" in preset.parameters and "org" in payload:  # the same check for every preset taking one
                payload["org"] = preset_org(self.runtime, payload["org"])
            if "account" in preset.parameters and "account" in payload:
                payload["account"] = preset_account(self.runtime, payload["account"])
            if preset.act is not None:
                return {"preset": preset.name, **preset.act(self.runtime, payload)}
            assert preset.build is not None
            base = preset.build(self.runtime, payload)
            propagation = float(base.pop("_propagation", 0.0))
            if "body" in payload:  # a body of the request's own replaces what the preset's code and text rendered
                base.pop("error", None)
                base.pop("message", None)
            base.update(payload)
            payload = base
        with self._lock:
            self._seq += 1
            rule = build_rule(self._seq, payload, self.runtime.clock.now(), self.runtime.config.fault_seed)
            rule.propagation = propagation
            rule.preset = str(preset_name) if preset_name else None
            self._rules.append(rule)
        return rule

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def get(self, rule_id: int) -> FaultRule | None:
        with self._lock:
            return next((r for r in self._rules if r.id == rule_id), None)

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> int:
        with self._lock:
            n = len(self._rules)
            self._rules.clear()
            self.own_tokens.clear()
            return n

    @property
    def watching_own_tokens(self) -> bool:
        return any(r.propagation for r in self._rules)

    def pick(self, info: RequestInfo) -> FaultRule | None:
        """The first active rule that matches and whose dice roll says yes; its hit is counted."""
        now = self.runtime.clock.now()
        with self._lock:
            for rule in self._rules:
                if not rule.active(now) or not rule.matches(info):
                    continue
                if rule.propagation and not self._too_fresh(rule, info, now):
                    continue
                if rule.probability < 1.0 and rule._rng.random() >= rule.probability:
                    continue
                rule.hits += 1
                return rule
        return None

    def _too_fresh(self, rule: FaultRule, info: RequestInfo, now: float) -> bool:
        if not info.bearer:
            return False
        digest = security.token_hash(info.bearer)
        issued = self.own_tokens.get(digest)
        if issued is None and getattr(type(self.runtime), "own", None) is not None:
            token = cast(Any, self.runtime).own.access_tokens.get(digest)  # the Own API's record, when it has one
            issued = getattr(token, "issued_at", None)
        return issued is not None and now - issued < rule.propagation

    @property
    def empty(self) -> bool:
        return not self._rules

    def snapshot(self) -> list[dict[str, Any]]:
        now = self.runtime.clock.now()
        return [r.to_json(now) for r in self.rules()]


# -- the middleware ------------------------------------------------------------------------------------
def render(rule: FaultRule, dialects: DialectTable, path: str) -> Response:
    assert rule.status is not None
    status = rule.status
    headers = dict(rule.headers)
    if rule.body is not None:
        if isinstance(rule.body, str):
            response: Response = PlainTextResponse(rule.body, status_code=status)
        else:
            response = JSONResponse(rule.body, status_code=status)
    else:
        dialect = dialect_for(dialects, path)
        reason = phrase(status)
        response = dialect(status, reason, rule.message or reason, code=rule.error).response()
        response.status_code = status
    for key, value in headers.items():
        response.headers[key] = value
    return response


async def apply_faults(app: ASGIApp, scope: Scope, receive: Receive, send: Send, info: RequestInfo) -> None:
    """The app behind the first fault rule that matches `info` (or the app alone when none does)."""
    runtime: Runtime = scope["app"].state.runtime
    faults = runtime.control.faults
    if faults.empty:
        await app(scope, receive, send)
        return
    rule = faults.pick(info)  # first: a rule on the Own token endpoint acts there too, whatever else watches it
    if rule is None:
        await app(scope, receive, _watching(faults, runtime, info, send))
        return
    entry: Entry | None = scope.get("mockown.entry")
    if entry is not None:
        entry.fault = rule.id
    if rule.latency is not None:
        low, high = rule.latency
        await asyncio.sleep(low if low == high else rule._rng.uniform(low, high))
    if rule.close:
        if entry is not None:
            entry.closed = True
        # Status line and headers go out, then the connection drops before the body: the client
        # sees a connection error (the ASGI server closes a connection whose response is incomplete).
        await send(
            {
                "type": "http.response.start",
                "status": rule.status or 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        return
    if rule.status is not None:
        dialects: DialectTable = getattr(scope["app"].state, "dialects", [])
        await render(rule, dialects, info.path)(scope, receive, send)
        return
    await app(scope, receive, _watching(faults, runtime, info, send))


def _watching(faults: Faults, runtime: Runtime, info: RequestInfo, send: Send) -> Send:
    """`send`, watching the access tokens of the Own token endpoint while a propagation delay needs them."""
    if faults.watching_own_tokens and fnmatch.fnmatchcase(info.path, OWN_TOKEN_PATH):
        return _watch_own_token(faults, runtime, send)
    return send


def _watch_own_token(faults: Faults, runtime: Runtime, send: Send) -> Send:
    """Remember the access tokens the Own token endpoint hands out (for the propagation delay)."""
    status = 0
    chunks: list[bytes] = []

    async def watching(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body" and status == 200:
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                try:
                    token = json.loads(b"".join(chunks)).get("access_token")
                except (ValueError, AttributeError):
                    token = None
                if isinstance(token, str):
                    faults.own_tokens[security.token_hash(token)] = runtime.clock.now()
        await send(message)

    return watching

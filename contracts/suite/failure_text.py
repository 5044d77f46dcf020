"""What a failing schema check reports, one line per failure: its code, title and where, never schemathesis' own
report. That one quotes the response body (a live token) and a `Reproduce with: curl ...` that repeats the request,
pinned credentials and all (a form body is not sanitized): a real org's password and consumer secret would be in the
terminal and the JUnit XML. A value is shown only when it is a scalar under a key that does not name a credential."""

from __future__ import annotations

import json
from typing import Any

from schemathesis.core.failures import Failure, FailureGroup, MalformedJson
from schemathesis.openapi.checks import (
    JsonSchemaError,
    MalformedMediaType,
    MissingContentType,
    UndefinedContentType,
    UndefinedStatusCode,
)

# a key holding one of these (any case) holds a credential: schemathesis' own markers, and Salesforce's `signature`
SENSITIVE = ("token", "key", "secret", "password", "passwd", "auth", "session", "credential", "signature", "sid")
SENSITIVE_KEYS = frozenset({"code", "device_code", "user_code", "assertion", "sig"})  # exact names
# failures whose message says only statuses and content types (not the body): shown as they are
PLAIN = (UndefinedStatusCode, UndefinedContentType, MissingContentType, MalformedMediaType)
FILTERED = "[Filtered]"


def sensitive(key: object) -> bool:
    name = str(key).lower()
    return name in SENSITIVE_KEYS or any(marker in name for marker in SENSITIVE)


def describe(exc: BaseException) -> list[str]:
    """One line per failure in `exc` (a schemathesis failure group, a single failure, or a suite check's error)."""
    if isinstance(exc, FailureGroup):
        return [line for failure in exc.exceptions for line in describe(failure)]
    if isinstance(exc, Failure):
        return [f"{exc.code} {exc.title}: {_detail(exc)}".rstrip(": ")]
    return [" ".join(str(exc).split()) or type(exc).__name__]  # the suite's own checks word their messages


def _detail(failure: Failure) -> str:
    if isinstance(failure, JsonSchemaError):
        return _schema_detail(failure)
    if isinstance(failure, MalformedJson):
        return failure.validation_message  # where the JSON breaks, without the document
    if isinstance(failure, PLAIN):
        return " ".join(failure.message.split())
    return ""  # another kind may quote the request or the response: its title only


def _schema_detail(failure: JsonSchemaError) -> str:
    keyword = failure.schema_path[-1] if failure.schema_path else None
    where = "/" + "/".join(map(str, failure.instance_path)) if failure.instance_path else "the root"
    keys = [segment for segment in failure.instance_path if isinstance(segment, str)]
    text = f"at {where}"
    if keyword is not None:
        text += f", `{keyword}` fails (schema at /{'/'.join(map(str, failure.schema_path))})"
    return f"{text}; value: {value_text(failure.instance, keys[-1] if keys else None)}"


def value_text(value: Any, key: str | None) -> str:
    """A value as a report may show it: a container by its shape, a string under a credential's key (or at the root,
    where no key tells) filtered, other scalars as JSON (at most 80 characters)."""
    if isinstance(value, dict):
        return "an object with keys " + ", ".join(sorted(map(str, value))) if value else "an empty object"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    if isinstance(value, str) and (key is None or sensitive(key)):
        return f"{FILTERED} (a string of {len(value)} characters)"
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."

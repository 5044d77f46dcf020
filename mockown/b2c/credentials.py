"""The `base64(left:right)` pair of HTTP Basic (and of SLAS's `x-slas-client-auth`), decoded once for Account
Manager, OCAPI and SLAS. Each caller keeps its own error and its own treatment of the halves."""

from __future__ import annotations

import base64
import binascii


def b64_pair(value: str) -> tuple[str, str] | None:
    """`base64(left:right)` split at the first `:`; None when not strict base64 of UTF-8 text with a colon."""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    left, sep, right = decoded.partition(":")
    return (left, right) if sep else None


def basic_pair(authorization: str | None) -> tuple[str, str] | None:
    """The pair of an `Authorization: Basic ...` header (scheme case-insensitive); None for anything else."""
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    return b64_pair(authorization[6:])

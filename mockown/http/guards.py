"""The request pipeline's up-front checks (`pipeline.py`): the Host header's form, and the body limit of a path.

A `Host` that is not `host[:port]` (RFC 9110 7.2: `uri-host [ ":" port ]`, RFC 3986 3.2.2-3.2.3), and more than one
`Host` line, get 400, as RFC 9112 3.2 requires of a server ("any that contains more than one Host header field line
or a Host header field with an invalid field value"), in the endpoint's dialect, before anything else answers (the
control plane's admission rules included): the mock builds the URLs it hands out (`instance_url`, `id`, the
discovery document) from the first one, and its other readers could take another.

`read_params` / `read_body` already stop reading at `max_body_bytes` (1 MiB by default); the pipeline makes the
answer the same for every endpoint, also for one that would refuse the request for another reason first (no
credential, unknown tenant) or never read the body: a body *declared* (`Content-Length`) larger than the limit
gets 413 in the endpoint's dialect without being read. The control plane's limit is the larger one its seed and
restore documents need.
"""

from __future__ import annotations

import functools
import ipaddress
import re

from .control import BIG_BODY
from .journal import CONTROL_PREFIX

_REG_NAME = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")  # unreserved, pct-encoded, sub-delims
_IP_FUTURE = re.compile(r"[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+")
_PORT = re.compile(r"(?::[0-9]*)?")


@functools.lru_cache(maxsize=256)  # a server sees a few Host values: each checked once
def valid_host(value: bytes) -> bool:
    """Whether a `Host` header value is `uri-host [ ":" port ]`: a name (or IPv4 address), or an IPv6 address or
    IPvFuture in brackets, then an optional port of digits. Empty is valid (a target without an authority)."""
    text = value.decode("latin-1")
    if text.startswith("["):
        literal, bracket, rest = text[1:].partition("]")
        if not bracket or not (_ipv6(literal) or _IP_FUTURE.fullmatch(literal)):
            return False
    else:
        name, colon, port = text.partition(":")
        if not _REG_NAME.fullmatch(name):
            return False
        rest = colon + port
    return _PORT.fullmatch(rest) is not None


def host_problem(headers: list[tuple[bytes, bytes]], index: dict[bytes, bytes], http_version: str | None) -> str | None:
    """Why a request's Host header field gets 400 (RFC 9112 3.2), or None when it is fine: an HTTP/1.1 request
    without one, more than one Host line, or a value that is not `host[:port]`. `index`: the request's
    `header_index` (one entry per name: fewer entries than header lines means a name came twice, and only then
    are the Host lines counted); `http_version`: the scope's (an HTTP/1.0 request may omit Host, and so may an
    ASGI caller's scope that names no version)."""
    if len(index) < len(headers) and sum(1 for name, _ in headers if name.lower() == b"host") > 1:
        return "more than one Host header"
    host = index.get(b"host")
    if host is None:
        return "an HTTP/1.1 request needs a Host header" if http_version == "1.1" else None
    if not valid_host(host):
        return "the Host header is not a host[:port]"
    return None


def _ipv6(literal: str) -> bool:
    try:
        ipaddress.IPv6Address(literal.replace("%25", "%", 1))  # a zone as RFC 6874 writes it in a URI
    except ValueError:
        return False
    return True


def limit_for(path: str, default: int) -> int:
    if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
        return max(default, BIG_BODY)
    return default

"""A request's headers by name, indexed once: each name's first value, as `Headers.get` finds it (names compared
case-insensitively), without building a `Headers` object or scanning the raw list again on a hot path."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

# the index of a request's headers, kept in its ASGI scope: built once (by the request pipeline, or by the first
# look-up), read by every later one; the raw list is never changed after the server made it
HEADERS_KEY = "mockown.headers"

# The scheme the client used, sent by intercept mode's forward (`mockown.testing.interceptor`) when it brings a
# request for https://login.salesforce.com to a server at http://ADDRESS: uvicorn trusts `X-Forwarded-Proto` only
# from `forwarded_allow_ips` (127.0.0.1 by default), so a server reached beyond loopback (a CI service container)
# would answer http URLs. Honoured from any peer: it names only the scheme of the URLs in this request's own answer
# (and whether its cookies are Secure); the peer's address and uvicorn's proxy trust (`X-Forwarded-For`, the
# control plane's loopback rule, which reads the address the request came in on) are untouched.
SCHEME_HEADER = "X-Mockown-Scheme"


def host_name(name: str) -> str:
    """A host name as the mock's host rules read it: lower-case (names are case-insensitive), without the final
    dot of an absolute name (`login.salesforce.com.` is `login.salesforce.com`, RFC 1034 3.1). For a request's
    `Host` (`http.api.host_of`), a base URL's host, a seeded My Domain and the control plane's local names alike."""
    return name.lower().removesuffix(".")


def header_index(scope: MutableMapping[str, Any]) -> dict[bytes, bytes]:
    """Each header's first value by lower-case name, for the request of `scope` (made once, then kept in it)."""
    index: dict[bytes, bytes] | None = scope.get(HEADERS_KEY)
    if index is None:
        index = {}
        for key, value in scope.get("headers", ()):
            index.setdefault(key.lower(), value)
        scope[HEADERS_KEY] = index
    return index

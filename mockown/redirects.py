"""Parameters added to a redirect URI as text, never by taking it apart and putting it back together.

`urlunsplit(urlsplit(uri))` is not the identity: with an empty authority it drops the `//` (`myapp:///cb` comes back
as `myapp:/cb`, `x-app://` as `x-app:`), so a native client that compares the callback with its redirect URI would
not take it. Every authorize answer (Salesforce, Marketing Cloud, B2C Account Manager and SLAS) and the OIDC logout
redirect build their `Location` here, so the registered URI is what the browser is sent to, with the parameters
added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode


def add_params(uri: str, values: Mapping[str, str] | Sequence[tuple[str, str]], *, fragment: bool = False) -> str:
    """`uri` with `values` (form-encoded) appended to its query, before any `#fragment`; or, with `fragment`, as its
    fragment (one the URI had is replaced: RFC 6749 3.1.2 allows none in a redirect URI). No values: `uri` itself."""
    encoded = urlencode(values)
    if not encoded:
        return uri
    head, sharp, tail = uri.partition("#")
    if fragment:
        return f"{head}#{encoded}"
    _, mark, query = head.partition("?")
    if not mark:
        joiner = "?"
    elif query and not query.endswith("&"):
        joiner = "&"
    else:
        joiner = ""
    return f"{head}{joiner}{encoded}{sharp}{tail}"

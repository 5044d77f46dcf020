"""Authlib's client classes, imported once with the one warning Authlib gives about itself silenced.

Authlib 1.9 prefers its own `httpx2` fork and warns (`AuthlibDeprecationWarning`) when it falls back to `httpx`,
which is the library mockown's in-process transport speaks. The fallback is Authlib's supported path until its
2.0; the warning says nothing about mockown, so it is ignored here, for that message only, at import time.
(`authlib.deprecate` adds an "always" filter for its own warnings when it is imported, so ours goes in after it.)
JOSE work goes through `joserfc`, the library Authlib's own OIDC and RFC 7523 code is built on (`authlib.jose`
is deprecated in its favour).
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    import authlib.deprecate  # noqa: F401  # first: its import adds an "always" filter for its warnings

    warnings.filterwarnings("ignore", message="The httpx module is deprecated", category=DeprecationWarning)
    from authlib.integrations.httpx_client import (
        AssertionClient,
        AsyncOAuth2Client,
        OAuth2Client,
        OAuthError,
    )

from authlib.common.security import generate_token
from authlib.oauth2.rfc7523 import ClientSecretJWT, PrivateKeyJWT
from authlib.oidc.core import CodeIDToken, UserInfo

__all__ = [
    "AssertionClient",
    "AsyncOAuth2Client",
    "ClientSecretJWT",
    "CodeIDToken",
    "OAuth2Client",
    "OAuthError",
    "PrivateKeyJWT",
    "UserInfo",
    "generate_token",
]

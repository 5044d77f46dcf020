"""`/.well-known/openid-configuration` and `/id/keys`: documents computed once per base URL, as bytes."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ..http.headers import host_name

MY_DOMAIN_SUFFIX = ".my.salesforce.com"  # also the sandboxes' <name>--<sbx>.sandbox.my.salesforce.com
SITE_SUFFIX = ".my.site.com"  # Experience Cloud sites (and the sandboxes' <name>--<sbx>.sandbox.my.site.com)
# the login hosts, and whether each serves sandboxes (spec 1.1: login.salesforce.com production, test.salesforce.com
# sandboxes); `SalesforceService.foreign_org` reads it
LOGIN_HOST_SANDBOX = {"login.salesforce.com": False, "test.salesforce.com": True}


def every_orgs_host(host: str) -> bool:
    """Whether `host` (as `host_name` reads it) is a host of every org, so no one org's My Domain: a Salesforce
    login host, or a name the mock is reached by as itself, not as an org's domain: an IP literal, `localhost` or
    `*.localhost`, a single-label name (`testserver` in-process, a container's service name). As a seeded org's
    `my_domain` it made that org the host's owner: every other org's sign-in there was an authentication failure."""
    if host in LOGIN_HOST_SANDBOX or host == "localhost" or host.endswith(".localhost") or "." not in host:
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


SCOPES = [
    "cdp_ingest_api", "custom_permissions", "cdp_segment_api", "content", "cdp_api", "chatbot_api",
    "cdp_identityresolution_api", "interaction_api", "wave_api", "web", "cdp_calculated_insight_api",
    "einstein_gpt_api", "offline_access", "id", "api", "data_cloud_user_claims", "eclair_api", "email",
    "pardot_api", "lightning", "visualforce", "cdp_query_api", "sfap_api", "address", "openid", "profile",
    "scrt_api", "cdp_profile_api", "refresh_token", "phone", "user_registration_api", "pwdless_login_api",
    "chatter_api", "mcp_api", "full", "forgot_password",
]  # fmt: skip
_SCOPE_NAMES = frozenset(SCOPES)


def known_scope(name: str) -> bool:
    """A scope Salesforce has: one `scopes_supported` lists, or a Data Cloud `cdp_*` scope."""
    return name in _SCOPE_NAMES or name.startswith("cdp_")


_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")  # RFC 6749 §3.3 scope-token: printable ASCII but " and \


def scope_tokens(value: str) -> list[str]:
    """A `scope` value's scope-tokens, in order: space-separated (spec 1.2; RFC 6749 §3.3: SP only). A tab, line
    feed, NBSP or other whitespace is part of a scope-token, which `is_scope` then refuses. The one split the token
    endpoint, authorize and dynamic client registration share."""
    return [s for s in value.split(" ") if s]


def is_scope(token: str) -> bool:
    """A scope-token (RFC 6749 §3.3 characters) that names a Salesforce scope (`known_scope`)."""
    return _SCOPE_TOKEN.fullmatch(token) is not None and known_scope(token)


CLAIMS = [
    "active", "address", "email", "email_verified", "family_name", "given_name", "is_app_installed",
    "language", "locale", "name", "nickname", "organization_id", "phone_number", "phone_number_verified",
    "photos", "picture", "preferred_username", "profile", "sub", "updated_at", "urls", "user_id",
    "user_type", "zoneinfo",
]  # fmt: skip


def openid_configuration(base: str) -> dict[str, Any]:
    """The fields of login.salesforce.com's document, in its order, with URLs on the mock's base."""
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/services/oauth2/authorize",
        "token_endpoint": f"{base}/services/oauth2/token",
        "revocation_endpoint": f"{base}/services/oauth2/revoke",
        "userinfo_endpoint": f"{base}/services/oauth2/userinfo",
        "jwks_uri": f"{base}/id/keys",
        "registration_endpoint": f"{base}/services/oauth2/register",
        "introspection_endpoint": f"{base}/services/oauth2/introspect",
        "scopes_supported": SCOPES,
        "response_types_supported": ["code", "token", "token id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "display_values_supported": ["page", "popup", "touch"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "client_secret_basic",
            "private_key_jwt",
        ],
        "claims_supported": CLAIMS,
    }


def my_domain_configuration(base: str) -> dict[str, Any]:
    """The My Domain variant (spec 7.1): the same document on the My Domain, plus the OIDC logout endpoint
    and front-channel logout support (placed after the other endpoints and at the end)."""
    doc = openid_configuration(base)
    endpoints = list(doc.items())
    at = [k for k, _ in endpoints].index("introspection_endpoint") + 1
    endpoints.insert(at, ("end_session_endpoint", f"{base}/services/auth/idp/oidc/logout"))
    return {**dict(endpoints), "frontchannel_logout_supported": True, "frontchannel_logout_session_supported": False}


T = TypeVar("T")


class DocumentCache:
    """Serialized documents per base URL (bounded: a client can send any Host)."""

    def __init__(self, limit: int = 64) -> None:
        self._docs: dict[str, bytes] = {}
        self._my_domain: dict[str, bytes] = {}
        self._hosts: dict[str, str] = {}
        self._limit = limit

    def discovery(self, base: str) -> bytes:
        doc = self._docs.get(base)  # the hit inline: the discovery route asks on every request
        return doc if doc is not None else self._fill(self._docs, base, _document(openid_configuration))

    def host(self, base: str) -> str:
        """The lower-case host of `base` ("" when it has none), memoized (the discovery route asks on every request)."""
        host = self._hosts.get(base)
        return host if host is not None else self._fill(self._hosts, base, _host)

    def my_domain_discovery(self, base: str) -> bytes:
        """The My Domain variant, cached apart from the default documents (same bound)."""
        doc = self._my_domain.get(base)
        return doc if doc is not None else self._fill(self._my_domain, base, _document(my_domain_configuration))

    def _fill(self, cache: dict[str, T], base: str, make: Callable[[str], T]) -> T:
        """A miss: `make(base)` into `cache`, emptied first when it holds `limit` entries."""
        if len(cache) >= self._limit:
            cache.clear()
        value = cache[base] = make(base)
        return value


def _document(build: Callable[[str], dict[str, Any]]) -> Callable[[str], bytes]:
    return lambda base: json.dumps(build(base), separators=(",", ":")).encode()


def _host(base: str) -> str:
    """`base`'s host, as `http.api.host_of` reads one (lower-case, no final dot): a My Domain is one name."""
    try:
        return host_name(urlsplit(base).hostname or "")
    except ValueError:  # a Host header urlsplit refuses (e.g. an unclosed IPv6 bracket): no My Domain
        return ""

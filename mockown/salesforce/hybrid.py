"""The extra session fields of the hybrid flows (`hybrid_token`, `hybrid_auth_code`, `hybrid_refresh`).

They bridge the OAuth session into web sessions on the Lightning, Visualforce and content domains. The
mock returns well-formed values (domains derived from the instance URL, session ids of Salesforce's shape);
the `*_sid` values are not API sessions of their own: `parent_sid` is the access token they derive from.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .. import ids, security
from .discovery import MY_DOMAIN_SUFFIX
from .models import Org, new_session_id


def domains(instance_url: str) -> tuple[str, str, str]:
    """(lightning, visualforce, content) hosts for an instance URL."""
    try:
        host = urlsplit(instance_url).netloc
    except ValueError:  # made of a Host header urlsplit refuses ("[::1", "[zz]"): the URL's authority as it is
        host = instance_url.partition("://")[2].partition("/")[0]
    if host.endswith(MY_DOMAIN_SUFFIX):
        name = host[: -len(MY_DOMAIN_SUFFIX)]
        # a sandbox's or partitioned org's name carries its partition (`acme--sbx.sandbox`, `x-dev-ed.develop`): the
        # Visualforce host marks the first label (`acme--sbx--c.sandbox.vf.force.com`), Lightning and files keep it
        label, dot, partition = name.partition(".")
        return f"{name}.lightning.force.com", f"{label}--c{dot}{partition}.vf.force.com", f"{name}.file.force.com"
    return host, host, host


def session_fields(org: Org, instance_url: str, access_token: str, client_ip: str = "127.0.0.1") -> dict[str, Any]:
    lightning, visualforce, content = domains(instance_url)

    def sid() -> str:
        return new_session_id(org.id)

    return {
        "lightning_domain": lightning,
        "lightning_sid": sid(),
        "visualforce_domain": visualforce,
        "visualforce_sid": sid(),
        "content_domain": content,
        "content_sid": sid(),
        "csrf_token": security.random_b62(64),
        "cookie-clientSrc": client_ip,
        "cookie-sid_Client": ids.to15(org.id)[-5:] + security.random_b62(10),
        "sidCookieName": "sid",
        "parent_sid": access_token,
    }

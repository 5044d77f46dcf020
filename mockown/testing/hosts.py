"""The host names intercept mode sends to the mock (others are left alone); `mockown serve --tls` signs them."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

# Salesforce login hosts and My Domains (sandboxes included), the Own auth host and regional hosts, and the
# Marketing Cloud / B2C Commerce hosts mockown emulates (a B2C instance seeded on another host: `extra_hosts`).
# `*.x` matches any depth of sub-domain, not `x` itself.
INTERCEPTED_HOSTS: tuple[str, ...] = (
    "login.salesforce.com",
    "test.salesforce.com",
    "api.salesforce.com",
    "*.my.salesforce.com",
    "*.my.site.com",
    "auth.owndata.com",
    "*.owndata.com",
    "*.ownbackup.com",
    "*.auth.marketingcloudapis.com",
    "*.rest.marketingcloudapis.com",
    "*.soap.marketingcloudapis.com",
    "auth.exacttargetapis.com",
    "auth-test.exacttargetapis.com",
    "account.demandware.com",
    "*.api.commercecloud.salesforce.com",
    "*.dx.commercecloud.salesforce.com",  # B2C instances (on-demand sandboxes): the BM grant and OCAPI
)


class HostMatcher:
    def __init__(self, patterns: Iterable[str] = INTERCEPTED_HOSTS) -> None:
        self.patterns = tuple(p.lower().rstrip(".") for p in patterns)

    def __call__(self, host: str | None) -> bool:
        if not host:
            return False
        name = host.lower().rstrip(".")
        return any(fnmatch.fnmatchcase(name, p) if "*" in p else name == p for p in self.patterns)


__all__ = ["INTERCEPTED_HOSTS", "HostMatcher"]

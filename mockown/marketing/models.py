"""Marketing Cloud state: tenants (an enterprise on a stack, with its business units), users, installed-package
integrations, codes and tokens. Bearer secrets are stored only as their SHA-256 (`id`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

from .. import security
from ..fieldwise import Value
from ..store import record
from ..store.base import Record
from ..store.decode import LOWER_CASE, Refine, RowError, checked

INTEGRATION_TYPES = ("server", "web", "public", "legacy")
SUBDOMAIN_PATTERN = re.compile(r"[0-9a-z-]{28}")
# the time zones `/v2/userinfo` describes (its `timezone` block): zoneinfo name -> longName, shortName, offset, dst.
# Marketing Cloud names its zones from a list of its own (Windows-style names, standard offsets); a zone outside
# this table has no block the mock could give (mock choice: the seed and a restore refuse it)
TIMEZONES = {
    "America/Los_Angeles": ("(GMT-08:00) Pacific Time (US & Canada)", "GMT-8", -8, True),
    "America/New_York": ("(GMT-05:00) Eastern Time (US & Canada)", "GMT-5", -5, True),
    "America/Chicago": ("(GMT-06:00) Central Time (US & Canada)", "GMT-6", -6, True),
    "Europe/London": ("(GMT) Dublin, Edinburgh, Lisbon, London *", "GMT+0", 0, True),
    "Europe/Paris": ("(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "GMT+1", 1, True),
    "UTC": ("(GMT) Coordinated Universal Time", "GMT+0", 0, False),
}


def integration_type(value: str) -> None:
    if value not in INTEGRATION_TYPES:
        raise ValueError(f"not one of {', '.join(INTEGRATION_TYPES)}")


def subdomain(value: str) -> None:
    if not SUBDOMAIN_PATTERN.fullmatch(value):
        raise ValueError("not 28 characters of [0-9a-z-]")


def redirect_url(value: str) -> None:
    """What `/v2/authorize` can send a code to: a URL with a scheme (a host for http and https), no fragment (the
    code would land inside it), no script URL (as `salesforce/register.py` takes redirect URIs)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValueError("not a URL") from None
    web_without_host = parts.scheme in ("http", "https") and not parts.netloc
    if not parts.scheme or "#" in value or web_without_host or security.script_url(value):
        raise ValueError("not a URL with a scheme, a host for http(s), no fragment")


def scope(value: str) -> None:
    """A scope a request can name: the scope parameter is split on spaces, so one with white space, or an empty
    one, could never be asked for."""
    if not value or any(c.isspace() for c in value):
        raise ValueError("empty or holding white space")


# checked when a snapshot is restored (the seed and `update_integration` check the same); the seed and
# `update_integration` also check `zone`, `redirect_url` and `scope`, which a restore does not: a server of
# session 23 or before stored any zone, URL or scope text, and its snapshots (and the snapshots of its state
# files, read as they are) must still restore. An unknown zone shows as UTC, such a URL or scope is never matched.
TYPE = Refine(integration_type, f"one of {', '.join(INTEGRATION_TYPES)}")
SUBDOMAIN = Refine(subdomain, "28 characters of [0-9a-z-]")
LOWER = LOWER_CASE


MAX_MID = 2**31 - 1


def account_id(value: int) -> None:
    """An account id, an EID or a MID (business unit), from 1 to 2^31-1: a request's `account_id` names one by its
    ASCII digits (sfmc-sdk reads it as an Integer), so a negative or 0 one could never be asked for, and clients keep
    them in 32-bit integers. The seed and a restore take the same rule."""
    if not 1 <= value <= MAX_MID:
        raise ValueError(f"not from 1 to {MAX_MID}")


def _eid(value: str) -> None:
    """A whole number's digits as the seed stores them (`str(eid)`): `/v2/token` and `/v2/userinfo` answer
    `int(tenant.id)`. int() alone would also read " 12", "1_2" or full-width digits, and fails on "ten-abc"."""
    if str(int(value)) != value:
        raise ValueError("not a whole number's digits")
    account_id(int(value))


# checked when a snapshot is restored
EID = Refine(_eid, f"an enterprise id (the digits of a whole number from 1 to {MAX_MID}, as the seed stores it)")
Mid = Annotated[int, Refine(account_id, f"a MID (a whole number from 1 to {MAX_MID})")]


@dataclass(frozen=True, repr=False, eq=False)
class PendingChange(Value):
    """What a pending integration change (`MarketingService.update_integration`) may hold: these fields of an
    `Integration`, each of its type (a restored `pending` is checked against it: `integration()` applies it)."""

    scopes: list[str] = field(default_factory=list)
    enabled: bool = True
    installed: bool = True
    redirect_urls: list[str] = field(default_factory=list)
    accessible_mids: list[int] = field(default_factory=list)
    client_secret: str | None = None
    name: str = ""
    home_mid: int = 0


PENDING_FIELDS = frozenset(PendingChange.__dataclass_fields__)


def _pending(value: dict[str, object] | None) -> None:
    if value is None:
        return
    unknown = sorted(set(value) - PENDING_FIELDS)
    if unknown:
        raise ValueError(f"no field {unknown[0]!r} to change")
    checked(PendingChange, value)  # a RowError (ValueError) for a value not of its field's type


def check_change(changes: dict[str, Any], business_units: list[int] | None = None) -> dict[str, Any]:
    """The change `MarketingService.update_integration` queues (a tuple of scopes a list), else a ValueError
    naming the field: changeable fields only, each of its type (as a restore checks a queued change), and its MIDs
    business units of the integration's tenant (`business_units`; None: not checked), as the seed takes them."""
    _pending(changes)
    changes = checked(PendingChange, changes)
    for name, rule in (("scopes", scope), ("redirect_urls", redirect_url)):
        for i, value in enumerate(changes.get(name, ())):
            try:
                rule(value)
            except ValueError as exc:
                raise RowError(f"{name}[{i}]", f"{exc}, got {value!r}") from None
    if business_units is None:
        return changes
    mids = [("home_mid", changes["home_mid"])] if "home_mid" in changes else []
    mids += [(f"accessible_mids[{i}]", mid) for i, mid in enumerate(changes.get("accessible_mids", ()))]
    for where, mid in mids:
        if mid not in business_units:
            raise RowError(where, f"expected a business unit of the integration's tenant, got {mid}")
    return changes


PENDING = Refine(_pending, f"null or an object of the changeable fields ({', '.join(sorted(PENDING_FIELDS))})")
CHANGED = Refine(_pending, f"an object of the changeable fields ({', '.join(sorted(PENDING_FIELDS))})")


@dataclass(frozen=True, repr=False, eq=False)
class QueuedChange(Value):
    """One integration change on its way (an `Integration.queued` entry, a dict of these keys): what one
    `update_integration` call changed, and when that change shows (`propagation.settle`)."""

    due: float  # the instant the change shows: when it was made plus `propagation_delay`
    changes: Annotated[dict[str, object], CHANGED]


@record("mc_tenants", indexes=("subdomain",), unique=("subdomain",))
@dataclass(slots=True, repr=False, eq=False)
class Tenant(Record):
    """A Marketing Cloud Engagement tenant: its subdomain, stack and business units."""

    id: Annotated[str, EID]  # the enterprise id (EID), as text
    subdomain: Annotated[str, SUBDOMAIN]  # 28 characters of [0-9a-z-], e.g. mct0l7nxfq2r988t1kxfy8sc47ma
    name: str
    stack_key: str = "S7"
    region: str = "NA1"
    business_units: list[Mid] = field(default_factory=list)  # MIDs; the EID is one of them
    locale: str = "en-US"
    zoneinfo: str = "America/Los_Angeles"


@record("mc_users", indexes=("tenant_id", "username"), unique=(("tenant_id", "username"),))
@dataclass(slots=True, repr=False, eq=False)
class McUser(Record):
    """A Marketing Cloud user of a tenant (web app integrations sign them in)."""

    id: str  # the employee id, as text
    tenant_id: str
    username: Annotated[str, LOWER]  # as the seed stores it: the sign-in looks up the name it is given, lowered
    name: str
    email: str
    password_hash: str
    salt: str
    default_mid: Mid
    locale: str = "en-US"
    zoneinfo: str = "America/Los_Angeles"
    active: bool = True


@record("mc_integrations", indexes=("client_id", "tenant_id"))
@dataclass(slots=True, repr=False, eq=False)
class Integration(Record):
    """An installed package's API integration: client id, type, secret and scopes."""

    id: str  # = client_id
    client_id: str
    tenant_id: str
    name: str
    type: Annotated[str, TYPE]  # server | web | public | legacy
    client_secret: str | None
    scopes: list[str]
    home_mid: Mid
    accessible_mids: list[Mid]
    redirect_urls: list[str] = field(default_factory=list)
    installed: bool = True
    enabled: bool = True
    # integration changes on their way, in the order made, each showing `propagation_delay` seconds after it was
    # made (admin hook `update_integration`; `propagation.settle` applies the due ones)
    queued: list[Annotated[dict[str, Any], QueuedChange]] = field(default_factory=list)
    # the shape of older versions (their state files and snapshots): all changes merged into one, shown at one
    # instant; taken into `queued` when the record is made, never written again
    pending: Annotated[dict[str, object] | None, PENDING] = None
    pending_at: float = 0.0

    def __post_init__(self) -> None:
        if self.client_id != self.id:  # every look-up is by id: the seed makes them one (a restore refuses others)
            raise RowError("client_id", f"expected the row's id {self.id!r}, got {self.client_id!r}")
        if self.pending is not None:
            self.queued = [{"due": self.pending_at, "changes": self.pending}, *self.queued]
            self.pending, self.pending_at = None, 0.0


@record("mc_codes")
@dataclass(slots=True, repr=False, eq=False)
class McCode(Record):
    """A Marketing Cloud authorization code, until it is redeemed or expires."""

    id: str  # hash of the code
    client_id: str
    user_id: str
    mid: int
    redirect_uri: str
    scopes: list[str]
    expires_at: float
    code_challenge: str | None = None
    used: bool = False


@record("mc_access_tokens", indexes=("client_id", "user_id"))
@dataclass(slots=True, repr=False, eq=False)
class McAccessToken(Record):
    """A Marketing Cloud access token, stored by its hash."""

    id: str  # hash
    client_id: str
    tenant_id: str
    mid: int
    scopes: list[str]
    issued_at: float
    expires_at: float
    user_id: str | None = None
    revoked: bool = False

    def live(self, now: float) -> bool:
        return not self.revoked and now < self.expires_at


@record("mc_refresh_tokens", indexes=("client_id", "user_id"))
@dataclass(slots=True, repr=False, eq=False)
class McRefreshToken(Record):
    """A Marketing Cloud refresh token, stored by its hash."""

    id: str  # hash
    client_id: str
    tenant_id: str
    user_id: str
    mid: int
    scopes: list[str]
    issued_at: float
    expires_at: float  # 0 = never
    offline: bool = False
    used_at: float | None = None  # rotated away at this instant (grace window counts from here)
    revoked: bool = False

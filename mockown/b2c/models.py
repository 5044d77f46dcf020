"""B2C Commerce state: Account Manager clients and users, instances with Business Manager users, OCAPI sites,
customers and sessions, SLAS tenants, clients, shoppers, codes, sessions and tokens.

Bearer secrets (codes, tokens, dwsid) are stored only as their SHA-256 (`id`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from ..store import record
from ..store.base import Record
from ..store.decode import LOWER_CASE, RowError

# a name the services look up lower-cased (a login, a host, a short code): a restore takes it only as the seed
# stores it, lower-case (one with a capital was never found)
Lower = Annotated[str, LOWER_CASE]


def _keyed(rec: Any, expected: str, made_of: str) -> None:
    """A row's composite key is the one its fields make, as the seed makes it (`__post_init__`): the services look
    rows up by the key built from a request's values, so a row whose fields said otherwise answered under its old
    key (a renamed SLAS client still authenticated under the old client id) and never under its fields'."""
    if rec.id != expected:
        raise RowError("id", f"expected {expected!r}, the key its {made_of} make, got {rec.id!r}")


AM_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt", "none")


# -- Account Manager -----------------------------------------------------------------------------------
@record("b2c_am_clients")
@dataclass(slots=True, repr=False, eq=False)
class AmClient(Record):
    """An Account Manager API client: its secret, auth method, scopes and redirect URLs."""

    id: str  # the client id
    name: str
    secret: str | None  # as given (compared in constant time), as SLAS, Marketing Cloud and Salesforce client secrets
    auth_method: str  # client_secret_basic | client_secret_post | private_key_jwt | none
    scopes: list[str]
    default_scopes: list[str]
    redirect_urls: list[str] = field(default_factory=list)
    jwt_public_key: str | None = None  # PEM, for private_key_jwt
    roles: list[str] = field(default_factory=list)
    active: bool = True


@record("b2c_am_users")
@dataclass(slots=True, repr=False, eq=False)
class AmUser(Record):
    """An Account Manager user (Business Manager login through Account Manager)."""

    id: Lower  # the login
    password_hash: str
    salt: str
    name: str = ""
    roles: list[str] = field(default_factory=list)
    active: bool = True


@record("b2c_am_codes")
@dataclass(slots=True, repr=False, eq=False)
class AmCode(Record):
    """An Account Manager authorization code, until it is redeemed or expires."""

    id: str  # hash
    client_id: str
    user: str
    redirect_uri: str
    scopes: list[str]
    expires_at: float
    code_challenge: str | None = None
    used: bool = False


@record("b2c_am_tokens", indexes=("client_id",))
@dataclass(slots=True, repr=False, eq=False)
class AmToken(Record):
    """A token Account Manager issued (access or refresh), stored by its hash."""

    id: str  # hash
    kind: str  # access | refresh | bm
    client_id: str
    subject: str  # the client id (client credentials) or the user's login
    scopes: list[str]
    issued_at: float
    expires_at: float  # 0 = never
    instance: str | None = None  # BM tokens: the instance host
    revoked: bool = False


# -- instances, Business Manager, OCAPI -----------------------------------------------------------------
@record("b2c_instances")
@dataclass(slots=True, repr=False, eq=False)
class Instance(Record):
    """A B2C Commerce instance, by its host name."""

    id: Lower  # host, e.g. zzxy-001.dx.commercecloud.salesforce.com
    default: bool = False


@record("b2c_bm_users", indexes=("instance",))
@dataclass(slots=True, repr=False, eq=False)
class BmUser(Record):
    """A Business Manager user of an instance, with the access key the BM user grant checks."""

    id: str  # "<instance>|<login lower-case>"
    instance: Lower  # Instance.id
    login: str  # as seeded (the key has it lower-case: the grant looks it up so)
    password_hash: str
    salt: str
    access_key_hash: str | None = None  # Unified Auth access keys replace the password

    def __post_init__(self) -> None:
        _keyed(self, f"{self.instance}|{self.login.lower()}", "instance and login")


@record("b2c_sites", indexes=("instance",))
@dataclass(slots=True, repr=False, eq=False)
class Site(Record):
    """A storefront site of an instance and the OCAPI client ids it allows."""

    id: str  # "<instance>|<site id>"
    instance: Lower  # Instance.id
    site_id: str
    client_ids: list[str]  # OCAPI client ids allowed on the site

    def __post_init__(self) -> None:
        _keyed(self, f"{self.instance}|{self.site_id}", "instance and site_id")


@record("b2c_customers", indexes=("site",))
@dataclass(slots=True, repr=False, eq=False)
class Customer(Record):
    """A storefront customer of a site (registered or guest), as OCAPI `customers/auth` sees it."""

    id: str  # customer_id
    site: str  # Site.id
    registered: bool
    customer_no: str = ""
    login: Lower = ""
    password_hash: str = ""
    salt: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    enabled: bool = True
    last_login: float = 0.0


@record("b2c_ocapi_tokens", indexes=("customer_id",))
@dataclass(slots=True, repr=False, eq=False)
class OcapiToken(Record):
    """A Shop API customer JWT OCAPI issued, stored by its hash."""

    id: str  # hash of the JWT
    site: str
    client_id: str
    customer_id: str
    visit_id: str
    issued_at: float
    expires_at: float
    revoked: bool = False
    replaced: bool = False  # revoked because a refresh replaced it (ocapi_refresh_keeps_old off)


@record("b2c_sessions")
@dataclass(slots=True, repr=False, eq=False)
class StoreSession(Record):
    """A storefront session (`dwsid`), stored by its hash: OCAPI's `type=session`."""

    id: str  # hash of dwsid
    site: str
    customer_id: str


# -- SLAS -------------------------------------------------------------------------------------------------
@record("b2c_slas_tenants")
@dataclass(slots=True, repr=False, eq=False)
class SlasTenant(Record):
    """A SLAS tenant: its organization id, short code and instance."""

    id: str  # organization id, f_ecom_<realm>_<instance>
    short_code: Lower
    instance: str | None = None  # the B2C instance whose sessions the session bridge reads


@record("b2c_slas_clients", indexes=("org",))
@dataclass(slots=True, repr=False, eq=False)
class SlasClient(Record):
    """A SLAS client of a tenant (public or private), its redirect URIs, scopes and channels."""

    id: str  # "<org>|<client id>"
    org: str
    client_id: str
    secret: str | None  # None: a public client
    redirect_uris: list[str]
    scopes: list[str]
    channels: list[str]
    strict_client_auth: bool = False

    def __post_init__(self) -> None:
        _keyed(self, f"{self.org}|{self.client_id}", "org and client_id")

    @property
    def public(self) -> bool:
        return self.secret is None


@record("b2c_shoppers", indexes=("org",))
@dataclass(slots=True, repr=False, eq=False)
class Shopper(Record):
    """A registered shopper SLAS signs in."""

    id: str  # "<org>|<login>"
    org: str
    login: Lower
    password_hash: str
    salt: str
    customer_id: str  # 26 characters
    first_name: str = ""
    last_name: str = ""
    email: str = ""

    def __post_init__(self) -> None:
        _keyed(self, f"{self.org}|{self.login}", "org and login")


@record("b2c_slas_codes")
@dataclass(slots=True, repr=False, eq=False)
class SlasCode(Record):
    """A SLAS authorization code, until it is redeemed or expires."""

    id: str  # hash
    org: str
    client_id: str
    redirect_uri: str
    usid: str
    customer_id: str
    registered: bool
    login: str
    channel_id: str | None
    scope: str
    expires_at: float
    code_challenge: str | None = None
    hint: str | None = None  # guest | sb-user | sb-guest | None (a /login)
    used: bool = False


@record("b2c_slas_refresh", indexes=("usid", "customer_id", "family"))
@dataclass(slots=True, repr=False, eq=False)
class SlasRefresh(Record):
    """A SLAS refresh token, stored by its hash."""

    id: str  # hash
    org: str
    client_id: str
    usid: str
    customer_id: str
    registered: bool
    login: str
    channel_id: str | None
    scope: str
    issued_at: float
    expires_at: float
    revoked: bool = False
    used: bool = False  # revoked because a public client's refresh rotated it
    ocapi_token: str | None = None  # hash of the OCAPI JWT a session bridge took (dwsgst/dwsrst): logout revokes it
    tsob: bool = False  # a trusted-system (on behalf) session: another session type than /authorize's for logout
    # the id of the first refresh token of its session, the one a public client's refreshes rotated it from (None:
    # it is the first): logout and revocation end the session, with the access tokens any of them issued
    family: str | None = None


@record("b2c_slas_access", indexes=("usid", "refresh_id"))
@dataclass(slots=True, repr=False, eq=False)
class SlasAccess(Record):
    """A SLAS access token (a JWT), stored by its hash."""

    id: str  # hash
    org: str
    client_id: str
    usid: str
    customer_id: str
    registered: bool
    login: str
    scope: str
    issued_at: float
    expires_at: float
    refresh_id: str | None = None
    revoked: bool = False


@record("b2c_counters")
@dataclass(slots=True, repr=False, eq=False)
class Counter(Record):
    """Calls counted in one rate-limit window (`id`: what is counted and the window's start)."""

    id: str  # "<what>|<window start>"
    count: int = 0
    last_at: float = 0.0

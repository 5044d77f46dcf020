"""Salesforce state: orgs, users, connected apps, codes and tokens. Plain typed records in the store.

Bearer secrets (codes, access and refresh tokens) are stored only as their SHA-256 (`id`); the raw value
exists in the response that issued it and nowhere else.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from .. import clock, ids, security
from ..config import API_LIMIT_MAX
from ..store import SNAPSHOT_CHECKS, record
from ..store.base import Record
from ..store.decode import LOWER_CASE, Refine, RowError, between, lower_case

REFRESH_POLICIES = ("until_revoked", "immediately", "idle", "absolute")
UNLOCKED = 0.0  # `User.locked_until` of a user never locked out (or unlocked): whatever the clock's year

# A user's type as the identity service names it (`user_type`, as `User.user_type` holds it) -> as the APIs name it
# (the User object's `UserType` picklist, SOAP `userInfo/userType`)
USER_TYPES = {
    "STANDARD": "Standard",
    "POWER_PARTNER": "PowerPartner",
    "POWER_CUSTOMER_SUCCESS": "PowerCustomerSuccess",
    "CUSTOMER_SUCCESS": "CustomerSuccess",
    "GUEST": "Guest",
    "CSP_LITE_PORTAL": "CspLitePortal",
    "CSN_ONLY": "CsnOnly",
    "SELF_SERVICE": "SelfService",
}


def user_type_named(name: str) -> str | None:
    """The `USER_TYPES` key `name` is, written either way and in any case (`power_partner`, `PowerPartner`)."""
    wanted = name.strip().replace("_", "").upper()
    return next((key for key in USER_TYPES if key.replace("_", "") == wanted), None)


SALESFORCE_ID = Refine(ids.to18, "a Salesforce id")  # checked when a snapshot is restored (identity URLs read it)


def _id_or_none(value: str | None) -> None:
    if value is not None:
        ids.to18(value)


_HOST_TEXT = re.compile(r"[A-Za-z0-9._-]+")  # what a request's host could be (an IPv6 literal is no my_domain)


def _my_domain(value: str | None) -> None:
    """A restored org's `my_domain`: none, or a host that is not every org's (`discovery.every_orgs_host`), which
    as one org's My Domain shut every other org out of it. Other text an older seed let in loads as it was (text no
    request's host can be, `not a domain!!`, harms no one)."""
    from ..http.headers import host_name
    from .discovery import every_orgs_host

    if value and _HOST_TEXT.fullmatch(value) and every_orgs_host(host_name(value)):
        raise ValueError(value)


def _exchange_handler(value: dict[str, Any] | None) -> None:
    """A restored app's token-exchange handler: one the seed would store (`exchange.normalize`), its keys already
    resolved (a snapshot names no key file for the mock to read)."""
    if value is None:
        return
    from .exchange import normalize, token_hashes  # on restore only: its imports stay off the start-up path

    if "jwks_file" in value or any(isinstance(i, dict) and "jwks_file" in i for i in value.get("issuers") or []):
        raise ValueError("a jwks_file (a snapshot holds the keys themselves)")
    try:
        stored = normalize(value)
    except Exception as exc:  # SeedError, TypeError...: no handler the seed would have stored
        raise ValueError(str(exc)) from None
    # raw `tokens`: a snapshot from before they were stored hashed (`exchange.token_hashes` still maps them)
    written = {k: v for k, v in value.items() if k != "tokens"}
    if "tokens" in value:
        written["token_hashes"] = token_hashes(value)
    if stored != written:  # e.g. a token mapped to a number: the seed stores the username text
        raise ValueError("not as the seed stores it")


def _refresh_policy(value: str) -> None:
    if value not in REFRESH_POLICIES:
        raise ValueError(value)


# a reference to an org or a user (SALESFORCE_ID too): what reads it (identity URLs, OauthToken rows) assumes an id
SALESFORCE_REF_OR_NONE = Refine(_id_or_none, "a Salesforce id or null")
MY_DOMAIN = Refine(_my_domain, "null or one org's host (not a login host or the mock's own address)")
EXCHANGE_HANDLER = Refine(_exchange_handler, "a token-exchange handler as the seed stores it")
# a restored app's policy is one the seed takes (`refresh_live` reads any other as "until revoked")
REFRESH_POLICY = Refine(_refresh_policy, "one of " + ", ".join(REFRESH_POLICIES))
# a timeout or lifetime as the seed takes it (`seed.duration`): 0 seconds or more
Seconds = Annotated[float, Refine(between(0), "0 seconds or more")]
# a call count (`Org.api_usage`, `Org.api_hours`): `api_limit.count` assumes none is negative (a negative usage made
# every REST call a 500, or stored a negative hour no snapshot restores)
CALLS = Refine(between(0), "a count from 0")
# an org's limit as the seed takes it (a negative one refused every call)
API_LIMIT = Refine(between(0, API_LIMIT_MAX), f"a limit from 0 to {API_LIMIT_MAX}")
# the epoch hours a date can show (`Org.api_hour`)
_FIRST_HOUR, _LAST_HOUR = math.floor(clock.EARLIEST / 3600), math.floor(clock.LATEST / 3600)


@record("sf_orgs", indexes=("name", "my_domain"))
@dataclass(slots=True, repr=False, eq=False)
class Org(Record):
    """A Salesforce org."""

    id: Annotated[str, SALESFORCE_ID]  # 18 characters
    name: str
    my_domain: Annotated[str | None, MY_DOMAIN] = None  # host, e.g. acme.my.salesforce.com
    instance_name: str = "MOCK1"
    organization_type: str = "Developer Edition"
    is_sandbox: bool = False
    namespace_prefix: str | None = None
    dev_hub: bool = False
    api_limit: Annotated[int, API_LIMIT] = 15000
    # the REST calls of the last 24 hours, per hour of the clock (api_limit.py): `api_hours` oldest first, the last
    # for the epoch hour `api_hour` (None: none kept yet, as in a state file from before them); `api_usage` their sum
    api_usage: Annotated[int, CALLS] = 0
    api_hours: list[Annotated[int, CALLS]] = field(default_factory=list)
    api_hour: int | None = None
    locked: bool = False
    created_at: float = 0.0
    session_timeout: Seconds = 7200.0  # Session Settings: seconds, for the apps that set no timeout of their own
    soap_login_enabled: bool = True  # Setup > User Interface "Enable SOAP API login()" (off in new real orgs)

    def __post_init__(self) -> None:
        """`my_domain` lower-case: the My Domain rule compares the request's host lower-cased, and a state or
        snapshot from before the seed lowered it (ff36116) holds it as written, which matched no request.
        A restored window as `api_limit.count` keeps it: at most 24 hours ending at an hour a date can show, and
        `api_usage` their sum (`api_limit.used` reads it); none (an older state) with no hours. An hour far ahead
        kept its calls in the window for good (the org refused once at its limit); 100,000 hours cost every call."""
        if self.my_domain is not None:
            self.my_domain = self.my_domain.lower()
        if self.api_hour is None:
            if self.api_hours:
                raise RowError("api_hours", "expected [] while api_hour is null")
            return
        if not _FIRST_HOUR <= self.api_hour <= _LAST_HOUR:
            raise RowError("api_hour", f"expected an hour from {_FIRST_HOUR} to {_LAST_HOUR}, got {self.api_hour}")
        if not 1 <= len(self.api_hours) <= 24:
            raise RowError("api_hours", f"expected 1 to 24 hourly counts, got {len(self.api_hours)}")
        if self.api_usage != sum(self.api_hours):
            raise RowError("api_usage", f"expected the sum of api_hours ({sum(self.api_hours)}), got {self.api_usage}")


def _user_of_older_mockown(row: dict[str, Any]) -> dict[str, Any]:
    """A user row of a mockown before b6da40c (a snapshot, a state file): the raw `security_token` it held, hashed
    here as the seed hashes it (as `exchange.token_hashes` reads a handler's raw `tokens`). Dropped, it left the
    user without a token: password + token was refused (and counted toward the lockout), the bare password taken."""
    if "security_token" not in row:
        return row
    token = row["security_token"]
    if not isinstance(token, str):
        raise RowError("security_token", "expected a string (an older snapshot's raw security token)")
    out = {k: v for k, v in row.items() if k != "security_token"}
    if token and not out.get("security_token_hash"):  # a row holding both is a newer one's: its hash stands
        out["security_token_hash"], out["security_token_len"] = security.token_hash(token), len(token)
    return out


USERNAME_FORM = re.compile(r"[^@\s]+@[^@\s]+")


def username(value: str) -> None:
    """A Salesforce username as the seed stores it (a ValueError says what it must be): e-mail form, `name@domain`
    (one @ with text on both sides, no white space: Salesforce usernames are), in lower case. The sign-in looks a
    name up stripped and lower-cased (`SalesforceService.user_by_username`): one stored with a capital or a space
    around it was never found. The seed and a restore take this one rule."""
    if not USERNAME_FORM.fullmatch(value):
        raise ValueError("not in e-mail form (name@domain, no white space)")
    lower_case(value)


# a Salesforce locale or language code (LocaleSidKey, LanguageLocaleKey): a language, then a country, a script or a
# variant each after "_": `en_US`, `fr_FR_EURO`, `zh_CN_PINYIN`, `de`, `es_419`
LOCALE_FORM = re.compile(r"[a-z]{2,3}(?:_[A-Za-z0-9]{2,8})*")


# checked when a snapshot is restored, after LOWER_CASE (`username` checks both)
USERNAME = Refine(username, "a username in e-mail form (name@domain, no white space), as the seed stores it")


@record("sf_users", indexes=("username", "org_id"), unique=("username",), older=_user_of_older_mockown)
@dataclass(slots=True, repr=False, eq=False)
class User(Record):
    """A Salesforce user of an org; password and security token stored hashed."""

    id: Annotated[str, SALESFORCE_ID]
    org_id: Annotated[str, SALESFORCE_ID]
    username: Annotated[str, LOWER_CASE, USERNAME]  # Salesforce usernames are case-insensitive: looked up lower-cased
    password_hash: str
    salt: str
    security_token_hash: str = ""  # SHA-256 of the security token (a secret, stored like a password: hashed)
    security_token_len: int = 0
    active: bool = True
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    profile: str = "System Administrator"
    user_type: str = "STANDARD"
    language: str = "en_US"
    locale: str = "en_US"
    timezone: str = "America/Los_Angeles"
    custom_permissions: list[str] = field(default_factory=list)  # the custom permissions assigned to the user
    failed_logins: int = 0
    locked_until: float = UNLOCKED  # the end of the lockout (`locked`); UNLOCKED: none
    updated_at: float = 0.0

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username

    @property
    def api_user_type(self) -> str:
        """The user type as the APIs name it (SOAP `userInfo/userType`, the REST `User.UserType`: `PowerPartner`),
        where the identity service and `user_type` say `POWER_PARTNER`."""
        return USER_TYPES.get(self.user_type, self.user_type)

    def locked(self, now: float) -> bool:
        """Whether the user is locked out at `now`: the one rule every login (OAuth, SOAP, the login page) and the
        dashboard ask. `UNLOCKED` is no lockout at any instant, before 1970 too (where `locked_until > now` held
        for it and locked every user out); state files and snapshots hold it for every user never locked."""
        return self.locked_until != UNLOCKED and now < self.locked_until

    def lock(self, until: float) -> None:
        """Lock the user out until `until`. One ending at exactly `UNLOCKED` (1970-01-01T00:00:00Z) is stored as the
        float just before it (-5e-324), so that it is not read as none and still ends at that instant."""
        self.locked_until = until if until != UNLOCKED else math.nextafter(UNLOCKED, -1.0)


@record("sf_apps", indexes=("client_id", "org_id"), unique=("client_id",))
@dataclass(slots=True, repr=False, eq=False)
class ConnectedApp(Record):
    """A connected app of an org and its OAuth policies."""

    id: str
    org_id: Annotated[str, SALESFORCE_ID]
    name: str
    client_id: str
    client_secret: str | None = None  # None: a public app (no secret is asked for)
    callback_urls: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=lambda: ["api", "refresh_token", "openid", "id"])
    require_secret_for_web_server: bool = True
    pkce_required: bool = False
    username_password_allowed: bool = True
    client_credentials_user: str | None = None  # username of the run-as user
    refresh_token_policy: Annotated[str, REFRESH_POLICY] = "until_revoked"  # until_revoked | immediately | idle | ...
    refresh_token_ttl: Seconds = 0.0  # seconds, for idle / absolute (more than 0 for them: `__post_init__`)
    rotation: bool = False
    session_timeout: Seconds = 7200.0
    auto_approve: bool = True  # the headless authorize path: login_hint + no consent page
    pre_approved_users: list[Annotated[str, LOWER_CASE]] = field(default_factory=list)  # usernames; "*" = all
    jwt_certificate: str | None = None  # PEM certificate or public key for the JWT bearer flow
    jwt_access_tokens: bool = False
    introspect_all: bool = False
    id_token_validity: Seconds = 300.0
    # the ID token's claim set (Metadata API ConnectedAppOauthIdToken; see salesforce/claims.py)
    id_token_audiences: list[str] = field(default_factory=list)  # extra `aud` values after the client_id
    id_token_include_standard_claims: bool = True
    id_token_include_attributes: bool = False
    id_token_include_custom_perms: bool = False
    custom_attributes: dict[str, str] = field(default_factory=dict)  # key -> literal or $User.X / $Organization.X
    custom_permissions: list[str] = field(default_factory=list)  # the custom permissions associated with the app
    token_exchange: Annotated[dict[str, Any] | None, EXCHANGE_HANDLER] = None  # the handler (salesforce/exchange.py)
    initial_access_token_hash: str | None = None  # dynamic client registration: this app may register apps
    registered_by: str | None = None  # the registering app's id, for apps made by dynamic registration
    single_logout_url: str | None = None  # "Enable Single Logout": the RP's front-channel logout URL (https://)

    def __post_init__(self) -> None:
        """As the seed refuses it (salesforce/seed.py), a restored `idle` or `absolute` app without a positive
        `refresh_token_ttl`: every refresh token it issued would be dead at once, and `exp` says so."""
        if self.refresh_token_policy in ("idle", "absolute") and not self.refresh_token_ttl > 0:
            policy, ttl = self.refresh_token_policy, self.refresh_token_ttl
            raise RowError("refresh_token_ttl", f"expected more than 0 seconds for the {policy} policy, got {ttl}")

    @property
    def public(self) -> bool:
        return not self.client_secret


@record("sf_codes")
@dataclass(slots=True, repr=False, eq=False)
class AuthCode(Record):
    """An authorization code, until it is redeemed or expires."""

    id: str  # hash of the code
    org_id: Annotated[str, SALESFORCE_ID]
    app_id: str
    user_id: Annotated[str, SALESFORCE_ID]
    redirect_uri: str
    scopes: list[str]
    issued_at: float
    expires_at: float
    code_challenge: str | None = None
    nonce: str | None = None
    used: bool = False
    issued_access: list[str] = field(default_factory=list)
    issued_refresh: list[str] = field(default_factory=list)
    auth_time: int | None = None  # when the user signed in, for the ID token: set when authorize had `max_age`


_SHARED_SCOPES: dict[tuple[str, ...], list[str]] = {}


def shared_scopes(scopes: list[str]) -> list[str]:
    """One list object per distinct scope list (bounded), shared by the tokens that carry it: a server with a
    million live sessions keeps a handful of scope lists, not a million. Token scopes are never changed in
    place (a token's scopes are fixed when it is issued)."""
    key = tuple(scopes)
    shared = _SHARED_SCOPES.get(key)
    if shared is None:
        if len(_SHARED_SCOPES) >= 4096:
            _SHARED_SCOPES.clear()
        shared = _SHARED_SCOPES[key] = list(key)
    return shared


def new_session_id(org_id: str) -> str:
    """An opaque session id as Salesforce issues them (access tokens, SOAP login() sessions, the hybrid flow's web
    sids): the org's 15-character id, `!AQ`, then 94 random characters."""
    return f"{ids.to15(org_id)}!AQ" + security.random_sf_opaque(94)


SOAP_SESSION_APP = "soap-api-login"  # the `app_id` of a SOAP login() session (salesforce/soap.py): no app has it


@record("sf_access_tokens", indexes=("refresh_id", "org_id"))
@dataclass(slots=True, repr=False, eq=False)
class AccessToken(Record):
    """An access token (a session), stored by its hash."""

    id: str  # hash
    org_id: Annotated[str, SALESFORCE_ID]
    user_id: Annotated[str, SALESFORCE_ID]
    app_id: str
    scopes: list[str]  # shared with other tokens (`shared_scopes`): replace it, never change it in place
    issued_at: float
    last_active: float
    timeout: float
    refresh_id: str | None = None
    revoked: bool = False
    format: str = "opaque"  # opaque | jwt

    def __post_init__(self) -> None:
        self.scopes = shared_scopes(self.scopes)

    def live(self, now: float) -> bool:
        return not self.revoked and now < self.last_active + self.timeout

    def expires_at(self) -> float:
        return self.last_active + self.timeout


@record("sf_refresh_tokens", indexes=("approval", "family_id", "org_id", "delete_hash"))
@dataclass(slots=True, repr=False, eq=False)
class RefreshToken(Record):
    """A refresh token, stored by its hash."""

    id: str  # hash
    org_id: Annotated[str, SALESFORCE_ID]
    user_id: Annotated[str, SALESFORCE_ID]
    app_id: str
    scopes: list[str]
    issued_at: float
    last_used: float
    family_id: str
    approval: str  # "<user id>|<app id>": the approvals-per-user-per-app bucket
    revoked: bool = False
    rotated: bool = False  # superseded by a newer token of its family
    hint: str = ""  # the token's first characters: OauthToken.AccessToken shows the refresh token truncated
    use_count: int = 0  # refresh grants this token served (OauthToken.UseCount sums its family's)
    delete_hash: str | None = None  # on a family's first token: the hash of its OauthToken.DeleteToken, once made


@record("sf_device_codes", indexes=("user_code",))
@dataclass(slots=True, repr=False, eq=False)
class DeviceCode(Record):
    """A device flow authorization: polled with `device_code` (stored hashed), approved with `user_code`."""

    id: str  # hash of the device code
    user_code: str
    org_id: Annotated[str, SALESFORCE_ID]
    app_id: str
    scopes: list[str]
    issued_at: float
    expires_at: float
    interval: float
    polled_at: float | None = None  # the last poll (None: never polled; a poll at the epoch is at 0.0)
    user_id: Annotated[str | None, SALESFORCE_REF_OR_NONE] = None  # set when a user approved
    denied: bool = False
    used: bool = False
    # the field of older versions (their state files and snapshots), 0.0 for never polled (a poll at the epoch
    # read so too): taken into `polled_at` when the record is made, never written again
    last_poll: float = 0.0

    def __post_init__(self) -> None:
        if self.last_poll:
            self.polled_at, self.last_poll = self.last_poll, 0.0


@record("sf_registrations", indexes=("app_id",))
@dataclass(slots=True, repr=False, eq=False)
class Registration(Record):
    """The client metadata of an app made by dynamic client registration (RFC 7591)."""

    id: str  # client_id
    app_id: str
    registering_app_id: str
    access_token_hash: str  # the registration access token, hashed
    issued_at: float
    metadata: dict[str, Any] = field(default_factory=dict)


def _registrations_of_apps(tables: dict[str, list[Any]]) -> None:
    """Across a restored snapshot: a dynamic-client registration is of an app the snapshot holds. An orphan (its
    app deleted, as a reset of the org deleted it) kept the hashed registration access token and metadata of an app
    that no longer exists, and `DELETE /services/oauth2/register/<client_id>` still answered 204 for it."""
    apps = {app.id for app in tables.get("sf_apps") or []}
    for index, registration in enumerate(tables.get("sf_registrations") or []):
        if registration.app_id not in apps:
            raise RowError(
                f"sf_registrations[{index}].app_id",
                f"expected the id of a connected app in sf_apps, got {registration.app_id!r}, which is none",
            )


SNAPSHOT_CHECKS.append(_registrations_of_apps)


# Kept here rather than beside their logic (web.py, cursors.py, loaded with their first request): a stored kind
# must be registered from the start, for a snapshot or state file that holds its table to restore.
@record("sf_frontdoor_otps")
@dataclass(slots=True, repr=False, eq=False)
class FrontdoorOtp(Record):
    """A `singleaccess` one-time password: `frontdoor.jsp?otp=` starts a browser session for `user_id` once."""

    id: str  # hash of the otp
    user_id: Annotated[str, SALESFORCE_ID]
    org_id: Annotated[str, SALESFORCE_ID]
    expires_at: float
    used: bool = False


@record("sf_ended_browser_sessions")
@dataclass(slots=True, repr=False, eq=False)
class EndedBrowserSession(Record):
    """A browser session the OIDC logout ended: its cookie is refused until it would have expired anyway."""

    id: str  # hash of the session's nonce
    expires_at: float


@record("sf_browser_session_apps")
@dataclass(slots=True, repr=False, eq=False)
class BrowserSessionApps(Record):
    """The connected apps a browser session signed in to (the authorize flow gave them a code or tokens for
    that session's user), first sign-in first: the relying parties its logout notifies (front-channel SLO)."""

    id: str  # hash of the session's nonce
    app_ids: list[str]
    expires_at: float  # when the session's cookie expires: the entry is useless after that


@record("sf_query_cursors", indexes=("user_id",))
@dataclass(slots=True, repr=False, eq=False)
class QueryCursor(Record):
    """The rest of a query's records, for its `nextRecordsUrl`."""

    id: str  # 01g...
    org_id: Annotated[str, SALESFORCE_ID]
    user_id: Annotated[str, SALESFORCE_ID]
    resource: str  # query or queryAll: the path its locators name
    records: list[dict[str, Any]] = field(default_factory=list)
    last_used: float = 0.0
    serial: int = 0  # the user's cursors in the order they were opened (the oldest is released first)

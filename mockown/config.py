"""One frozen `Config`, read once when the app is created.

Sources, later ones winning: defaults < YAML file (``--config`` / ``MOCKOWN_CONFIG``) < environment
(``MOCKOWN_*``; nested settings with a double underscore, e.g. ``MOCKOWN_OWN__TOKEN_CONFLICT=replace``)
< explicit overrides (CLI flags, pytest markers). Unknown keys are an error, never silently ignored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import ipaddress
import os
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from .fieldwise import Value

ENV_PREFIX = "MOCKOWN_"
API_LIMIT_MAX = 2**31 - 1  # an org's daily API request limit is a 32-bit integer (Apex `OrgLimit.getLimit()`)


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key."""


@dataclass(frozen=True, repr=False, eq=False)
class SalesforceWording(Value):
    """`error_description` texts Salesforce does not document (spec §1 and §3: [UNK] wording): the mock's choices,
    which a team can set to what its real org answers. The error codes themselves are documented and fixed."""

    pkce_missing_verifier: str = "invalid code verifier"  # invalid_grant: a challenge was sent, no code_verifier
    pkce_wrong_verifier: str = "invalid code verifier"  # invalid_request: the verifier does not match
    code_invalid: str = "invalid authorization code"  # invalid_grant: unknown code, or another app's
    code_reused: str = "invalid authorization code"  # invalid_grant: a code redeemed before
    code_expired: str = "expired authorization code"  # invalid_grant: past its 15 minutes
    cc_no_user: str = "no client credentials user enabled"  # invalid_grant: no run-as user on the app
    device_pending: str = "authorization pending"  # authorization_pending while the user has not approved
    device_expired: str = "device code expired"  # the `device_expired_error` code's description


@dataclass(frozen=True, repr=False, eq=False)
class IdentityStatuses(Value):
    """Statuses of the identity URL's one-word errors (spec 6.2: the documented table is recalled, not verified).
    The words stay; the observed 403 `Bad_OAuth_Token` is fixed."""

    missing_oauth_token_status: int = 403  # no token sent
    wrong_org_status: int = 403  # the URL's org is not the token's
    bad_id_status: int = 404  # a malformed or unknown user id
    no_access_status: int = 404  # another user's identity without the api scope, or by an external user
    inactive_status: int = 404  # the user is deactivated


@dataclass(frozen=True, repr=False, eq=False)
class SalesforceSettings(Value):
    """Server-wide Salesforce behaviour. Per-app behaviour lives on each connected app (fixtures)."""

    api_version_min: int = 31
    api_version_max: int = 67
    daily_api_limit: int = 15000
    # Where Salesforce does not document a wording, these are the mock's choices (overridable).
    invalid_client_status: int = 400
    revoke_error_format: str = "urlencoded"  # urlencoded (as observed; jsforce parses it) | json
    rest_www_authenticate: str = ""  # WWW-Authenticate of the REST API's 401 INVALID_SESSION_ID ("" = none; UNK)
    allow_cc_on_login_host: bool = False
    # login.salesforce.com serves production orgs only, test.salesforce.com sandboxes only (spec 1.1); true: both any
    allow_any_org_on_login_hosts: bool = False
    # Flows of issue 3 (README, "Salesforce flows"): device flow, JWT bearer, token exchange, login page.
    device_interval: int = 5  # seconds between polls; a faster poll answers slow_down
    device_code_ttl: int = 600  # seconds a device code lives (undocumented; RFC 8628 expiry)
    device_expired_error: str = "expired_token"  # RFC 8628's code for an expired device code
    jwt_skew: int = 180  # seconds a JWT bearer assertion is accepted past its exp
    jwt_audiences: str = ""  # extra accepted `aud` values (community URLs), space or comma separated
    asset_token_ttl: int = 60  # expires_in of token-exchange asset tokens
    user_agent_refresh: str = "custom_scheme"  # refresh token in the user-agent fragment: custom_scheme|always|never
    web_session_ttl: int = 7200  # seconds a login on the login page lasts (the `sid` cookie)
    max_approvals: int = 5  # approvals (refresh-token families) per user per app; one more revokes the oldest
    slo_redirect_delay: int = 10  # seconds the SLO page waits before it goes on ("about 10 seconds"); 0 allowed
    slo_allow_http: bool = False  # mock knob: a Single Logout URL may also be http:// (Salesforce wants https://)
    soap_login_max_version: int = 64  # SOAP login() is not available from API 65.0 (INVALID_OPERATION)
    wording: SalesforceWording = field(default_factory=SalesforceWording)
    identity_statuses: IdentityStatuses = field(default_factory=IdentityStatuses)


@dataclass(frozen=True, repr=False, eq=False)
class OwnSettings(Value):
    """Own API behaviour (see README, "Own API settings")."""

    token_conflict: str = "refuse"  # refuse | replace
    api_token_ttl: str = "180d"
    access_token_ttl: int = 3600
    propagation_delay: float = 0.0
    job_mode: str = "immediate"  # immediate | seconds:N | polls:N (every kind unless overridden below)
    backup_mode: str = ""  # "" = job_mode
    export_mode: str = ""
    gdpr_mode: str = ""
    seed_mode: str = ""
    default_region: str = "app1"
    hidden_service_status: int = 403  # 403 | 404 for a service outside the user's Business Units
    revoke_cascade: bool = True  # revoking / expiring an API token also ends its access tokens
    events_page_size: int = 1000
    profile_session_ttl: int = 1800  # seconds a login on the Edit Profile page lasts
    legacy_sessions: bool = True  # the retired email/password API (/api/auth/v1/login, X-SESSION-ID)
    rate_limit_per_minute: int = 0  # spec U19: calls per access token per clock minute, then 429; 0 = no limit


@dataclass(frozen=True, repr=False, eq=False)
class MarketingSettings(Value):
    """Marketing Cloud Engagement OAuth (see README, "Marketing Cloud settings"). Unknowns of the real service
    are settings; the defaults follow the spec's captured responses or the RFC choice it recommends."""

    access_token_ttl: int = 1079  # every captured response; the docs say 20 minutes (1200)
    code_ttl: int = 300
    refresh_token_ttl: int = 0  # seconds; 0 = never expires (v2 lifetime unknown)
    refresh_rotation: bool = True  # a refresh returns a new refresh token and voids the old one
    refresh_grace: int = 0  # seconds a rotated refresh token still works (300 mimics the legacy SSO tokens)
    accept_form: bool = True  # application/x-www-form-urlencoded on /v2/token besides JSON
    pkce: str = "optional"  # off | optional | required (public apps; unknown on the real service)
    auto_consent: bool = True  # /v2/authorize signs in the hinted/default user without a page
    authorize_status: int = 302
    propagation_delay: int = 0  # seconds before integration changes show (the real service: up to 300)
    invalid_scope_status: int = 400
    invalid_scope_description: str = "The requested scope is invalid, unknown, or malformed."
    account_error: str = "unauthorized_client"
    account_error_status: int = 401
    account_error_description: str = "The client is not authorized to access the requested account_id."
    invalid_grant_description: str = "The authorization code or refresh token is invalid, expired, or used."
    invalid_grant_status: int = 400  # every invalid_grant below (unknown on the real service)
    # invalid_grant per case (unknown on the real service); "" = invalid_grant_description
    code_invalid_description: str = ""  # an unknown code, or another integration's
    code_used_description: str = ""  # a code redeemed before
    code_expired_description: str = ""  # a code past code_ttl
    refresh_invalid_description: str = ""  # an unknown, another integration's or signed-out refresh token
    refresh_used_description: str = ""  # a rotated refresh token past refresh_grace
    refresh_expired_description: str = ""  # a refresh token past refresh_token_ttl
    missing_parameter_description: str = "The {name} parameter is required."  # invalid_request; {name} filled in
    access_denied_description: str = "The user denied the request."  # /v2/authorize: no user signed in
    userinfo_error: str = "rest"  # rest: {"documentation","errorcode","message"} | oauth: {"error",...}
    # /v2/userinfo blocks the docs name but whose shape is recalled, not captured (exp/iss/user/organization stay)
    userinfo_rest: bool = True
    userinfo_application: bool = True
    userinfo_permissions: bool = True
    legacy_expires_in: int = 3600
    legacy_enhanced_status: int = 401
    legacy_enhanced_message: str = "Unauthorized"  # v1's body for an enhanced package (unknown)
    legacy_enhanced_errorcode: int = 1


@dataclass(frozen=True, repr=False, eq=False)
class OcapiFaults(Value):
    """The OCAPI `customers/auth` faults the reference leaves open (spec 2b: types partly inferred, messages and
    statuses unknown): the mock's choices, which a team can set to what its instance answers. The types clients
    switch on (`InvalidAuthorizationHeaderException`, `InvalidAccessTokenException`) stay fixed, with status 401."""

    auth_failed_type: str = "AuthenticationFailedException"  # type=credentials or session refused
    auth_failed_status: int = 401
    credentials_message: str = "Authentication failed: wrong login or password, or the customer is disabled."
    disabled_message: str = "Authentication failed: wrong login or password, or the customer is disabled."
    session_message: str = "The session could not be authenticated."  # unknown dwsid, or another site's
    header_message: str = "The request is unauthorized: the Authorization header is missing or invalid."
    token_invalid_message: str = "The request is unauthorized: the access token is invalid or expired."
    token_used_message: str = "The request is unauthorized: the access token is invalid or expired."  # replaced
    token_expired_type: str = "InvalidAccessTokenException"  # the reference wonders about ExpiredTokenException
    token_expired_message: str = "The request is unauthorized: the access token is invalid or expired."
    missing_client_type: str = "MissingClientIdException"
    missing_client_status: int = 400
    missing_client_message: str = "The client ID is missing."
    forbidden_client_type: str = "ClientAccessForbiddenException"
    forbidden_client_status: int = 403
    forbidden_client_message: str = "Access to the resource is forbidden for client id '{client_id}'."


@dataclass(frozen=True, repr=False, eq=False)
class B2CSettings(Value):
    """B2C Commerce: Account Manager, the BM user grant, OCAPI Shop customer JWTs and SLAS (README, "B2C")."""

    am_expires_in: int = 1799
    am_implicit_expires_in: int = 1800
    am_code_ttl: int = 600
    am_refresh_ttl: int = 0  # 0 = never expires (unknown)
    am_refresh_rotation: bool = True  # unknown; clients replace the stored token when one comes back
    am_code_id_token: bool = True  # unknown: whether the authorization_code (PKCE) response has an id_token
    am_rate_limit: str = "400, 400;w=60, 5000;w=60"
    am_rate_limit_per_minute: int = 400
    bm_expires_in: int = 900
    bm_error_status: int = 400  # unknown: 400 or 401
    ocapi_token_ttl: int = 1800
    ocapi_refresh_keeps_old: bool = True  # whether the JWT a refresh replaced stays valid until it expires
    ocapi_faults: OcapiFaults = field(default_factory=OcapiFaults)
    slas_expires_in: int = 1800  # the OAS examples show 900
    slas_guest_refresh_ttl: int = 2592000
    slas_registered_refresh_ttl: int = 7776000
    slas_code_ttl: int = 600
    slas_channel_id: str = "required"  # required | warn (accepted without, logged)
    slas_redirect_status: int = 303
    slas_login_conflict_window: float = 1.0
    slas_rate_limit_1m: int = 1000
    slas_rate_limit_5m: int = 5000
    slas_enforce_rate_limits: bool = False
    slas_jwks_per_minute: int = 25  # 0 = unlimited
    slas_invalid_refresh_error: str = "invalid_request"
    slas_invalid_refresh_description: str = "Bad or missing refresh token."
    slas_invalid_code_error: str = "invalid_request"
    slas_invalid_code_description: str = "Invalid authorization code."
    # the cases the reference leaves open apart; "" = the slas_invalid_refresh_* / slas_invalid_code_* value
    slas_used_refresh_error: str = ""  # a public client's refresh token after its rotation
    slas_used_refresh_description: str = ""
    slas_expired_refresh_error: str = ""  # past refresh_token_expires_in
    slas_expired_refresh_description: str = ""
    slas_expired_code_error: str = ""  # past slas_code_ttl
    slas_expired_code_description: str = ""


@dataclass(frozen=True, repr=False, eq=False)
class Config(Value):
    """The whole configuration: server settings, then one section per API."""

    host: str = "127.0.0.1"
    port: int = 8080
    base_url: str | None = None
    admin_token: str | None = None
    insecure_control_plane: bool = False
    log_level: str = "info"
    seed: str | None = None
    seed_defaults: bool = True
    state_file: str | None = None  # SQLite file that keeps the whole state (restarts, --workers)
    workers: int = 1  # server processes; more than one needs state_file
    tls: bool = False  # HTTPS with a certificate from the local CA in tls_dir
    tls_cert: str | None = None  # your own certificate (PEM) instead ...
    tls_key: str | None = None  # ... and its key
    tls_dir: str | None = None  # where the local CA lives (default $XDG_CONFIG_HOME/mockown/tls)
    frozen_at: str | None = None
    max_body_bytes: int = 1024 * 1024
    body_timeout: float = 30.0  # seconds a request body may pause before 408 (0: wait as long as the client)
    shutdown_timeout: float = 5.0  # seconds in-flight requests may take after SIGTERM/SIGINT before they are cancelled
    fault_seed: int = 0
    journal_size: int = 10000  # requests the control plane's journal keeps (the oldest drop off)
    salesforce: SalesforceSettings = field(default_factory=SalesforceSettings)
    own: OwnSettings = field(default_factory=OwnSettings)
    marketing: MarketingSettings = field(default_factory=MarketingSettings)
    b2c: B2CSettings = field(default_factory=B2CSettings)

    @classmethod
    def load(
        cls,
        *,
        file: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        overrides: Mapping[str, Any] | None = None,
        defaults: Mapping[str, Any] | None = None,
    ) -> Config:
        """`defaults` (a caller's own, e.g. the pytest plugin's) sit below the file: every other source wins. Below
        them all, `MOCKOWN_DEFAULTS` (`env_defaults`): the Docker image's host, port and tls_dir."""
        env = os.environ if env is None else env
        data: dict[str, Any] = _deep_merge(env_defaults(env), dict(defaults or {}))
        file = file or env.get(ENV_PREFIX + "CONFIG")
        if file:
            data = _deep_merge(data, _file_relative(_read_yaml(Path(file)), Path(file)))
        data = _deep_merge(data, _from_env(env))
        if overrides:
            data = _deep_merge(data, dict(overrides))
        config: Config = build(cls, data)
        return config

    def replace(self, **changes: Any) -> Config:
        config: Config = build(Config, _deep_merge(dataclasses.asdict(self), changes))
        return config

    def __post_init__(self) -> None:
        for name in _USER_PATHS:  # `~/h.db` from a config file or MOCKOWN_* (no shell expands it there) is the home's
            value = getattr(self, name)
            if value and value.startswith("~"):
                object.__setattr__(self, name, os.path.expanduser(value))
        _check(self)
        if self.base_url is not None:  # once, here: every reader compares and prints the same URL
            object.__setattr__(self, "base_url", normal_base_url(self.base_url))

    @property
    def loopback_only(self) -> bool:
        return is_loopback(self.host)


# file settings whose `~` is expanded when the Config is made, so every reader (the store, the banner, the workers
# the settings are exported to) has the same path; the TLS paths are expanded where tls.py reads them
_USER_PATHS = ("state_file", "seed")
LOG_LEVELS = ("debug", "info", "warning", "error")  # the documented ones; uvicorn also knows trace and critical


def _check(config: Config) -> None:
    """The rules of the settings' values, whichever way a `Config` is made (file, environment, code)."""
    from .clock import LONGEST

    if config.workers < 1:
        raise ConfigError("workers must be at least 1")
    if not 0 <= config.port <= 65535:
        raise ConfigError(f"port must be from 0 to 65535, not {config.port}")
    if config.log_level.lower() not in (*LOG_LEVELS, "trace", "critical"):
        raise ConfigError(f"log_level must be one of {', '.join(LOG_LEVELS)}, not {config.log_level!r}")
    if not config.host.strip("[]"):
        raise ConfigError("host must not be empty (0.0.0.0 or :: listens on every interface)")
    if config.base_url is not None and not is_http_url(config.base_url):
        raise ConfigError(f"base_url must be an http:// or https:// URL, not {config.base_url!r}")
    if config.base_url is not None and not is_base_url(config.base_url):  # it ends up in every URL handed out
        raise ConfigError(
            f"base_url must be scheme, host, port and path only (no query, fragment, user info, whitespace or control "
            f"characters), "
            f"not {config.base_url!r}"
        )
    if config.salesforce.max_approvals < 1:
        raise ConfigError("salesforce.max_approvals must be at least 1")
    if not 0 <= config.salesforce.daily_api_limit <= API_LIMIT_MAX:
        raise ConfigError(f"salesforce.daily_api_limit must be between 0 and {API_LIMIT_MAX}")
    if config.admin_token and not is_header_token(config.admin_token):  # else no client could present it
        raise ConfigError("admin_token must be printable ASCII without spaces around it (a Bearer token in a header)")
    for name in _HEADER_VALUES:  # sent as they are: a line break broke the answer, a byte beyond ASCII was a 500
        if not is_header_value(_setting(config, name)):
            raise ConfigError(f"{name} must be one line of printable ASCII (an HTTP header's value)")
    for name, status in _statuses(config):
        if name.rpartition(".")[2] in _REDIRECT_STATUSES:
            if not 300 <= status <= 399:
                raise ConfigError(f"{name} must be a redirect status from 300 to 399, not {status}")
        elif not 400 <= status <= 599:
            raise ConfigError(f"{name} must be an error status from 400 to 599, not {status}")
    for name in ("max_body_bytes", "journal_size", "body_timeout", "shutdown_timeout"):
        if getattr(config, name) < 0:
            raise ConfigError(f"{name} must not be negative")
    if config.journal_size > JOURNAL_SIZE_MAX:  # a deque's maxlen: 10**20 was an OverflowError at start
        raise ConfigError(f"journal_size must be at most {JOURNAL_SIZE_MAX:,}, not {config.journal_size}")
    for name in ("body_timeout", "shutdown_timeout"):  # NaN (float() reads "nan"): no deadline would be reached
        if getattr(config, name) != getattr(config, name):
            raise ConfigError(f"{name} must be a number of seconds, not NaN")
        if getattr(config, name) > LONGEST:  # `inf`, `1e308`: README's durations last up to 1,000 years
            raise ConfigError(f"{name} must be at most 1000 years ({LONGEST:.0f} seconds), not {getattr(config, name)}")
    for name, choices in _CHOICES.items():
        section, _, key = name.partition(".")
        value = getattr(getattr(config, section), key)
        if value not in choices:
            raise ConfigError(f"{name} must be one of {', '.join(map(str, choices))}, not {value!r}")
    if config.frozen_at:  # "" is no instant, as None: a running clock
        _check_frozen_at(config.frozen_at)
    _check_ranges(config)
    _check_own(config.own)
    if config.workers > 1 and not config.state_file:
        raise ConfigError("--workers needs --state-file (MOCKOWN_STATE_FILE): workers share their state through it")


JOURNAL_SIZE_MAX = 10_000_000  # requests the journal may keep: ~10 GB of entries at most, not a C size overflow
_REDIRECT_STATUSES = frozenset({"authorize_status", "slas_redirect_status"})  # the rest answer an error

# settings that take one of a few words (the code compares them exactly: any other value was silently one of them)
_CHOICES: dict[str, tuple[str | int, ...]] = {
    "salesforce.revoke_error_format": ("json", "urlencoded"),
    "salesforce.user_agent_refresh": ("custom_scheme", "always", "never"),
    "marketing.pkce": ("off", "optional", "required"),
    "marketing.userinfo_error": ("rest", "oauth"),
    "b2c.slas_channel_id": ("required", "warn"),
    "own.token_conflict": ("refuse", "replace"),
    "own.hidden_service_status": (403, 404),
}


# the durations (Own's propagation_delay and api_token_ttl: `_check_own`), in seconds, by their least value: 1 for
# a lifetime (0 issued what was expired already), 0 for a delay, a skew, a window or a lifetime where 0 means
# "never expires"
_DURATIONS: dict[str, int] = {
    **dict.fromkeys(
        ("salesforce.device_code_ttl", "salesforce.asset_token_ttl", "salesforce.web_session_ttl",
         "marketing.access_token_ttl", "marketing.code_ttl", "marketing.legacy_expires_in",
         "b2c.am_expires_in", "b2c.am_implicit_expires_in", "b2c.am_code_ttl", "b2c.bm_expires_in",
         "b2c.ocapi_token_ttl", "b2c.slas_expires_in", "b2c.slas_guest_refresh_ttl",
         "b2c.slas_registered_refresh_ttl", "b2c.slas_code_ttl",
         # Own's: 0 made every exchange invalid_grant; past 1000 years an expiry is beyond what a snapshot holds
         "own.access_token_ttl", "own.profile_session_ttl"),
        1,
    ),
    **dict.fromkeys(
        ("salesforce.device_interval", "salesforce.jwt_skew", "salesforce.slo_redirect_delay",
         "marketing.refresh_token_ttl", "marketing.refresh_grace", "marketing.propagation_delay",
         "b2c.am_refresh_ttl", "b2c.slas_login_conflict_window"),
        0,
    ),
}  # fmt: skip
# counts where 0 is allowed (a limit of 0 calls, or "unlimited" where the README says so)
_COUNTS = (
    "b2c.am_rate_limit_per_minute",
    "b2c.slas_rate_limit_1m",
    "b2c.slas_rate_limit_5m",
    "b2c.slas_jwks_per_minute",
)
API_VERSIONS = (10, 99)  # the REST paths take two-digit versions (/services/data/vNN.0)
# Account Manager's `x-ratelimit-limit` value: a limit, then limits with their window (`5000;w=60`), comma separated;
# ASCII digits and spaces (`\d` and `\s` also match '٤' and line breaks, which went into the header as they were)
_RATE_POLICY = re.compile(r"[0-9]+(;w=[0-9]+)?( *, *[0-9]+(;w=[0-9]+)?)*")
# the text settings the mock sends as an HTTP header's value (`is_header_value`)
_HEADER_VALUES = ("salesforce.rest_www_authenticate", "b2c.am_rate_limit")


def _setting(config: Config, name: str) -> Any:
    section, _, key = name.partition(".")
    return getattr(getattr(config, section), key)


def _check_ranges(config: Config) -> None:
    """The range of every duration in `_DURATIONS`, count and API version, and the form of `b2c.am_rate_limit`."""
    from .clock import LONGEST

    for name, least in _DURATIONS.items():
        seconds = _setting(config, name)  # NaN compares false with everything: refused by the range test
        if not least <= seconds <= LONGEST:
            unit = "second" if least == 1 else "seconds"
            raise ConfigError(
                f"{name} must be from {least} {unit} to 1000 years ({LONGEST:.0f} seconds), not {seconds}"
            )
    for name in _COUNTS:
        if _setting(config, name) < 0:
            raise ConfigError(f"{name} must not be negative, not {_setting(config, name)}")
    sf = config.salesforce
    low, high = API_VERSIONS
    for name in ("api_version_min", "api_version_max"):
        if not low <= getattr(sf, name) <= high:
            raise ConfigError(f"salesforce.{name} must be from {low} to {high}, not {getattr(sf, name)}")
    if sf.api_version_min > sf.api_version_max:  # /services/data listed nothing, every version was a 404
        raise ConfigError(
            f"salesforce.api_version_min ({sf.api_version_min}) must not be above salesforce.api_version_max "
            f"({sf.api_version_max})"
        )
    if not 0 <= sf.soap_login_max_version <= 999:  # the SOAP paths take versions of up to three digits
        raise ConfigError(f"salesforce.soap_login_max_version must be from 0 to 999, not {sf.soap_login_max_version}")
    if not _RATE_POLICY.fullmatch(config.b2c.am_rate_limit):
        raise ConfigError(
            "b2c.am_rate_limit must be limits with an optional window, comma separated "
            f"(e.g. '400, 400;w=60, 5000;w=60'), not {config.b2c.am_rate_limit!r}"
        )


def _check_frozen_at(text: str) -> None:
    """An instant the clock may be at (`clock.check_clock`): NaN, infinity or 1e20 started, and then every
    request was a 500 reading the clock."""
    from .clock import check_clock, parse_instant

    try:
        check_clock(parse_instant(text))
    except (ValueError, OverflowError) as exc:
        raise ConfigError(f"frozen_at: {exc}") from None


def _check_own(own: OwnSettings) -> None:
    """The Own settings that are not a plain choice, checked with the rest (the Own service is made on the first
    Own request when no Own account is seeded at start: its own check came too late, as a 500)."""
    from .clock import LONGEST, parse_duration
    from .own import progress
    from .own.models import REGIONS

    if own.rate_limit_per_minute < 0:
        raise ConfigError("own.rate_limit_per_minute must not be negative (0 = no limit)")
    if own.events_page_size < 1:  # 0 answered empty pages forever, -1 dropped the newest event
        raise ConfigError(f"own.events_page_size must be at least 1, not {own.events_page_size}")
    # access_token_ttl and profile_session_ttl: `_check_ranges` (`_DURATIONS`)
    delay = own.propagation_delay  # NaN compares false with everything: refused by the range test below
    if not 0 <= delay <= LONGEST:
        raise ConfigError(f"own.propagation_delay must be a number of seconds from 0 to 1000 years, not {delay}")
    if own.default_region not in REGIONS:
        raise ConfigError(f"own.default_region must be one of {', '.join(REGIONS)}, not {own.default_region!r}")
    try:
        api_token_ttl = parse_duration(own.api_token_ttl)
    except ValueError as exc:
        raise ConfigError(f"own.api_token_ttl: {exc}") from None
    if api_token_ttl < 1:  # a token would be expired the moment it is generated
        raise ConfigError(f"own.api_token_ttl must be at least 1 second, not {own.api_token_ttl!r}")
    for kind in ("job", *progress.KINDS):
        text = getattr(own, f"{kind}_mode")
        if text or kind == "job":
            try:
                progress.parse(text)
            except ConfigError as exc:
                raise ConfigError(f"own.{kind}_mode: {exc}") from None


def _choice_of_yaml_bool(value: bool, choices: tuple[str | int, ...]) -> str:
    """A Python boolean given for a word setting (`Config.load(overrides={"marketing": {"pkce": False}})`, a pytest
    marker): the choice it stands for (`off`), or the boolean as text for the refusal to name. A config file's
    `off` arrives as the text written (`_read_yaml`)."""
    words = ("on", "yes", "true") if value else ("off", "no", "false")
    return next((w for w in words if w in choices), str(value).lower())


def _statuses(section: Any, prefix: str = "") -> list[tuple[str, int]]:
    """Every setting that chooses an HTTP status (an int named `*_status`, in any section), by dotted name."""
    found: list[tuple[str, int]] = []
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            found += _statuses(value, f"{prefix}{f.name}.")
        elif f.name.endswith("_status") and isinstance(value, int) and not isinstance(value, bool):
            found.append((f"{prefix}{f.name}", value))
    return found


def is_http_url(text: str) -> bool:
    """Whether `text` is an absolute http(s) URL with a host (a base URL, a server's URL)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a port that is no number raises ValueError
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def tls_dir(config: Config | None = None) -> Path:
    """Where the local CA of `serve --tls` lives: `tls_dir`, else MOCKOWN_TLS_DIR, else
    $XDG_CONFIG_HOME/mockown/tls (also where the command line's client looks for it, without any key code)."""
    if config is not None and config.tls_dir:
        return Path(config.tls_dir).expanduser()
    if os.environ.get("MOCKOWN_TLS_DIR"):
        return Path(os.environ["MOCKOWN_TLS_DIR"]).expanduser()
    with contextlib.suppress(ConfigError):  # the Docker image's /data/tls (a bad value: the server says so)
        default = env_defaults(os.environ).get("tls_dir")
        if isinstance(default, str) and default:
            return Path(default).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mockown" / "tls"


def is_header_token(text: str) -> bool:
    """Whether `text` can be a bearer token in an HTTP header as it is (the admin token): printable ASCII, without
    spaces around it (a header's value is stripped; a byte beyond ASCII is Latin-1 to the server, UTF-8 to a client)."""
    return is_header_value(text) and text == text.strip()


def is_utf8(text: str) -> bool:
    """Whether `text` can be encoded as UTF-8: not so when it holds lone surrogates, which is how `os.environ` (and
    a YAML `"\\udcff"` escape) hands over bytes that are not UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_header_value(text: str) -> bool:
    """Whether `text` can be sent as an HTTP header's value as it is: one line of printable ASCII (a line break
    ended the header, a byte beyond ASCII is Latin-1 to the server and was a 500 on the way out)."""
    return text.isascii() and text.isprintable()


def is_base_url(text: str) -> bool:
    """Whether the http(s) URL `text` is one the mock can put other paths after: no query, fragment, user info or
    whitespace (they ended up in discovery documents and redirects as they were)."""
    from urllib.parse import urlsplit

    if "?" in text or "#" in text or not text.isprintable() or any(ch.isspace() for ch in text):
        return False  # not printable: a control character or DEL (`http://x.test/p\x7f`) went into every URL
    return "@" not in urlsplit(text).netloc


_DEFAULT_PORTS = {"http": 80, "https": 443}


def normal_base_url(text: str) -> str:
    """The base URL `text` (an `is_http_url`, `is_base_url`) as a browser writes its origin: scheme and host in lower
    case, without the scheme's default port; the path as written. `https://mock.example.com:443` made every dashboard
    and control-plane POST a 403 (a browser's `Origin` never has `:443`), `HTTPS://` dropped the cookies' `Secure`
    and put `HTTPS://` in every issuer."""
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host += f":{port}"
    return f"{scheme}://{host}{parts.path}"


@functools.lru_cache(maxsize=64)  # the control plane's guard asks on every request
def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address (an IP literal in 127.0.0.0/8 or ::1, also written as an IPv4-mapped
    IPv6 address, ::ffff:127.0.0.1, as `control.arrived_beyond_loopback` reads one, or `localhost`); a name that
    merely starts with "127." may resolve anywhere, so it is not."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def env_defaults(env: Mapping[str, str]) -> dict[str, Any]:
    """The settings of `MOCKOWN_DEFAULTS`, a YAML (or JSON) mapping read as a config file is, as the lowest source:
    below the config file and the variables. The Docker image gives its host, port and tls_dir this way; as
    `MOCKOWN_HOST`/`PORT`/`TLS_DIR` they outranked a mounted config file's, which then had no effect."""
    text = env.get(ENV_PREFIX + "DEFAULTS")
    return _load_yaml(text, f"{ENV_PREFIX}DEFAULTS") if text else {}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    return _load_yaml(text, f"config file {path}")


def _load_yaml(text: str, what: str) -> dict[str, Any]:
    import yaml  # here: a start-up without a config file does not load it

    class AsWritten(yaml.SafeLoader):
        """YAML without its implicit booleans, numbers and dates: a scalar stays the text it was written as, and
        each setting reads it as an environment variable's text (`admin_token: 0123` is the token `0123`, not 83;
        `yes` is `yes`, not `True`; `0x1F` is not 31). A YAML `null` (`~`, empty) still leaves a setting unset.
        A key given twice in one mapping is refused (YAML took the last one silently; nothing is ignored)."""

        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *base`: its keys may be overridden here
                    continue
                key = self.construct_object(key_node, deep=True)
                with contextlib.suppress(TypeError):  # an unhashable key: refused as such below
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            "while reading a mapping", node.start_mark, f"{key!r} is given twice", key_node.start_mark
                        )
                    seen.add(key)
            mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
            return mapping

    AsWritten.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag in _KEPT_YAML_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    try:
        loaded = yaml.load(text, Loader=AsWritten) or {}  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise ConfigError(f"cannot read {what}: {exc}") from exc
    if not isinstance(loaded, dict):
        raise ConfigError(f"{what} must hold a mapping")
    return loaded


def _file_relative(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """A config file's relative paths (`seed`, `state_file`, the TLS files) name files beside it, wherever the server
    is started from (`mockown serve --config conf/mock.yaml`, the pytest plugin's ini `mockown_config` run from a
    subdirectory); the variables' and the command line's stay relative to the working directory."""
    out = dict(data)
    for name in _FILE_PATHS:
        value = data.get(name)
        if value == ":memory:":  # not a file: left as it is, so the store refuses it by its name
            continue
        if isinstance(value, str) and value and not os.path.isabs(os.path.expanduser(value)):  # `~/s`: the home's
            out[name] = str(path.parent / value)
    return out


# the settings naming a file or directory that a config file's relative value places beside it
_FILE_PATHS = ("seed", "state_file", "tls_cert", "tls_key", "tls_dir")


# (not `value`, YAML's `=`: `admin_token: =` was "could not determine a constructor", though values are read as written)
_KEPT_YAML_TAGS = ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")


# `MOCKOWN_*` variables mockown documents for other purposes than a setting: exported in a shell (the README tells
# users to), they must not stop `mockown serve`, Docker or the in-process pytest server as "unknown setting".
NOT_SETTINGS = frozenset(
    {
        "CONFIG",  # the config file (read by `Config.load` itself)
        "DEFAULTS",  # settings below the config file (`env_defaults`: the Docker image's)
        "URL",  # the server the pytest plugin and `mockown token` / `seed` talk to
        "OWN_API_TOKEN",  # `mockown token --grant own`'s --api-token
        "TOKEN_PASSWORD",  # `mockown token`'s --password
        "TOKEN_CLIENT_SECRET",  # `mockown token`'s --client-secret
        "TOKEN_REFRESH_TOKEN",  # `mockown token`'s --refresh-token
        "SOAK",  # tests/reliability: the long profile
        "CHROMIUM",  # tests/browser_support.py: the browser the UI tests drive
    }
)
NOT_SETTINGS_PREFIXES = (
    "CONTRACT_",  # `mockown contract`'s targets and credentials (contracts/suite/support.py)
    "BENCH_",  # bench/tools.py: MOCKOWN_BENCH_CACHE, MOCKOWN_BENCH_PEER_VERSION
)


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX) :]
        if name in NOT_SETTINGS or name.startswith(NOT_SETTINGS_PREFIXES):
            continue
        if not is_utf8(name):  # its name in the "unknown setting" message could not be printed
            shown = key.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise ConfigError(f"{shown} is not a setting: its name is not UTF-8 text")
        path = name.lower().split("__")
        node = out
        for depth, part in enumerate(path[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # MOCKOWN_SALESFORCE=x and MOCKOWN_SALESFORCE__DAILY_API_LIMIT=1
                raise _section_with_value(path[: depth + 1])
            node = child
        if isinstance(node.get(path[-1]), dict):  # the same, the other way round
            raise _section_with_value(path)
        node[path[-1]] = value
    return out


def _section_with_value(path: list[str]) -> ConfigError:
    variable = ENV_PREFIX + "__".join(path).upper()
    return ConfigError(
        f"{'.'.join(path)} is a section: {variable} cannot have a value (its settings are {variable}__<NAME>)"
    )


def _not_text(key: object, where: str) -> ConfigError:
    return ConfigError(f"setting names are text: {where}{key} is not (a {type(key).__name__})")


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """`extra` over `base`, section by section; a key's `-` is `_` at every depth (`log-level`, and
    `salesforce: {daily-api-limit: 5}`, which was an unknown setting), and one source naming a setting twice
    (`log_level` and `log-level`) is refused, not the last one taken."""
    out = dict(base)
    given: dict[str, str] = {}  # setting -> the spelling this source gave it
    for written, value in extra.items():
        if not isinstance(written, str):  # `1: x` in a config file
            raise _not_text(written, where)
        key = written.replace("-", "_")
        if key in given:
            raise ConfigError(f"{where}{key} is given twice: as {given[key]!r} and as {written!r}")
        given[key] = written
        if isinstance(value, Mapping):
            out[key] = _deep_merge(out[key] if isinstance(out.get(key), dict) else {}, value, f"{where}{key}.")
        elif value is None and isinstance(out.get(key), dict):  # `salesforce:` with its keys commented out: empty
            continue
        else:
            out[key] = value
    return out


def build(cls: type[Any], data: Mapping[str, Any], where: str = "") -> Any:
    hints = get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in data:
        if not isinstance(key, str):  # `salesforce: {2: 3}`: sorting it with the others was a TypeError
            raise _not_text(key, where)
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"unknown setting {where}{unknown[0]} (known: {', '.join(sorted(names))})")
    kwargs = {}
    for name, value in data.items():
        if value is None:  # a YAML `null` (`~`, empty) or a None override: the setting unset, at its default
            continue  # (str(None) made the text "None": `WWW-Authenticate: None`, the host "None")
        if isinstance(value, bool) and f"{where}{name}" in _CHOICES:
            value = _choice_of_yaml_bool(value, _CHOICES[f"{where}{name}"])
        if (
            f"{where}{name}" in _TEXT_LISTS
            and isinstance(value, list | tuple)
            and all(isinstance(v, str) for v in value)
        ):
            value = " ".join(value)  # a YAML list of what the text lists, space separated
        kwargs[name] = _coerce(hints[name], value, f"{where}{name}")
    return cls(**kwargs)


# text settings that list values (space or comma separated): a YAML list of texts is taken too
_TEXT_LISTS = frozenset({"salesforce.jwt_audiences"})


def _coerce(tp: Any, value: Any, where: str) -> Any:
    from .clock import plain_number

    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if value is None or value == "":  # YAML null, or an empty variable; "null" / "none" are text as written
            return None
        return _coerce(args[0], value, where)
    if dataclasses.is_dataclass(tp):
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return value
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where} must be a mapping")
        return build(tp, value, where + ".")  # type: ignore[arg-type]
    if tp is str and isinstance(value, Mapping | list | tuple | set):  # str() made "['a', 'b']" of a YAML list
        raise ConfigError(f"{where} must be text, not a {'mapping' if isinstance(value, Mapping) else 'list'}")
    if tp is str:
        text = str(value)
        if not is_utf8(text):  # `MOCKOWN_X=$'\xff'` (os.environ keeps the byte as a lone surrogate): every answer
            # that carried it was a 500 (UnicodeEncodeError); refused at start now, as the CLI's text options are
            raise ConfigError(f"{where} is not UTF-8 text (bytes that are not UTF-8, from the environment?)")
        return text
    try:
        if tp is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if tp in (int, float) and isinstance(value, str) and not plain_number(value):
            raise ValueError(value)  # `MOCKOWN_PORT=٨٠٨٠` or `8_080` was 8080
        if tp is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)  # int() would drop the fraction (port: 1.5 -> 1)
            return int(value)
        if tp is float:
            if isinstance(value, bool):  # `overrides={"body_timeout": True}` was 1.0, as an int setting refuses it
                raise ValueError(value)
            return float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {value!r} is not a valid {tp.__name__}") from exc
    return value

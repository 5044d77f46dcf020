"""What the contract checks share: the target, its credentials, the specs as a profile sees them.

A *target* is a base URL plus a profile. `mock` targets are mockown (or another emulator with its control
plane): the suite seeds its own org and Own account there and moves the clock. `real` targets are the real
services, reached with the user's credentials from environment variables (see `ENV` and the README).

Every secret field of the dataclasses below is `repr=False`: a failing check's report shows its fixtures' repr.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml

from .profiles import for_profile as for_profile  # the specs as a profile asserts them

ENV_PREFIX = "MOCKOWN_CONTRACT_"
# every environment variable the real profile reads, with its meaning (the README's tables list them all)
ENV = {
    "SF_CLIENT_ID": "consumer key of a connected app in the org",
    "SF_CLIENT_SECRET": "its consumer secret",
    "SF_USERNAME": "a user of the org (username-password flow or JWT bearer subject)",
    "SF_PASSWORD": "the user's password, followed by the security token off trusted networks",
    "SF_JWT_KEY": "PEM file of the private key whose certificate the app holds (JWT bearer flow)",
    "SF_JWT_AUDIENCE": "aud of the JWT assertion (default https://login.salesforce.com)",
    "SF_REFRESH_TOKEN": "a refresh token of the app (refresh checks; revoked only with --allow-writes)",
    "SF_ROTATION": "true/false: whether the app rotates refresh tokens (the rotation check needs it)",
    "OWN_API_TOKEN": "an Own API token (Edit Profile > API Token)",
    "OWN_REGION": "the Own region of your services (default app1)",
    "OWN_AUTH_URL": "the Own auth host (default https://auth.owndata.com)",
    "OWN_API_URL": "the Own regional base URL (default https://<region>.owndata.com)",
    "ADMIN_TOKEN": "the control plane's admin token of a mock started with one (or MOCKOWN_ADMIN_TOKEN)",
    "MC_AUTH_URL": "Marketing Cloud auth base URL, https://<subdomain>.auth.marketingcloudapis.com",
    "MC_CLIENT_ID": "client id of a server-to-server API integration of an installed package",
    "MC_CLIENT_SECRET": "its client secret",
    "B2C_AM_URL": "the Account Manager host (default https://account.demandware.com)",
    "B2C_AM_CLIENT_ID": "an Account Manager API client id (client_credentials, Basic auth)",
    "B2C_AM_CLIENT_SECRET": "its password",
    "B2C_INSTANCE_URL": "an instance's base URL for OCAPI, e.g. https://zzxy-001.dx.commercecloud.salesforce.com",
    "B2C_SITE": "a site id of that instance whose OCAPI Shop settings allow the client below",
    "B2C_OCAPI_CLIENT_ID": "the client id OCAPI customers/auth is called with (x-dw-client-id)",
    "B2C_OCAPI_VERSION": "the OCAPI version in the path (default v24_5)",
    "B2C_SLAS_URL": "the SLAS base URL, https://<shortCode>.api.commercecloud.salesforce.com",
    "B2C_SLAS_ORG_ID": "the SLAS organization id, f_ecom_<realm>_<instance>",
    "B2C_SLAS_CHANNEL_ID": "the site id sent as channel_id",
    "B2C_SLAS_PUBLIC_CLIENT_ID": "a public SLAS client (guest PKCE flow, refresh rotation)",
    "B2C_SLAS_REDIRECT_URI": "a redirect URI registered for the public client",
    "B2C_SLAS_PRIVATE_CLIENT_ID": "a private SLAS client (client_credentials guest, refresh keeps the token)",
    "B2C_SLAS_PRIVATE_CLIENT_SECRET": "its secret",
    "B2C_SLAS_SHOPPER_LOGIN": "a registered shopper of the site (logout check: logs in with the public client)",
    "B2C_SLAS_SHOPPER_PASSWORD": "the shopper's password",
}
OWN_CLIENT_ID = "0oa4c413eq8wwcEzP4h7"
OWN_TOKEN_PATH = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
OWN_REVOKE_PATH = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke"
SF_TOKEN_PATH = "/services/oauth2/token"
API_VERSION = "v62.0"
SF_ID_URL = r"^https?://[^/]+/id/00D[a-zA-Z0-9]{15}/005[a-zA-Z0-9]{15}$"


def env(name: str) -> str | None:
    value = os.environ.get(ENV_PREFIX + name)
    return value if value else None


def contracts_root() -> Path:
    """The directory of the specs: `contracts/` in a checkout, `mockown/_contracts/` when installed."""
    return Path(__file__).resolve().parent.parent


def load_spec(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((contracts_root() / f"{name}.yaml").read_text(encoding="utf-8"))
    return data


def operation_ids(name: str) -> list[str]:
    return [op["operationId"] for _, _, op in operations(load_spec(name))]


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete") and isinstance(op, dict):
                yield path, method, op


# -- the target ----------------------------------------------------------------------------------------------
@dataclass
class Target:
    url: str
    profile: str  # mock | real
    api: str  # salesforce | own | all
    allow_writes: bool
    max_examples: int
    admin_token: str | None = field(default=None, repr=False)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def mock(self) -> bool:
        return self.profile == "mock"

    def client(self, base: str | None = None, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=base or self.url, timeout=30.0, follow_redirects=False,
                            event_hooks={"response": [remember]}, **kwargs)  # fmt: skip

    def need_mock(self, what: str) -> None:
        if not self.mock:
            pytest.skip(f"{what}: needs the control plane (clock, seeding), only with --profile mock")

    def need_writes(self, what: str) -> None:
        if not (self.mock or self.allow_writes):
            pytest.skip(f"{what}: changes state on the real account; pass --allow-writes to run it")


class ControlPlane:
    """The mock's `/_mockown/*`: seeding and the clock."""

    def __init__(self, target: Target) -> None:
        headers = {"Authorization": f"Bearer {target.admin_token}"} if target.admin_token else {}
        self.token_given = bool(target.admin_token)
        self.http = target.client(headers=headers)
        self._clock_before: dict[str, Any] | None = None
        self._wall_before = 0.0

    def problem(self) -> str | None:
        """Why this target cannot serve the mock profile (unreachable, no mockown, a locked control plane), or
        None. Checked once before any check, so one cause is one line and not a traceback per check."""
        url = str(self.http.base_url).rstrip("/")
        try:
            response = self.http.get("/_mockown/health")
        except httpx.TransportError as exc:
            return unreachable(url, exc)
        if response.status_code == 401 and "json" in response.headers.get("content-type", "") and self.token_given:
            return (
                f"the control plane of {url} answered 401: it refused the admin token given in "
                f"{ENV_PREFIX}ADMIN_TOKEN (or MOCKOWN_ADMIN_TOKEN); give the one the mock was started with"
            )
        if response.status_code == 401 and "json" in response.headers.get("content-type", ""):
            return (
                f"the control plane of {url} answered 401: the mock was started with an admin token; "
                f"give it as {ENV_PREFIX}ADMIN_TOKEN (or MOCKOWN_ADMIN_TOKEN)"
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 403 and isinstance(body, dict) and body.get("error") == "forbidden":
            return f"the control plane of {url} answered 403, locked: {str(body.get('message', ''))[:300]}"
        if response.status_code != 200 or not isinstance(body, dict) or body.get("status") != "ok":
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            return (
                f"no mockown control plane at {url}: GET /_mockown/health answered {response.status_code} {kind}; "
                "--profile mock needs mockown (or an emulator with its control plane), a real service --profile real"
            )
        return None

    def seed(self, document: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post("/_mockown/seed", json=document)
        if response.status_code != 201:
            raise RuntimeError(f"the mock refused the seed document: {response.status_code} {response.text}")
        created: dict[str, Any] = response.json()
        return created

    def clock(self, **change: Any) -> dict[str, Any]:
        if self._clock_before is None:
            self._clock_before = self.http.get("/_mockown/clock").json()
            self._wall_before = time.time()
        response = self.http.post("/_mockown/clock", json=change)
        if response.status_code != 200:
            raise RuntimeError(f"the mock's clock refused {change}: {response.status_code} {response.text}")
        state: dict[str, Any] = response.json()
        return state

    def now(self) -> float:
        return float(self.http.get("/_mockown/clock").json()["now"])

    def freeze(self) -> float:
        return float(self.clock(freeze=True)["now"])

    def advance(self, duration: str) -> float:
        return float(self.clock(advance=duration)["now"])

    def restore_clock(self) -> None:
        """Put the clock back: frozen where it was, or running with its old offset."""
        before = self._clock_before
        if before is None:
            return
        if before["frozen"]:
            self.http.post("/_mockown/clock", json={"freeze": before["now"]})
        else:
            self.http.post("/_mockown/clock", json={"unfreeze": True, "set": time.time() + float(before["offset"])})
        self._clock_before = None

    def close(self) -> None:
        self.restore_clock()
        self.http.close()


LAST_ANSWER: list[httpx.Response] = []  # the latest answer the suite's clients got (for failure reports)


def remember(response: httpx.Response) -> None:
    LAST_ANSWER[:] = [response]


def last_answer() -> str | None:
    """The latest answer, as a failure report shows it: request, status, content type and the body's start."""
    if not LAST_ANSWER:
        return None
    response = LAST_ANSWER[0]
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    try:
        text = response.text[:300]
    except httpx.ResponseNotRead:
        text = "(body not read)"
    return f"{response.request.method} {response.request.url} → {response.status_code} {kind}: {text}"


def unreachable(url: str, exc: httpx.TransportError, source: str = "--target") -> str:
    """One line: which URL (and where it came from: `--target` or an environment variable) did not answer."""
    where = f"--target {url}" if source == "--target" else f"{url} ({source})"
    return f"cannot reach {where}: {type(exc).__name__}: {exc or 'no answer'} (is the backend running?)"


def reachable_problem(target: Target, url: str, source: str = "--target") -> str | None:
    """Real profile: whether `url` answers HTTP at all (any status will do), else why not."""
    with target.client(url) as client:
        try:
            client.get("/")
        except httpx.TransportError as exc:
            return unreachable(url, exc, source)
    return None


# -- Salesforce helpers --------------------------------------------------------------------------------------
@dataclass
class SfApp:
    client_id: str
    client_secret: str | None = field(repr=False)
    callback: str | None = None


@dataclass
class SfCreds:
    """What the Salesforce checks log in with."""

    app: SfApp
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # with the security token
    jwt_key: str | None = None
    jwt_audience: str = "https://login.salesforce.com"
    refresh_token: str | None = field(default=None, repr=False)
    rotation: bool | None = None
    apps: dict[str, SfApp] = field(default_factory=dict)  # mock: apps with each refresh policy

    def password_form(self, app: SfApp | None = None) -> dict[str, str]:
        app = app or self.app
        form = {"grant_type": "password", "client_id": app.client_id, "username": self.username or ""}
        form["password"] = self.password or ""
        if app.client_secret:
            form["client_secret"] = app.client_secret
        return form

    def jwt_form(self) -> dict[str, str]:
        import jwt

        key = Path(self.jwt_key or "").read_text(encoding="utf-8")
        claims = {"iss": self.app.client_id, "sub": self.username, "aud": self.jwt_audience}
        claims["exp"] = str(int(time.time()) + 170)
        assertion = jwt.encode(claims, key, algorithm="RS256")
        return {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}

    def login_form(self) -> dict[str, str]:
        if self.username and self.password:
            return self.password_form()
        if self.username and self.jwt_key:
            return self.jwt_form()
        pytest.skip(f"no Salesforce user credentials: set {ENV_PREFIX}SF_USERNAME and SF_PASSWORD or SF_JWT_KEY")


def signature_ok(body: dict[str, Any], secret: str) -> bool:
    mac = hmac.new(secret.encode(), (body["id"] + body["issued_at"]).encode(), hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(mac).decode(), body["signature"])


def code_from(response: httpx.Response) -> str:
    assert response.status_code == 302, f"authorize answered {response.status_code}: {response.text[:300]}"
    location = response.headers["location"]
    params = parse_qs(urlsplit(location).query)
    assert "code" in params, f"no code in the redirect {location}"
    return params["code"][0]


def oauth_error(response: httpx.Response) -> dict[str, Any]:
    assert response.headers.get("content-type", "").startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("error"), str) and isinstance(body.get("error_description"), str), body
    return body


# -- Own helpers ---------------------------------------------------------------------------------------------
@dataclass
class OwnCreds:
    api_token: str = field(repr=False)
    auth_url: str
    api_url: str
    region: str = "app1"
    email: str | None = None  # mock: the user, for the Edit Profile page
    password: str | None = field(default=None, repr=False)
    spare_email: str | None = None  # mock: a user without a token
    spare_password: str | None = field(default=None, repr=False)


def own_exchange(http: httpx.Client, creds: OwnCreds, **override: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "scope": "api:access", "client_id": OWN_CLIENT_ID}
    form["refresh_token"] = creds.api_token
    form.update(override)
    return http.post(creds.auth_url + OWN_TOKEN_PATH, data=form, headers={"Accept": "application/json"})


# -- Marketing Cloud helpers ---------------------------------------------------------------------------------
MC_INVALID_CLIENT = {
    "error": "invalid_client",
    "error_description": "Client authentication failed. Make sure that the client ID and client secret are valid "
    "and that the package is installed and enabled.",
    "error_uri": "https://developer.salesforce.com/docs",
}
MC_UNSUPPORTED_GRANT = {
    "error": "unsupported_grant_type",
    "error_description": 'Use "authorization_code" or "refresh_token" or "client_credentials" or '
    '"urn:ietf:params:oauth:grant-type:jwt-bearer" as the grant_type.',
    "error_uri": "https://developer.salesforce.com/docs",
}


@dataclass
class McCreds:
    """A server-to-server integration of an installed package, and the tenant's auth base URL."""

    base: str  # https://<subdomain>.auth.marketingcloudapis.com, or the mock's /mc/<subdomain>
    client_id: str
    client_secret: str = field(repr=False)
    subdomain: str | None = None

    def cc_body(self, **extra: Any) -> dict[str, Any]:
        return {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret,
                **extra}  # fmt: skip


# -- B2C Commerce helpers ------------------------------------------------------------------------------------
AM_INVALID_CLIENT = '{"error_description":"Client authentication failed","error":"invalid_client"}'
AM_INVALID_GRANT = '{"error_description":"Resource owner authentication failed","error":"invalid_grant"}'
SLAS_PATH = "/shopper/auth/v1/organizations/{org}/oauth2"


@dataclass
class B2cCreds:
    """What the B2C checks use; every part is optional against a real target (its checks skip without it)."""

    am_url: str = "https://account.demandware.com"
    am_client_id: str | None = None
    am_client_secret: str | None = field(default=None, repr=False)
    instance_url: str | None = None  # OCAPI base (an instance)
    site: str | None = None
    ocapi_client_id: str | None = None
    ocapi_version: str = "v24_5"
    slas_url: str | None = None  # SLAS base (the short-code host)
    org_id: str | None = None
    channel_id: str | None = None
    public_client_id: str | None = None
    redirect_uri: str | None = None
    private_client_id: str | None = None
    private_client_secret: str | None = field(default=None, repr=False)
    shopper_login: str | None = None  # a registered shopper (the logout check)
    shopper_password: str | None = field(default=None, repr=False)

    def need(self, what: str, *names: str) -> None:
        missing = [n for n in names if not getattr(self, n)]
        if missing:
            env_names = ", ".join(ENV_PREFIX + B2C_ENV[n] for n in missing)
            pytest.skip(f"{what}: set {env_names}")

    def slas(self, endpoint: str) -> str:
        return f"{self.slas_url}{SLAS_PATH.format(org=self.org_id)}/{endpoint}"

    def ocapi(self, resource: str) -> str:
        return f"{self.instance_url}/s/{self.site}/dw/shop/{self.ocapi_version}/{resource}"


B2C_ENV = {  # B2cCreds field -> environment variable (without the prefix)
    "am_client_id": "B2C_AM_CLIENT_ID",
    "am_client_secret": "B2C_AM_CLIENT_SECRET",
    "instance_url": "B2C_INSTANCE_URL",
    "site": "B2C_SITE",
    "ocapi_client_id": "B2C_OCAPI_CLIENT_ID",
    "slas_url": "B2C_SLAS_URL",
    "org_id": "B2C_SLAS_ORG_ID",
    "channel_id": "B2C_SLAS_CHANNEL_ID",
    "public_client_id": "B2C_SLAS_PUBLIC_CLIENT_ID",
    "redirect_uri": "B2C_SLAS_REDIRECT_URI",
    "private_client_id": "B2C_SLAS_PRIVATE_CLIENT_ID",
    "private_client_secret": "B2C_SLAS_PRIVATE_CLIENT_SECRET",
    "shopper_login": "B2C_SLAS_SHOPPER_LOGIN",
    "shopper_password": "B2C_SLAS_SHOPPER_PASSWORD",
}


def basic_auth(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

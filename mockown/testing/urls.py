"""URL helpers for every endpoint mockown serves, on one base URL (no imports beyond the standard library)."""

from __future__ import annotations

from dataclasses import dataclass

from ..fieldwise import Value

OWN_AUTH_SERVER = "aus4c3z3l8FqrbqDU4h7"
OWN_CLIENT_ID = "0oa4c413eq8wwcEzP4h7"
OWN_SCOPE = "api:access"
DEFAULT_API_VERSION = "62.0"


@dataclass(frozen=True, repr=False, eq=False)
class Urls(Value):
    """``Urls("http://127.0.0.1:8080").token`` → ``http://127.0.0.1:8080/services/oauth2/token``.

    `Urls("")` gives the paths alone, for a client that has a base URL already.
    """

    base: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.base.rstrip("/"))

    def join(self, path: str) -> str:
        return self.base + "/" + path.lstrip("/")

    # -- Salesforce OAuth / OpenID Connect ------------------------------------------------------------
    @property
    def token(self) -> str:
        return self.join("/services/oauth2/token")

    @property
    def authorize(self) -> str:
        return self.join("/services/oauth2/authorize")

    @property
    def introspect(self) -> str:
        return self.join("/services/oauth2/introspect")

    @property
    def revoke(self) -> str:
        return self.join("/services/oauth2/revoke")

    @property
    def userinfo(self) -> str:
        return self.join("/services/oauth2/userinfo")

    @property
    def register(self) -> str:
        return self.join("/services/oauth2/register")

    @property
    def openid_configuration(self) -> str:
        return self.join("/.well-known/openid-configuration")

    @property
    def jwks(self) -> str:
        return self.join("/id/keys")

    def identity(self, org_id: str, user_id: str) -> str:
        return self.join(f"/id/{org_id}/{user_id}")

    # -- Salesforce REST ------------------------------------------------------------------------------
    def rest(self, path: str = "", version: str = DEFAULT_API_VERSION) -> str:
        """``rest("limits")`` → ``.../services/data/v62.0/limits``; ``rest()`` is the version's root."""
        version = version.lstrip("v")
        tail = "/" + path.lstrip("/") if path else ""
        return self.join(f"/services/data/v{version}{tail}")

    @property
    def versions(self) -> str:
        return self.join("/services/data")

    # -- Own --------------------------------------------------------------------------------------------
    @property
    def own_token(self) -> str:
        return self.join(f"/oauth2/{OWN_AUTH_SERVER}/v1/token")

    @property
    def own_revoke(self) -> str:
        return self.join(f"/oauth2/{OWN_AUTH_SERVER}/v1/revoke")

    def own_api(self, path: str = "", region: str | None = None) -> str:
        """``own_api("services")`` → ``.../api/v1/services`` (the default region);
        ``own_api("services", region="emea2")`` → ``.../regions/emea2/api/v1/services``."""
        tail = "/" + path.lstrip("/") if path else ""
        prefix = f"/regions/{region}" if region else ""
        return self.join(f"{prefix}/api/v1{tail}")

    @property
    def own_profile(self) -> str:
        return self.join("/own/profile")

    @property
    def own_legacy_login(self) -> str:
        return self.join("/api/auth/v1/login")

    # -- Marketing Cloud Engagement (path-prefixed form; by host: {subdomain}.auth.marketingcloudapis.com) --
    def mc_token(self, subdomain: str) -> str:
        return self.join(f"/mc/{subdomain}/v2/token")

    def mc_authorize(self, subdomain: str) -> str:
        return self.join(f"/mc/{subdomain}/v2/authorize")

    def mc_userinfo(self, subdomain: str) -> str:
        return self.join(f"/mc/{subdomain}/v2/userinfo")

    def mc_legacy_token(self, subdomain: str) -> str:
        return self.join(f"/mc/{subdomain}/v1/requestToken")

    # -- B2C Commerce --------------------------------------------------------------------------------------
    @property
    def am_token(self) -> str:
        """Account Manager's token endpoint (path-prefixed form of account.demandware.com)."""
        return self.join("/b2c/am/dwsso/oauth2/access_token")

    @property
    def am_authorize(self) -> str:
        return self.join("/b2c/am/dwsso/oauth2/authorize")

    def bm_token(self, instance: str) -> str:
        """The Business Manager user grant of one instance."""
        return self.join(f"/b2c/instances/{instance}/dw/oauth2/access_token")

    def slas(self, org: str, path: str = "token", short_code: str | None = None) -> str:
        """``slas("f_ecom_zzzz_001", "token")`` → ``.../shopper/auth/v1/organizations/f_ecom_zzzz_001/oauth2/token``."""
        prefix = f"/b2c/{short_code}" if short_code else ""
        return self.join(f"{prefix}/shopper/auth/v1/organizations/{org}/oauth2/{path.lstrip('/')}")

    def ocapi_shop(self, site: str, path: str, version: str = "v24_5", instance: str | None = None) -> str:
        """``ocapi_shop("RefArch", "customers/auth")`` → ``.../s/RefArch/dw/shop/v24_5/customers/auth``."""
        prefix = f"/b2c/instances/{instance}" if instance else ""
        return self.join(f"{prefix}/s/{site}/dw/shop/{version}/{path.lstrip('/')}")

    # -- the control plane ------------------------------------------------------------------------------
    def control(self, path: str = "") -> str:
        """``control("clock")`` → ``.../_mockown/clock``."""
        tail = "/" + path.lstrip("/") if path else ""
        return self.join(f"/_mockown{tail}")

    @property
    def health(self) -> str:
        return self.control("health")


__all__ = ["DEFAULT_API_VERSION", "OWN_AUTH_SERVER", "OWN_CLIENT_ID", "OWN_SCOPE", "Urls"]

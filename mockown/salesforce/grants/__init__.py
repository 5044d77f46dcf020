"""Token endpoint grants: each a small class in a table keyed by `grant_type`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ...fieldwise import Fieldwise
from ...http.forms import Params
from ..clientauth import ClientCredentials, check_client
from ..errors import OAuthError
from ..models import ConnectedApp
from ..service import SalesforceService


@dataclass(slots=True, repr=False, eq=False)  # built on every token request; never changed after it is made
class TokenRequest(Fieldwise):
    """A token request as every grant reads it: its parameters, the client's credentials, base URL and host."""

    params: Params
    client: ClientCredentials
    base: str  # the mock's base URL as the client sees it
    host: str  # the Host the client called (login.salesforce.com in intercept mode)


class Grant:
    grant_type: ClassVar[str]
    # whether the client must prove its secret: "always", "never", or "if-confidential"
    secret: ClassVar[str] = "always"
    # whether run() returns `issue()`'s body untouched, so that its signatures may be made after run() returns
    # (`signer.deferring`); a grant that reads or changes the body after issue() keeps them inline
    defers_signatures: ClassVar[bool] = False

    def __init__(self, service: SalesforceService, request: TokenRequest) -> None:
        self.service, self.request, self.params = service, request, request.params

    def client(self) -> ConnectedApp:
        creds = self.request.client
        app = self.service.require_app(creds.client_id)
        need = self.secret == "always" or (self.secret == "if-confidential" and self.secret_required(app))
        check_client(self.service, app, creds, self.request.base, required=need)
        return app

    def secret_required(self, app: ConnectedApp) -> bool:
        return not app.public

    def run(self) -> dict[str, Any]:  # pragma: no cover - every grant overrides it
        raise NotImplementedError


GRANTS: dict[str, type[Grant]] = {}


def register(cls: type[Grant]) -> type[Grant]:
    GRANTS[cls.grant_type] = cls
    return cls


def grant_for(grant_type: str | None) -> type[Grant]:
    if not grant_type:
        raise OAuthError("unsupported_grant_type", "grant type not supported")
    _load_builtin()
    cls = GRANTS.get(grant_type)
    if cls is None:
        raise OAuthError("unsupported_grant_type", "grant type not supported")
    return cls


_loaded = False


def _load_builtin() -> None:
    global _loaded
    if not _loaded:
        from . import (  # noqa: F401
            authorization_code,
            client_credentials,
            device,
            hybrid,
            jwt_bearer,
            password,
            refresh_token,
            token_exchange,
        )

        _loaded = True

"""Helpers for the Own API tests: the seeded demo account, token exchange, authorised requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.own.service import OwnService
from mockown.runtime import Runtime

TOKEN_URL = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
CLIENT_ID = "0oa4c413eq8wwcEzP4h7"
OWNER, SALES_ADMIN, SUPPORT_USER, SSO_ADMIN = 12345, 12346, 12347, 12348
PASSWORDS = {
    OWNER: "0wnerPassw0rd!",
    SALES_ADMIN: "Sa1esAdmin!",
    SUPPORT_USER: "Supp0rtUser!",
    SSO_ADMIN: "Ss0Passw0rd!",
}
EMAILS = {
    OWNER: "owner@own.mockown.test",
    SALES_ADMIN: "sales-admin@own.mockown.test",
    SUPPORT_USER: "support@own.mockown.test",
    SSO_ADMIN: "sso-admin@own.mockown.test",
}
SALES, SALES_SANDBOX, SUPPORT, ARCHIVED = 300001, 300002, 300003, 300004
ENDPOINT = "6f9619ff-8b86-4d01-b42d-00cf4fc964ff"
TEMPLATE = 501


def exchange_form(api_token: str, **extra: str) -> dict[str, str]:
    form = {"grant_type": "refresh_token", "scope": "api:access", "refresh_token": api_token, "client_id": CLIENT_ID}
    form.update(extra)
    return form


@pytest.fixture
def own(runtime: Runtime) -> OwnService:
    return runtime.own


Login = Callable[..., dict[str, str]]


@pytest.fixture
def login(client: httpx.Client, own: OwnService) -> Login:
    """``login(user_id)`` -> Authorization headers with a fresh access token (generating the API token)."""

    def make(user_id: int = OWNER) -> dict[str, str]:
        raw = own.generate_api_token(user_id, PASSWORDS[user_id])
        r = client.post(TOKEN_URL, data=exchange_form(raw))
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    return make


@pytest.fixture
def auth(login: Login) -> dict[str, str]:
    return login(OWNER)


def make_app(clock: FrozenClock, **own_settings: Any) -> Starlette:
    return create_app(Config().replace(own=own_settings), clock=clock)


@pytest.fixture
def configured(clock: FrozenClock) -> Iterator[Callable[..., tuple[httpx.Client, OwnService]]]:
    """``configured(token_conflict="replace")`` -> (client, own) of an app with those Own settings."""
    clients: list[httpx.Client] = []

    def make(**own_settings: Any) -> tuple[httpx.Client, OwnService]:
        app = make_app(clock, **own_settings)
        c = in_process_client(app)
        clients.append(c)
        return c, app.state.runtime.own

    yield make
    for c in clients:
        c.close()


def bearer(client: httpx.Client, own: OwnService, user_id: int = OWNER) -> dict[str, str]:
    raw = own.generate_api_token(user_id, PASSWORDS[user_id])
    r = client.post(TOKEN_URL, data=exchange_form(raw))
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}

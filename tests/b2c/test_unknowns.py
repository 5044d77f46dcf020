"""The B2C facts the reference leaves open are settings (spec "Known unknowns"): each one, set, changes the wire
answer; the defaults are what the other tests already pin."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mockown import Config, FrozenClock, create_app
from mockown.b2c.models import Customer
from mockown.config import ConfigError, OcapiFaults
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from tests.b2c.test_account_manager import am_token, pkce_code, pkce_exchange
from tests.b2c.test_ocapi import AUTH, CLIENT, auth
from tests.b2c.test_ocapi import basic as shopper_basic
from tests.b2c.test_slas import BASE, PRIVATE, SECRET, basic, guest_code, pkce_token, private_guest, problem, refresh

SHOPPER = shopper_basic("shopper@mockown.test", "Sh0pper!")


class Configured:
    """`configured(b2c={...})` or `configured(env={...})`: an in-process client of an app with those settings
    (`configured.runtime` is that app's runtime)."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.clients: list[httpx.Client] = []
        self.runtime: Runtime | None = None

    def __call__(self, b2c: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> httpx.Client:
        config = Config.load(env=env) if env is not None else Config().replace(b2c=b2c or {})
        app = create_app(config, clock=self.clock)
        self.runtime = app.state.runtime
        client = in_process_client(app)
        self.clients.append(client)
        return client


@pytest.fixture
def configured(clock: FrozenClock) -> Iterator[Configured]:
    made = Configured(clock)
    yield made
    for client in made.clients:
        client.close()


def disable_shopper(runtime: Runtime) -> None:
    table = runtime.store.table(Customer)
    shopper = next(x for x in table.find("site", "zzxy-001.dx.commercecloud.salesforce.com|RefArch") if x.registered)
    shopper.enabled = False
    table.put(shopper)


def fault(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    found: dict[str, Any] = response.json()["fault"]
    return found


# -- OCAPI customers/auth faults -----------------------------------------------------------------------------
def test_ocapi_credentials_and_disabled_customer_faults_are_settings(configured: Configured) -> None:
    c = configured(
        b2c={
            "ocapi_faults": {
                "auth_failed_type": "InvalidCustomerException",
                "auth_failed_status": 400,
                "credentials_message": "bad login",
                "disabled_message": "customer disabled",
            }
        }
    )
    wrong = fault(auth(c, "credentials", shopper_basic("shopper@mockown.test", "nope")), 400)
    assert wrong == {"type": "InvalidCustomerException", "message": "bad login"}
    unknown = fault(auth(c, "credentials", shopper_basic("nobody@mockown.test", "Sh0pper!")), 400)
    assert unknown["message"] == "bad login"
    assert configured.runtime is not None
    disable_shopper(configured.runtime)
    assert fault(auth(c, "credentials", SHOPPER), 400)["message"] == "customer disabled"
    # a disabled customer's wrong password is still the credentials fault: it does not reveal the account
    assert fault(auth(c, "credentials", shopper_basic("shopper@mockown.test", "nope")), 400)["message"] == "bad login"


def test_ocapi_disabled_customer_default_text_is_the_credentials_text(client: httpx.Client, runtime: Runtime) -> None:
    disable_shopper(runtime)
    disabled = fault(auth(client, "credentials", SHOPPER), 401)
    wrong = fault(auth(client, "credentials", shopper_basic("shopper@mockown.test", "nope")), 401)
    assert disabled == wrong and disabled["type"] == "AuthenticationFailedException"


def test_ocapi_session_and_header_messages(configured: Configured) -> None:
    c = configured(b2c={"ocapi_faults": {"session_message": "no session", "header_message": "no header"}})
    assert fault(auth(c, "session", {"Cookie": "dwsid=unknown"}), 401) == {
        "type": "AuthenticationFailedException",
        "message": "no session",
    }
    assert fault(auth(c, "credentials"), 401) == {"type": "InvalidAuthorizationHeaderException", "message": "no header"}
    assert fault(auth(c, "refresh"), 401)["message"] == "no header"


def test_ocapi_invalid_used_and_expired_jwt_each_have_their_fault(configured: Configured, clock: FrozenClock) -> None:
    c = configured(
        b2c={
            "ocapi_refresh_keeps_old": False,
            "ocapi_faults": {
                "token_invalid_message": "unknown jwt",
                "token_used_message": "replaced jwt",
                "token_expired_type": "ExpiredTokenException",
                "token_expired_message": "expired jwt",
            },
        }
    )
    invalid = fault(auth(c, "refresh", {"Authorization": "Bearer a.b.c"}), 401)
    assert invalid == {"type": "InvalidAccessTokenException", "message": "unknown jwt"}
    first = auth(c, "guest").headers["authorization"]
    second = auth(c, "refresh", {"Authorization": first}).headers["authorization"]
    used = fault(auth(c, "refresh", {"Authorization": first}), 401)
    assert used == {"type": "InvalidAccessTokenException", "message": "replaced jwt"}
    clock.advance(1800)
    expired = fault(auth(c, "refresh", {"Authorization": second}), 401)
    assert expired == {"type": "ExpiredTokenException", "message": "expired jwt"}
    third = auth(c, "guest").headers["authorization"]
    assert c.delete(AUTH, headers={**CLIENT, "Authorization": third}).status_code == 204
    assert fault(auth(c, "refresh", {"Authorization": third}), 401)["message"] == "unknown jwt"  # logged out


def test_ocapi_client_id_faults(configured: Configured) -> None:
    c = configured(
        b2c={
            "ocapi_faults": {
                "missing_client_type": "InvalidClientIdException",
                "missing_client_status": 401,
                "missing_client_message": "no client",
                "forbidden_client_type": "InvalidClientIdException",
                "forbidden_client_status": 401,
                "forbidden_client_message": "client {client_id} is {unknown}",
            }
        }
    )
    missing = fault(c.post(AUTH, json={"type": "guest"}), 401)
    assert missing == {"type": "InvalidClientIdException", "message": "no client"}
    forbidden = fault(c.post(AUTH, json={"type": "guest"}, headers={"x-dw-client-id": "zz"}), 401)
    # {client_id} is filled in; any other brace stays as written (never a crash)
    assert forbidden == {
        "type": "InvalidClientIdException",
        "message": "client zz is {unknown}",
        "arguments": {"clientId": "zz"},
    }


def test_ocapi_faults_from_nested_environment_variables(configured: Configured) -> None:
    c = configured(
        env={
            "MOCKOWN_B2C__OCAPI_FAULTS__AUTH_FAILED_STATUS": "403",
            "MOCKOWN_B2C__OCAPI_FAULTS__CREDENTIALS_MESSAGE": "Invalid login",
        }
    )
    wrong = fault(auth(c, "credentials", shopper_basic("shopper@mockown.test", "nope")), 403)
    assert wrong == {"type": "AuthenticationFailedException", "message": "Invalid login"}


# -- SLAS: used and expired refresh tokens, expired codes -----------------------------------------------------
def test_slas_used_refresh_token_has_its_own_error(configured: Configured) -> None:
    c = configured(b2c={"slas_used_refresh_error": "invalid_grant", "slas_used_refresh_description": "used"})
    first = pkce_token(c, *guest_code(c)).json()
    assert refresh(c, first["refresh_token"], private=False).status_code == 200
    problem(refresh(c, first["refresh_token"], private=False), 400, "invalid_grant", "used")
    problem(refresh(c, "unknown", private=False), 400, "invalid_request", "Bad or missing refresh token.")


def test_slas_used_and_expired_fall_back_to_the_invalid_setting(configured: Configured, clock: FrozenClock) -> None:
    c = configured(b2c={"slas_invalid_refresh_error": "invalid_grant", "slas_invalid_refresh_description": "nope"})
    first = pkce_token(c, *guest_code(c)).json()
    assert refresh(c, first["refresh_token"], private=False).status_code == 200
    problem(refresh(c, first["refresh_token"], private=False), 400, "invalid_grant", "nope")
    guest = private_guest(c).json()
    clock.advance(2592000)
    problem(refresh(c, guest["refresh_token"], private=True), 400, "invalid_grant", "nope")


def test_slas_expired_refresh_token_has_its_own_error(configured: Configured, clock: FrozenClock) -> None:
    c = configured(
        env={
            "MOCKOWN_B2C__SLAS_EXPIRED_REFRESH_ERROR": "invalid_grant",
            "MOCKOWN_B2C__SLAS_EXPIRED_REFRESH_DESCRIPTION": "expired",
        }
    )
    guest = private_guest(c).json()
    clock.advance(2592000)
    problem(refresh(c, guest["refresh_token"], private=True), 400, "invalid_grant", "expired")
    # revoked is not expired
    fresh = private_guest(c).json()
    revoke = {"token": fresh["refresh_token"], "token_type_hint": "refresh_token"}
    assert c.post(BASE + "/revoke", data=revoke, headers=basic(PRIVATE, SECRET)).status_code == 200
    problem(refresh(c, fresh["refresh_token"], private=True), 400, "invalid_request", "Bad or missing refresh token.")


def test_slas_expired_code_has_its_own_error(configured: Configured, clock: FrozenClock) -> None:
    c = configured(b2c={"slas_expired_code_error": "invalid_grant", "slas_expired_code_description": "code expired"})
    code, usid = guest_code(c)
    clock.advance(600)
    problem(pkce_token(c, code, usid), 400, "invalid_grant", "code expired")
    code, usid = guest_code(c)
    assert pkce_token(c, code, usid).status_code == 200
    problem(pkce_token(c, code, usid), 400, "invalid_request", "Invalid authorization code.")  # used, not expired


# -- Account Manager: the id_token of the PKCE exchange ---------------------------------------------------------
def test_am_code_exchange_without_id_token(configured: Configured) -> None:
    c = configured(env={"MOCKOWN_B2C__AM_CODE_ID_TOKEN": "false"})
    verifier = "k" * 64
    body = pkce_exchange(c, pkce_code(c, verifier), verifier).json()
    assert "id_token" not in body and {"access_token", "refresh_token"} <= set(body)
    password = am_token(
        c,
        {"grant_type": "password", "username": "am-admin@mockown.test", "password": "AmPassw0rd!"},
        shopper_basic("mockown-am-client-000000000001", "MockownAmSecret0001"),
    )
    assert "id_token" in password.json()  # only the authorization_code exchange is affected


def test_am_code_exchange_has_an_id_token_by_default(client: httpx.Client) -> None:
    verifier = "k" * 64
    assert "id_token" in pkce_exchange(client, pkce_code(client, verifier), verifier).json()


@pytest.mark.parametrize(
    "env",
    [
        {"MOCKOWN_B2C__OCAPI_FAULTS__AUTH_FAILED_STATUS": "200"},
        {"MOCKOWN_B2C__OCAPI_FAULTS__FORBIDDEN_CLIENT_STATUS": "0"},
        {"MOCKOWN_B2C__BM_ERROR_STATUS": "600"},
        {"MOCKOWN_MARKETING__INVALID_GRANT_STATUS": "302"},
    ],
)
def test_an_error_status_setting_must_be_an_error_status(env: dict[str, str]) -> None:
    name = next(iter(env)).removeprefix("MOCKOWN_").lower().replace("__", ".")
    with pytest.raises(ConfigError, match=rf"^{re.escape(name)} must be an error status from 400 to 599"):
        Config.load(env=env)


def test_the_readme_example_of_ocapi_faults_spells_out_the_defaults() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```yaml\n(b2c:\n  ocapi_faults:\n.*?)```", readme, re.S)
    assert found is not None
    config = Config.load(overrides=yaml.safe_load(found.group(1)))
    assert config.b2c.ocapi_faults == OcapiFaults()
    assert all(f"    {f.name}: " in found.group(1) for f in dataclasses.fields(OcapiFaults))

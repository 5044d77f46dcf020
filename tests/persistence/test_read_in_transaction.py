"""Writes that read their record inside the transaction that writes it: with `--workers N`, another worker's
transaction can commit between a read made outside and the write, and the stale copy then undid it.

Two apps on one state file play two workers. The test makes the interleaving certain: the other worker's change
runs just before the first app's next transaction begins (after any read that app made outside it)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app, security
from mockown.http.control import reset_org
from mockown.http.inprocess import in_process_client
from mockown.salesforce.models import ConnectedApp
from mockown.store.sqlite import SqliteStore
from tests.conftest import ADMIN, CID, ORG, PASSWORD, SECRET

T0 = 1767225600.0
LOGIN = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN, "password": PASSWORD}
OCAPI_AUTH = "/s/RefArch/dw/shop/v24_5/customers/auth"
OCAPI_CLIENT = {"x-dw-client-id": "a" * 30}


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[Config], tuple[Starlette, Starlette]]]:
    made: list[Starlette] = []

    def make(config: Config) -> tuple[Starlette, Starlette]:
        config = config.replace(state_file=str(tmp_path / "state.db"))
        made.extend((create_app(config, clock=FrozenClock(T0)), create_app(config, clock=FrozenClock(T0))))
        return made[-2], made[-1]

    yield make
    for app in made:
        app.state.runtime.store.close()


def _before_next_transaction(monkeypatch: pytest.MonkeyPatch, app: Starlette, other: Callable[[], Any]) -> None:
    """`other` (the other worker's change, committed) runs when `app` next begins a transaction."""
    store = app.state.runtime.store
    original = SqliteStore.atomic
    pending = [other]

    @contextlib.contextmanager
    def atomic(self: SqliteStore) -> Iterator[None]:
        if self is store and pending:
            pending.pop()()
        with original(self):
            yield

    monkeypatch.setattr(SqliteStore, "atomic", atomic)


def _token(client: httpx.Client) -> str:
    r = client.post("/services/oauth2/token", data=LOGIN)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def test_expire_session_does_not_bring_back_a_token_an_org_reset_removed(
    workers: Callable[[Config], tuple[Starlette, Starlette]], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = workers(Config())
    with in_process_client(first) as client:
        token = _token(client)
        _before_next_transaction(monkeypatch, first, lambda: reset_org(second.state.runtime, ORG))
        r = client.post("/_mockown/faults", json={"preset": "salesforce.expire_session", "token": token})
    assert r.status_code == 200, r.text
    assert r.json()["expired"] == 0  # the reset ended the session first
    assert second.state.runtime.salesforce.access_tokens.get(security.token_hash(token)) is None


def test_ocapi_logout_keeps_what_a_refresh_on_another_worker_did(
    workers: Callable[[Config], tuple[Starlette, Starlette]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JWT a refresh replaced answers "used" (`token_used_message`), also after a logout that raced the refresh
    (the logout is then too late: the token is already used)."""
    config = Config().replace(b2c={"ocapi_refresh_keeps_old": False, "ocapi_faults": {"token_used_message": "used"}})
    first, second = workers(config)
    with in_process_client(first) as client, in_process_client(second) as other:
        token = client.post(OCAPI_AUTH, json={"type": "guest"}, headers=OCAPI_CLIENT).headers["authorization"]
        headers = {**OCAPI_CLIENT, "Authorization": token}

        def refresh() -> None:
            assert other.post(OCAPI_AUTH, json={"type": "refresh"}, headers=headers).status_code == 200

        _before_next_transaction(monkeypatch, first, refresh)
        client.delete(OCAPI_AUTH, headers=headers)
        again = client.post(OCAPI_AUTH, json={"type": "refresh"}, headers=headers)
    assert again.status_code == 401
    assert again.json()["fault"]["message"] == "used"


def test_registration_under_an_org_deleted_meanwhile_makes_no_app(
    workers: Callable[[Config], tuple[Starlette, Starlette]], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = workers(Config())
    body = {"redirect_uris": ["https://app.example.com/cb"], "client_name": "Raced"}
    auth = {"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN"}
    with in_process_client(first) as client:
        # one registration first: the tables a registration touches are made (each in a transaction of its own)
        assert client.post("/services/oauth2/register", json={**body, "client_name": "Before"}, headers=auth).is_success
        _before_next_transaction(monkeypatch, first, lambda: reset_org(second.state.runtime, ORG, delete=True))
        r = client.post("/services/oauth2/register", json=body, headers=auth)
    assert r.status_code == 401, r.text  # the initial access token went with its app
    apps = second.state.runtime.store.table(ConnectedApp).all()
    assert [a.name for a in apps if a.org_id == ORG] == []

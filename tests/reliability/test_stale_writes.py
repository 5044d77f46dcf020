"""Records written back whole: a request that reads a record, then writes it back changed, must not undo what
another worker committed in between (a revoke, a count, a deletion, a poll). As in `test_interleaving`: two apps
on one state file (as two workers are), and the second worker's request placed inside the first one's window,
right after the first reads the record or right before it writes it back. Each record is read again inside the
transaction that writes it (`store.atomic()`), so the second request either lands before that read or waits for
the first one's commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.conftest import ADMIN, CID, ORG, PASSWORD, SECRET, T0
from tests.salesforce.helpers import introspect

TOKEN = "/services/oauth2/token"
OWN_TOKEN = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
OWN_CLIENT = "0oa4c413eq8wwcEzP4h7"
OWNER = 12345
OWNER_PASSWORD = "0wnerPassw0rd!"

Workers = Callable[..., tuple[Starlette, Starlette]]


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[Workers]:
    """``two_workers(own={...})`` -> two apps on one state file, with those settings, on one frozen clock."""
    apps: list[Starlette] = []

    def make(**sections: dict[str, Any]) -> tuple[Starlette, Starlette]:
        config = Config(state_file=str(tmp_path / "state.db")).replace(**sections)
        apps.extend([create_app(config, clock=FrozenClock(T0)), create_app(config, clock=FrozenClock(T0))])
        return apps[-2], apps[-1]

    yield make
    for app in apps:
        app.state.runtime.store.close()


class Meanwhile:
    """Patch `app`'s store so that the first time it reads (`on="read"`) or writes (`on="write"`) a row of
    `table` (after `skip` such reads or writes), the other worker's `action` runs meanwhile: in a thread, given
    0.5 s to finish before the first worker goes on (time enough, unless the first one's transaction holds it
    back)."""

    def __init__(self, app: Starlette, table: str, action: Callable[[], Any], *, on: str, skip: int = 0) -> None:
        self.seen: list[Any] = []
        self.worker = threading.Thread(target=lambda: self.seen.append(action()))
        store = app.state.runtime.store
        name = "_write" if on == "write" else "_one"
        original: Callable[[str, Any], Any] = getattr(store, name)
        quoted = f'"r_{table}"'
        left = [skip]

        def hooked(sql: str, params: Any) -> Any:
            if quoted not in sql:
                return original(sql, params)
            if left[0]:
                left[0] -= 1
                return original(sql, params)
            delattr(store, name)  # the class's method again
            if on == "write":
                self._meanwhile()
                return original(sql, params)
            out = original(sql, params)
            self._meanwhile()
            return out

        setattr(store, name, hooked)

    def _meanwhile(self) -> None:
        self.worker.start()
        self.worker.join(timeout=0.5)

    def result(self) -> Any:
        self.worker.join(timeout=30)
        assert self.worker.ident is not None, "the first worker never reached the window"
        assert not self.worker.is_alive() and len(self.seen) == 1
        return self.seen[0]


def _password_grant(client: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    form = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    return client.post(TOKEN, data={**form, "password": password})


def test_a_revoke_while_a_rest_call_slides_the_idle_timer(two_workers: Workers) -> None:
    first, second = two_workers()
    with in_process_client(first) as a, in_process_client(second) as b:
        token = _password_grant(a).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert a.post("/_mockown/clock", json={"advance": "3601s"}).status_code == 200  # past half the 2 h timeout
        # the REST call on the first worker slides the session's idle timer: the revoke lands before it writes
        revoking = Meanwhile(
            first, "sf_access_tokens", lambda: b.post("/services/oauth2/revoke", data={"token": token}), on="write"
        )
        a.get("/services/data/v59.0/limits", headers=bearer)
        assert revoking.result().status_code == 200
        # the revoke answered 200: the token stays dead on every worker, REST and introspection alike
        assert b.get("/services/data/v59.0/limits", headers=bearer).status_code == 401
        assert a.get("/services/data/v59.0/limits", headers=bearer).status_code == 401
        assert not introspect(b, token)["active"]


def _soap_login(client: httpx.Client, password: str) -> httpx.Response:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:n1="urn:partner.soap.sforce.com"><env:Body><n1:login><n1:username>{ADMIN}</n1:username>'
        f"<n1:password>{password}</n1:password></n1:login></env:Body></env:Envelope>"
    )
    return client.post(
        "/services/Soap/u/59.0", content=body, headers={"Content-Type": "text/xml", "SOAPAction": "login"}
    )


def test_wrong_passwords_on_two_workers_at_once_both_count_toward_the_lockout(two_workers: Workers) -> None:
    first, second = two_workers()
    with in_process_client(first) as a, in_process_client(second) as b:
        # a SOAP login() counts its failure outside its transaction (so that the count outlives the fault); the
        # password flow's failure on the other worker lands between its read of the user and its write
        failing = Meanwhile(first, "sf_users", lambda: _password_grant(b, "wrong"), on="write")
        assert _soap_login(a, "wrong").status_code == 500
        assert failing.result().status_code == 400
        assert first.state.runtime.salesforce.user_by_username(ADMIN).failed_logins == 2
        for _ in range(8):  # ten wrong passwords in all lock the user out
            assert _soap_login(a, "wrong").status_code == 500
        refused = _password_grant(b)
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant", refused.text


def _usage(app: Starlette) -> int:
    org = app.state.runtime.salesforce.orgs.get(ORG)
    assert org is not None
    return int(org.api_usage)


def test_rest_calls_on_two_workers_at_once_both_count(two_workers: Workers) -> None:
    first, second = two_workers()
    with in_process_client(first) as a, in_process_client(second) as b:
        bearer = {"Authorization": "Bearer " + _password_grant(a).json()["access_token"]}
        before = _usage(first)
        calling = Meanwhile(first, "sf_orgs", lambda: b.get("/services/data/v59.0/limits", headers=bearer), on="write")
        assert a.get("/services/data/v59.0/limits", headers=bearer).status_code == 200
        assert calling.result().status_code == 200
        assert _usage(first) == before + 2


def test_an_org_reset_while_a_rest_call_counts_keeps_its_usage_zeroed(two_workers: Workers) -> None:
    first, second = two_workers()
    with in_process_client(first) as a, in_process_client(second) as b:
        bearer = {"Authorization": "Bearer " + _password_grant(a).json()["access_token"]}
        assert a.get("/services/data/v59.0/limits", headers=bearer).status_code == 200
        resetting = Meanwhile(first, "sf_orgs", lambda: b.post("/_mockown/reset", json={"org": ORG}), on="write")
        assert a.get("/services/data/v59.0/limits", headers=bearer).status_code == 200
        assert resetting.result().status_code == 200
        assert _usage(first) == 0


def test_an_org_deleted_while_a_rest_call_is_in_flight_stays_deleted(two_workers: Workers) -> None:
    first, second = two_workers()
    with in_process_client(first) as a, in_process_client(second) as b:
        bearer = {"Authorization": "Bearer " + _password_grant(a).json()["access_token"]}
        # the delete lands right after the call's session check read the user (its last read; the journal read
        # the user first), before the call is counted
        deleting = Meanwhile(
            first, "sf_users", lambda: b.post("/_mockown/reset", json={"org": ORG, "delete": True}), on="read", skip=1
        )
        call = a.get("/services/data/v59.0/limits", headers=bearer)
        assert deleting.result().status_code == 200
        assert call.status_code == 401 and call.json()[0]["errorCode"] == "INVALID_SESSION_ID", call.text
        assert first.state.runtime.salesforce.orgs.get(ORG) is None  # no ghost of it written back
        gone = b.post("/_mockown/reset", json={"org": ORG, "delete": True})
        assert gone.status_code == 404, gone.text

"""Records written back whole: a request that reads a record, then writes it back changed, must not undo what
another worker committed in between (a revoke, a count, a deletion, a poll). As in `test_interleaving`: two apps
on one state file (as two workers are), and the second worker's request placed inside the first one's window,
right after the first reads the record or right before it writes it back. Each record is read again inside the
transaction that writes it (`store.atomic()`), so the second request either lands before that read or waits for
the first one's commit.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.salesforce.models import QueryCursor, User
from mockown.security import b64url_sha256
from tests.conftest import ADMIN, CID, ORG, PASSWORD, SECRET, T0
from tests.salesforce.helpers import introspect

TOKEN = "/services/oauth2/token"
OWN_TOKEN = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
OWN_CLIENT = "0oa4c413eq8wwcEzP4h7"
OWNER = 12345
OWNER_PASSWORD = "0wnerPassw0rd!"
SALES, SALES_SANDBOX, TEMPLATE = 300001, 300002, 501

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
    `table` (whose key starts with `key`; after `skip` such reads or writes), the other worker's `action` runs
    meanwhile: in a thread, given 0.5 s to finish before the first worker goes on (time enough, unless the first
    one's transaction holds it back)."""

    def __init__(
        self, app: Starlette, table: str, action: Callable[[], Any], *, on: str, skip: int = 0, key: str = ""
    ) -> None:
        self.seen: list[Any] = []
        self.worker = threading.Thread(target=lambda: self.seen.append(action()))
        store = app.state.runtime.store
        names = ("_write",) if on == "write" else ("_one", "_all")
        quoted = f'"r_{table}"'
        left = [skip]

        def hook(name: str) -> Callable[[str, Any], Any]:
            original: Callable[[str, Any], Any] = getattr(store, name)

            def hooked(sql: str, params: Any) -> Any:
                keyed = not key or (params and str(params[0]).startswith(key))  # a row's key: the first value
                if quoted not in sql or not keyed or self.worker.ident is not None:
                    return original(sql, params)
                if left[0]:
                    left[0] -= 1
                    return original(sql, params)
                if on == "write":
                    self._meanwhile()
                    return original(sql, params)
                out = original(sql, params)
                self._meanwhile()
                return out

            return hooked

        for name in names:
            setattr(store, name, hook(name))
        self.unhook = lambda: [delattr(store, name) for name in names]  # the class's methods again

    def _meanwhile(self) -> None:
        self.worker.start()
        self.worker.join(timeout=0.5)

    def result(self) -> Any:
        self.unhook()
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


def _own_bearer(client: httpx.Client, app: Starlette) -> dict[str, str]:
    raw = app.state.runtime.own.generate_api_token(OWNER, OWNER_PASSWORD)
    form = {"grant_type": "refresh_token", "scope": "api:access", "refresh_token": raw, "client_id": OWN_CLIENT}
    r = client.post(OWN_TOKEN, data=form)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _backup(client: httpx.Client, app: Starlette, auth: dict[str, str]) -> tuple[str, str, int]:
    assert client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth).status_code == 200
    num = max(b.num for b in app.state.runtime.own.backups.find("service_id", f"app1:{SALES}"))
    return "own_backups", f"/api/v1/services/{SALES}/backups/{num}", num


def _export(client: httpx.Client, app: Starlette, auth: dict[str, str]) -> tuple[str, str, int]:
    url = f"/api/v1/services/{SALES}/backups/last/export"
    num = client.post(url, headers=auth, data={"export_format": "csv"}).json()["job_id"]
    return "own_jobs", f"/api/v1/jobs/{num}", num


def _export_listed(client: httpx.Client, app: Starlette, auth: dict[str, str]) -> tuple[str, str, int]:
    return "own_jobs", "/api/v1/jobs", _export(client, app, auth)[2]


def _seed(client: httpx.Client, app: Starlette, auth: dict[str, str]) -> tuple[str, str, int]:
    data = {"destination": str(SALES_SANDBOX), "disable_automations": "true"}
    body = client.post(f"/api/v1/seeding/templates/{TEMPLATE}/seed", headers=auth, data=data).json()
    return "own_jobs", f"/api/v1/seeding/seed/{body['id']}", body["job_id"]


def _anonymize(client: httpx.Client, app: Starlette, auth: dict[str, str]) -> tuple[str, str, int]:
    data = {"destination_service_id": str(SALES_SANDBOX), "disable_automations": "true"}
    num = client.post(f"/api/v1/seeding/templates/{TEMPLATE}/anonymize", headers=auth, data=data).json()["job_id"]
    return "own_jobs", f"/api/v1/seeding/anonymize/{num}", num


# each: (the kind whose mode is polls:2, start one -> (the table it is kept in, the URL whose GET shows it, its num))
POLLED = {
    "backup": ("backup", _backup),
    "export": ("export", _export),
    "jobs listing": ("export", _export_listed),
    "seed": ("seed", _seed),
    "anonymize": ("seed", _anonymize),
}


def _finished(app: Starlette, table: str, num: int) -> bool:
    own = app.state.runtime.own
    rows = own.backups.all() if table == "own_backups" else own.jobs.all()
    (row,) = [r for r in rows if r.num == num]
    return row.completed_at is not None


@pytest.mark.parametrize("name", list(POLLED))
def test_polls_on_another_worker_during_a_poll_are_not_undone(two_workers: Workers, name: str) -> None:
    kind, start = POLLED[name]
    first, second = two_workers(own={f"{kind}_mode": "polls:2"})
    with in_process_client(first) as a, in_process_client(second) as b:
        auth = _own_bearer(a, first)
        table, url, num = start(a, first, auth)
        # the other worker's two reads (the second finishes it) land right after this one first reads the record
        polling = Meanwhile(first, table, lambda: [b.get(url, headers=auth) for _ in range(2)], on="read")
        shown = a.get(url, headers=auth)
        assert [r.status_code for r in polling.result()] == [200, 200]
        assert shown.status_code == 200, shown.text
        assert _finished(first, table, num)  # finished for good: not written back as it was before those polls


def test_one_shoppers_slas_logins_on_two_workers_at_once_conflict(two_workers: Workers) -> None:
    first, second = two_workers()
    base = "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2/login"
    form = {"redirect_uri": "http://localhost:3000/callback", "channel_id": "RefArch", "state": "st"}
    form.update(client_id="mockown-slas-public", code_challenge=b64url_sha256("v" * 128))
    shopper = {"Authorization": "Basic " + base64.b64encode(b"shopper@mockown.test:Sh0pper!").decode()}
    with in_process_client(first) as a, in_process_client(second) as b:
        # the other worker's login lands between this one's read of the login counter and its write
        logging_in = Meanwhile(
            first, "b2c_counters", lambda: b.post(base, data=form, headers=shopper), on="write", key="login|"
        )
        won = a.post(base, data=form, headers=shopper)
        assert won.status_code == 303, won.text
        conflict = logging_in.result()
        assert conflict.status_code == 409 and conflict.json()["error"] == "conflict", conflict.text


def test_an_own_api_token_revoked_while_a_rate_limited_call_is_counted_takes_its_access_token_along(
    two_workers: Workers,
) -> None:
    first, second = two_workers(own={"rate_limit_per_minute": 100})
    own = first.state.runtime.own
    with in_process_client(first) as a, in_process_client(second) as b:
        raw = own.generate_api_token(OWNER, OWNER_PASSWORD)
        form = {"grant_type": "refresh_token", "scope": "api:access", "refresh_token": raw, "client_id": OWN_CLIENT}
        access = a.post(OWN_TOKEN, data=form).json()["access_token"]
        auth = {"Authorization": f"Bearer {access}"}
        revoke = {"token": raw, "client_id": OWN_CLIENT}
        # the revoke (its access tokens deleted with the API token) lands right after the call checked the API
        # token, before the call is counted
        revoking = Meanwhile(first, "own_api_tokens", lambda: b.post(OWN_TOKEN[:-5] + "revoke", data=revoke), on="read")
        call = a.get("/api/v1/services", headers=auth)
        assert revoking.result().status_code == 200
        assert own.access_tokens.all() == []  # not written back by the call's count
        assert call.status_code == 401, call.text  # the call counted after the revoke
        assert b.get("/api/v1/services", headers=auth).status_code == 401


def test_a_query_cursor_released_while_it_is_paged_stays_released(two_workers: Workers) -> None:
    first, second = two_workers()
    service = first.state.runtime.salesforce
    with first.state.runtime.store.atomic():
        for i in range(250):
            service.users.put(
                User(id=f"005g{i:011d}AAA", org_id=ORG, username=f"bulk{i}@x.test", password_hash="", salt="")
            )
    with in_process_client(first) as a, in_process_client(second) as b:
        headers = {"Authorization": "Bearer " + _password_grant(a).json()["access_token"]}
        headers["Sforce-Query-Options"] = "batchSize=200"
        more = a.get("/services/data/v59.0/query?q=SELECT Id FROM User", headers=headers).json()["nextRecordsUrl"]
        # the org reset (its sessions and cursors go) lands right after the next page's read of the cursor
        resetting = Meanwhile(
            first, "sf_query_cursors", lambda: b.post("/_mockown/reset", json={"org": ORG}), on="read"
        )
        a.get(more, headers=headers)
        assert resetting.result().status_code == 200
        assert first.state.runtime.store.table(QueryCursor).all() == []  # not written back by the page's touch

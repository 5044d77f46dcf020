"""`polls:N` counts the reads that show a status (README "Progression": "any response that shows its status
counts"): a HEAD shows none, so it moves nothing on, though Starlette answers it with the GET handler."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.own.conftest import SALES, SALES_SANDBOX, TEMPLATE, bearer

# each: (the kind whose mode is polls:2, start it -> (the URL whose GET shows it, the URLs a HEAD is sent to))
Start = Callable[[httpx.Client, dict[str, str]], tuple[str, list[str]]]


def _export(client: httpx.Client, auth: dict[str, str]) -> tuple[str, list[str]]:
    url = f"/api/v1/services/{SALES}/backups/last/export"
    job = f"/api/v1/jobs/{client.post(url, headers=auth, data={'export_format': 'csv'}).json()['job_id']}"
    return job, [job, "/api/v1/jobs"]


def _seed(client: httpx.Client, auth: dict[str, str]) -> tuple[str, list[str]]:
    data = {"destination": str(SALES_SANDBOX), "disable_automations": "true"}
    body = client.post(f"/api/v1/seeding/templates/{TEMPLATE}/seed", headers=auth, data=data).json()
    seed = f"/api/v1/seeding/seed/{body['id']}"
    return seed, [seed, f"/api/v1/jobs/{body['job_id']}", "/api/v1/jobs"]


def _anonymize(client: httpx.Client, auth: dict[str, str]) -> tuple[str, list[str]]:
    data = {"destination_service_id": str(SALES_SANDBOX), "disable_automations": "true"}
    job = client.post(f"/api/v1/seeding/templates/{TEMPLATE}/anonymize", headers=auth, data=data).json()["job_id"]
    status = f"/api/v1/seeding/anonymize/{job}"
    return status, [status, f"/api/v1/jobs/{job}", "/api/v1/jobs"]


def _gdpr(client: httpx.Client, auth: dict[str, str]) -> tuple[str, list[str]]:
    data = {"table_name": "Contact", "record_id": "0033z000033pldQAAQ"}
    job = client.post(f"/api/v1/services/{SALES}/gdpr/forget", headers=auth, data=data).json()["job_id"]
    return f"/api/v1/jobs/{job}", [f"/api/v1/jobs/{job}", "/api/v1/jobs"]


JOBS: dict[str, tuple[str, Start]] = {
    "export": ("export", _export),
    "seed": ("seed", _seed),
    "anonymize": ("seed", _anonymize),
    "gdpr": ("gdpr", _gdpr),
}


def _app(clock: FrozenClock, kind: str) -> Starlette:
    return create_app(Config().replace(own={f"{kind}_mode": "polls:2"}), clock=clock)


def _heads(client: httpx.Client, auth: dict[str, str], urls: list[str]) -> None:
    for url in urls:
        for prefix in ("", "/regions/app1"):
            for _ in range(3):
                r = client.head(prefix + url, headers=auth)
                assert (r.status_code, r.content) == (200, b""), (url, r.text)


@pytest.mark.parametrize("name", list(JOBS))
def test_a_head_is_no_poll_of_a_job(clock: FrozenClock, name: str) -> None:
    kind, start = JOBS[name]
    app = _app(clock, kind)
    with in_process_client(app) as client:
        auth = bearer(client, app.state.runtime.own)
        shown, heads = start(client, auth)
        _heads(client, auth, heads)
        first = client.get(shown, headers=auth).json()
        assert (first["status"], first["progress"]) == ("IN_PROGRESS", 50), first  # the first counted read
        assert client.get(shown, headers=auth).json()["progress"] == 100  # the second: done


def test_a_head_is_no_poll_of_a_backup(clock: FrozenClock) -> None:
    app = _app(clock, "backup")
    own = app.state.runtime.own
    with in_process_client(app) as client:
        auth = bearer(client, own)
        assert client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth).status_code == 200
        started = max(b.num for b in own.backups.find("service_id", f"app1:{SALES}"))
        listing = f"/api/v1/services/{SALES}/backups"
        _heads(client, auth, [listing, f"{listing}/{started}"])
        last = client.get(listing, headers=auth).json()[-1]  # the first counted read
        assert (last["id"], last["status"], last["completed_at"]) == (started, "INPROGRESS", None)
        done = client.get(f"{listing}/{started}", headers=auth).json()  # the second: done
        assert done["status"] == "OK" and done["completed_at"] is not None

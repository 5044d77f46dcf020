"""Long-running things progress moto-style, per kind: immediately, after N seconds, after N polls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mockown import Config, FrozenClock
from mockown.config import ConfigError
from mockown.own import progress
from mockown.own.service import OwnService
from tests.own.conftest import SALES, SALES_SANDBOX, TEMPLATE, bearer

EXPORT = f"/api/v1/services/{SALES}/backups/last/export"

# each kind: (start it -> the URL to poll, read (status, progress) from a poll's JSON)
Starter = Callable[[httpx.Client, dict[str, str]], str]
Reader = Callable[[Any], tuple[str, int]]


def _backup(client: httpx.Client, auth: dict[str, str]) -> str:
    assert client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth).status_code == 200
    return f"/api/v1/services/{SALES}/backups/420008"


def _read_backup(body: Any) -> tuple[str, int]:
    done = body["completed_at"] is not None
    assert (body["status"] == "INPROGRESS") is not done
    return body["status"], 100 if done else 0


def _export(client: httpx.Client, auth: dict[str, str]) -> str:
    return f"/api/v1/jobs/{client.post(EXPORT, headers=auth, data={'export_format': 'csv'}).json()['job_id']}"


def _gdpr(client: httpx.Client, auth: dict[str, str]) -> str:
    data = {"table_name": "Contact", "record_id": "0033z000033pldQAAQ"}
    return (
        f"/api/v1/jobs/{client.post(f'/api/v1/services/{SALES}/gdpr/forget', headers=auth, data=data).json()['job_id']}"
    )


def _seed(client: httpx.Client, auth: dict[str, str]) -> str:
    data = {"destination": str(SALES_SANDBOX), "disable_automations": "true"}
    body = client.post(f"/api/v1/seeding/templates/{TEMPLATE}/seed", headers=auth, data=data).json()
    return f"/api/v1/seeding/seed/{body['id']}"


def _anonymize(client: httpx.Client, auth: dict[str, str]) -> str:
    data = {"destination_service_id": str(SALES_SANDBOX), "disable_automations": "true"}
    body = client.post(f"/api/v1/seeding/templates/{TEMPLATE}/anonymize", headers=auth, data=data).json()
    return f"/api/v1/seeding/anonymize/{body['job_id']}"


def _read_job(body: Any) -> tuple[str, int]:
    return body["status"], body["progress"]


KINDS: dict[str, tuple[str, Starter, Reader, str]] = {
    "backup": ("backup", _backup, _read_backup, "OK"),
    "export": ("export", _export, _read_job, "COMPLETED"),
    "gdpr": ("gdpr", _gdpr, _read_job, "FAILED"),  # an unknown record: the job ends FAILED at 100
    "seed": ("seed", _seed, _read_job, "COMPLETED"),
    "anonymize": ("seed", _anonymize, _read_job, "COMPLETED"),
}


def _app(clock: FrozenClock, kind: str, mode: str) -> tuple[httpx.Client, OwnService]:
    from mockown import create_app
    from mockown.http.inprocess import in_process_client

    app = create_app(Config().replace(own={f"{kind}_mode": mode}), clock=clock)
    return in_process_client(app), app.state.runtime.own


@pytest.mark.parametrize("name", list(KINDS))
def test_immediate(clock: FrozenClock, name: str) -> None:
    kind, start, read, final = KINDS[name]
    client, own = _app(clock, kind, "immediate")
    with client:
        url = start(client, bearer(client, own))
        auth = bearer_again(client, own)
        status, pct = read(client.get(url, headers=auth).json())
        assert (status, pct) == (final, 100)


def bearer_again(client: httpx.Client, own: OwnService) -> dict[str, str]:
    own.revoke_api_token(12345)
    return bearer(client, own)


@pytest.mark.parametrize("name", list(KINDS))
def test_after_n_seconds(clock: FrozenClock, name: str) -> None:
    kind, start, read, final = KINDS[name]
    client, own = _app(clock, kind, "seconds:30")
    with client:
        auth = bearer(client, own)
        url = start(client, auth)
        seen = []
        for _ in range(4):
            seen.append(read(client.get(url, headers=auth).json()))
            clock.advance(10)
        assert seen[-1] == (final, 100)
        assert all(status != final and pct < 100 for status, pct in seen[:3])
        if read is _read_job:
            assert [pct for _, pct in seen] == [0, 33, 66, 100]
            assert seen[0][0] == "PENDING" and seen[1][0] == "IN_PROGRESS"


@pytest.mark.parametrize("name", list(KINDS))
def test_after_n_polls(clock: FrozenClock, name: str) -> None:
    kind, start, read, final = KINDS[name]
    client, own = _app(clock, kind, "polls:3")
    with client:
        auth = bearer(client, own)
        url = start(client, auth)
        clock.advance(86400)  # time alone moves nothing
        auth = bearer_again(client, own)
        seen = [read(client.get(url, headers=auth).json()) for _ in range(4)]
        assert seen[2] == seen[3] == (final, 100)
        assert seen[0][0] != final and seen[1][0] != final
        if read is _read_job:
            assert [pct for _, pct in seen] == [33, 66, 100, 100]


def test_seconds_mode_completion_time_is_exact(clock: FrozenClock) -> None:
    client, own = _app(clock, "backup", "seconds:90")
    with client:
        auth = bearer(client, own)
        client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth)
        clock.advance(3600)
        body = client.get(f"/api/v1/services/{SALES}/backups/last", headers=bearer_again(client, own)).json()
        assert body["completed_at"] == "2026-01-01T00:01:30.000Z"


def test_listing_counts_as_a_poll(clock: FrozenClock) -> None:
    client, own = _app(clock, "backup", "polls:2")
    with client:
        auth = bearer(client, own)
        client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth)
        statuses = [client.get(f"/api/v1/services/{SALES}/backups", headers=auth).json()[-1]["status"] for _ in "ab"]
        assert statuses == ["INPROGRESS", "OK"]


def test_runtime_switch(own: OwnService, client: httpx.Client, auth: dict[str, str], clock: FrozenClock) -> None:
    own.set_progression("export", "seconds:5")
    url = _export(client, auth)
    assert client.get(url, headers=auth).json()["progress"] == 0
    clock.advance(5)
    assert client.get(url, headers=auth).json()["status"] == "COMPLETED"
    with pytest.raises(ConfigError):
        own.set_progression("export", "sometimes")
    with pytest.raises(ConfigError):
        own.set_progression("restore", "immediate")


def test_job_mode_applies_to_every_kind_unless_overridden(clock: FrozenClock) -> None:
    from mockown import create_app

    app = create_app(Config().replace(own={"job_mode": "polls:2", "seed_mode": "immediate"}), clock=clock)
    own = app.state.runtime.own
    assert own.modes == {"backup": "polls:2", "export": "polls:2", "gdpr": "polls:2", "seed": "immediate"}


def test_environment_settings() -> None:
    config = Config.load(env={"MOCKOWN_OWN__BACKUP_MODE": "seconds:2m", "MOCKOWN_OWN__TOKEN_CONFLICT": "replace"})
    assert config.own.backup_mode == "seconds:2m" and config.own.token_conflict == "replace"
    assert progress.parse(config.own.backup_mode) == {"mode": "seconds", "n": 120.0, "polls": 0}


@pytest.mark.parametrize("text", ["", "later", "seconds", "seconds:x", "polls:-1", "polls:1.5", "minutes:3"])
def test_bad_modes(text: str) -> None:
    with pytest.raises(ConfigError):
        progress.parse(text)


@pytest.mark.parametrize("setting", [{"job_mode": "soon"}, {"token_conflict": "merge"}, {"default_region": "mars1"},
                                     {"hidden_service_status": 401}, {"api_token_ttl": "forever"}])  # fmt: skip
def test_bad_settings_fail_at_start(clock: FrozenClock, setting: dict[str, Any]) -> None:
    from mockown import create_app

    with pytest.raises(ConfigError):
        create_app(Config().replace(own=setting), clock=clock).state.runtime.own  # noqa: B018


def test_progression_override_is_state_a_reset_clears(own: OwnService) -> None:
    own.set_progression("gdpr", "polls:4")
    assert own.modes["gdpr"] == "polls:4"
    own.set_progression("gdpr", None)
    assert own.modes["gdpr"] == "immediate"
    own.set_progression("seed", "seconds:9")
    own.runtime.reset()
    assert own.modes["seed"] == "immediate"

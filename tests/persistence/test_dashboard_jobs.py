"""The dashboard shows an Own job as the API would report it, on a state file too: `jobs.settle` hands back the job
as it is now (read again in its transaction), and the page rendered its own stale copy (a finished job showed
`IN_PROGRESS 100%` on the first render; the in-memory store hands back the same object, so only a file showed it)."""

from __future__ import annotations

import re
from pathlib import Path

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

OWN_CLIENT = "0oa4c413eq8wwcEzP4h7"
TOKEN_PATH = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"


def test_a_finished_job_shows_completed_at_the_first_render(tmp_path: Path) -> None:
    clock = FrozenClock("2026-01-01T00:00:00Z")
    config = Config.load(overrides={"state_file": str(tmp_path / "s.db"), "own": {"job_mode": "seconds:100"}})
    with in_process_client(create_app(config, clock=clock)) as api:
        user = {"email": "j@jobs.test", "role": "master_admin", "api_token": True}
        service = {"id": 400001, "region": "app1", "backups": 1}
        doc = {"own": {"accounts": [{"name": "Jobs", "services": [service], "users": [user]}]}}
        account = api.post("/_mockown/seed", json=doc).json()["own"]["accounts"][0]
        exchange = {"grant_type": "refresh_token", "refresh_token": account["users"][0]["api_token"],
                    "scope": "api:access", "client_id": OWN_CLIENT}  # fmt: skip
        bearer = {"Authorization": "Bearer " + api.post(TOKEN_PATH, data=exchange).json()["access_token"]}
        export = "/api/v1/services/400001/backups/last/export"
        job = api.post(export, json={"export_format": "csv"}, headers=bearer).json()["job_id"]
        clock.advance(200)
        page = api.get("/_mockown/ui").text
    status = re.search(rf"job-status-{job}'>([A-Z_]+)<", page)
    assert status is not None, page
    assert status.group(1) == "COMPLETED"

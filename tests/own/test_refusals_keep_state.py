"""A refused request leaves the stored state as it was (no poll counted, nothing written)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from mockown.own.service import OwnService
from tests.own.conftest import OWNER, SALES, bearer


def test_a_wrong_kind_of_job_at_the_anonymize_status_is_not_counted_as_a_poll(
    configured: Callable[..., tuple[httpx.Client, OwnService]],
) -> None:
    """A refused request leaves stored state unchanged: GET /seeding/anonymize/<an export's job id> is a 404 and
    must not move that export on (polls mode counts reads of the job itself)."""
    client, own = configured(export_mode="polls:3")
    owner = bearer(client, own, OWNER)
    job_id = client.post(
        f"/api/v1/services/{SALES}/backups/last/export", headers=owner, data={"export_format": "csv"}
    ).json()["job_id"]
    before = dict(own.jobs.get(f"app1:{job_id}").progress)  # type: ignore[union-attr]
    for _ in range(3):
        assert client.get(f"/api/v1/seeding/anonymize/{job_id}", headers=owner).status_code == 404
    assert own.jobs.get(f"app1:{job_id}").progress == before  # type: ignore[union-attr]
    assert client.get(f"/api/v1/jobs/{job_id}", headers=owner).json()["progress"] < 100

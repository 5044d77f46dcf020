"""A seeded Own endpoint's `id` is one `export_to_endpoint` can name: a UUID. Any text was stored (`my-s3-bucket`),
and every export to it was then 400 "endpoint_id must be a UUID"; the seed refuses it."""

from __future__ import annotations

from typing import Any

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

TOKEN_URL = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"


def _account(endpoint_id: str | None) -> dict[str, Any]:
    endpoint = {"name": "B"} if endpoint_id is None else {"id": endpoint_id, "name": "B"}
    user = {"email": "o@x.test", "password": "Passw0rd-1", "role": "master_admin", "api_token": True}
    return {"own": {"accounts": [{"id": 7001, "endpoints": [endpoint], "services": [{"id": 700001, "backups": 1}],
                                  "users": [user]}]}}  # fmt: skip


@pytest.mark.parametrize(
    "bad",
    [
        "my-s3-bucket",
        "6f9619ff8b864d01b42d00cf4fc964ff",
        "{6f9619ff-8b86-4d01-b42d-00cf4fc964ff}",
        "6f9619ff-8b86-4d01-b42d-00cf4fc964ff\n",
    ],
)
def test_an_endpoint_id_that_is_no_uuid_is_refused(bad: str) -> None:
    with in_process_client(create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))) as client:
        answer = client.post("/_mockown/seed", json=_account(bad))
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == f"own endpoint id must be a UUID (as export_to_endpoint takes it), not {bad!r}"


@pytest.mark.parametrize(
    "given", [None, "0c015ad8-9fe2-4cdd-a593-10d68e118f76", "9A1B4DFF-F88F-4762-98BC-DC5571ED22E5"]
)
def test_a_seeded_endpoint_is_one_an_export_reaches(given: str | None) -> None:
    with in_process_client(create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))) as client:
        seeded = client.post("/_mockown/seed", json=_account(given))
        assert seeded.status_code == 201, seeded.text
        account = seeded.json()["own"]["accounts"][0]
        form = {"grant_type": "refresh_token", "scope": "api:access", "client_id": "0oa4c413eq8wwcEzP4h7",
                "refresh_token": account["users"][0]["api_token"]}  # fmt: skip
        bearer = client.post(TOKEN_URL, data=form).json()["access_token"]
        answer = client.post(
            "/regions/app1/api/v1/services/700001/backups/last/export_to_endpoint",
            headers={"Authorization": f"Bearer {bearer}"},
            data={"endpoint_id": account["endpoints"][0]["id"]},
        )
    assert answer.status_code in (200, 201, 202), answer.text

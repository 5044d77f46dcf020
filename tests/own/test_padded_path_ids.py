"""An id in a path names its resource exactly (README §Errors; `parse_id`: "exactly (no padding)"): leading zeros
name nothing, a 404 that changes nothing. `/services/0300001` answered service 300001 and
`/backups/0420001` backup 420001, as did every other numeric path id."""

from __future__ import annotations

import json

import httpx
import pytest

from mockown.runtime import Runtime
from tests.own.conftest import ENDPOINT, SALES, SALES_SANDBOX, TEMPLATE

PADDINGS = ["0{}", "00{}", "000000000{}"]  # the last longer than any id (models.MAX_OWN_ID): a 404 all the same


def _ids(client: httpx.Client, auth: dict[str, str]) -> dict[str, str]:
    """One existing id of each kind a path names."""
    export = f"/api/v1/services/{SALES}/backups/last/export"
    job = client.post(export, headers=auth, data={"export_format": "csv"}).json()["job_id"]
    seed = {"destination": str(SALES_SANDBOX), "disable_automations": "false", "backup_id": "last"}
    seed_id = client.post(f"/api/v1/seeding/templates/{TEMPLATE}/seed", headers=auth, data=seed).json()["id"]
    anonymize = {"destination_service_id": str(SALES_SANDBOX), "disable_automations": "false", "backup_id": "last"}
    url = f"/api/v1/seeding/templates/{TEMPLATE}/anonymize"
    anonymize_job = client.post(url, headers=auth, data=anonymize).json()["job_id"]
    backup = client.get(f"/api/v1/services/{SALES}/backups", headers=auth).json()[0]["id"]
    return {"job": str(job), "seed": str(seed_id), "anonymize": str(anonymize_job), "backup": str(backup)}


def _reads(ids: dict[str, str]) -> list[tuple[str, str]]:
    """(path with `{}` where the id goes, the id) for every GET whose path names a numeric id."""
    backups = f"services/{SALES}/backups"
    return [
        ("services/{}", str(SALES)),
        ("services/{}/backups", str(SALES)),
        (backups + "/{}", ids["backup"]),
        (backups + "/{}/objects", ids["backup"]),
        (backups + "/{}/objects/1/download", ids["backup"]),
        ("jobs/{}", ids["job"]),
        ("jobs/{}/files/accounts.csv", ids["job"]),
        ("seeding/seed/{}", ids["seed"]),
        ("seeding/anonymize/{}", ids["anonymize"]),
    ]


def _state(runtime: Runtime) -> str:
    return json.dumps(runtime.store.dump(), sort_keys=True, default=str)


def test_a_path_id_with_leading_zeros_names_nothing(
    client: httpx.Client, auth: dict[str, str], runtime: Runtime
) -> None:
    reads = _reads(_ids(client, auth))
    for path, num in reads:
        assert client.get(f"/api/v1/{path.format(num)}", headers=auth).status_code == 200, path
    before = _state(runtime)
    for path, num in reads:
        for padding in PADDINGS:
            padded = padding.format(num)
            for prefix in ("/api/v1/", "/regions/app1/api/v1/"):
                r = client.get(prefix + path.format(padded), headers=auth)
                assert r.status_code == 404, (path, padded, r.text)
                assert r.json()["error"] == "Not Found" and padded in r.json()["message"], r.text
    assert _state(runtime) == before  # the refused reads moved no job on


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (f"services/0{SALES}/backup_now", {}),
        (f"services/0{SALES}/backup_specific_objects_now", {"list_of_objects": "accounts"}),
        (f"services/0{SALES}/gdpr/forget", {"table_name": "accounts", "record_id": "0015g00000AbCdEAAV"}),
        (f"services/{SALES}/backups/0420003/export", {"export_format": "csv"}),
        (f"services/{SALES}/backups/0420003/export_to_endpoint", {"endpoint_id": ENDPOINT}),
        (f"seeding/templates/0{TEMPLATE}/seed", {"destination": str(SALES_SANDBOX), "disable_automations": "0"}),
        (
            f"seeding/templates/0{TEMPLATE}/anonymize",
            {"destination_service_id": str(SALES_SANDBOX), "disable_automations": "0"},
        ),
    ],
)
def test_a_write_to_a_padded_path_id_is_a_404_that_changes_nothing(
    client: httpx.Client, auth: dict[str, str], runtime: Runtime, path: str, data: dict[str, str]
) -> None:
    before = _state(runtime)
    r = client.post(f"/api/v1/{path}", headers=auth, data=data)
    assert r.status_code == 404, r.text
    assert r.json()["error"] == "Not Found"
    assert _state(runtime) == before
    canonical = client.post(f"/api/v1/{path.replace('/0', '/', 1)}", headers=auth, data=data)
    assert canonical.status_code == 200, canonical.text  # the same request without the zero is served


def test_zero_is_an_id_like_any_other_and_names_nothing(client: httpx.Client, auth: dict[str, str]) -> None:
    for path in ("services/0", f"services/{SALES}/backups/0", "jobs/0", "seeding/seed/0", "seeding/anonymize/0"):
        r = client.get(f"/api/v1/{path}", headers=auth)
        assert r.status_code == 404 and r.json()["message"].endswith("0 not found"), r.text


@pytest.mark.parametrize("what", ["seed", "anonymize"])
def test_an_id_in_a_body_field_is_a_number_leading_zeros_and_all(
    client: httpx.Client, auth: dict[str, str], what: str
) -> None:
    """A body field is a number (a form or JSON number, `0420001` is 420001), unlike a path's id: the service and
    the backup fields of one body follow that one rule (the backup's was refused once paths became exact)."""
    backup = client.get(f"/api/v1/services/{SALES}/backups", headers=auth).json()[0]["id"]
    field = "destination" if what == "seed" else "destination_service_id"
    data = {field: f"00{SALES_SANDBOX}", "disable_automations": "false", "backup_id": f"0{backup}"}
    r = client.post(f"/api/v1/seeding/templates/{TEMPLATE}/{what}", headers=auth, data=data)
    assert r.status_code == 200, r.text

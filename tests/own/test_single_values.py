"""6b32dea's rule (a field of one value given several times is 400 '<field> takes one value, not a list', not
silently its first value) for the one-value fields it missed: a seed's or anonymization's `backup_id` (which backup
is read) and GDPR rectify's `value` (what is written into the record)."""

from __future__ import annotations

import httpx
import pytest

from tests.own.conftest import SALES, SALES_SANDBOX, TEMPLATE


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            f"/api/v1/seeding/templates/{TEMPLATE}/seed",
            {"destination": str(SALES_SANDBOX), "disable_automations": "true", "backup_id": ["last", "1"]},
            "backup_id",
        ),
        (
            f"/api/v1/seeding/templates/{TEMPLATE}/anonymize",
            {"destination_service_id": str(SALES_SANDBOX), "disable_automations": "true", "backup_id": ["last", "1"]},
            "backup_id",
        ),
        (
            f"/api/v1/services/{SALES}/gdpr/rectify",
            {"record_id": "0033z000033pldQAAQ", "table_name": "contacts", "field": "Email",
             "value": ["a@example.test", "b@example.test"]},
            "value",
        ),
    ],
)  # fmt: skip
def test_a_one_value_field_given_twice_is_refused(
    client: httpx.Client, auth: dict[str, str], path: str, body: dict[str, object], field: str
) -> None:
    expected = (400, {"error": "Bad Request", "message": f"{field} takes one value, not a list"})
    as_form = client.post(path, headers=auth, data=body)
    assert (as_form.status_code, as_form.json()) == expected
    as_json = client.post(path, headers=auth, json=body)
    assert (as_json.status_code, as_json.json()) == expected
    assert client.get("/api/v1/jobs", headers=auth).json() == []  # nothing was started
    once = {k: v[0] if isinstance(v, list) else v for k, v in body.items()}
    assert client.post(path, headers=auth, data=once).status_code == 200

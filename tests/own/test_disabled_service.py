"""A service can be ACTIVE and disabled (spec §3: `status` and `enabled` are independent fields): the refusal of a
write into it names why, `disabled`, not its status (`active`), which read as the reason it could not be written."""

from __future__ import annotations

import httpx

from mockown.own.models import rkey
from mockown.own.service import OwnService
from tests.own.conftest import SALES_SANDBOX, TEMPLATE


def test_a_disabled_active_service_is_refused_as_disabled(
    client: httpx.Client, own: OwnService, auth: dict[str, str]
) -> None:
    service = own.services.get(rkey("app1", SALES_SANDBOX))
    assert service is not None and service.status == "ACTIVE"
    service.enabled = 0
    own.services.put(service)
    seed = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/seed",
        headers=auth,
        data={"destination": str(SALES_SANDBOX), "disable_automations": "true"},
    )
    assert (seed.status_code, seed.json()["message"]) == (
        400,
        f"service_id {SALES_SANDBOX} is disabled: it cannot be seeded",
    )
    backup = client.post(f"/api/v1/services/{SALES_SANDBOX}/backup_now", headers=auth)
    assert (backup.status_code, backup.json()["message"]) == (
        400,
        f"service_id {SALES_SANDBOX} is disabled: it cannot be backed up",
    )

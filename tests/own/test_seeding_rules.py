"""Seeding rules from the spec: Business-Unit scoping of templates (U24's 403/404 switch) and the job limits (S15)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import SALES, SALES_ADMIN, SALES_SANDBOX, SUPPORT, TEMPLATE, bearer

SEED = f"/api/v1/seeding/templates/{TEMPLATE}/seed"
ANONYMIZE = f"/api/v1/seeding/templates/{TEMPLATE}/anonymize"


def _move_to_support(own: OwnService) -> None:
    """The Sales admin now holds only the Support Business Unit: template 501 (source: a Sales service) is hidden."""
    user = own.user(SALES_ADMIN)
    assert user is not None
    user.business_units = ["Support"]
    own.users.put(user)


@pytest.mark.parametrize("status", [403, 404])
def test_a_template_outside_the_business_units_answers_like_a_hidden_service(
    configured: Callable[..., tuple[httpx.Client, OwnService]], status: int
) -> None:
    client, own = configured(hidden_service_status=status)
    _move_to_support(own)
    auth = bearer(client, own, SALES_ADMIN)
    assert client.get("/api/v1/seeding/templates", headers=auth).json() == []
    seed = client.post(SEED, headers=auth, data={"destination": str(SUPPORT), "disable_automations": "0"})
    to_support = {"destination_service_id": str(SUPPORT), "disable_automations": "0"}
    anonymize = client.post(ANONYMIZE, headers=auth, data=to_support)
    for r in (seed, anonymize):
        assert r.status_code == status, r.text
        if status == 404:  # the same answer as a template that does not exist: nothing is revealed
            assert r.json() == {"error": "Not Found", "message": f"template_id {TEMPLATE} not found"}
        else:
            assert r.json()["error"] == "Forbidden"


def _backup_only(client: httpx.Client, auth: dict[str, str], own: OwnService, obj: str, records: int) -> None:
    """A backup of service 300001 that holds only `obj`, with `records` records (the next seed's `last`)."""
    service = own.services.get(f"app1:{SALES}")
    assert service is not None
    service.objects = [*service.objects, obj]
    service.records_per_object = records
    own.services.put(service)
    url = f"/api/v1/services/{SALES}/backup_specific_objects_now"
    assert client.post(url, headers=auth, data={"list_of_objects": obj}).status_code == 200


def _seed_status(client: httpx.Client, auth: dict[str, str], destination: int) -> dict[str, Any]:
    data = {"destination": str(destination), "disable_automations": "false", "backup_id": "last"}
    r = client.post(SEED, headers=auth, data=data)
    assert r.status_code == 200, r.text
    status: dict[str, Any] = client.get(f"/api/v1/seeding/seed/{r.json()['id']}", headers=auth).json()
    return status


@pytest.mark.parametrize(("records", "outcome"), [(50_000, "COMPLETED"), (50_001, "FAILED")])
def test_seeding_into_a_sandbox_is_limited_to_50k_content_versions(
    client: httpx.Client, auth: dict[str, str], own: OwnService, records: int, outcome: str
) -> None:
    _backup_only(client, auth, own, "contentversions", records)
    status = _seed_status(client, auth, SALES_SANDBOX)
    assert status["status"] == outcome
    if outcome == "FAILED":
        assert "limited to 50,000 ContentVersion records (50,001 requested)" in status["logs"][-1]


def test_seeding_into_a_sandbox_is_limited_to_20m_records(
    client: httpx.Client, auth: dict[str, str], own: OwnService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockown.own import seeding

    monkeypatch.setattr(seeding, "SANDBOX_LIMIT", 30)  # 20M records would take minutes to generate
    _backup_only(client, auth, own, "leads", 31)
    status = _seed_status(client, auth, SALES_SANDBOX)
    assert status["status"] == "FAILED" and "Seeding into a sandbox is limited to 30 records" in status["logs"][-1]

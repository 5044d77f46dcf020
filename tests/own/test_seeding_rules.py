"""Seeding rules from the spec: Business-Unit scoping of templates (U24's 403/404 switch) and the job limits (S15)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import SALES_ADMIN, SUPPORT, TEMPLATE, bearer

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

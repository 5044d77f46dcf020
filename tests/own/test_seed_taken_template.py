"""A seeded template whose id is taken is refused like a taken account, user or service: 400 invalid_seed naming
the id, nothing stored (it used to replace the existing template, even another account's)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import SALES, TEMPLATE

OTHER_SERVICE = 310000


def _account(*templates: dict[str, Any]) -> dict[str, Any]:
    service = {"id": OTHER_SERVICE, "business_unit": "X", "backups": 1}
    return {"own": {"accounts": [{"id": 2002, "services": [service], "templates": list(templates)}]}}


def _template(num: int, name: str) -> dict[str, Any]:
    return {"id": num, "source_service_id": OTHER_SERVICE, "name": name}


@pytest.mark.parametrize(
    ("document", "taken"),
    [
        (_account(_template(TEMPLATE, "other")), TEMPLATE),  # another account's template
        (_account(_template(777, "first"), _template(777, "second")), 777),  # twice in one document
    ],
)
def test_a_taken_template_id_is_refused_and_nothing_is_stored(
    client: httpx.Client, auth: dict[str, str], own: OwnService, document: dict[str, Any], taken: int
) -> None:
    before = own.runtime.store.dump()
    r = client.post("/_mockown/seed", json=document)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_seed"
    assert f"own template {taken} exists already" in r.json()["message"]
    assert own.accounts.get("2002") is None and own.templates.get("app1:777") is None
    assert own.runtime.store.dump() == before
    listed = client.get("/api/v1/seeding/templates", headers=auth).json()
    assert [t["id"] for t in listed] == [TEMPLATE]
    template = own.templates.get(f"app1:{TEMPLATE}")
    assert template is not None and template.account_id == "1001"
    assert template.source_service_id == f"app1:{SALES}"

"""Business Units scope the audit log (/events) as they scope services (spec §1.1, §7, U24)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from mockown.own.service import OwnService
from tests.own.conftest import OWNER, SALES, SALES_ADMIN, SSO_ADMIN, SUPPORT, Login, bearer

FORGET = {"record_id": "0033z000033pldQAAQ", "table_name": "Contact"}


def test_events_of_a_service_outside_the_business_units_are_not_shown(client: httpx.Client, login: Login) -> None:
    """S1/S2: access depends on the user's role and Business Units; an admin of Sales must not read the
    Support service's GDPR requests (record ids) or backups in /events. master_admin sees everything."""
    owner, sales, both = login(OWNER), login(SALES_ADMIN), login(SSO_ADMIN)
    assert client.post(f"/api/v1/services/{SUPPORT}/gdpr/forget", headers=owner, data=FORGET).status_code == 200
    assert client.post(f"/api/v1/services/{SALES}/backup_now", headers=owner).status_code == 200

    def keyed(headers: dict[str, str]) -> set[tuple[str, int | None]]:
        return {(e["key"], e["service_id"]) for e in client.get("/api/v1/events", headers=headers).json()}

    assert ("gdpr_forget", SUPPORT) in keyed(owner)
    assert ("gdpr_forget", SUPPORT) in keyed(both)  # Sales and Support
    seen_by_sales = keyed(sales)
    assert ("gdpr_forget", SUPPORT) not in seen_by_sales
    assert ("backup_now", SALES) in seen_by_sales
    assert ("api_token_used", None) in seen_by_sales  # account-wide events stay visible to admins


def test_the_same_service_number_in_another_region_does_not_unlock_events(
    configured: Callable[..., tuple[httpx.Client, OwnService]],
) -> None:
    """Service ids are per region (quirk 5): an event of emea2's service 300003 (Support) is not emea2's or
    app1's Sales service just because the number matches one the user may reach elsewhere."""
    client, own = configured()
    account = own.account("1001")
    support = own.services.get(f"app1:{SUPPORT}")
    assert support is not None
    hidden = own.services.get("emea2:300001")
    assert hidden is not None
    hidden.business_unit = "Support"  # emea2's 300001 now belongs to Support; app1's 300001 is Sales
    own.services.put(hidden)
    own.record_event(account.id, "backup_now", service=hidden)
    sales = bearer(client, own, SALES_ADMIN)
    events = client.get("/api/v1/events", headers=sales).json()
    assert all(not (e["key"] == "backup_now" and e["service_id"] == SALES) for e in events)

"""Business Units scope the audit log (/events) as they scope services (spec §1.1, §7, U24)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import OWNER, SALES, SALES_ADMIN, SALES_SANDBOX, SSO_ADMIN, SUPPORT, TEMPLATE, Login, bearer

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


@pytest.mark.parametrize("hidden_status", [403, 404])
def test_an_event_about_a_hidden_seed_or_anonymization_is_not_shown(
    configured: Callable[..., tuple[httpx.Client, OwnService]], hidden_status: int
) -> None:
    """An event follows the job it names (spec §7: the log is scoped like the services it is about): the owner
    seeds the Sales sandbox from the Support service, so the seed is hidden from the Sales admin (its poll
    answers 403, or 404 as if it did not exist); its ``seed_started`` event, which names the seed_id and the
    destination they do reach, must not be listed to them either. Likewise an anonymization of Support with the
    Sales template for an admin of Support only. Whatever /events lists, the admin can poll."""
    client, own = configured(hidden_service_status=hidden_status)
    owner, sales = bearer(client, own, OWNER), bearer(client, own, SALES_ADMIN)
    hidden_seed = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/seed",
        headers=owner,
        data={"destination": str(SALES_SANDBOX), "service_id": str(SUPPORT), "disable_automations": "true"},
    ).json()
    shown_seed = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/seed",
        headers=owner,
        data={"destination": str(SALES_SANDBOX), "disable_automations": "true"},
    ).json()
    anonymized = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/anonymize",
        headers=owner,
        data={"destination_service_id": str(SUPPORT), "disable_automations": "true"},
    ).json()
    assert client.get(f"/api/v1/seeding/seed/{hidden_seed['id']}", headers=sales).status_code == hidden_status

    def named(headers: dict[str, str]) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {"seed_started": set(), "anonymize_started": set()}
        for e in client.get("/api/v1/events", headers=headers).json():
            if e["key"] == "seed_started":
                out["seed_started"].add(e["parameters"]["seed_id"])
            elif e["key"] == "anonymize_started":
                out["anonymize_started"].add(e["parameters"]["job_id"])
        return out

    assert named(owner) == {
        "seed_started": {hidden_seed["id"], shown_seed["id"]},
        "anonymize_started": {anonymized["job_id"]},
    }
    assert named(sales) == {"seed_started": {shown_seed["id"]}, "anonymize_started": set()}
    for seed_id in named(sales)["seed_started"]:
        assert client.get(f"/api/v1/seeding/seed/{seed_id}", headers=sales).status_code == 200

    user = own.user(SSO_ADMIN)
    assert user is not None
    user.business_units = ["Support"]  # reaches the anonymized service, not the template's source (Sales)
    own.users.put(user)
    support_admin = bearer(client, own, SSO_ADMIN)
    poll = client.get(f"/api/v1/seeding/anonymize/{anonymized['job_id']}", headers=support_admin)
    assert poll.status_code == hidden_status
    assert named(support_admin) == {"seed_started": set(), "anonymize_started": set()}

"""What an Own customer's scripts trip on, found by driving the API end to end as a user of the README would."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.own.conftest import (
    ARCHIVED,
    EMAILS,
    OWNER,
    PASSWORDS,
    SALES,
    SALES_ADMIN,
    SALES_SANDBOX,
    SUPPORT,
    SUPPORT_USER,
    TEMPLATE,
    Login,
)


# -- events: `from` past the newest event (spec §10 U17: "[] with HTTP 200") ----------------------------------
@pytest.mark.parametrize("value", ["9" * 19, "1" + "0" * 30, "9" * 5000])
def test_events_from_beyond_the_newest_is_an_empty_page(client: httpx.Client, auth: dict[str, str], value: str) -> None:
    """An event id of any length is an event id: one past the newest gives the last (empty) page, not a 400 that
    says "must be a positive integer" of a positive integer (5,000 digits too: no int() conversion limit)."""
    r = client.get("/api/v1/events", params={"from": value}, headers=auth)
    assert (r.status_code, r.json()) == (200, [])


# -- a service id in a body names a service as one in a path does (404 when none) -----------------------------
@pytest.mark.parametrize("value", ["9" * 13, "1" + "0" * 30, "9" * 5000])
def test_seed_destination_id_that_names_no_service_is_404(
    client: httpx.Client, auth: dict[str, str], value: str
) -> None:
    url = f"/api/v1/seeding/templates/{TEMPLATE}/seed"
    r = client.post(url, headers=auth, data={"destination": value, "disable_automations": "true"})
    assert r.status_code == 404 and r.json()["error"] == "Not Found"
    assert r.json()["message"].startswith("service_id ") and r.json()["message"].endswith(" not found")
    source = client.post(
        url, headers=auth, data={"destination": str(SALES_SANDBOX), "service_id": value, "disable_automations": "1"}
    )
    assert source.status_code == 404 and source.json()["message"].endswith(" not found")
    anonymize = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/anonymize",
        headers=auth,
        data={"destination_service_id": value, "disable_automations": "true"},
    )
    assert anonymize.status_code == 404 and anonymize.json()["message"].endswith(" not found")


# -- an archived service takes no writes into its org: seeding and anonymizing follow backup_now ---------------
def test_seed_and_anonymize_refuse_an_archived_destination(client: httpx.Client, auth: dict[str, str]) -> None:
    seed = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/seed",
        headers=auth,
        data={"destination": str(ARCHIVED), "disable_automations": "true"},
    )
    assert seed.status_code == 400
    assert seed.json() == {"error": "Bad Request", "message": f"service_id {ARCHIVED} is archived: it cannot be seeded"}
    anonymize = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/anonymize",
        headers=auth,
        data={"destination_service_id": str(ARCHIVED), "disable_automations": "true"},
    )
    assert anonymize.status_code == 400 and "archived" in anonymize.json()["message"]
    assert [j["title"] for j in client.get("/api/v1/jobs", headers=auth).json()] == []  # no job was started
    # an archived service's backups stay readable, so it may still be the source of a seed
    source = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/seed",
        headers=auth,
        data={"destination": str(SALES_SANDBOX), "service_id": str(ARCHIVED), "disable_automations": "true"},
    )
    assert source.status_code == 200, source.text


# -- the Edit Profile page says what the user reaches (README: master_admin = all Business Units) ------------
@pytest.mark.parametrize(
    ("user_id", "shown"),
    [(OWNER, "role master_admin, Business Units: all"), (SALES_ADMIN, "role admin, Business Units: Sales")],
)
def test_profile_page_names_the_business_units_reached(client: httpx.Client, user_id: int, shown: str) -> None:
    page = client.get("/own/profile").text
    found = re.search(r"name='_csrf' value='([^']+)'", page)
    assert found
    form = {"_csrf": found.group(1), "email": EMAILS[user_id], "password": PASSWORDS[user_id]}
    signed = client.post("/own/profile", data=form)
    assert signed.status_code == 200 and shown in signed.text


# -- the Own fault presets hit the regional API in both of its README forms ---------------------------------------
@pytest.mark.parametrize(
    ("preset", "status"), [("own.rate_limited", 429), ("own.unavailable", 503), ("own.propagation_delay", 401)]
)
@pytest.mark.parametrize("prefix", ["/api/v1", "/regions/app1/api/v1", "/regions/emea2/api/v1"])
def test_own_fault_presets_cover_the_regions_prefix(
    client: httpx.Client, auth: dict[str, str], preset: str, status: int, prefix: str
) -> None:
    """`mockown serve` prints the Own API as /regions/app1/api/v1/services: a client configured with that base URL
    must meet the 429 / 503 / propagation-delay 401 a test asked for, in the Own dialect, and only once."""
    assert client.post("/_mockown/faults", json={"preset": preset, "times": 1}).status_code == 201
    hit = client.get(f"{prefix}/services", headers=auth)
    assert hit.status_code == status and set(hit.json()) == {"error", "message"}
    assert client.get(f"{prefix}/services", headers=auth).status_code == 200


def test_propagation_delay_401_is_the_regional_apis_own_401(client: httpx.Client, auth: dict[str, str]) -> None:
    """The preset's refusal of a fresh token must read as the real one (body and WWW-Authenticate challenge), so a
    client that keys its retry on the challenge sees no difference."""
    real = client.get("/api/v1/services", headers={"Authorization": "Bearer not-a-token"})
    assert client.post("/_mockown/faults", json={"preset": "own.propagation_delay"}).status_code == 201
    fresh = client.get("/api/v1/services", headers=auth)
    assert (fresh.status_code, fresh.json()) == (401, real.json())
    assert fresh.headers.get("www-authenticate") == real.headers["www-authenticate"] == 'Bearer realm="own"'


# -- GDPR: an 18-character record id whose checksum is wrong is told so --------------------------------------
@pytest.mark.parametrize("path", ["forget", "rectify"])
def test_gdpr_record_id_with_a_wrong_checksum_names_the_checksum(
    client: httpx.Client, auth: dict[str, str], path: str
) -> None:
    """A hand-made 18-character id (`0065g00000000000AA`) was refused with "must be a 15 or 18 character Salesforce
    record id": it has 18. The message says what is wrong, and what the checksum of its first 15 would be."""
    data = {"record_id": "0065g00000000000AB", "table_name": "contacts", "field": "Email", "value": "x@example.test"}
    r = client.post(f"/api/v1/services/{SALES}/gdpr/{path}", headers=auth, data=data)
    assert r.status_code == 400
    message = r.json()["message"]
    assert "checksum" in message and "'AAA'" in message and "15 or 18 character" not in message
    short = client.post(f"/api/v1/services/{SALES}/gdpr/{path}", headers=auth, data={**data, "record_id": "003x"})
    assert short.json()["message"] == "record_id must be a 15 or 18 character Salesforce record id"


# -- a seed is as hidden as its source: its logs name the source service, backup, objects and counts ----------
def test_a_seed_from_a_service_outside_the_users_business_units_is_hidden(
    client: httpx.Client, auth: dict[str, str], login: Login
) -> None:
    """The owner seeds the Sales sandbox from the Support service (service_id): the Sales admin reaches the
    destination but not the source, whose backups answer them 403; the seed's poll, its job and the job list
    must not tell them the Support service's id, backup id, objects and record counts either."""
    started = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/seed",
        headers=auth,
        data={"destination": str(SALES_SANDBOX), "service_id": str(SUPPORT), "disable_automations": "true"},
    )
    assert started.status_code == 200, started.text
    seed_id, job_id = started.json()["id"], started.json()["job_id"]
    sales = login(SALES_ADMIN)
    assert client.get(f"/api/v1/services/{SUPPORT}/backups", headers=sales).status_code == 403
    poll = client.get(f"/api/v1/seeding/seed/{seed_id}", headers=sales)
    assert poll.status_code == 403 and str(SUPPORT) not in poll.text
    job = client.get(f"/api/v1/jobs/{job_id}", headers=sales)
    assert job.status_code == 403 and str(SUPPORT) not in job.text
    assert job_id not in [j["id"] for j in client.get("/api/v1/jobs", headers=sales).json()]
    # the owner, who reaches both, still follows it; a seed from the template's own source stays the admin's
    assert client.get(f"/api/v1/seeding/seed/{seed_id}", headers=auth).status_code == 200
    own_seed = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/seed",
        headers=sales,
        data={"destination": str(SALES_SANDBOX), "disable_automations": "true"},
    ).json()
    assert client.get(f"/api/v1/seeding/seed/{own_seed['id']}", headers=sales).status_code == 200
    assert client.get(f"/api/v1/jobs/{own_seed['job_id']}", headers=sales).status_code == 200


def test_an_anonymization_is_as_hidden_as_its_templates_source(
    client: httpx.Client, auth: dict[str, str], login: Login
) -> None:
    """Anonymizing the Support service with the Sales template from a backup logs the Sales backup it read: the
    Support user, who may not see the template (its source is Sales), may not read that job either."""
    started = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/anonymize",
        headers=auth,
        data={"destination_service_id": str(SUPPORT), "disable_automations": "true", "backup_id": "last"},
    )
    assert started.status_code == 200, started.text
    job_id = started.json()["job_id"]
    support = login(SUPPORT_USER)
    assert client.get("/api/v1/seeding/templates", headers=support).json() == []
    poll = client.get(f"/api/v1/seeding/anonymize/{job_id}", headers=support)
    assert poll.status_code == 403 and str(SALES) not in poll.text
    assert client.get(f"/api/v1/jobs/{job_id}", headers=support).status_code == 403
    assert client.get(f"/api/v1/seeding/anonymize/{job_id}", headers=auth).status_code == 200


# -- a field that takes one value, given several, is refused (not silently the first) -----------------------
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (f"/api/v1/services/{SALES}/backups/last/export", {"export_format": ["csv", "sql"]}, "export_format"),
        (
            f"/api/v1/seeding/templates/{TEMPLATE}/seed",
            {"destination": [SALES_SANDBOX, ARCHIVED], "disable_automations": True},
            "destination",
        ),
        (
            f"/api/v1/services/{SALES}/gdpr/forget",
            {"record_id": ["0033z000033pldQAAQ", "0035g9RTaTGi91lAWB"], "table_name": "contacts"},
            "record_id",
        ),
    ],
)
def test_a_single_valued_field_given_twice_is_refused(
    client: httpx.Client, auth: dict[str, str], path: str, body: dict[str, object], field: str
) -> None:
    """`export_format: ["csv", "sql"]` (or the form's export_format=csv&export_format=sql) exported CSV only and
    said nothing: a script that meant both formats learnt it from the files. Now 400, naming the field; a list
    field (`objects`, `list_of_objects`) still takes many."""
    as_json = client.post(path, headers=auth, json=body)
    assert as_json.status_code == 400 and as_json.json()["message"] == f"{field} takes one value, not a list"
    as_form = client.post(path, headers=auth, data={k: [str(x) for x in v] if isinstance(v, list) else str(v)
                                                   for k, v in body.items()})  # fmt: skip
    assert as_form.status_code == 400 and as_form.json()["message"] == f"{field} takes one value, not a list"
    assert client.get("/api/v1/jobs", headers=auth).json() == []


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/events?from=42001&from=1", "from"),
        (f"/api/v1/services/{SALES}/backups/last/objects/1/download?type=removed&type=all", "type"),
    ],
)
def test_a_query_parameter_given_twice_is_refused(
    client: httpx.Client, auth: dict[str, str], url: str, field: str
) -> None:
    """As in bodies: the first of two `from` cursors (or two download types) was used without a word."""
    r = client.get(url, headers=auth)
    expected = {"error": "Bad Request", "message": f"{field} takes one value, not a list"}
    assert (r.status_code, r.json()) == (400, expected)

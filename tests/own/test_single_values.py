"""6b32dea's rule (a field of one value given several times is 400 '<field> takes one value, not a list', not
silently its first value) for the one-value fields it missed: a seed's or anonymization's `backup_id` (which backup
is read) and GDPR rectify's `value` (what is written into the record)."""

from __future__ import annotations

import httpx
import pytest

from tests.own.conftest import EMAILS, OWNER, PASSWORDS, SALES, SALES_ADMIN, SALES_SANDBOX, TEMPLATE


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


# -- a field given in both the body and the query string (spec §1.3: S13 sends the legacy login in the query, S6 in
# the body; §9: v1 clients send forms): either place alone is read; the same value in both is that value; two
# different values are as ambiguous as a repeat, so 400 naming the field, never silently the body's -------------------
CONFLICTS = [
    (f"/api/v1/services/{SALES}/backups/last/export", {"export_format": "sql", "sql_dialect": "mysql"},
     {"sql_dialect": "postgresql"}),
    (f"/api/v1/services/{SALES}/backups/last/export", {"export_format": "csv", "objects": "accounts"},
     {"objects": "contacts"}),
    (f"/api/v1/seeding/templates/{TEMPLATE}/seed", {"destination": str(SALES_SANDBOX), "disable_automations": "true"},
     {"disable_automations": "false"}),
]  # fmt: skip


@pytest.mark.parametrize(("path", "body", "query"), CONFLICTS)
def test_a_field_with_different_values_in_body_and_query_is_refused(
    client: httpx.Client, auth: dict[str, str], path: str, body: dict[str, str], query: dict[str, str]
) -> None:
    (field,) = query
    expected = (400, {"error": "Bad Request", "message": f"{field} is given in the body and the query string with "
                                                            "different values"})  # fmt: skip
    for sent in ({"data": body}, {"json": body}):
        r = client.post(path, headers=auth, params=query, **sent)  # type: ignore[arg-type]
        assert (r.status_code, r.json()) == expected
    assert client.get("/api/v1/jobs", headers=auth).json() == []  # nothing was started
    same = client.post(path, headers=auth, params={field: body.get(field, query[field])}, data=body)
    assert same.status_code == 200, same.text  # the same value in both places is that value
    rest = {k: v for k, v in body.items() if k != field}
    assert client.post(path, headers=auth, params=query, data=rest).status_code == 200  # the query alone is read


def test_a_legacy_login_with_different_credentials_in_body_and_query_is_refused(client: httpx.Client) -> None:
    """S13 (query) and S6 (body) both work, and together when they agree; an e-mail in the body and another in the
    query string is 400, not a session for the body's user."""
    good = {"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]}
    other = {"email": EMAILS[SALES_ADMIN], "password": PASSWORDS[SALES_ADMIN]}
    for query, body in ((good, good), (good, None), (None, good)):
        assert client.post("/api/auth/v1/login", params=query, data=body).status_code == 200
    r = client.post("/api/auth/v1/login", params=other, data=good)
    assert (r.status_code, r.json()["message"]) == (
        400,
        "email is given in the body and the query string with different values",
    )


def test_a_field_the_endpoint_does_not_take_may_differ(client: httpx.Client, auth: dict[str, str]) -> None:
    """Fields an endpoint does not take are ignored (README 'Bodies'), in both places."""
    r = client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth, params={"note": "a"}, data={"note": "b"})
    assert r.status_code == 200, r.text

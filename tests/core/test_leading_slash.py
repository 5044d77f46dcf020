"""A doubled leading slash before Salesforce's `services/` (`//services/...`, as the sf CLI's Dev Hub check and old
jsforce send it) names the same resource (`mockown/http/routing.py`, tests/salesforce/test_double_slash.py). The
request pipeline in front of the router must read it as that resource too: the fault rules and presets that name
`/services/...`, the journal's org and path, and the Salesforce dialect of the pipeline's own refusals."""

from __future__ import annotations

import httpx

from tests.conftest import ORG
from tests.salesforce.helpers import password_token

ORIGIN = "http://testserver"
LIMITS = "/services/data/v51.0/limits"


def _token(client: httpx.Client) -> str:
    value: str = password_token(client).json()["access_token"]
    return value


def test_a_fault_rule_on_a_services_path_acts_on_its_doubled_slash_spelling(client: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {_token(client)}"}
    rule = client.post("/_mockown/faults", json={"path": "/services/data/*", "status": 503})
    assert rule.status_code in (200, 201), rule.text
    assert client.get(LIMITS, headers=auth).status_code == 503
    doubled = client.get(f"{ORIGIN}/{LIMITS}", headers=auth)
    assert doubled.url.raw_path.startswith(b"//services/")
    assert doubled.status_code == 503, doubled.text
    client.delete("/_mockown/faults")
    preset = client.post("/_mockown/faults", json={"preset": "salesforce.invalid_session"})
    assert preset.status_code in (200, 201), preset.text
    answer = client.get(f"{ORIGIN}/{LIMITS}", headers=auth)
    assert answer.status_code == 401 and answer.json()[0]["errorCode"] == "INVALID_SESSION_ID", answer.text


def test_the_journal_names_the_org_of_a_doubled_slash_request(client: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {_token(client)}"}
    assert client.get(f"{ORIGIN}/{LIMITS}", headers=auth).status_code == 200
    entries = client.get("/_mockown/journal", params={"path": LIMITS}).json()["entries"]
    assert [(e["path"], e["org"]) for e in entries] == [(LIMITS, ORG)]


def test_the_pipeline_refuses_a_doubled_slash_request_in_the_salesforce_dialect(client: httpx.Client) -> None:
    """A body over the limit is refused before the router: in the dialect of the resource it names."""
    single = client.post("/services/oauth2/token", content=b"x" * 2_000_000, headers={"Content-Type": "text/plain"})
    doubled = client.post(
        f"{ORIGIN}//services/oauth2/token", content=b"x" * 2_000_000, headers={"Content-Type": "text/plain"}
    )
    assert single.status_code == 413
    assert (doubled.status_code, doubled.headers["content-type"], doubled.text) == (
        single.status_code,
        single.headers["content-type"],
        single.text,
    )

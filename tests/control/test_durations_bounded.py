"""A duration that is infinite, NaN or longer than 1,000 years (`clock.LONGEST`) is refused where it comes in: a
seed's TTL or timeout was stored as given and `GET /_mockown/snapshot` answered 500 ("Out of range float values
are not JSON compliant"); the clock endpoint and the fault rules refuse it the same way."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

BAD = ["inf", "nan", "-inf", "1e300", 1e300, "999999999d"]


def _seed_app(client: httpx.Client, **app: Any) -> httpx.Response:
    document = {"salesforce": {"orgs": [{"apps": [{"client_id": "TtlApp", "client_secret": "s3cret", **app}]}]}}
    return client.post("/_mockown/seed", json=document)


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("field", ["refresh_token_ttl", "session_timeout"])
def test_a_seed_with_an_absurd_duration_is_refused_and_the_snapshot_still_answers(
    client: httpx.Client, field: str, bad: object
) -> None:
    before = client.get("/_mockown/snapshot").json()["store"]
    refused = _seed_app(client, refresh_token_policy="absolute", **{field: bad})
    assert refused.status_code == 400, refused.text
    assert "not a duration" in refused.text and field in refused.text
    after = client.get("/_mockown/snapshot")
    assert after.status_code == 200
    assert after.json()["store"] == before  # nothing of the refused seed was kept


def test_a_seed_with_a_long_but_sane_duration_is_kept(client: httpx.Client) -> None:
    made = _seed_app(client, refresh_token_policy="absolute", refresh_token_ttl="3650d")
    assert made.status_code == 201, made.text
    assert client.get("/_mockown/snapshot").status_code == 200


@pytest.mark.parametrize("bad", BAD)
def test_the_clock_refuses_an_absurd_step(client: httpx.Client, bad: object) -> None:
    before = client.get("/_mockown/clock").json()
    refused = client.post("/_mockown/clock", json={"advance": bad})
    assert refused.status_code == 400, refused.text
    assert client.get("/_mockown/clock").json()["frozen"] == before["frozen"]


@pytest.mark.parametrize("bad", ["inf", "nan", "1e300"])
def test_a_fault_rule_with_an_absurd_latency_is_refused(client: httpx.Client, bad: str) -> None:
    refused = client.post("/_mockown/faults", json={"path": "/services/oauth2/token", "latency": bad})
    assert refused.status_code == 400, refused.text
    assert "not a duration" in refused.text
    assert client.get("/_mockown/faults").json()["count"] == 0
    kept = client.post("/_mockown/faults", json={"path": "/services/oauth2/token", "latency": "2s"})
    assert kept.status_code == 201, kept.text

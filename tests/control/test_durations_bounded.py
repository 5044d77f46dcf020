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


@pytest.mark.parametrize("negative", [-5, -0.5, "-5", "-7200"])
@pytest.mark.parametrize("field", ["refresh_token_ttl", "session_timeout", "id_token_validity"])
def test_a_seed_with_a_negative_duration_is_refused_as_its_text_form_is(
    client: httpx.Client, field: str, negative: object
) -> None:
    """`session_timeout: -5` made every session dead at once while `-5m` was refused: a timeout or lifetime is 0
    seconds or more, however it is written."""
    before = client.get("/_mockown/snapshot").json()["store"]
    refused = _seed_app(client, **{"refresh_token_policy": "absolute", "refresh_token_ttl": "1h", field: negative})
    assert refused.status_code == 400, refused.text
    assert "not a duration" in refused.text and field in refused.text
    org = client.post("/_mockown/seed", json={"salesforce": {"orgs": [{"session_timeout": negative}]}})
    assert org.status_code == 400 and "session_timeout" in org.text, org.text
    assert client.get("/_mockown/snapshot").json()["store"] == before
    zero = _seed_app(client, session_timeout=0)  # 0 is a duration: sessions that end at once, as written
    assert zero.status_code == 201, zero.text


@pytest.mark.parametrize(
    ("table", "field"),
    [("sf_orgs", "session_timeout"), ("sf_apps", "session_timeout"), ("sf_apps", "refresh_token_ttl"),
     ("sf_apps", "id_token_validity")],
)  # fmt: skip
def test_a_restore_with_a_negative_duration_is_refused_as_the_seed_refuses_it(
    client: httpx.Client, table: str, field: str
) -> None:
    snapshot = client.get("/_mockown/snapshot").json()
    rows = snapshot["store"][table]
    rows[0][field] = -100
    refused = client.post("/_mockown/restore", json=snapshot)
    assert refused.status_code == 400, refused.text
    assert f"{table}[0].{field}" in refused.text and "0 seconds or more" in refused.text
    rows[0][field] = 0
    assert client.post("/_mockown/restore", json=snapshot).status_code == 200

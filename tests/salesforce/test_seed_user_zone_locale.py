"""A Salesforce user's `timezone` is an IANA zone name (the identity service answers it as `zoneinfo` / `timezone`
and computes `utcOffset` from it), its `locale` and `language` Salesforce's codes (`en_US`, `fr_FR_EURO`, `de`).
The seed took any text: `Not/AZone` came back as the user's `zoneinfo` with a `utcOffset` of 0. It refuses a zone
the time-zone database does not know and a locale or language not of that form, naming the field, nothing stored."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import zones

USER = "zone-user@x.test"
PASSWORD = "Zone-Passw0rd"


def _org(**fields: str) -> dict[str, Any]:
    users = [{"username": USER, "password": PASSWORD, **fields}]
    return {"salesforce": {"orgs": [{"users": users, "apps": [{"client_id": "ZoneApp", "client_secret": "Z1"}]}]}}


REFUSED = [
    ("timezone", "Not/AZone", "an IANA time-zone name the host's zone database knows"),
    ("timezone", "../../etc/passwd", "an IANA time-zone name the host's zone database knows"),
    ("timezone", "America", "an IANA time-zone name the host's zone database knows"),
    ("timezone", "Europe/Paris ", "an IANA time-zone name the host's zone database knows"),
    ("timezone", "europe/paris", "an IANA time-zone name the host's zone database knows"),
    ("locale", "en-US", "a Salesforce locale code"),
    ("locale", "x y", "a Salesforce locale code"),
    ("locale", "EN_us", "a Salesforce locale code"),
    ("language", "!!", "a Salesforce language code"),
    ("language", "english", "a Salesforce language code"),
]


@pytest.mark.parametrize(("field", "value", "what"), REFUSED)
def test_an_unknown_zone_locale_or_language_is_refused(client: httpx.Client, field: str, value: str, what: str) -> None:
    before = client.get("/_mockown/snapshot").json()["store"]
    answer = client.post("/_mockown/seed", json=_org(**{field: value}))
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_seed"
    assert answer.json()["message"].startswith(f"salesforce user {USER}: {field} {value!r} is not {what}")
    assert client.get("/_mockown/snapshot").json()["store"] == before


@pytest.mark.parametrize(
    ("zone", "locale", "language", "offset"),
    [
        ("Europe/Paris", "fr_FR_EURO", "en_US", 3_600_000),
        ("Asia/Kathmandu", "ne_NP", "en_GB", 20_700_000),
        ("America/Argentina/Buenos_Aires", "es_AR", "es", -10_800_000),
        ("Etc/GMT+5", "zh_CN_PINYIN", "zh_CN", -18_000_000),
    ],
)
def test_a_known_zone_and_codes_reach_userinfo(
    client: httpx.Client, zone: str, locale: str, language: str, offset: int
) -> None:
    answer = client.post("/_mockown/seed", json=_org(timezone=zone, locale=locale, language=language))
    assert answer.status_code == 201, answer.text
    form = {"grant_type": "password", "client_id": "ZoneApp", "client_secret": "Z1", "username": USER}
    token = client.post("/services/oauth2/token", data={**form, "password": PASSWORD}).json()["access_token"]
    info = client.get("/services/oauth2/userinfo", headers={"Authorization": f"Bearer {token}"}).json()
    assert (info["zoneinfo"], info["locale"], info["language"], info["utcOffset"]) == (zone, locale, language, offset)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(available_timezones()) or ["UTC"]))
def test_every_zone_of_the_database_is_taken(name: str) -> None:
    assert zones.is_zone(name)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_a_zone_taken_is_one_zoneinfo_loads(name: str) -> None:
    if zones.is_zone(name):
        ZoneInfo(name)  # no error

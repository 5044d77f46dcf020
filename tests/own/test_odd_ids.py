"""Odd ids in every GET path (negative, huge, non-numeric, unicode, padded): a 404/400/403/409 in the Own dialect
that changes nothing, never a 500; a path segment names an id exactly (`" 300001"` is not service 300001)."""

from __future__ import annotations

import json
import urllib.parse

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown.runtime import Runtime
from tests.own.conftest import SALES

PATHS = [
    "services/{x}",
    "services/{x}/backups",
    f"services/{SALES}/backups/{{x}}",
    f"services/{SALES}/backups/{{x}}/objects",
    f"services/{SALES}/backups/last/objects/{{x}}/download",
    "jobs/{x}",
    "seeding/seed/{x}",
    "seeding/anonymize/{x}",
]
ODD = st.one_of(
    st.text(min_size=1, max_size=20).filter(lambda s: s not in (".", "..")),
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(
        [" 300001", "300001 ", "300001\n", "\t420003", "+300001", "last ", "LAST", "0", "%", "\uff11", "3e5"]
    ),
)


def _state(runtime: Runtime) -> str:
    return json.dumps(runtime.store.dump(), sort_keys=True, default=str)


@pytest.mark.parametrize("padded", [" 300001", "300001 ", "300001%0A"])
def test_a_padded_service_id_names_no_service(client: httpx.Client, auth: dict[str, str], padded: str) -> None:
    r = client.get(f"/api/v1/services/{padded.replace(' ', '%20')}", headers=auth)
    assert r.status_code == 404 and r.json()["error"] == "Not Found"
    assert client.get(f"/api/v1/services/{SALES}/backups/%20last", headers=auth).status_code == 404
    assert client.get(f"/api/v1/services/{SALES}/backups/%20420003", headers=auth).status_code == 404


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(template=st.sampled_from(PATHS), odd=ODD)
def test_odd_ids_are_refused_in_the_own_dialect_without_a_change(
    client: httpx.Client, auth: dict[str, str], runtime: Runtime, template: str, odd: str
) -> None:
    before = _state(runtime)
    r = client.get("/api/v1/" + template.format(x=urllib.parse.quote(odd, safe="")), headers=auth)
    numeric = odd.isascii() and odd.isdigit()
    if r.status_code == 200:
        assert numeric or odd == "last", (template, odd)
        return
    assert r.status_code in (400, 403, 404, 409), r.text
    assert set(r.json()) == {"error", "message"}
    assert _state(runtime) == before

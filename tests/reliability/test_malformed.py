"""Malformed input on every API gets the documented error of that API's dialect (never a 5xx): bad JSON, a wrong
content type, invalid UTF-8, missing fields, huge fields, duplicate parameters, broken multipart, odd ids.

The expected shape of an error is the one the endpoint's own dialect renders (`mockown.errors.dialect_for`):
`{"error", "error_description"}` for the OAuth servers, `{"error", "message"}` for the Own API and the control
plane, `{"_v", "fault"}` for OCAPI, and so on; where the endpoint is in a contract, the answer must also be one
the contract documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.errors import dialect_for
from mockown.http.inprocess import in_process_client
from tests.security.test_body_limit import shape

from .support import OWNER, examples

APP = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
RUNTIME = APP.state.runtime
CLIENT = in_process_client(APP)
OWN_API_TOKEN = RUNTIME.own.generate_api_token(OWNER[2])
OWN_ACCESS = CLIENT.post(
    "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token",
    data={"grant_type": "refresh_token", "client_id": "0oa4c413eq8wwcEzP4h7", "refresh_token": OWN_API_TOKEN},
).json()["access_token"]
OWN_AUTH = {"Authorization": f"Bearer {OWN_ACCESS}"}

# (path, extra headers): one body-taking endpoint per dialect and host family
ENDPOINTS = [
    ("/services/oauth2/token", {}),
    ("/services/oauth2/introspect", {}),
    ("/services/oauth2/revoke", {}),
    ("/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token", {}),
    ("/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke", {}),
    ("/api/v1/services/300001/backups/last/export", OWN_AUTH),
    ("/regions/emea2/api/v1/services/300001/gdpr/forget", OWN_AUTH),
    ("/api/v1/seeding/templates/501/seed", OWN_AUTH),
    ("/api/auth/v1/login", {}),
    ("/own/profile", {}),
    ("/mc/mcmockowndemo000000000000000/v2/token", {}),
    ("/dwsso/oauth2/access_token", {}),
    ("/dw/oauth2/access_token", {}),
    ("/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2/token", {}),
    ("/_mockown/clock", {}),
    ("/_mockown/faults", {}),
]
REVOKE = "/services/oauth2/revoke"
HTML_PAGES = {"/own/profile"}  # a page: its refusals are the HTML sign-in page (401), body errors the Own dialect
FORM = "application/x-www-form-urlencoded"
MALFORMED: dict[str, tuple[bytes, str]] = {
    "bad JSON": (b'{"grant_type": "password", ', "application/json"),
    "JSON not an object": (b'["grant_type", "password"]', "application/json"),
    "wrong content type": (b"<grant_type>password</grant_type>", "application/xml"),
    "invalid UTF-8 form": (b"grant_type=pass\xff\xfeword&username=\xc3\x28", FORM),
    "invalid UTF-8 JSON": (b'{"grant_type": "\xff"}', "application/json"),
    "broken multipart": (b"--xyz\r\nContent-Disposition: form-data; name=\r\n\r\n", "multipart/form-data; boundary=b"),
    "multipart without boundary": (b"grant_type=password", "multipart/form-data"),
    "missing fields": (b"", FORM),
    "huge field": (b"grant_type=password&username=" + b"u" * 900_000, FORM),
    "many fields": (b"&".join(b"f%d=x" % i for i in range(2000)), FORM),
    "duplicate parameters": (b"grant_type=password&grant_type=refresh_token&client_id=a&client_id=b", FORM),
    "NUL bytes": (b"grant_type=pass%00word&client_id=\x00", FORM),
}


def expected(path: str, status: int) -> tuple[int, str, Any]:
    error = dialect_for(APP.state.dialects, path)(status, "Bad Request", "x").response()
    return shape(status, error.headers.get("content-type", ""), bytes(error.body))


def assert_dialect(path: str, r: httpx.Response) -> None:
    assert r.status_code < 500, r.text[:300]
    if path in HTML_PAGES and r.headers.get("content-type", "").startswith("text/html"):
        assert r.status_code in (200, 401) and "<form" in r.text
    elif path == REVOKE and r.headers.get("content-type", "").startswith(FORM):
        # the revoke endpoint's own refusal (no or an unknown token), urlencoded as Salesforce's (and jsforce reads)
        assert r.status_code == 400 and r.text == "error=invalid_token&error_description=invalid+token", r.text
    elif r.status_code >= 400:
        got = shape(r.status_code, r.headers.get("content-type", ""), r.content)
        assert got == expected(path, r.status_code), (got, r.text[:300])


@pytest.fixture(autouse=True)
def no_faults() -> Iterator[None]:
    """Each test starts without fault rules and with the clock where it was (the control plane is fuzzed too)."""
    RUNTIME.control.faults.clear()
    RUNTIME.control.reset_clock()
    yield


@pytest.mark.parametrize("kind", sorted(MALFORMED))
@pytest.mark.parametrize(("path", "headers"), ENDPOINTS, ids=[p for p, _ in ENDPOINTS])
def test_malformed_bodies(path: str, headers: dict[str, str], kind: str) -> None:
    body, content_type = MALFORMED[kind]
    r = CLIENT.post(path, content=body, headers={**headers, "Content-Type": content_type})
    assert_dialect(path, r)
    if kind in ("bad JSON", "invalid UTF-8 form", "invalid UTF-8 JSON", "broken multipart"):
        assert r.status_code in (400, 401, 403), r.text[:300]


@pytest.mark.parametrize(("path", "headers"), ENDPOINTS, ids=[p for p, _ in ENDPOINTS])
def test_duplicate_and_odd_query_parameters(path: str, headers: dict[str, str]) -> None:
    for query in ("a=1&a=2&grant_type=x&grant_type=y", "%ff%fe=%c3%28", "a" * 10_000 + "=1", "&&&==&"):
        r = CLIENT.post(f"{path}?{query}", content=b"", headers=headers)
        assert_dialect(path, r)


@settings(max_examples=examples(60, 1000), deadline=None, database=None)
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    body=st.binary(max_size=400),
    content_type=st.sampled_from([FORM, "application/json", "multipart/form-data; boundary=b", "text/plain", ""]),
)
def test_random_bytes(endpoint: tuple[str, dict[str, str]], body: bytes, content_type: str) -> None:
    RUNTIME.control.faults.clear()
    RUNTIME.control.reset_clock()
    path, headers = endpoint
    r = CLIENT.post(path, content=body, headers={**headers, "Content-Type": content_type})
    assert_dialect(path, r)


# ids that look like numbers to a careless check: non-ASCII digits, signs, spaces, huge values
ODD_IDS = ["\u00b9", "\u0663", "\uff11\uff12", "-1", "+1", " 1", "1e3", "9" * 40, "0x10", "%00", "1;2"]


@pytest.mark.parametrize("odd", ODD_IDS)
def test_odd_ids_in_paths_are_unknown_ids(odd: str) -> None:
    from urllib.parse import quote

    segment = quote(odd, safe="")
    for path in (
        f"/api/v1/services/{segment}",
        f"/api/v1/services/300001/backups/{segment}",
        f"/api/v1/services/300001/backups/{segment}/objects",
        f"/api/v1/jobs/{segment}",
        f"/api/v1/seeding/seed/{segment}",
        f"/regions/{segment}/api/v1/services",
    ):
        r = CLIENT.get(path, headers=OWN_AUTH)
        assert r.status_code in (400, 404), (path, r.status_code, r.text[:200])
        assert_dialect(path, r)
    for path in (f"/services/data/v62.0/sobjects/User/{segment}", f"/id/{segment}/{segment}"):
        assert CLIENT.get(path, headers=OWN_AUTH).status_code < 500


def test_the_shapes_compared_are_the_dialects() -> None:
    assert expected("/services/oauth2/token", 400)[2][:2] == ["error", "error_description"]
    assert expected("/api/v1/services", 404)[2] == ["error", "message"]
    assert json.loads(CLIENT.post("/api/v1/services/300001/backup_now", content=b"{").content) is not None


@pytest.mark.parametrize("char", ["%0A", "%0D", "%00", "%09", "%7F"])
@pytest.mark.parametrize(
    "path",
    ["/services/data/", "/services/oauth2/token", "/api/v1/services/", "/id/", "/_mockown/health", "/mc/x/v2/token"],
)
def test_control_characters_in_paths_are_no_resource(path: str, char: str) -> None:
    """Starlette's route patterns end in `$`, which also matches before a final newline: such paths are 404."""
    for method in ("GET", "POST"):
        r = CLIENT.request(method, path + char)
        assert r.status_code == 404, (method, path + char, r.status_code, r.text[:200])
        assert_dialect(path, r)


@pytest.mark.parametrize(
    "body",
    [
        {"set": 1e15},
        {"set": -1e15},
        {"freeze": "inf"},
        {"freeze": "nan"},
        {"advance": "99999999999d"},
        {"set": "9999-12-31T23:59:59Z", "advance": "2d"},
    ],
)
def test_the_clock_refuses_instants_it_cannot_show(body: dict[str, object]) -> None:
    r = CLIENT.post("/_mockown/clock", json=body)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request", r.text
    assert CLIENT.get("/_mockown/clock").json()["iso"].startswith("2026-01-01")


@pytest.mark.parametrize(
    "rule",
    [
        {"status": 503, "from": 1e15},
        {"status": 503, "until": -1e15},
        {"status": 503, "from": "inf"},
        {"status": 503, "for": "99999999999999d"},
    ],
)
def test_fault_windows_beyond_the_clock_are_refused(rule: dict[str, object]) -> None:
    r = CLIENT.post("/_mockown/faults", json=rule)
    assert r.status_code == 400 and r.json()["error"] == "invalid_fault", r.text


def test_a_snapshot_with_an_impossible_clock_is_refused_whole() -> None:
    snapshot = CLIENT.get("/_mockown/snapshot").json()
    before = len(snapshot["store"])
    snapshot["clock"] = {"now": 1e16, "frozen": True, "offset": 0}
    snapshot["store"] = {}
    r = CLIENT.post("/_mockown/restore", json=snapshot)
    assert r.status_code == 400, r.text
    assert len(CLIENT.get("/_mockown/snapshot").json()["store"]) == before  # nothing was restored

"""A compressed body on the regional Own API (and the legacy login) is read as the SOAP API reads one: gzip, x-gzip
and deflate are undone, `identity` is nothing, any other coding is 415 in the Own dialect, data that is not what it
says is 400, and a body that grows past the limit once decoded is 413. Before, the coded bytes were read as the form:
a misleading 400 "the body is not valid UTF-8"."""

from __future__ import annotations

import gzip
import json
import zlib

import httpx
import pytest

from tests.own.conftest import EMAILS, OWNER, PASSWORDS, SALES

EXPORT = f"/api/v1/services/{SALES}/backups/last/export"
FORM = "application/x-www-form-urlencoded"
CODERS = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,
    "identity": lambda data: data,
    "deflate, gzip": lambda data: gzip.compress(zlib.compress(data)),  # applied in the order listed
}


def _export_title(client: httpx.Client, auth: dict[str, str], response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    job = client.get(f"/api/v1/jobs/{response.json()['job_id']}", headers=auth)
    return str(job.json()["title"])


@pytest.mark.parametrize("coding", list(CODERS))
@pytest.mark.parametrize("prefix", ["", "/regions/app1"])
def test_a_compressed_form_is_read(client: httpx.Client, auth: dict[str, str], coding: str, prefix: str) -> None:
    for fmt in ("csv", "sql"):
        body = CODERS[coding](f"export_format={fmt}&sql_dialect=postgresql".encode())
        headers = {**auth, "Content-Type": FORM, "Content-Encoding": coding}
        r = client.post(prefix + EXPORT, content=body, headers=headers)
        assert fmt in _export_title(client, auth, r).lower()


def test_a_compressed_json_or_multipart_body_is_read(client: httpx.Client, auth: dict[str, str]) -> None:
    data = json.dumps({"export_format": "csv"}).encode()
    r = client.post(
        EXPORT,
        content=gzip.compress(data),
        headers={**auth, "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert "csv" in _export_title(client, auth, r).lower()
    multipart = httpx.Request("POST", "http://x/", files={"export_format": (None, "csv")})
    body = multipart.read()
    headers = {**auth, "Content-Type": multipart.headers["content-type"], "Content-Encoding": "gzip"}
    r = client.post(EXPORT, content=gzip.compress(body), headers=headers)
    assert "csv" in _export_title(client, auth, r).lower()


def test_a_compressed_legacy_login_is_read(client: httpx.Client) -> None:
    form = f"email={EMAILS[OWNER]}&password={PASSWORDS[OWNER]}".encode()
    r = client.post(
        "/api/auth/v1/login", content=gzip.compress(form), headers={"Content-Type": FORM, "Content-Encoding": "gzip"}
    )
    assert r.status_code == 200 and "session_id" in r.json(), r.text


@pytest.mark.parametrize(
    ("coding", "body", "status", "message"),
    [
        ("br", b"export_format=csv", 415, "unsupported Content-Encoding 'br': send gzip, deflate or none"),
        ("gzip, compress", gzip.compress(b"export_format=csv"), 415, "unsupported Content-Encoding 'compress'"),
        ("gzip", b"export_format=csv", 400, "the body is not valid gzip data"),
        ("gzip", gzip.compress(b"a" * (1024 * 1024 + 1)), 413, "request body larger than 1048576 bytes once decoded"),
    ],
    ids=["unknown", "unknown in a list", "not gzip", "too large once decoded"],
)
def test_a_body_that_cannot_be_decoded_is_refused_in_the_own_dialect(
    client: httpx.Client, auth: dict[str, str], coding: str, body: bytes, status: int, message: str
) -> None:
    r = client.post(EXPORT, content=body, headers={**auth, "Content-Type": FORM, "Content-Encoding": coding})
    assert r.status_code == status, r.text
    assert set(r.json()) == {"error", "message"} and r.json()["message"].startswith(message)
    assert client.get("/api/v1/jobs", headers=auth).json() == []  # nothing was started

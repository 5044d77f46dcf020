"""Compressed SOAP requests: Salesforce takes `Content-Encoding: gzip` (or `deflate`) bodies, and its Java WSC client
(Data Loader) gzips every request by default (`ConnectorConfig.compression`). The body is decoded before expat reads
it, within `max_body_bytes` once decoded (a small bomb is refused with 413), by `http.forms.decode_content`."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
import zlib
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockown.http.forms import BadBody, decode_content
from mockown.runtime import Runtime
from tests.conftest import ADMIN, PASSWORD
from tests.salesforce.test_soap_login import HEADERS, NS, TOKEN, fault, fault_any, login_envelope, rest


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-15)
    return packer.compress(data) + packer.flush()


CODERS = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,  # RFC 9110 8.4.1.2: the zlib format
    "Deflate": raw_deflate,  # what some clients send as deflate; the coding's name is case-insensitive
}


def post(client: httpx.Client, body: bytes, encoding: str, **headers: str) -> httpx.Response:
    return client.post(
        "/services/Soap/u/59.0", content=body, headers={**HEADERS, "Content-Encoding": encoding, **headers}
    )


@pytest.mark.parametrize("coding", list(CODERS))
def test_a_compressed_login_succeeds_and_its_session_works(client: httpx.Client, coding: str) -> None:
    envelope = login_envelope(ADMIN, PASSWORD + TOKEN).encode()
    r = post(client, CODERS[coding](envelope), coding)
    assert r.status_code == 200, r.text
    session = ET.fromstring(r.content).findtext("s:Body/p:loginResponse/p:result/p:sessionId", namespaces=NS)
    assert session and rest(client, session).status_code == 200


def test_a_compressed_wrong_password_is_invalid_login(client: httpx.Client) -> None:
    r = post(client, gzip.compress(login_envelope(ADMIN, "wrong").encode()), "gzip")
    assert fault(r)[0] == "sf:INVALID_LOGIN"


def test_codings_are_undone_from_the_last_and_identity_is_none(client: httpx.Client) -> None:
    envelope = login_envelope(ADMIN, PASSWORD + TOKEN).encode()
    twice = gzip.compress(zlib.compress(envelope))
    assert post(client, twice, "deflate, identity, gzip").status_code == 200
    assert post(client, envelope, "identity").status_code == 200


def test_a_small_bomb_is_refused_past_the_limit(client: httpx.Client, runtime: Runtime) -> None:
    limit = runtime.config.max_body_bytes
    bomb = gzip.compress(b" " * (limit + 1))
    assert len(bomb) < limit // 100
    r = post(client, bomb, "gzip")
    assert r.status_code == 413 and fault_any(r)[0] == "soapenv:Client"
    r = post(client, gzip.compress(b" " * limit), "gzip")  # exactly the limit: read, then refused as no XML
    assert r.status_code == 500 and "larger" not in fault_any(r)[1]


@pytest.mark.parametrize(
    ("body", "coding", "status"),
    [
        (b"<a/>", "br", 415),
        (b"<a/>", "gzip, compress", 415),
        (b"<a/>", "gzip", 400),  # not gzip at all
        (gzip.compress(b"<a/>" * 100)[:-12], "gzip", 400),  # cut short
        (zlib.compress(b"<a/>") + b"more", "deflate", 400),  # data past the end
        (b"", "gzip", 400),
    ],
    ids=["unknown", "one-unknown", "not-gzip", "truncated", "trailing", "empty"],
)
def test_undecodable_bodies_are_client_faults(client: httpx.Client, body: bytes, coding: str, status: int) -> None:
    r = post(client, body, coding)
    assert r.status_code == status and fault_any(r)[0] == "soapenv:Client", r.text


@given(st.binary(max_size=4000), st.sampled_from(sorted(CODERS)))
def test_decode_content_undoes_each_coding(data: bytes, coding: str) -> None:
    assert decode_content(CODERS[coding](data), coding, 4000) == data


@given(st.lists(st.binary(max_size=300), min_size=1, max_size=4))
def test_every_gzip_member_is_read(parts: list[bytes]) -> None:
    assert decode_content(b"".join(gzip.compress(p) for p in parts), "gzip", 1200) == b"".join(parts)


@given(st.binary(min_size=1, max_size=2000), st.sampled_from(sorted(CODERS)), st.integers(0, 2000))
def test_decoded_past_the_limit_is_413(data: bytes, coding: str, limit: int) -> None:
    encoded = CODERS[coding](data)
    if len(data) <= limit:
        assert decode_content(encoded, coding, limit) == data
    else:
        with pytest.raises(BadBody) as raised:
            decode_content(encoded, coding, limit)
        assert raised.value.status == 413


def test_members_are_read_in_bounded_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """A body of many tiny gzip members: zlib copies what it was given beyond a member's end, so handing it the whole
    rest for each member cost quadratic time (1 MiB: ~1 s of the event loop; 2 MiB: ~9 s). No call gets more
    than `INFLATE_STEP` bytes, and every member is still read."""
    fed: list[int] = []
    real = zlib.decompressobj

    class Recording:
        def __init__(self, **kwargs: Any) -> None:
            self.inner = real(**kwargs)

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            fed.append(len(data))
            return self.inner.decompress(data, max_length)

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

    monkeypatch.setattr(zlib, "decompressobj", Recording)
    body = gzip.compress(b"x") * 20_000  # ~420 KB
    assert decode_content(body, "gzip", 10**6) == b"x" * 20_000
    assert max(fed) <= 64 * 1024 < len(body)  # forms.INFLATE_STEP

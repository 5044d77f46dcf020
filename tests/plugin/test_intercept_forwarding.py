"""Intercept mode against a server on a socket (external mode): what the forwarded request keeps of the client's."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import requests

from mockown import Config, FrozenClock, MockownServer, create_app
from mockown.http.inprocess import in_process_client
from mockown.testing import intercept
from mockown.tls import CA_CERT
from tests.persistence.servers import serve
from tests.plugin.support import run_async
from tests.server_support import non_loopback_address

TOKEN_URL = "https://login.salesforce.com/services/oauth2/token"
FORM = (
    b"grant_type=password&client_id=3MVG9MockownDemoConsumerKey0000000000000000000000000000000000000000000000000000000"
    b"&client_secret=MOCKOWNDEMOSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
    b"&username=admin%40mockown.test&password=Passw0rd%21"
)
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}


def chunks() -> Iterator[bytes]:
    yield FORM[:40]
    yield FORM[40:]


async def async_chunks() -> AsyncIterator[bytes]:
    yield FORM[:40]
    yield FORM[40:]


def test_streamed_request_bodies_are_forwarded() -> None:
    """A streamed httpx body is sent chunked (`Transfer-Encoding: chunked`); the interceptor buffers it and sends it
    with a Content-Length, so it must not forward the chunked header too (a server refuses both: 400, or the
    connection closed)."""

    async def via_async() -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.post(TOKEN_URL, content=async_chunks(), headers=FORM_TYPE)

    with MockownServer(create_app(Config())) as server, intercept(server.url):
        sync = httpx.post(TOKEN_URL, content=chunks(), headers=FORM_TYPE)
        asynchronous = run_async(via_async())
        via_requests = requests.post(TOKEN_URL, data=chunks(), headers=FORM_TYPE)
    for answer in (sync, asynchronous, via_requests):
        assert answer.status_code == 200, answer.text
        assert answer.json()["instance_url"] == "https://login.salesforce.com"


def test_the_callers_tls_settings_hold_for_an_https_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Against `mockown serve --tls`, the forward keeps what the caller trusts: `requests`' `verify=` (and the
    `REQUESTS_CA_BUNDLE` a session resolves into it) and client `cert=`, httpx's client `verify=`; a caller that
    does not trust the CA is still refused."""
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(variable, raising=False)
    keys = "https://login.salesforce.com/id/keys"
    with serve(tmp_path, ["--tls"], {"MOCKOWN_TLS_DIR": str(tmp_path / "tls")}, https=True) as server:
        ca = str(tmp_path / "tls" / CA_CERT)
        context = ssl.create_default_context(cafile=ca)

        async def via_async() -> int:
            async with httpx.AsyncClient(verify=context) as client:
                return (await client.get(keys)).status_code

        with intercept(server.base):
            assert requests.get(keys, verify=ca, timeout=10).status_code == 200
            with httpx.Client(verify=context) as client:
                assert client.get(keys).status_code == 200
            assert run_async(via_async()) == 200
            with pytest.raises(requests.exceptions.SSLError):
                requests.get(keys, timeout=10)  # certifi's bundle: the local CA is not in it
            with pytest.raises(httpx.ConnectError), httpx.Client() as untrusting:
                untrusting.get(keys)
            with pytest.raises(OSError, match="TLS certificate"):  # the client certificate is used: it must exist
                requests.get(keys, verify=ca, cert=str(tmp_path / "missing.pem"), timeout=10)
            monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)
            with requests.Session() as session:
                assert session.get(keys, timeout=10).status_code == 200


DISCOVERY = "/.well-known/openid-configuration"


def test_the_scheme_the_client_used_reaches_a_server_beyond_loopback() -> None:
    """A server reached on a non-loopback address (a CI service container sees the Docker gateway's, not
    127.0.0.1), where uvicorn does not trust `X-Forwarded-Proto`: the URLs it answers with still carry the scheme
    the intercepted client used, from every client kind."""
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    admin = "adm1n-token-for-the-scheme-test"

    async def via_async() -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.post(TOKEN_URL, content=FORM, headers=FORM_TYPE)

    with (
        MockownServer(create_app(Config(admin_token=admin)), host="0.0.0.0") as server,
        intercept(f"http://{address}:{server.port}", admin_token=admin),
    ):
        answers = [
            requests.post(TOKEN_URL, data=FORM, headers=FORM_TYPE, timeout=10),
            httpx.post(TOKEN_URL, content=FORM, headers=FORM_TYPE),
            run_async(via_async()),
        ]
        discovery = requests.get("https://login.salesforce.com" + DISCOVERY, timeout=10).json()
        plain = httpx.get("http://login.salesforce.com" + DISCOVERY).json()  # the scheme used, either way
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.json()["instance_url"] == "https://login.salesforce.com"
        assert answer.json()["id"].startswith("https://login.salesforce.com/id/")
    assert discovery["issuer"] == "https://login.salesforce.com"
    assert plain["issuer"] == "http://login.salesforce.com"


@pytest.mark.parametrize("base_url", ["http://192.0.2.10:8080", "https://10.1.2.3"])
def test_the_scheme_header_names_the_scheme_and_nothing_else(base_url: str) -> None:
    """`X-Mockown-Scheme` (what the interceptor sends) sets the scheme of the URLs in the answer, whatever the
    connection's; another value is ignored; it opens no control plane on a non-loopback address."""
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    connection, host = base_url.split("://", 1)
    with in_process_client(app, base_url=base_url) as client:
        for sent in ("https", "http", "ftp", "HTTPS ", None):
            headers = {"X-Mockown-Scheme": sent} if sent else {}
            expected = sent if sent in ("http", "https") else connection
            assert client.get(DISCOVERY, headers=headers).json()["issuer"] == f"{expected}://{host}", sent
        for sent in ("https", "http"):
            locked = client.get("/_mockown/health", headers={"X-Mockown-Scheme": sent})
            assert locked.status_code == 403 and "admin token" in locked.json()["message"]

"""Intercept mode: real `requests` sessions, `httpx` clients and the released simple-salesforce, unmodified."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce

from mockown import Config, MockownServer, create_app
from mockown.testing import INTERCEPTED_HOSTS, Mockown, intercept
from mockown.testing.hosts import HostMatcher
from tests.plugin.support import run_async

DEMO_CID = "3MVG9MockownDemoConsumerKey0000000000000000000000000000000000000000000000000000000"
DEMO_SECRET = "MOCKOWNDEMOSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"


def test_host_patterns() -> None:
    matches = HostMatcher()
    for host in ("login.salesforce.com", "test.salesforce.com", "acme.my.salesforce.com",
                 "acme--uat.sandbox.my.salesforce.com", "auth.owndata.com", "emea2.owndata.com",
                 "app1.ownbackup.com", "LOGIN.Salesforce.com", "mc123.auth.marketingcloudapis.com"):  # fmt: skip
        assert matches(host), host
    for host in ("salesforce.com", "developer.salesforce.com", "owndata.com", "evilowndata.com",
                 "my.salesforce.com.evil.test", "example.com", "127.0.0.1", None, ""):  # fmt: skip
        assert not matches(host), host


def test_every_certificate_name_of_the_tls_mode_is_intercepted() -> None:
    """`mockown serve --tls` signs the names intercept mode sends to the mock: the two lists agree."""
    from mockown.tls import HOST_NAMES

    matches = HostMatcher()
    loopback = {"localhost", "127.0.0.1", "::1"}
    wide = {"*.salesforce.com", "*.force.com"}  # on the certificate, but not every such host is the mock's
    for name in set(HOST_NAMES) - loopback - wide:
        assert matches(name.replace("*", "x")), name
    assert set(INTERCEPTED_HOSTS) <= set(HOST_NAMES) | {"auth.exacttargetapis.com", "auth-test.exacttargetapis.com"}


def test_requests_session_and_httpx_reach_the_mock_with_the_real_host(mockown_intercept: Mockown) -> None:
    mock = mockown_intercept
    session = requests.Session()
    token = session.post(
        "https://login.salesforce.com/services/oauth2/token",
        data={"grant_type": "password", "client_id": mock.app["client_id"], "client_secret": mock.app["client_secret"],
              "username": mock.user["username"], "password": mock.user["password"]},
    ).json()  # fmt: skip
    assert token["instance_url"] == "https://login.salesforce.com"  # the mock saw the host and scheme used
    with httpx.Client() as client:
        limits = client.get(token["instance_url"] + "/services/data/v62.0/limits",
                            headers={"Authorization": f"Bearer {token['access_token']}"})  # fmt: skip
    assert limits.status_code == 200 and "DailyApiRequests" in limits.json()
    own = httpx.post(
        "https://auth.owndata.com/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token",
        data={"grant_type": "refresh_token", "client_id": "0oa4c413eq8wwcEzP4h7", "refresh_token": mock.own_api_token},
    ).json()
    services = requests.get("https://app1.owndata.com/api/v1/services",
                            headers={"Authorization": f"Bearer {own['access_token']}"})  # fmt: skip
    assert services.status_code == 200 and services.json()[0]["org_id"] == mock.org_id
    hosts = [e["headers"]["host"] for e in mock.journal.entries()]
    assert hosts == ["login.salesforce.com", "login.salesforce.com", "auth.owndata.com", "app1.owndata.com"]


def test_b2c_instance_hosts_reach_the_mock() -> None:
    """The BM grant and OCAPI answer on an instance's own host (README's B2C table): an on-demand sandbox's
    `<realm>-<nnn>.dx.commercecloud.salesforce.com`, at any depth, is intercepted, and `--tls` signs the seed's."""
    from mockown.tls import HOST_NAMES

    matches = HostMatcher()
    for host in ("zzxy-001.dx.commercecloud.salesforce.com", "abcd-002.sandbox.us01.dx.commercecloud.salesforce.com"):
        assert matches(host), host
    for host in ("dx.commercecloud.salesforce.com", "commercecloud.salesforce.com", "x.dx.commercecloud.evil.test"):
        assert not matches(host), host
    assert "*.dx.commercecloud.salesforce.com" in HOST_NAMES  # a certificate wildcard: one label
    with intercept() as mock:  # the demo seed's instance
        guest = requests.post(
            "https://zzxy-001.dx.commercecloud.salesforce.com/s/RefArch/dw/shop/v24_5/customers/auth",
            json={"type": "guest"}, headers={"x-dw-client-id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, timeout=5,
        )  # fmt: skip
        hosts = [e.headers["host"] for e in mock.runtime.control.journal.entries()]
    assert guest.status_code == 200 and guest.headers["authorization"].startswith("Bearer ")
    assert hosts == ["zzxy-001.dx.commercecloud.salesforce.com"]


def test_requests_keeps_cookies_through_the_login_page(mockown_intercept: Mockown) -> None:
    """A browser-like `requests.Session` through the authorize flow: the anti-CSRF cookie must round-trip."""
    mock = mockown_intercept
    session = requests.Session()
    page = session.get(
        "https://login.salesforce.com/services/oauth2/authorize",
        params={
            "response_type": "code",
            "client_id": mock.app["client_id"],
            "redirect_uri": mock.app["callback_urls"][0],
        },
    )
    assert page.status_code == 200 and "mockown_bid" in session.cookies
    import html
    import re

    fields = {n: html.unescape(v) for n, v in re.findall(r"type='hidden' name='([^']*)' value='([^']*)'", page.text)}
    fields.update(username=mock.user["username"], password=mock.user["password"])
    done = session.post("https://login.salesforce.com/services/oauth2/authorize/login", data=fields,
                        allow_redirects=False)  # fmt: skip
    assert done.status_code == 302 and "code=" in done.headers["location"]


def test_other_hosts_are_left_alone() -> None:
    with MockownServer(create_app(Config(), seed=False)) as elsewhere, intercept() as mock:
        assert requests.get(elsewhere.urls.health).status_code == 200  # 127.0.0.1: the real socket
        assert httpx.get(elsewhere.urls.health).status_code == 200
        assert mock.control.get("journal")["count"] == 0
        assert len(elsewhere.runtime.control.journal) == 0  # control-plane calls are not journaled
        httpx.get(elsewhere.urls.openid_configuration)
        assert len(elsewhere.runtime.control.journal) == 1


def test_patches_are_undone_and_nest() -> None:
    originals = (HTTPAdapter.send, httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request)
    first_app, second_app = create_app(Config()), create_app(Config())
    with intercept(first_app):
        assert HTTPAdapter.send is not originals[0]
        with intercept(second_app, hosts=["login.salesforce.com"]):
            httpx.get("https://login.salesforce.com/id/keys")
            httpx.get("https://app1.owndata.com/api/v1/services")  # not the inner one's host: the outer's
        httpx.get("https://login.salesforce.com/id/keys")
    assert (
        HTTPAdapter.send,
        httpx.HTTPTransport.handle_request,
        httpx.AsyncHTTPTransport.handle_async_request,
    ) == originals
    assert [e.path for e in second_app.state.runtime.control.journal.entries()] == ["/id/keys"]
    assert [e.path for e in first_app.state.runtime.control.journal.entries()] == ["/api/v1/services", "/id/keys"]


@intercept()
def test_decorator_with_the_demo_seed() -> None:
    answer = requests.post(
        "https://login.salesforce.com/services/oauth2/token",
        data={"grant_type": "password", "client_id": DEMO_CID, "client_secret": DEMO_SECRET,
              "username": "admin@mockown.test", "password": "Passw0rd!"},
    )  # fmt: skip
    assert answer.status_code == 200 and answer.json()["id"].endswith("/005g000000Adm1NAAR")


@intercept()
async def fetch_discovery() -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        answer = await client.get("https://test.salesforce.com/.well-known/openid-configuration")
    return dict(answer.json())


def test_decorator_on_a_coroutine_function_and_async_httpx() -> None:
    assert run_async(fetch_discovery())["issuer"] == "https://test.salesforce.com"


def test_app_errors_reach_the_caller_through_requests(
    mockown_intercept: Mockown, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise LookupError("the app broke")

    monkeypatch.setattr(mockown_intercept.runtime.salesforce, "login", broken)
    with pytest.raises(LookupError, match="the app broke"):
        requests.post("https://login.salesforce.com/services/oauth2/token",
                      data={"grant_type": "password", "username": "a", "password": "b",
                            "client_id": mockown_intercept.app["client_id"],
                            "client_secret": mockown_intercept.app["client_secret"]})  # fmt: skip


def test_external_target_keeps_the_host_and_the_scheme() -> None:
    """Against a server on a socket (as with --mockown-url): forwarded with the original Host header and
    X-Forwarded-Proto, so URLs in answers still name https://login.salesforce.com."""
    with MockownServer(create_app(Config())) as server, intercept(server.url):
        via_requests = requests.get("https://login.salesforce.com/.well-known/openid-configuration").json()
        via_httpx = httpx.get("https://acme.my.salesforce.com/.well-known/openid-configuration").json()

        async def via_async() -> Any:
            async with httpx.AsyncClient() as client:
                return (await client.get("https://emea2.owndata.com/api/v1/services")).status_code

        status = run_async(via_async())
        entries = server.runtime.control.journal.entries()
    assert via_requests["issuer"] == "https://login.salesforce.com"
    assert via_httpx["token_endpoint"] == "https://acme.my.salesforce.com/services/oauth2/token"
    assert status == 401  # the Own API answered (no token)
    assert [e.headers["host"] for e in entries] == [
        "login.salesforce.com",
        "acme.my.salesforce.com",
        "emea2.owndata.com",
    ]


@pytest.mark.mockown(session_timeout="15m")
def test_simple_salesforce_unmodified_from_login_to_refresh(mockown_intercept: Mockown) -> None:
    """The released simple-salesforce, through intercept mode: username-password OAuth login at
    login.salesforce.com, a REST call, the session times out on the virtual clock, the next call gets
    INVALID_SESSION_ID, simple-salesforce logs in again by itself and the call succeeds."""
    mock = mockown_intercept
    sf = Salesforce(
        username=mock.user["username"],
        password=mock.user["password"],
        consumer_key=mock.app["client_id"],
        consumer_secret=mock.app["client_secret"],
    )
    assert sf.sf_instance == "login.salesforce.com"
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000
    first_session = sf.session_id
    mock.clock.advance("16m")  # past the app's session timeout
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000
    assert sf.session_id != first_session
    calls = [(e["method"], e["path"], e["status"]) for e in mock.journal.entries()]
    assert calls == [
        ("POST", "/services/oauth2/token", 200),
        ("GET", "/services/data/v59.0/limits/", 200),
        ("GET", "/services/data/v59.0/limits/", 401),
        ("POST", "/services/oauth2/token", 200),
        ("GET", "/services/data/v59.0/limits/", 200),
    ]

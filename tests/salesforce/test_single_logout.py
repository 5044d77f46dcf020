"""OpenID Connect front-channel Single Logout with Salesforce as the provider: a connected app's Single Logout URL,
the apps a browser session signed in to, and the logout page that loads each URL in a hidden iframe."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app
from mockown.config import ConfigError, SalesforceSettings
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from mockown.salesforce import web
from mockown.salesforce.seed import seed_org
from mockown.seed import SeedError
from tests.conftest import T0

LOGOUT = "/services/auth/idp/oidc/logout"
LOGOUT_JSP = "/secur/logout.jsp"
AUTHORIZE = "/services/oauth2/authorize"
USER, PASSWORD = "slo@slo.test", "Slo-Passw0rd"
OTHER_USER = "other@slo.test"
SLO_A = "https://a.example/slo?x=1&y=<2>"  # to be HTML-escaped in the page
SLO_B = "https://b.example/logout"
APPS: list[dict[str, Any]] = [
    {"client_id": "SloAppA", "callback_urls": ["https://a.example/cb"], "single_logout_url": SLO_A},
    {"client_id": "SloAppB", "callback_urls": ["https://b.example/cb"], "single_logout_url": SLO_B,
     "auto_approve": False},
    {"client_id": "PlainApp", "callback_urls": ["https://c.example/cb"]},
    {"client_id": "SloAppD", "callback_urls": ["myapp://cb"], "single_logout_url": SLO_B},  # same URL as B
]  # fmt: skip


def _seed(runtime: Runtime) -> None:
    users = [{"username": USER, "password": PASSWORD}, {"username": OTHER_USER, "password": PASSWORD}]
    seed_org(runtime, {"name": "SLO Org", "users": users, "apps": APPS})


@pytest.fixture
def slo(runtime: Runtime) -> Runtime:
    _seed(runtime)
    return runtime


# -- the browser's side --------------------------------------------------------------------------------
def _hidden(page: str) -> dict[str, str]:
    return {html.unescape(n): html.unescape(v) for n, v in re.findall(r"name='([^']*)' value='([^']*)'", page)}


def _authorize(client: httpx.Client, client_id: str, response_type: str = "code", **extra: str) -> httpx.Response:
    app = next(a for a in APPS if a["client_id"] == client_id)
    params = {"response_type": response_type, "client_id": client_id, "redirect_uri": app["callback_urls"][0]}
    return client.get(AUTHORIZE, params={**params, **extra})


def _issued(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    parts = urlsplit(response.headers["location"])
    values = {k: v[0] for k, v in parse_qs(parts.query or parts.fragment).items()}
    assert "code" in values or "access_token" in values, values
    return values


def sign_in(client: httpx.Client, client_id: str, username: str = USER, response_type: str = "code") -> None:
    """Sign in to the app in this browser: log in on the login page (unless logged in), consent when asked."""
    response = _authorize(client, client_id, response_type)
    if response.status_code == 200 and "id='login'" in response.text:
        form = {**_hidden(response.text), "username": username, "password": PASSWORD}
        response = client.post("/services/oauth2/authorize/login", data=form)
    if response.status_code == 200 and "id='consent'" in response.text:
        response = client.post(
            "/services/oauth2/authorize/consent", data={**_hidden(response.text), "decision": "allow"}
        )
    _issued(response)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.frames: list[str] = []
        self.refresh: str | None = None
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "iframe":
            assert "hidden" in values
            self.frames.append(values["src"] or "")
        elif tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.refresh = values["content"]
        elif tag == "script":
            self.scripts += 1


def slo_page(response: httpx.Response) -> tuple[list[str], str]:
    """The Single Logout URLs the page loads and its refresh (`<delay>;url=<target>`)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    page = _Page()
    page.feed(response.text)
    assert page.refresh is not None and page.scripts == 0, response.text
    return page.frames, page.refresh


def logged_in(client: httpx.Client) -> bool:
    return "You are logged in as" in client.get("/").text


def cleared(response: httpx.Response) -> bool:
    cookie = response.headers.get("set-cookie", "")
    return 'sid=""' in cookie or "sid=;" in cookie


# -- the logout page --------------------------------------------------------------------------------------
def test_logout_loads_the_single_logout_url_of_each_app_of_the_session(client: httpx.Client, slo: Runtime) -> None:
    sign_in(client, "SloAppA")  # the login page, auto-approved
    sign_in(client, "SloAppB")  # already logged in: the consent page
    sign_in(client, "PlainApp")  # no Single Logout URL
    sign_in(client, "SloAppA")  # again: one iframe still
    sign_in(client, "SloAppD", response_type="token")  # the user-agent flow; the same URL as B's
    params = {"client_id": "SloAppA", "post_logout_redirect_uri": "https://a.example/cb", "state": "s 1"}
    response = client.get(LOGOUT, params=params)
    frames, refresh = slo_page(response)
    assert frames == [SLO_A, SLO_B]  # sign-in order, each URL once; the app that asked is notified too
    assert "x=1&amp;y=&lt;2&gt;" in response.text  # HTML-escaped in the page
    assert refresh == "10;url=https://a.example/cb?state=s+1"  # goes on where the redirect would have gone
    assert "X-Frame-Options" in response.headers and response.headers["cache-control"] == "no-store"
    assert cleared(response) and not logged_in(client)


def test_without_a_valid_redirect_the_page_goes_on_to_the_login_page(client: httpx.Client, slo: Runtime) -> None:
    sign_in(client, "SloAppA")
    response = client.get(LOGOUT, params={"client_id": "SloAppA", "post_logout_redirect_uri": "https://evil.example/"})
    frames, refresh = slo_page(response)
    assert frames == [SLO_A] and refresh == "10;url=/"  # never an open redirect
    assert "Logged Out" in response.text


def test_a_posted_logout_with_an_id_token_hint_notifies_too(client: httpx.Client, slo: Runtime) -> None:
    sign_in(client, "SloAppD", response_type="token id_token")  # the ID token comes in the fragment
    fragment = parse_qs(urlsplit(_authorize(client, "SloAppD", "token id_token").headers["location"]).fragment)
    form = {"id_token_hint": fragment["id_token"][0], "post_logout_redirect_uri": "myapp://cb"}
    assert slo_page(client.post(LOGOUT, data=form)) == ([SLO_B], "10;url=myapp://cb")


def test_a_cross_site_posted_logout_goes_on_as_a_get_that_carries_the_session(
    client: httpx.Client, slo: Runtime
) -> None:
    """An RP's form POST from its own site comes without the SameSite=Lax `sid` cookie: the logout ended no
    session and notified no app. It is answered 303 to the GET form of the same logout (its parameters, the
    body's too), which the browser sends top-level, with the cookie."""
    sign_in(client, "SloAppA")
    sid = client.cookies.get("sid")
    assert sid is not None
    client.cookies.delete("sid")  # what the browser leaves out of a cross-site POST
    form = {"client_id": "SloAppA", "post_logout_redirect_uri": "https://a.example/cb", "state": "s 1"}
    response = client.post(LOGOUT + "?ui_locales=en", data=form)
    assert response.status_code == 303 and not cleared(response)
    target = urlsplit(response.headers["location"])
    assert target.path == LOGOUT and parse_qs(target.query) == {
        "ui_locales": ["en"],
        **{k: [v] for k, v in form.items()},
    }
    client.cookies.set("sid", sid)
    assert logged_in(client)  # the POST ended nothing
    page = client.get(response.headers["location"])
    assert slo_page(page) == ([SLO_A], "10;url=https://a.example/cb?state=s+1")
    assert cleared(page) and not logged_in(client)


def test_a_session_that_signed_in_to_no_slo_app_logs_out_as_before(client: httpx.Client, slo: Runtime) -> None:
    sign_in(client, "PlainApp")
    target = {"client_id": "PlainApp", "post_logout_redirect_uri": "https://c.example/cb", "state": "z"}
    response = client.get(LOGOUT, params=target)
    assert (response.status_code, response.headers["location"]) == (302, "https://c.example/cb?state=z")
    assert cleared(response) and not logged_in(client)
    sign_in(client, "PlainApp")
    page = client.get(LOGOUT)
    assert page.status_code == 200 and "iframe" not in page.text and "refresh" not in page.text


def test_the_slo_apps_are_notified_once(client: httpx.Client, slo: Runtime) -> None:
    sign_in(client, "SloAppA")
    copied = client.cookies["sid"]
    assert slo_page(client.get(LOGOUT))[0] == [SLO_A]
    client.cookies.set("sid", copied)  # the old cookie, sent again: the session has ended
    again = client.get(LOGOUT)
    assert again.status_code == 200 and "iframe" not in again.text
    assert slo.store.table(web.BrowserSessionApps).all() == []


def test_another_browsers_apps_are_not_notified(app: Starlette, client: httpx.Client, slo: Runtime) -> None:
    sign_in(client, "SloAppA")
    with in_process_client(app) as other:  # the same user in another browser
        sign_in(other, "SloAppB")
        assert slo_page(client.get(LOGOUT))[0] == [SLO_A]
        assert logged_in(other)
        assert slo_page(other.get(LOGOUT))[0] == [SLO_B]


def test_a_headless_authorize_for_another_user_is_not_the_sessions_app(client: httpx.Client, slo: Runtime) -> None:
    sign_in(client, "PlainApp")
    _issued(_authorize(client, "SloAppA", login_hint=OTHER_USER))  # the mock's login_hint shortcut, not this user
    assert client.get(LOGOUT).status_code == 200 and "iframe" not in client.get(LOGOUT).text
    sign_in(client, "PlainApp")
    _issued(_authorize(client, "SloAppA", login_hint=USER))  # this session's user: it signed in here
    assert slo_page(client.get(LOGOUT))[0] == [SLO_A]


def test_an_expired_session_notifies_no_app(client: httpx.Client, slo: Runtime, clock: FrozenClock) -> None:
    sign_in(client, "SloAppA")
    clock.advance(slo.config.salesforce.web_session_ttl)
    response = client.get(LOGOUT)
    assert response.status_code == 200 and "iframe" not in response.text
    assert slo.store.table(web.BrowserSessionApps).all() == []  # its entry went with it


def test_a_denied_consent_signs_in_to_nothing(client: httpx.Client, slo: Runtime) -> None:
    sign_in(client, "PlainApp")
    consent = _authorize(client, "SloAppB")
    denied = client.post("/services/oauth2/authorize/consent", data={**_hidden(consent.text), "decision": "deny"})
    assert "error=access_denied" in denied.headers["location"]
    assert "iframe" not in client.get(LOGOUT).text


def _app_with(**salesforce: Any) -> Iterator[tuple[httpx.Client, Runtime]]:
    app = create_app(Config(salesforce=SalesforceSettings(**salesforce)), clock=FrozenClock(T0))
    runtime: Runtime = app.state.runtime
    _seed(runtime)
    with in_process_client(app) as c:
        yield c, runtime


@pytest.mark.parametrize("delay", [0, 3])
def test_the_delay_is_a_setting(delay: int) -> None:
    for client, _ in _app_with(slo_redirect_delay=delay):
        sign_in(client, "SloAppA")
        assert slo_page(client.get(LOGOUT))[1] == f"{delay};url=/"


def test_a_negative_delay_is_refused() -> None:
    with pytest.raises(ConfigError, match="slo_redirect_delay"):
        create_app(Config(salesforce=SalesforceSettings(slo_redirect_delay=-1)))


# -- /secur/logout.jsp --------------------------------------------------------------------------------------
def test_logout_jsp_ends_the_session_and_goes_to_the_login_page(client: httpx.Client, slo: Runtime) -> None:
    sign_in(client, "PlainApp")
    response = client.get(LOGOUT_JSP)
    assert (response.status_code, response.headers["location"]) == (302, "/")
    assert cleared(response) and not logged_in(client)
    assert client.get(LOGOUT_JSP).headers["location"] == "/"  # logged out already: the login page too


def test_logout_jsp_notifies_the_slo_apps_first(client: httpx.Client, slo: Runtime) -> None:
    sign_in(client, "SloAppB")
    sign_in(client, "SloAppA")
    response = client.get(LOGOUT_JSP, params={"post_logout_redirect_uri": "https://a.example/cb"})  # no such thing
    assert slo_page(response) == ([SLO_B, SLO_A], "10;url=/")
    assert cleared(response) and not logged_in(client)


# -- seeding the Single Logout URL -------------------------------------------------------------------------
def _seed_slo(client: httpx.Client, url: Any) -> httpx.Response:
    return client.post("/_mockown/seed", json={"salesforce": {"orgs": [{"apps": [{"single_logout_url": url}]}]}})


@pytest.mark.parametrize(
    "url",
    ["http://rp.example/slo", "/slo", "rp.example/slo", "https://", "https:///slo", "ftp://rp.example/slo",
     "HTTPS://rp.example/slo", "https://rp.example:99999/slo", "https://rp.example/ slo", "javascript:alert(1)", 7],
)  # fmt: skip
def test_a_single_logout_url_must_be_absolute_https(client: httpx.Client, url: Any) -> None:
    response = _seed_slo(client, url)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_seed" and "single_logout_url" in response.json()["message"]


@pytest.mark.parametrize("url", [None, ""])
def test_no_single_logout_url_is_slo_off(client: httpx.Client, runtime: Runtime, url: str | None) -> None:
    response = _seed_slo(client, url)
    assert response.status_code == 201, response.text
    client_id = response.json()["salesforce"]["orgs"][0]["apps"][0]["client_id"]
    app = runtime.salesforce.app_by_client_id(client_id)
    assert app is not None and app.single_logout_url is None


def test_http_needs_the_mock_knob() -> None:
    for client, runtime in _app_with(slo_allow_http=True):
        response = _seed_slo(client, "http://127.0.0.1:5000/slo")
        assert response.status_code == 201, response.text
        assert _seed_slo(client, "ftp://rp.example/slo").status_code == 400
        client_id = response.json()["salesforce"]["orgs"][0]["apps"][0]["client_id"]
        app = runtime.salesforce.app_by_client_id(client_id)
        assert app is not None and app.single_logout_url == "http://127.0.0.1:5000/slo"


_RUNTIME: list[Runtime] = []


@settings(max_examples=200, deadline=None)
@given(prefix=st.sampled_from(["https://rp.example", "https://", "http://rp.example", ""]), url=st.text(max_size=40))
def test_any_text_either_seeds_as_https_or_is_a_seed_error(prefix: str, url: str) -> None:
    from mockown.salesforce.seed import _single_logout_url

    if not _RUNTIME:
        _RUNTIME.append(create_app(Config(), clock=FrozenClock(T0)).state.runtime)
    try:
        got = _single_logout_url(_RUNTIME[0], prefix + url, "where")
    except SeedError as exc:
        assert "where" in str(exc)
    else:
        if not prefix + url:
            assert got is None  # "" is SLO off
        else:
            assert got == prefix + url and got.startswith("https://") and urlsplit(got).hostname


# -- the state file: another worker process ends the session ------------------------------------------------
def test_the_sessions_apps_live_in_the_state_file(tmp_path: Path) -> None:
    config = Config(state_file=str(tmp_path / "state.db"))
    first = create_app(config, clock=FrozenClock(T0))
    second = create_app(config, clock=FrozenClock(T0))  # a second worker on the same file
    try:
        _seed(first.state.runtime)
        with in_process_client(first) as one:
            sign_in(one, "SloAppA")
            cookies = dict(one.cookies)
        with in_process_client(second) as two:
            for name, value in cookies.items():
                two.cookies.set(name, value)
            assert slo_page(two.get(LOGOUT))[0] == [SLO_A]
    finally:
        first.state.runtime.store.close()
        second.state.runtime.store.close()


# -- the README's example, run as written against a real `mockown serve` -------------------------------------
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readme_example_runs(tmp_path: Path) -> None:
    from tests.server_support import mockown_server

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Single Logout (OpenID Connect front-channel SLO", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match, "the README lost its Single Logout example"
    script = match.group(1).replace("/tmp/slojar", str(tmp_path / "jar"))
    with mockown_server() as base:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", f"BASE={base}\n{script}"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "201"
    assert "<meta http-equiv='refresh' content='10;url=https://rp.example.com/cb?state=s1'>" in lines
    assert (
        "<iframe class='slo' src='https://rp.example.com/slo' title='Single Logout' hidden width='0' height='0'>"
        in lines
    )
    assert f"302 {base}/" in lines and any(line.startswith("302 https://rp.example.com/cb?code=") for line in lines)

"""The browser pages under a root path (`uvicorn --root-path /x` behind a proxy that strips the prefix, or the app in
a `Mount`): every form a page shows posts, every redirect to a page of the mock goes, and the Own profile's cookie
applies under that path, so a browser that follows them stays on the mock. A client's own URLs (its callback, a
logout redirect) are untouched."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import InProcessTransport
from tests.conftest import ADMIN, CID, PASSWORD, SECRET, T0

from .support import new_org

HOST = "http://127.0.0.1:8080"
FORM = re.compile(r"<form method='post' action='([^']+)'[^>]*>(.*?)</form>", re.S)
FIELD = re.compile(r"<input type='hidden' name='([^']+)' value='([^']*)'>")


def _served(root: str, mount: bool) -> tuple[httpx.Client, Starlette]:
    app = create_app(Config(), clock=FrozenClock(T0))
    if mount:
        return httpx.Client(transport=InProcessTransport(Starlette(routes=[Mount(root, app=app)])), base_url=HOST), app
    return httpx.Client(transport=InProcessTransport(app, root_path=root), base_url=HOST), app


def _submit(client: httpx.Client, page: httpx.Response, root: str, **fields: str) -> httpx.Response:
    """Post the page's (first) form as a browser would: to its action, with its hidden fields and `fields`."""
    found = FORM.search(page.text)
    assert found, page.text
    action = unescape(found.group(1))
    assert action.startswith(root + "/"), action
    data = {name: unescape(value) for name, value in FIELD.findall(found.group(2))} | fields
    return client.post(action, data=data)


def _here(response: httpx.Response, root: str) -> str:
    """A redirect to a page of the mock: its Location, which starts with the root path."""
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(root + "/"), location
    return location


CASES = [("/x", False), ("/proxy/mock", False), ("/mock", True)]


@pytest.mark.parametrize(("root", "mount"), CASES)
def test_the_web_server_flow_with_consent_under_a_root_path(root: str, mount: bool) -> None:
    client, app = _served(root, mount)
    org = new_org(app.state.runtime, auto_approve=False, name="Root App", callback_urls=["https://app.example.com/cb"])
    with client:
        doc = client.get(root + "/.well-known/openid-configuration").json()
        query = {
            "response_type": "code",
            "client_id": org["app"]["client_id"],
            "redirect_uri": "https://app.example.com/cb",
        }
        login = client.get(doc["authorization_endpoint"], params=query)
        consent = _submit(client, login, root, username=org["username"], password="Alice-Passw0rd")
        assert "Allow Access?" in consent.text
        done = _submit(client, consent, root, decision="allow")
        assert done.status_code == 302 and done.headers["location"].startswith("https://app.example.com/cb?code=")
        code = dict(p.split("=", 1) for p in urlsplit(done.headers["location"]).query.split("&"))["code"]
        redeemed = client.post(doc["token_endpoint"], data={
            "grant_type": "authorization_code", "code": httpx.QueryParams(f"c={code}")["c"],
            "client_id": org["app"]["client_id"], "client_secret": org["app"]["client_secret"],
            "redirect_uri": "https://app.example.com/cb"})  # fmt: skip
        assert redeemed.status_code == 200, redeemed.text


@pytest.mark.parametrize(("root", "mount"), CASES)
def test_frontdoor_login_and_logout_stay_under_the_root_path(root: str, mount: bool) -> None:
    client, _ = _served(root, mount)
    home = "/lightning/page/home"
    with client:
        password = {"grant_type": "password", "username": ADMIN, "password": PASSWORD}
        sid = client.post(root + "/services/oauth2/token", data=password, auth=(CID, SECRET)).json()["access_token"]
        door = client.get(root + "/secur/frontdoor.jsp", params={"sid": sid, "retURL": home})
        assert _here(door, root) == root + home
        client.cookies.clear()
        dead = client.get(root + "/secur/frontdoor.jsp", params={"sid": "00Dnope!x", "retURL": home})
        page = client.get(_here(dead, root))
        assert page.status_code == 200 and "Log in" in page.text
        logged_in = _submit(client, page, root, username=ADMIN, password=PASSWORD)
        assert _here(logged_in, root) == root + home
        assert _here(client.get(root + "/secur/logout.jsp"), root) == root + "/"


@pytest.mark.parametrize(("root", "mount"), CASES)
def test_the_own_profile_page_under_a_root_path(root: str, mount: bool) -> None:
    client, _ = _served(root, mount)
    with client:
        page = client.get(root + "/own/profile")
        assert page.status_code in (200, 401), page.text
        signed_in = _submit(client, page, root, email="owner@own.mockown.test", password="0wnerPassw0rd!")
        assert signed_in.status_code == 200, signed_in.text
        cookie = signed_in.headers["set-cookie"]
        assert f"Path={root}/own/" in cookie, cookie
        forms = [unescape(a) for a, _ in FORM.findall(signed_in.text)]
        assert forms and all(a.startswith(root + "/own/") for a in forms), forms
        assert client.get(root + "/own/profile").status_code == 200  # the cookie comes back under the root path


@pytest.mark.parametrize(("root", "mount"), CASES)
def test_the_device_verification_page_under_a_root_path(root: str, mount: bool) -> None:
    client, _ = _served(root, mount)
    with client:
        start = client.post(root + "/services/oauth2/token", data={"response_type": "device_code", "client_id": CID})
        assert start.status_code == 200, start.text
        assert start.json()["verification_uri"] == HOST + root + "/setup/connect"
        login = client.get(start.json()["verification_uri"])
        code_page = _submit(client, login, root, username=ADMIN, password=PASSWORD)
        assert code_page.status_code == 200 and "Enter the code" in code_page.text
        assert [unescape(a) for a, _ in FORM.findall(code_page.text)] == [root + "/setup/connect"]
        wrong = _submit(client, code_page, root, user_code="NOPE-NOPE")
        assert wrong.status_code == 200 and "id='error'" in wrong.text  # the code page again, with the error
        assert [unescape(a) for a, _ in FORM.findall(wrong.text)] == [root + "/setup/connect"]
        consent = _submit(client, wrong, root, user_code=start.json()["user_code"])
        assert consent.status_code == 200 and "id='error'" not in consent.text, consent.text
        done = _submit(client, consent, root, decision="allow")
        assert done.status_code == 200 and "Device Connected" in done.text, done.text
        poll = {"grant_type": "device", "client_id": CID, "code": start.json()["device_code"]}
        assert client.post(root + "/services/oauth2/token", data=poll).status_code == 200
